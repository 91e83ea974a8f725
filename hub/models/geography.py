"""Where the program happens: provinces (R3), counties (R4, R5, R9–R11), service units and schools."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint


class Province(SQLModel, table=True):
    """R3: the 31 provincial-level divisions plus XPCC (66); shipped as data."""

    __tablename__ = "provinces"

    code: str = Field(primary_key=True, max_length=2)
    name: str = Field(max_length=40)
    region: str = Field(max_length=12)


class County(SQLModel, table=True):
    """A county-level division (县). Its status follows the new-service-county procedure of R9."""

    __tablename__ = "counties"

    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=60)
    province_code: str = Field(foreign_key="provinces.code", index=True, max_length=2)
    key_assistance: str = Field(default="NONE", max_length=16)
    remote: bool = Field(default=False)
    status: str = Field(default="NOT_SERVICE", max_length=20)
    # R9: the new-service-county application, kept on the county (one open application at a time).
    contact_person: str | None = Field(default=None, max_length=60)
    intake_capacity: int | None = Field(default=None)
    government_approval_ref: str | None = Field(default=None, max_length=80)
    first_service_year: str | None = Field(default=None, max_length=9)


class CountyEvaluation(SQLModel, table=True):
    """R11: the serving province's yearly evaluation of a service county."""

    __tablename__ = "county_evaluations"
    __table_args__ = (UniqueConstraint("county_code", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="counties.code", max_length=6)
    year: str = Field(foreign_key="program_years.code", max_length=9)
    passed: bool
    remarks: str | None = Field(default=None, max_length=500)
    recorded_at: datetime


class ServiceUnit(SQLModel, table=True):
    """R5: a service unit (服务单位) of one county, at county, township or village level."""

    __tablename__ = "service_units"
    __table_args__ = (UniqueConstraint("county_code", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="counties.code", index=True, max_length=6)
    name: str = Field(max_length=120)
    level: str = Field(max_length=10)


class School(SQLModel, table=True):
    """A general higher-education school on the Ministry of Education list (R19), by its 5-digit code."""

    __tablename__ = "schools"

    code: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=120)
    province_code: str = Field(foreign_key="provinces.code", index=True, max_length=2)
