"""gansu rural doctors: the scheme's table

Revision ID: g0001
Revises:
Create Date: 2026-11-29 07:00:00

Its own branch (label gansu_rural_doctors), depending on the hub core's tables (counties).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "g0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("gansu_rural_doctors",)
depends_on: str | Sequence[str] | None = "0001"


def upgrade() -> None:
    op.create_table(
        "gansu_rural_doctors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("village", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("doctor_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("specialty", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["county_code"], ["counties.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("gansu_rural_doctors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gansu_rural_doctors_county_code"), ["county_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gansu_rural_doctors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gansu_rural_doctors_county_code"))
    op.drop_table("gansu_rural_doctors")
