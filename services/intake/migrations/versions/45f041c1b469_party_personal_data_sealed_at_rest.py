"""party id numbers and phones sealed at rest

`parties.id_number` and `parties.phone` become Fernet tokens (services/intake/store/sealed.py),
longer than the old columns: they turn to text, and `parties.id_number_hash` (indexed) holds the id
number's keyed hash for lookups. The rows already stored in clear are sealed and hashed here with the
first of INTAKE_DATA_KEYS and with INTAKE_LOOKUP_KEY (so the migration Job needs that Secret, as the
service does).

Revision ID: 45f041c1b469
Revises: 3c5e8a1f9d24
Create Date: 2026-12-03 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '45f041c1b469'
down_revision: str | None = '3c5e8a1f9d24'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_parties = sa.table('parties', sa.column('id', sa.String), sa.column('id_number', sa.Text),
                    sa.column('phone', sa.Text), sa.column('id_number_hash', sa.String))
# The old columns held at most 20 characters; a Fernet token is never shorter than 100.
_CLEAR_MAX = 32
# Rows read and rewritten at a time: a large table is never held in memory at once.
_PAGE = 1000


def _keys():
    from services.intake.settings import Settings
    from services.intake.store.sealed import PARTY_DATA
    from shared.sealed import LookupKey

    settings = Settings()
    return PARTY_DATA.box_for(settings.data_key_list), LookupKey(settings.lookup_key)


def _in_clear(value: str | None) -> bool:
    return value is not None and len(value) <= _CLEAR_MAX


def _pages(connection):
    after = ''
    while True:
        rows = connection.execute(sa.select(_parties).where(_parties.c.id > after)
                                  .order_by(_parties.c.id).limit(_PAGE)).all()
        if not rows:
            return
        yield rows
        after = rows[-1].id


def _update(connection, changes: list[dict]) -> None:
    statement = (sa.update(_parties).where(_parties.c.id == sa.bindparam('b_id'))
                 .values(id_number=sa.bindparam('b_id_number'), phone=sa.bindparam('b_phone'),
                         id_number_hash=sa.bindparam('b_hash')))
    connection.execute(statement, changes)


def upgrade() -> None:
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.alter_column('id_number', type_=sa.Text(), existing_type=sa.String(length=18), existing_nullable=False)
        batch_op.alter_column('phone', type_=sa.Text(), existing_type=sa.String(length=20), existing_nullable=True)
        batch_op.add_column(sa.Column('id_number_hash', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    keys = None
    for rows in _pages(connection):
        keys = keys or _keys()  # the keys are needed only when there is something to seal
        _update(connection, [_sealed(row, *keys) for row in rows])
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.alter_column('id_number_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_parties_id_number_hash'), ['id_number_hash'], unique=False)


def _sealed(row, box, lookup) -> dict:
    """The row's values sealed and hashed; a value sealed already (a rerun) stays as it is."""
    from services.intake.store.sealed import id_number_hash

    id_number = row.id_number if _in_clear(row.id_number) else box.open(row.id_number)
    return {'b_id': row.id, 'b_id_number': box.seal(id_number) if _in_clear(row.id_number) else row.id_number,
            'b_phone': box.seal(row.phone) if _in_clear(row.phone) else row.phone,
            'b_hash': id_number_hash(lookup, id_number)}


def downgrade() -> None:
    connection = op.get_bind()
    box = None
    for rows in _pages(connection):
        box = box or _keys()[0]
        _update(connection, [{'b_id': row.id, 'b_hash': row.id_number_hash,
                              **{f'b_{name}': value if value is None or _in_clear(value) else box.open(value)
                                 for name, value in (('id_number', row.id_number), ('phone', row.phone))}}
                             for row in rows])
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parties_id_number_hash'))
        batch_op.drop_column('id_number_hash')
        batch_op.alter_column('phone', type_=sa.String(length=20), existing_type=sa.Text(), existing_nullable=True)
        batch_op.alter_column('id_number', type_=sa.String(length=18), existing_type=sa.Text(), existing_nullable=False)
