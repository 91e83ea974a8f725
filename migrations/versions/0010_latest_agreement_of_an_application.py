"""latest agreement of an application (issue 17): applications.latest_post_id and latest_term_year,
backfilled from service_agreements, indexed for a post's holders and a province's volunteers in post

From here on hub.agreements keeps both columns in the transaction of every agreement write.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:21:28.481485
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# hub.agreements.refresh() as it stands today, frozen here: the latest agreement is the highest term.
BACKFILL = """
UPDATE applications SET
    latest_post_id = (SELECT a.post_id FROM service_agreements a
                      WHERE a.application_id = applications.id ORDER BY a.term_year DESC LIMIT 1),
    latest_term_year = (SELECT max(a.term_year) FROM service_agreements a WHERE a.application_id = applications.id)
WHERE id IN (SELECT application_id FROM service_agreements)
"""


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest_post_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('latest_term_year', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_applications_latest_post_id', 'posts', ['latest_post_id'], ['id'])
    op.execute(BACKFILL)  # before the indexes: one pass over the table, then each index built once
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(
            'ix_applications_in_post', ['serving_province_code', 'status', 'year', 'latest_term_year'], unique=False
        )
        batch_op.create_index('ix_applications_latest_post_id_status', ['latest_post_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_latest_post_id_status')
        batch_op.drop_index('ix_applications_in_post')
        batch_op.drop_constraint('fk_applications_latest_post_id', type_='foreignkey')
        batch_op.drop_column('latest_term_year')
        batch_op.drop_column('latest_post_id')
