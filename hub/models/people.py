"""Volunteers (R6, R19) and their applications through recruitment (R20–R25)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel, UniqueConstraint


class Volunteer(SQLModel, table=True):
    """A registered applicant (志愿者), tied to the account (`subject`) that registered."""

    __tablename__ = "volunteers"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(unique=True, max_length=120)
    name: str = Field(max_length=60)
    id_number: str = Field(unique=True, max_length=18)
    phone: str = Field(max_length=11)
    gender: str = Field(max_length=6)
    birth_date: date
    school_code: str = Field(foreign_key="schools.code", index=True, max_length=5)
    degree: str = Field(max_length=10)
    graduate_teaching_group: bool = Field(default=False)
    has_work_experience: bool = Field(default=False)
    volunteer_experience: str | None = Field(default=None, max_length=2000)
    registered_at: datetime
    # R31: completion.
    certificate_number: str | None = Field(default=None, unique=True, max_length=40)
    completed_on: date | None = Field(default=None)
    appraisal: str | None = Field(default=None, max_length=2000)


class Application(SQLModel, table=True):
    """An application (报名) for one program year and everything recruitment records on it.

    `active_volunteer_id` equals `volunteer_id` while the application is active and is null once
    withdrawn, so the database itself keeps R20's one active application per volunteer per year.

    `latest_post_id` and `latest_term_year` are those of the application's latest service agreement (the
    highest term), kept by hub.agreements in the transaction of every agreement write: what the post
    headcounts (R26) and the volunteers in post (R8) read instead of searching every application's terms.
    """

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("year", "active_volunteer_id"),
        # R26: a post's holders, one index probe per post (hub.posts.holding); only applications with an
        # agreement, which every probe of a post implies (migration 0012: the index stays small as years pass).
        Index(
            "ix_applications_latest_post_id_status",
            "latest_post_id",
            "status",
            postgresql_where=text("latest_post_id IS NOT NULL"),
            sqlite_where=text("latest_post_id IS NOT NULL"),
        ),
        # R8: a province's volunteers in post in a year (hub.counting.in_post).
        Index("ix_applications_in_post", "serving_province_code", "status", "year", "latest_term_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: str = Field(foreign_key="program_years.code", index=True, max_length=9)
    volunteer_id: int = Field(foreign_key="volunteers.id", index=True)
    active_volunteer_id: int | None = Field(default=None, foreign_key="volunteers.id")
    school_code: str = Field(foreign_key="schools.code", index=True, max_length=5)
    recruiting_province_code: str = Field(foreign_key="provinces.code", index=True, max_length=2)
    preference_1: str = Field(foreign_key="provinces.code", max_length=2)
    preference_2: str = Field(foreign_key="provinces.code", max_length=2)
    preference_3: str = Field(foreign_key="provinces.code", max_length=2)
    accepts_adjustment: bool = Field(default=False)
    status: str = Field(default="SUBMITTED", index=True, max_length=16)
    submitted_at: datetime
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    # R21: school sign-off.
    sign_off_decision: str | None = Field(default=None, max_length=8)
    sign_off_reason: str | None = Field(default=None, max_length=500)
    sign_off_by: str | None = Field(default=None, max_length=120)
    sign_off_at: datetime | None = Field(default=None)
    # R22: selection, physical exam, public notice.
    written_score: float | None = Field(default=None)
    interview_score: float | None = Field(default=None)
    psychological_passed: bool | None = Field(default=None)
    selected: bool | None = Field(default=None)
    exam_passed: bool | None = Field(default=None)
    examined_on: date | None = Field(default=None)
    notice_starts_on: date | None = Field(default=None)
    notice_ends_on: date | None = Field(default=None)
    # R23: recruitment agreement and confirmation notice.
    recruited_at: datetime | None = Field(default=None)
    serving_province_code: str | None = Field(default=None, foreign_key="provinces.code", index=True, max_length=2)
    confirmation_number: str | None = Field(default=None, unique=True, max_length=40)
    # R18/R25: the recruiting side of the quota cell this application's agreement uses — its own
    # recruiting province, or for a replacement the withdrawn volunteer's (net quota use unchanged).
    quota_recruiting_code: str | None = Field(default=None, foreign_key="provinces.code", max_length=2)
    # R24–R26: training, replacement, dispatch.
    training_id: int | None = Field(default=None, foreign_key="trainings.id")
    replacement_for_id: int | None = Field(default=None, foreign_key="applications.id", unique=True)
    county_code: str | None = Field(default=None, foreign_key="counties.code", index=True, max_length=6)
    # R26–R27: the latest service agreement (hub.agreements), null before the first one is signed.
    latest_post_id: int | None = Field(default=None, foreign_key="posts.id")
    latest_term_year: int | None = Field(default=None)
