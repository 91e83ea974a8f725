"""holders of a post (issue 17): the index of a post's holders holds only applications with an agreement

ix_applications_latest_post_id_status indexed every application, four in five of them with no agreement (a
null latest_post_id) in the bench's five years; with the nation five times as big it grew a third B-tree level
and every probe of a post's holders (Q1's `filled`, 648 posts in Gansu) cost one more buffer (1,646 -> 2,295
for Q1 at 100,000 volunteers, the answer unchanged). Partial on `latest_post_id IS NOT NULL`, which every
probe of a post implies, it holds only the applications with an agreement: 1,647 again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOLDING = sa.text('latest_post_id IS NOT NULL')


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_latest_post_id_status')
        batch_op.create_index(
            'ix_applications_latest_post_id_status',
            ['latest_post_id', 'status'],
            unique=False,
            postgresql_where=HOLDING,
            sqlite_where=HOLDING,
        )


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_latest_post_id_status')
        batch_op.create_index('ix_applications_latest_post_id_status', ['latest_post_id', 'status'], unique=False)
