"""The statistics as the justice bureau files them: CSV (`Accept: text/csv`) or an .xlsx workbook,
with Chinese column headings (shared/labels_zh.py) and the group keys in words, a total row last.

CSV is UTF-8 with a byte-order mark, so that Excel (the bureau's tool) reads the Chinese headings."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from shared.labels_zh import CATEGORIES, DISTRICTS, MODES, STATS_COLUMNS, STATS_GROUPS, zh

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KEY_WORDS = {"category": CATEGORIES, "mode": MODES, "district": DISTRICTS}
_RATES = ("settlement_rate",)


def _key(group_by: str, key: str | None) -> str:
    table = _KEY_WORDS.get(group_by)
    if key is None:
        return "—"
    return zh(table, key) if table is not None else key


def table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """(headings, rows) of a report as GET /v1/stats answers it in JSON."""
    group_by = report["group_by"]
    headings = [STATS_GROUPS[group_by], *STATS_COLUMNS.values()]
    rows = [[_key(group_by, g["key"]), *(g[c] for c in STATS_COLUMNS)] for g in report["groups"]]
    rows.append([STATS_GROUPS["total"], *(report["total"][c] for c in STATS_COLUMNS)])
    return headings, rows


def _title(report: dict[str, Any]) -> str:
    return f"调解统计 {report['from']} 至 {report['to']}（按{STATS_GROUPS[report['group_by']]}）"


def to_csv(report: dict[str, Any]) -> bytes:
    headings, rows = table(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: dict[str, Any]) -> bytes:
    headings, rows = table(report)
    book = Workbook()
    sheet = book.active
    sheet.title = "统计"
    sheet.append([_title(report)])
    sheet.append(headings)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    rate_columns = [2 + list(STATS_COLUMNS).index(c) for c in _RATES]
    for line in sheet.iter_rows(min_row=3):
        for column in rate_columns:
            line[column - 1].number_format = "0.00%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def wanted_format(accept: str | None, format_: str | None) -> str:
    """json, csv or xlsx: `?format=` first (a link the bureau clicks), then the Accept header."""
    if format_:
        return format_
    media: Sequence[str] = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    if XLSX_TYPE in media:
        return "xlsx"
    if CSV_TYPE in media:
        return "csv"
    return "json"
