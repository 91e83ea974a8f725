"""trusted documents: the registered operations of HUB_TRUSTED_DOCUMENTS=on (`hub documents add`)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:00:00.000000

Written on a branch beside another 0005; the lead re-chains down_revision when merging.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('trusted_documents',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_trusted_documents_sha256'), 'trusted_documents', ['sha256'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_trusted_documents_sha256'), table_name='trusted_documents')
    op.drop_table('trusted_documents')
