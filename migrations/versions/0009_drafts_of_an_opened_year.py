"""drafts of an opened year (issue 19): a draft flag on milestone_dates, province_scales, allowance_standards

Rows that openProgramYear copies from the previous year are drafts: shown to the offices, counted by no rule
until the national office confirms them. Existing rows are in force (the default, false).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('milestone_dates', 'province_scales', 'allowance_standards')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('draft', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('draft')
