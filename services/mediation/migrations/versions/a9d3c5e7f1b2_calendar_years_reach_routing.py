"""the holiday years ops loaded before routing kept its own copy go out as calendar.year_loaded

Routing counts the parties' joint-choice window (2021 Art 10) on its own copy of the holiday table,
fed by calendar.year_loaded (services/mediation/actions/calendar.load_year). Years ops loaded before
that event existed would never reach it: the newest version of each such year is put in the outbox
once, here, and the relay sends it as if it had just been loaded. Shipped years (loaded by the seed)
are in routing's code already.

Revision ID: a9d3c5e7f1b2
Revises: f2c8a1d7e390
Create Date: 2026-12-02 10:30:00
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.events import Envelope, calendar_key
from shared.holidays import ARRANGEMENT_FIELDS, arrangement_fields, arrangement_of

revision: str = 'a9d3c5e7f1b2'
down_revision: str | None = 'f2c8a1d7e390'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TYPES = {'year': sa.Integer, 'version': sa.Integer, 'holidays': sa.JSON, 'make_up_working_days': sa.JSON,
          'source': sa.String, 'notice': sa.String, 'provisional': sa.Boolean}
_years = sa.table('holiday_years', sa.column('loaded_by', sa.String),
                  *(sa.column(name, _TYPES[name]) for name in ARRANGEMENT_FIELDS))
_outbox = sa.table('outbox', sa.column('event_id', sa.String), sa.column('type', sa.String),
                   sa.column('case_id', sa.String), sa.column('payload', sa.Text),
                   sa.column('created_at', UTCDateTime()))


def upgrade() -> None:
    connection = op.get_bind()
    newest: dict[int, sa.Row] = {}
    for row in connection.execute(sa.select(_years)).all():
        if row.year not in newest or row.version > newest[row.year].version:
            newest[row.year] = row
    now = datetime.now(UTC)
    for year, row in sorted(newest.items()):
        if row.loaded_by == "seed":
            continue
        envelope = Envelope.new("calendar.year_loaded", calendar_key(year), "mediation",
                                arrangement_fields(arrangement_of(row)), occurred_at=now)
        connection.execute(sa.insert(_outbox).values(event_id=envelope.event_id, type=envelope.type,
                                                     case_id=envelope.case_id, payload=envelope.model_dump_json(),
                                                     created_at=now))


def downgrade() -> None:
    # What was sent cannot be taken back, and routing keeps what it received either way.
    pass
