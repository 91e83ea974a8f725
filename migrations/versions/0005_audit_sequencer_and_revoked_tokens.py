"""audit sequencer (issue 17: no global lock per commit) and revoked tokens (issue 20)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:40:00.000000

`audit_entries.seq` is an entry's position in the hash chain, set when the sequencer seals it; entries
are written unsealed (seq, prev_hash, hash null). The entries already chained keep their hashes: they were
chained in id order, so seq is their rank by id. `revoked_tokens` lists the `jti` of withdrawn tokens.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('audit_entries', sa.Column('seq', sa.BigInteger(), nullable=True))
    op.execute(
        'UPDATE audit_entries SET seq = ranked.n FROM (SELECT id, row_number() OVER (ORDER BY id) AS n '
        'FROM audit_entries WHERE hash IS NOT NULL) AS ranked WHERE ranked.id = audit_entries.id'
    )
    op.create_index('ix_audit_entries_seq', 'audit_entries', ['seq'], unique=True)
    op.create_index(
        'ix_audit_entries_pending',
        'audit_entries',
        ['id'],
        postgresql_where=sa.text('seq IS NULL'),
        sqlite_where=sa.text('seq IS NULL'),
    )
    op.create_table(
        'revoked_tokens',
        sa.Column('jti', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.PrimaryKeyConstraint('jti'),
    )


def downgrade() -> None:
    op.drop_table('revoked_tokens')
    op.drop_index('ix_audit_entries_pending', table_name='audit_entries')
    op.drop_index('ix_audit_entries_seq', table_name='audit_entries')
    op.drop_column('audit_entries', 'seq')
