"""Applications (报名) through selection, recruitment and training (hub/models/people.py's applications and
hub/models/program.py's trainings), each field declared once; the steps of an application are objects
embedded in its row (a sign-off, a selection result...), declared over the same row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import and_, case, exists, false, func, literal_column, null, select

from hub import models as m
from hub.dialects import days_between, json_array
from hub.enums import ApplicationStatus, Decision, TrainingStatus
from hub.graphql.context import Info
from hub.graphql.fields import EMBEDDED, Node, column, embedded, one, part_of, planned, record, related, view
from hub.graphql.geography import County, Province, School
from hub.graphql.people import Volunteer, volunteer_ties
from hub.graphql.planner import Details, Walk, named
from hub.rules.privacy import entitled_sql, entitlement


def _sign_off_by(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return func.coalesce(row.c.sign_off_by, literal_column("''"))


@strawberry.type
@part_of(m.Application)
class SignOff:
    decision: Decision = column("sign_off_decision")
    reason: str | None = column("sign_off_reason")
    at: datetime = column("sign_off_at")

    @planned(_sign_off_by)
    def by(self) -> str:
        return self.row.sign_off_by or ""


def _psychological_passed(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return func.coalesce(row.c.psychological_passed, false())


@strawberry.type
@part_of(m.Application)
class SelectionResult:
    written_score: float | None = column()
    interview_score: float | None = column()
    selected: bool = column()

    @planned(_psychological_passed)
    def psychological_passed(self) -> bool:
        return bool(self.row.psychological_passed)


@strawberry.type
@part_of(m.Application)
class PhysicalExam:
    passed: bool = column("exam_passed")
    examined_on: date = column()


@strawberry.type
@part_of(m.Application)
class PublicNotice:
    starts_on: date = column("notice_starts_on")
    ends_on: date = column("notice_ends_on")


@strawberry.type
@part_of(m.Application)
class RecruitmentAgreement:
    signed_at: datetime = column("recruited_at")
    confirmation_number: str = column()
    serving_province: Province = one(m.Province, "serving_province_code")


def _physical_exam(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """Health data (R2a): only for the volunteer and the recruiting and serving provincial offices."""
    volunteer = m.Volunteer.__table__.alias()
    entitled = exists(
        select(volunteer.c.id)
        .where(volunteer.c.id == row.c.volunteer_id, entitled_sql(walk.actor, "health", volunteer))
        .correlate_except(volunteer)
    )
    body = walk.object(named(definition), row, details)
    return case((and_(row.c.exam_passed.is_not(None), row.c.examined_on.is_not(None), entitled), body), else_=null())


def _preferences(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """The three preferred provinces in the applicant's order."""
    return json_array(
        *(related(walk, m.Province, "code", row.c[f"preference_{n}"], details, definition) for n in (1, 2, 3))
    )


@strawberry.type
@record(m.Application, scope="Application")
class Application(Node):
    year: str = column()
    accepts_adjustment: bool = column()
    status: ApplicationStatus = column()
    submitted_at: datetime = column()
    volunteer: Volunteer = one(m.Volunteer, "volunteer_id")
    school: School = one(m.School, "school_code")
    recruiting_province: Province = one(m.Province, "recruiting_province_code")
    serving_province: Province | None = one(m.Province, "serving_province_code")
    county: County | None = one(m.County, "county_code")
    training: Training | None = one(m.Training, "training_id")
    replacement_for: Application | None = one(m.Application, "replacement_for_id")
    replaced_by: Application | None = one(m.Application, "id", key="replacement_for_id")
    school_sign_off: SignOff | None = embedded("SignOff", ("sign_off_decision",))
    selection: SelectionResult | None = embedded("SelectionResult", ("selected",))
    public_notice: PublicNotice | None = embedded("PublicNotice", ("notice_starts_on", "notice_ends_on"))
    recruitment_agreement: RecruitmentAgreement | None = embedded(
        "RecruitmentAgreement", ("recruited_at", "confirmation_number", "serving_province_code")
    )

    @planned(_preferences)
    async def preferences(self, info: Info) -> list[Province]:
        codes = [self.row.preference_1, self.row.preference_2, self.row.preference_3]
        return [view(m.Province, r) for r in await info.context.loaders.one(m.Province).load_many(codes)]

    @planned(
        _physical_exam,
        description="Health data: readable by the volunteer, the recruiting and the serving provincial office only.",
    )
    async def physical_exam(self, info: Info) -> PhysicalExam | None:
        r = self.row
        if r.exam_passed is None or r.examined_on is None:
            return None
        volunteer = await info.context.loaders.one(m.Volunteer).load(r.volunteer_id)
        if not entitlement(info.context.actor, await volunteer_ties(info, volunteer)).health:
            return None
        return EMBEDDED["PhysicalExam"].of(r)


def _days(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return days_between(row.c.starts_on, row.c.ends_on) + 1


@strawberry.type
@record(m.Training)
class Training(Node):
    year: str = column()
    location: str = column()
    starts_on: date = column()
    ends_on: date = column()
    status: TrainingStatus = column()
    serving_province: Province = one(m.Province, "serving_province_code")

    @planned(_days)
    def days(self) -> int:
        """R24: both the first and the last day count."""
        return (self.row.ends_on - self.row.starts_on).days + 1
