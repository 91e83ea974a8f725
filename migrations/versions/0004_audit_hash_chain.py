"""audit hash chain (R42, tamper evidence): prev_hash and hash on every audit entry

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 09:00:00.000000

Existing entries are chained in id order on the way up, so `hub audit verify` holds from the start.
"""

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

entries = sa.table(
    'audit_entries',
    sa.column('id', sa.Integer()),
    sa.column('at', sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column('actor_level', sa.String()),
    sa.column('actor_code', sa.String()),
    sa.column('actor_subject', sa.String()),
    sa.column('operation', sa.String()),
    sa.column('target_ids', sa.JSON()),
    sa.column('changes', sa.JSON()),
    sa.column('prev_hash', sa.String()),
    sa.column('hash', sa.String()),
)
scopes = sa.table('audit_scopes', sa.column('entry_id', sa.Integer()), sa.column('level', sa.String()), sa.column('code', sa.String()))


def upgrade() -> None:
    # Plain ADD/DROP COLUMN, no batch table rebuild: SQLite cannot drop audit_entries while audit_scopes
    # rows refer to it with foreign keys on. So the columns stay nullable; hub/audit.py fills both always.
    op.add_column('audit_entries', sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column('audit_entries', sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))

    from hub.audit import GENESIS, entry_hash

    connection = op.get_bind()
    by_entry: dict[int, list[tuple[str, str]]] = {}
    for entry_id, level, code in connection.execute(sa.select(scopes.c.entry_id, scopes.c.level, scopes.c.code)):
        by_entry.setdefault(entry_id, []).append((level, code))
    previous = GENESIS
    for row in connection.execute(sa.select(entries).order_by(entries.c.id)).mappings().all():
        entry = SimpleNamespace(**{**row, 'prev_hash': previous})
        digest = entry_hash(entry, by_entry.get(row['id'], []))
        connection.execute(entries.update().where(entries.c.id == row['id']).values(prev_hash=previous, hash=digest))
        previous = digest


def downgrade() -> None:
    op.drop_column('audit_entries', 'hash')
    op.drop_column('audit_entries', 'prev_hash')
