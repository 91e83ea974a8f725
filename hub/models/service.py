"""Posts (R12–R14) and service: agreements (R26–R27), reports and incidents (R28–R29),
assessments (R30), insurance (R39)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint


class Post(SQLModel, table=True):
    """R12: a service post (服务岗位) of a unit for one year, with a headcount."""

    __tablename__ = "posts"
    # The inbox's post queues (hub.events.inbox: posts to confirm or approve) find the few posts of one status,
    # in a province's counties, without reading every post of every year.
    __table_args__ = (Index("ix_posts_status_county_code", "status", "county_code"),)

    id: int | None = Field(default=None, primary_key=True)
    year: str = Field(foreign_key="program_years.code", index=True, max_length=9)
    unit_id: int = Field(foreign_key="service_units.id", index=True)
    county_code: str = Field(foreign_key="counties.code", index=True, max_length=6)
    title: str = Field(max_length=120)
    category: str = Field(max_length=20)
    headcount: int
    status: str = Field(default="DECLARED", max_length=20)
    local_project_id: int | None = Field(default=None, foreign_key="local_projects.id")


class ServiceAgreement(SQLModel, table=True):
    """R26–R27: a one-year tripartite service agreement (三方服务协议); renewals add a term."""

    __tablename__ = "service_agreements"
    __table_args__ = (UniqueConstraint("application_id", "term_year"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteers.id", index=True)
    post_id: int = Field(foreign_key="posts.id", index=True)
    county_code: str = Field(foreign_key="counties.code", index=True, max_length=6)
    unit_id: int = Field(foreign_key="service_units.id")
    term_year: int
    starts_on: date
    ends_on: date
    signed_at: datetime
    reported_on: date | None = Field(default=None)


class MonthlyReport(SQLModel, table=True):
    """R28: a county's monthly report (月报); one per county per month (`YYYY-MM`)."""

    __tablename__ = "monthly_reports"
    __table_args__ = (UniqueConstraint("county_code", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="counties.code", max_length=6)
    month: str = Field(max_length=7)
    in_post: int
    absent: int
    filed_at: datetime


class SafetyIncident(SQLModel, table=True):
    """R29: a safety or health incident; a MAJOR one bans the county for the next year (R10)."""

    __tablename__ = "safety_incidents"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="counties.code", index=True, max_length=6)
    report_id: int | None = Field(default=None, foreign_key="monthly_reports.id", index=True)
    volunteer_id: int | None = Field(default=None, foreign_key="volunteers.id")
    unit_id: int | None = Field(default=None, foreign_key="service_units.id")
    occurred_on: date
    severity: str = Field(max_length=6)
    description: str = Field(max_length=2000)


class Assessment(SQLModel, table=True):
    """R30: the annual assessment (年度考核) of an in-post volunteer, proposed by the county."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("volunteer_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    year: str = Field(foreign_key="program_years.code", index=True, max_length=9)
    volunteer_id: int = Field(foreign_key="volunteers.id", index=True)
    grade: str = Field(max_length=12)
    status: str = Field(default="PROPOSED", max_length=10)


class InsurancePolicy(SQLModel, table=True):
    """R39: a commercial insurance policy (major illness or accident) bought for a volunteer."""

    __tablename__ = "insurance_policies"
    __table_args__ = (UniqueConstraint("kind", "policy_number"),)

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteers.id", index=True)
    kind: str = Field(max_length=14)
    policy_number: str = Field(max_length=60)
    valid_from: date
    valid_until: date
