"""The program year (R7), scales (R8), quotas (R15–R18), trainings (R24), allowances (R39), local projects (R41)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, UniqueConstraint


def draft_flag() -> bool:
    """A row copied by `openProgramYear` for the national office to adjust: shown, but it counts for no rule
    until confirmed (confirmProgramYearDrafts, or set again through its set* mutation). Defaults to false in
    the database too, so rows written by hand or in bulk are in force."""
    return Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # type: ignore[no-any-return]


class ProgramYear(SQLModel, table=True):
    """A program year such as `2021-2022`; everything is scoped to one (R7)."""

    __tablename__ = "program_years"

    code: str = Field(primary_key=True, max_length=9)


class MilestoneDate(SQLModel, table=True):
    """R7: the closing date of one milestone of a year; `extended` records a national extension."""

    __tablename__ = "milestone_dates"

    year: str = Field(foreign_key="program_years.code", primary_key=True, max_length=9)
    milestone: str = Field(primary_key=True, max_length=32)
    closes_on: date
    extended: bool = Field(default=False)
    draft: bool = draft_flag()


class ProvinceScale(SQLModel, table=True):
    """R8: the implementation scale (实施规模) of a serving province in a year."""

    __tablename__ = "province_scales"

    year: str = Field(foreign_key="program_years.code", primary_key=True, max_length=9)
    province_code: str = Field(foreign_key="provinces.code", primary_key=True, max_length=2)
    scale: int
    draft: bool = draft_flag()


class Quota(SQLModel, table=True):
    """R15: one cell of the recruitment-quota matrix, recruiting province × serving province."""

    __tablename__ = "quotas"

    year: str = Field(foreign_key="program_years.code", primary_key=True, max_length=9)
    recruiting_province_code: str = Field(foreign_key="provinces.code", primary_key=True, max_length=2)
    serving_province_code: str = Field(foreign_key="provinces.code", primary_key=True, max_length=2)
    quota: int = Field(default=0)


class QuotaMove(SQLModel, table=True):
    """R16/R17: a recorded move of quota from one matrix cell to another."""

    __tablename__ = "quota_moves"

    id: int | None = Field(default=None, primary_key=True)
    year: str = Field(foreign_key="program_years.code", index=True, max_length=9)
    from_recruiting_code: str = Field(foreign_key="provinces.code", max_length=2)
    from_serving_code: str = Field(foreign_key="provinces.code", max_length=2)
    to_recruiting_code: str = Field(foreign_key="provinces.code", max_length=2)
    to_serving_code: str = Field(foreign_key="provinces.code", max_length=2)
    amount: int
    reallocation: bool = Field(default=False)
    moved_at: datetime


class Training(SQLModel, table=True):
    """R24: a serving province's pre-service training, approved by the national office."""

    __tablename__ = "trainings"

    id: int | None = Field(default=None, primary_key=True)
    year: str = Field(foreign_key="program_years.code", index=True, max_length=9)
    serving_province_code: str = Field(foreign_key="provinces.code", index=True, max_length=2)
    location: str = Field(max_length=120)
    starts_on: date
    ends_on: date
    status: str = Field(default="PROPOSED", max_length=10)


class AllowanceStandard(SQLModel, table=True):
    """R39: the monthly living allowance a provincial office sets, per province or per county."""

    __tablename__ = "allowance_standards"
    __table_args__ = (UniqueConstraint("year", "province_code", "county_code"),)

    id: int | None = Field(default=None, primary_key=True)
    year: str = Field(foreign_key="program_years.code", max_length=9)
    province_code: str = Field(foreign_key="provinces.code", max_length=2)
    county_code: str | None = Field(default=None, foreign_key="counties.code", max_length=6)
    monthly_allowance: Decimal = Field(max_digits=12, decimal_places=2)
    hardship_allowance: Decimal = Field(default=Decimal("0"), max_digits=12, decimal_places=2)
    draft: bool = draft_flag()


class LocalProject(SQLModel, table=True):
    """R41: a provincial local project (地方项目), submitted yearly and decided by the national office."""

    __tablename__ = "local_projects"
    __table_args__ = (UniqueConstraint("year", "province_code", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    year: str = Field(foreign_key="program_years.code", index=True, max_length=9)
    province_code: str = Field(foreign_key="provinces.code", index=True, max_length=2)
    name: str = Field(max_length=120)
    scale: int
    budget: Decimal = Field(max_digits=14, decimal_places=2)
    status: str = Field(default="SUBMITTED", max_length=10)
    decision_reason: str | None = Field(default=None, max_length=500)
