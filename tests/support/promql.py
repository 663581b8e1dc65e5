"""The metric names a PromQL expression reads, and the metric names a /metrics page exposes: how the
ops tests check that every metric the dashboard and the alert rules name exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "k8s" / "base" / "monitoring"
DASHBOARD = MONITORING / "courtmed-dashboard.json"
RULES = MONITORING / "prometheusrule.yaml"

_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_SELECTOR = re.compile(r"\{[^}]*\}")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_RANGE = re.compile(r"\[[^\]]*\]")
_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring"}


def metric_names(expr: str) -> set[str]:
    """Metric names in `expr`: identifiers that are neither a function call, a keyword, a label name
    (grouping clauses and selectors removed first) nor a duration."""
    text = _STRING.sub("", expr)
    text = _SELECTOR.sub(" ", _GROUPING.sub(" ", text))
    text = _RANGE.sub(" ", text)
    names = set()
    for match in _IDENT.finditer(text):
        after = text[match.end():].lstrip()
        if after.startswith("(") or match.group().lower() in _KEYWORDS:
            continue
        if match.start() > 0 and text[match.start() - 1].isdigit():
            continue  # the unit of a number, as in 5m
        names.add(match.group())
    return names


def dashboard_exprs(path: Path = DASHBOARD) -> list[str]:
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def rule_exprs(path: Path = RULES) -> list[str]:
    rule = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [r["expr"] for group in rule["spec"]["groups"] for r in group["rules"]]


def exposed_names(page: str) -> set[str]:
    """Every name a scrape can be queried by: each family (# TYPE, so a labelled metric that has not
    counted anything yet still counts) with its sample suffixes, and every sample name."""
    names = set()
    for line in page.splitlines():
        if line.startswith("# TYPE "):
            family = line.split()[2]
            names |= {family, *(family + suffix for suffix in ("_total", "_bucket", "_sum", "_count", "_created"))}
        elif line and not line.startswith("#"):
            names.add(_IDENT.match(line).group())
    return names
