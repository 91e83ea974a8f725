"""reference data: provinces (R3)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 06:00:00

The 31 provincial-level divisions and XPCC (66), from hub/reference/provinces.json.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.reference import load_provinces

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

provinces = sa.table("provinces", sa.column("code", sa.String), sa.column("name", sa.String),
                     sa.column("region", sa.String))


def upgrade() -> None:
    op.bulk_insert(provinces, load_provinces())


def downgrade() -> None:
    op.execute(provinces.delete())
