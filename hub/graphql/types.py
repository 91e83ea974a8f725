"""The core object types of the contract, each built from its table row; relations go through loaders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON

import hub.graphql.scalars  # noqa: F401  (registers the enums)
from hub import models as m
from hub.enums import (
    ApplicationStatus,
    AssessmentGrade,
    AssessmentStatus,
    BenefitKind,
    CountyStatus,
    Decision,
    Degree,
    FundingZone,
    Gender,
    IncidentSeverity,
    InsuranceKind,
    KeyAssistance,
    LocalProjectStatus,
    Milestone,
    OfficeLevel,
    PostCategory,
    PostStatus,
    Region,
    SpecialProject,
    TrainingStatus,
    UnitLevel,
)
from hub.errors import forbidden
from hub.graphql import aggregates
from hub.graphql.connections import Connection, fetch_nested_pages, fetch_page, to_connection
from hub.graphql.context import Info
from hub.graphql.ids import int_key, to_global_id
from hub.rules.funding import funding_zone
from hub.rules.idnumbers import mask_id_number
from hub.rules.privacy import VolunteerTies, entitlement
from hub.rules.structure import special_project


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class MilestoneDate:
    milestone: Milestone
    closes_on: date


@strawberry.type
class ProgramYear(Node):
    code: str
    milestones: list[MilestoneDate]


@strawberry.federation.type(keys=["code"])
class Province(Node):
    row: strawberry.Private[m.Province]
    code: str
    name: str
    region: Region

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> Province | None:
        """Federation: a Province entity by its code (public reference data)."""
        info.context.check_public()
        row = await info.context.loaders.one(m.Province).load(code)
        return None if row is None else cls.of(row)

    @classmethod
    def of(cls, row: m.Province) -> Province:
        return cls(
            id=to_global_id("Province", row.code),
            row=row,
            code=row.code,
            name=row.name,
            region=Region(row.region),
        )

    @strawberry.field(description="Implementation scale (total volunteers in post) set by the national office, R8.")
    async def scale(self, info: Info, year: str) -> int | None:
        info.context.require_actor("Province.scale")
        return (await aggregates.scales(info, year)).get(self.code)

    @strawberry.field
    async def in_post(self, info: Info, year: str) -> int:
        info.context.require_actor("Province.inPost")
        return (await aggregates.in_post_by_province(info, year)).get(self.code, 0)

    @strawberry.field
    async def counties(
        self,
        info: Info,
        status: CountyStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[County]:
        info.context.require_actor("Province.counties")
        where = None if status is None else m.County.status == status.value

        async def batch(session: Any, keys: list[str]) -> list[Any]:
            return await fetch_nested_pages(session, m.County, m.County.province_code, keys, where, first, after)

        page = await info.context.loaders.custom(("province.counties", status, first, after), batch).load(self.code)
        return to_connection(page, County.of, lambda r: r.code)

    @strawberry.field
    async def schools(self, info: Info) -> list[School]:
        info.context.require_actor("Province.schools")
        rows = await info.context.loaders.many(m.School, "province_code", "code").load(self.code)
        return [School.of(r) for r in rows]


async def load_province(info: Info, code: str) -> Province:
    return Province.of(await info.context.loaders.one(m.Province).load(code))


@strawberry.federation.type(keys=["code"])
class County(Node):
    row: strawberry.Private[m.County]
    code: str
    name: str
    key_assistance: KeyAssistance
    remote: bool
    status: CountyStatus

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> County | None:
        """Federation: a County entity by its code, for any authenticated caller (reference data)."""
        info.context.require_actor("County")
        row = await info.context.loaders.one(m.County).load(code)
        return None if row is None else cls.of(row)

    @classmethod
    def of(cls, row: m.County) -> County:
        return cls(
            id=to_global_id("County", row.code),
            row=row,
            code=row.code,
            name=row.name,
            key_assistance=KeyAssistance(row.key_assistance),
            remote=row.remote,
            status=CountyStatus(row.status),
        )

    @strawberry.field
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.row.province_code)

    @strawberry.field
    async def funding_zone(self, info: Info) -> FundingZone:
        province = await info.context.loaders.one(m.Province).load(self.row.province_code)
        return funding_zone(self.code, Region(province.region))

    @strawberry.field
    async def banned_years(self, info: Info) -> list[str]:
        return sorted(await aggregates.banned_years(info, self.code))

    @strawberry.field
    async def accepts_volunteers(self, info: Info, year: str) -> bool:
        return await aggregates.accepts_volunteers(info, self.row, year)

    @strawberry.field
    async def service_units(self, info: Info) -> list[ServiceUnit]:
        rows = await info.context.loaders.many(m.ServiceUnit, "county_code").load(self.code)
        return [ServiceUnit.of(r) for r in rows]

    @strawberry.field
    async def posts(
        self,
        info: Info,
        year: str,
        status: PostStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Post]:
        where = m.Post.year == year
        if status is not None:
            where = where & (m.Post.status == status.value)

        async def batch(session: Any, keys: list[str]) -> list[Any]:
            return await fetch_nested_pages(session, m.Post, m.Post.county_code, keys, where, first, after)

        page = await info.context.loaders.custom(("county.posts", year, status, first, after), batch).load(self.code)
        return to_connection(page, Post.of, lambda r: r.id)

    @strawberry.field
    async def volunteers(
        self, info: Info, year: str, first: int | None = None, after: str | None = None
    ) -> Connection[Volunteer]:
        actor = info.context.require_actor("County.volunteers")
        assigned = m.Volunteer.id.in_(_assigned_subquery(year, self.code))
        where = assigned & info.context.hub.permissions.visible(actor, "Volunteer")
        async with info.context.hub.sessionmaker() as session:
            page = await fetch_page(session, m.Volunteer, where, first, after)
        return to_connection(page, Volunteer.of, lambda r: r.id)


def _assigned_subquery(year: str, county_code: str) -> Any:
    from hub.counting import served_in_county  # the one definition of a county's volunteers of a year

    return select(m.Application.volunteer_id).where(served_in_county(year, county_code))


@strawberry.type
class ServiceUnit(Node):
    row: strawberry.Private[m.ServiceUnit]
    name: str
    level: UnitLevel

    @classmethod
    def of(cls, row: m.ServiceUnit) -> ServiceUnit:
        return cls(id=to_global_id("ServiceUnit", row.id), row=row, name=row.name, level=UnitLevel(row.level))

    @strawberry.field
    async def county(self, info: Info) -> County:
        return County.of(await info.context.loaders.one(m.County).load(self.row.county_code))


@strawberry.federation.type(keys=["id"])
class Post(Node):
    row: strawberry.Private[m.Post]
    year: str
    title: str
    category: PostCategory
    headcount: int
    status: PostStatus

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Post | None:
        """Federation: a Post entity by its global id, for any authenticated caller."""
        info.context.require_actor("Post")
        key = int_key(id, "Post")
        row = None if key is None else await info.context.loaders.one(m.Post).load(key)
        return None if row is None else cls.of(row)

    @classmethod
    def of(cls, row: m.Post) -> Post:
        return cls(
            id=to_global_id("Post", row.id),
            row=row,
            year=row.year,
            title=row.title,
            category=PostCategory(row.category),
            headcount=row.headcount,
            status=PostStatus(row.status),
        )

    @strawberry.field
    def special_project(self) -> SpecialProject:
        return special_project(self.row.county_code, PostCategory(self.row.category))

    @strawberry.field
    async def unit(self, info: Info) -> ServiceUnit:
        return ServiceUnit.of(await info.context.loaders.one(m.ServiceUnit).load(self.row.unit_id))

    @strawberry.field
    async def county(self, info: Info) -> County:
        return County.of(await info.context.loaders.one(m.County).load(self.row.county_code))

    @strawberry.field
    async def filled(self, info: Info) -> int:
        return await aggregates.filled(info, self.row.id)

    @strawberry.field
    async def township_or_below(self, info: Info) -> bool:
        unit = await info.context.loaders.one(m.ServiceUnit).load(self.row.unit_id)
        return unit.level in (UnitLevel.TOWNSHIP.value, UnitLevel.VILLAGE.value)


@strawberry.type
class PostStructure:
    year: str
    province_code: strawberry.Private[str]
    total_headcount: int
    township_share: float
    education_share: float
    youth_work_share: float
    compliant: bool
    violations: list[str]

    @strawberry.field
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code)


@strawberry.federation.type(keys=["code"])
class School(Node):
    row: strawberry.Private[m.School]
    code: str
    name: str

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> School | None:
        """Federation: a School entity by its code, for any authenticated caller."""
        info.context.require_actor("School")
        row = await info.context.loaders.one(m.School).load(code)
        return None if row is None else cls.of(row)

    @classmethod
    def of(cls, row: m.School) -> School:
        return cls(id=to_global_id("School", row.code), row=row, code=row.code, name=row.name)

    @strawberry.field
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.row.province_code)


async def volunteer_ties(info: Info, row: m.Volunteer) -> VolunteerTies:
    school = await info.context.loaders.one(m.School).load(row.school_code)
    apps = await info.context.loaders.many(m.Application, "volunteer_id").load(row.id)
    return VolunteerTies.of(row.subject, row.school_code, school.province_code, apps)


@strawberry.federation.type(
    keys=["id"],
    description="A volunteer. Reached through a list the caller may not read in full (e.g. commendations), "
    "only the name, school and public facts show: the record (applications, agreements, insurance, "
    "benefits) is empty and personal data masked.",
)
class Volunteer(Node):
    row: strawberry.Private[m.Volunteer]
    name: str
    gender: Gender
    birth_date: date
    degree: Degree
    graduate_teaching_group: bool
    has_work_experience: bool
    volunteer_experience: str | None
    certificate_number: str | None = strawberry.field(description="Issued on completion (R31).")

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Volunteer | None:
        """Federation: a Volunteer entity by its global id, under the same read scope as `node` (R1):
        a volunteer outside the caller's jurisdiction is FORBIDDEN, through a gateway as directly."""
        info.context.require_scope("Volunteer", "Volunteer")
        key = int_key(id, "Volunteer")
        row = None if key is None else await info.context.loaders.one(m.Volunteer).load(key)
        if row is None:
            return None
        if not await aggregates.volunteer_visible(info, row.id):
            raise forbidden("this Volunteer is outside your jurisdiction")
        return cls.of(row)

    @classmethod
    def of(cls, row: m.Volunteer) -> Volunteer:
        return cls(
            id=to_global_id("Volunteer", row.id),
            row=row,
            name=row.name,
            gender=Gender(row.gender),
            birth_date=row.birth_date,
            degree=Degree(row.degree),
            graduate_teaching_group=row.graduate_teaching_group,
            has_work_experience=row.has_work_experience,
            volunteer_experience=row.volunteer_experience,
            certificate_number=row.certificate_number,
        )

    @strawberry.field(
        description="Full number only for the volunteer and offices entitled to it; "
        "masked (e.g. 620***********1234) otherwise."
    )
    async def id_number(self, info: Info) -> str:
        allowed = entitlement(info.context.actor, await volunteer_ties(info, self.row))
        return self.row.id_number if allowed.id_number else mask_id_number(self.row.id_number)

    @strawberry.field
    async def phone(self, info: Info) -> str | None:
        allowed = entitlement(info.context.actor, await volunteer_ties(info, self.row))
        return self.row.phone if allowed.phone else None

    @strawberry.field
    async def school(self, info: Info) -> School:
        return School.of(await info.context.loaders.one(m.School).load(self.row.school_code))

    @strawberry.field
    async def applications(self, info: Info) -> list[Application]:
        return [Application.of(r) for r in await aggregates.visible_applications(info, self.row.id)]

    @strawberry.field
    async def agreements(self, info: Info) -> list[ServiceAgreement]:
        if not await aggregates.volunteer_visible(info, self.row.id):
            return []
        rows = await info.context.loaders.many(m.ServiceAgreement, "volunteer_id").load(self.row.id)
        return [ServiceAgreement.of(r) for r in rows]

    @strawberry.field
    async def current_agreement(self, info: Info) -> ServiceAgreement | None:
        if not await aggregates.volunteer_visible(info, self.row.id):
            return None
        rows = await info.context.loaders.many(m.ServiceAgreement, "volunteer_id").load(self.row.id)
        today = info.context.hub.clock.today()
        current = [r for r in rows if r.starts_on <= today <= r.ends_on]
        return ServiceAgreement.of(current[-1]) if current else None

    @strawberry.field
    async def assessments(self, info: Info) -> list[Assessment]:
        if not await aggregates.volunteer_visible(info, self.row.id):
            return []
        rows = await info.context.loaders.many(m.Assessment, "volunteer_id").load(self.row.id)
        return [Assessment.of(r) for r in rows]

    @strawberry.field
    async def insurance(self, info: Info) -> list[InsurancePolicy]:
        if not await aggregates.volunteer_visible(info, self.row.id):
            return []
        rows = await info.context.loaders.many(m.InsurancePolicy, "volunteer_id").load(self.row.id)
        return [
            InsurancePolicy(
                kind=InsuranceKind(r.kind),
                policy_number=r.policy_number,
                valid_from=r.valid_from,
                valid_until=r.valid_until,
            )
            for r in rows
        ]

    @strawberry.field
    async def benefits(self, info: Info) -> list[Benefit]:
        if not await aggregates.volunteer_visible(info, self.row.id):
            return []
        return await aggregates.benefits(info, self.row)


@strawberry.type
class SignOff:
    decision: Decision
    reason: str | None
    by: str
    at: datetime


@strawberry.type
class SelectionResult:
    written_score: float | None
    interview_score: float | None
    psychological_passed: bool
    selected: bool


@strawberry.type
class PhysicalExam:
    passed: bool
    examined_on: date


@strawberry.type
class PublicNotice:
    starts_on: date
    ends_on: date


@strawberry.type
class RecruitmentAgreement:
    signed_at: datetime
    serving_province_code: strawberry.Private[str]
    confirmation_number: str

    @strawberry.field
    async def serving_province(self, info: Info) -> Province:
        return await load_province(info, self.serving_province_code)


@strawberry.type
class Application(Node):
    row: strawberry.Private[m.Application]
    year: str
    accepts_adjustment: bool
    status: ApplicationStatus
    submitted_at: datetime

    @classmethod
    def of(cls, row: m.Application) -> Application:
        return cls(
            id=to_global_id("Application", row.id),
            row=row,
            year=row.year,
            accepts_adjustment=row.accepts_adjustment,
            status=ApplicationStatus(row.status),
            submitted_at=row.submitted_at,
        )

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer:
        return Volunteer.of(await info.context.loaders.one(m.Volunteer).load(self.row.volunteer_id))

    @strawberry.field
    async def school(self, info: Info) -> School:
        return School.of(await info.context.loaders.one(m.School).load(self.row.school_code))

    @strawberry.field
    async def recruiting_province(self, info: Info) -> Province:
        return await load_province(info, self.row.recruiting_province_code)

    @strawberry.field
    async def preferences(self, info: Info) -> list[Province]:
        codes = [self.row.preference_1, self.row.preference_2, self.row.preference_3]
        return [Province.of(r) for r in await info.context.loaders.one(m.Province).load_many(codes)]

    @strawberry.field
    def school_sign_off(self) -> SignOff | None:
        r = self.row
        if r.sign_off_decision is None:
            return None
        return SignOff(
            decision=Decision(r.sign_off_decision),
            reason=r.sign_off_reason,
            by=r.sign_off_by or "",
            at=r.sign_off_at,
        )

    @strawberry.field
    def selection(self) -> SelectionResult | None:
        r = self.row
        if r.selected is None:
            return None
        return SelectionResult(
            written_score=r.written_score,
            interview_score=r.interview_score,
            psychological_passed=bool(r.psychological_passed),
            selected=r.selected,
        )

    @strawberry.field(
        description="Health data: readable by the volunteer, the recruiting and the serving provincial office only."
    )
    async def physical_exam(self, info: Info) -> PhysicalExam | None:
        r = self.row
        if r.exam_passed is None or r.examined_on is None:
            return None
        volunteer = await info.context.loaders.one(m.Volunteer).load(r.volunteer_id)
        if not entitlement(info.context.actor, await volunteer_ties(info, volunteer)).health:
            return None
        return PhysicalExam(passed=r.exam_passed, examined_on=r.examined_on)

    @strawberry.field
    def public_notice(self) -> PublicNotice | None:
        r = self.row
        if r.notice_starts_on is None or r.notice_ends_on is None:
            return None
        return PublicNotice(starts_on=r.notice_starts_on, ends_on=r.notice_ends_on)

    @strawberry.field
    def recruitment_agreement(self) -> RecruitmentAgreement | None:
        r = self.row
        if r.recruited_at is None or r.confirmation_number is None or r.serving_province_code is None:
            return None
        return RecruitmentAgreement(
            signed_at=r.recruited_at,
            serving_province_code=r.serving_province_code,
            confirmation_number=r.confirmation_number,
        )

    @strawberry.field
    async def serving_province(self, info: Info) -> Province | None:
        code = self.row.serving_province_code
        return None if code is None else await load_province(info, code)

    @strawberry.field
    async def training(self, info: Info) -> Training | None:
        if self.row.training_id is None:
            return None
        return Training.of(await info.context.loaders.one(m.Training).load(self.row.training_id))

    @strawberry.field
    async def county(self, info: Info) -> County | None:
        if self.row.county_code is None:
            return None
        return County.of(await info.context.loaders.one(m.County).load(self.row.county_code))

    @strawberry.field
    async def replacement_for(self, info: Info) -> Application | None:
        if self.row.replacement_for_id is None:
            return None
        return Application.of(await info.context.loaders.one(m.Application).load(self.row.replacement_for_id))

    @strawberry.field
    async def replaced_by(self, info: Info) -> Application | None:
        row = await info.context.loaders.one(m.Application, "replacement_for_id").load(self.row.id)
        return None if row is None else Application.of(row)


@strawberry.type
class Training(Node):
    row: strawberry.Private[m.Training]
    year: str
    location: str
    starts_on: date
    ends_on: date
    status: TrainingStatus

    @classmethod
    def of(cls, row: m.Training) -> Training:
        return cls(
            id=to_global_id("Training", row.id),
            row=row,
            year=row.year,
            location=row.location,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            status=TrainingStatus(row.status),
        )

    @strawberry.field
    def days(self) -> int:
        """R24: both the first and the last day count."""
        return (self.ends_on - self.starts_on).days + 1

    @strawberry.field
    async def serving_province(self, info: Info) -> Province:
        return await load_province(info, self.row.serving_province_code)


@strawberry.type
class ServiceAgreement(Node):
    row: strawberry.Private[m.ServiceAgreement]
    term_year: int
    starts_on: date
    ends_on: date
    signed_at: datetime

    @classmethod
    def of(cls, row: m.ServiceAgreement) -> ServiceAgreement:
        return cls(
            id=to_global_id("ServiceAgreement", row.id),
            row=row,
            term_year=row.term_year,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            signed_at=row.signed_at,
        )

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer:
        return Volunteer.of(await info.context.loaders.one(m.Volunteer).load(self.row.volunteer_id))

    @strawberry.field
    async def post(self, info: Info) -> Post:
        return Post.of(await info.context.loaders.one(m.Post).load(self.row.post_id))

    @strawberry.field
    async def county(self, info: Info) -> County:
        return County.of(await info.context.loaders.one(m.County).load(self.row.county_code))

    @strawberry.field
    async def unit(self, info: Info) -> ServiceUnit:
        return ServiceUnit.of(await info.context.loaders.one(m.ServiceUnit).load(self.row.unit_id))


@strawberry.type
class SafetyIncident(Node):
    row: strawberry.Private[m.SafetyIncident]
    occurred_on: date
    severity: IncidentSeverity
    description: str

    @classmethod
    def of(cls, row: m.SafetyIncident) -> SafetyIncident:
        return cls(
            id=to_global_id("SafetyIncident", row.id),
            row=row,
            occurred_on=row.occurred_on,
            severity=IncidentSeverity(row.severity),
            description=row.description,
        )

    @strawberry.field
    async def county(self, info: Info) -> County:
        return County.of(await info.context.loaders.one(m.County).load(self.row.county_code))

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer | None:
        if self.row.volunteer_id is None:
            return None
        return Volunteer.of(await info.context.loaders.one(m.Volunteer).load(self.row.volunteer_id))


@strawberry.type
class MonthlyReport(Node):
    row: strawberry.Private[m.MonthlyReport]
    month: str
    in_post: int
    absent: int
    filed_at: datetime

    @classmethod
    def of(cls, row: m.MonthlyReport) -> MonthlyReport:
        return cls(
            id=to_global_id("MonthlyReport", row.id),
            row=row,
            month=row.month,
            in_post=row.in_post,
            absent=row.absent,
            filed_at=row.filed_at,
        )

    @strawberry.field
    async def county(self, info: Info) -> County:
        return County.of(await info.context.loaders.one(m.County).load(self.row.county_code))

    @strawberry.field
    async def incidents(self, info: Info) -> list[SafetyIncident]:
        rows = await info.context.loaders.many(m.SafetyIncident, "report_id").load(self.row.id)
        return [SafetyIncident.of(r) for r in rows]


@strawberry.type
class Assessment(Node):
    row: strawberry.Private[m.Assessment]
    year: str
    grade: AssessmentGrade
    status: AssessmentStatus

    @classmethod
    def of(cls, row: m.Assessment) -> Assessment:
        return cls(
            id=to_global_id("Assessment", row.id),
            row=row,
            year=row.year,
            grade=AssessmentGrade(row.grade),
            status=AssessmentStatus(row.status),
        )

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer:
        return Volunteer.of(await info.context.loaders.one(m.Volunteer).load(self.row.volunteer_id))


@strawberry.type
class InsurancePolicy:
    kind: InsuranceKind
    policy_number: str
    valid_from: date
    valid_until: date


@strawberry.type
class Benefit:
    kind: BenefitKind
    eligible: bool
    valid_from: date | None
    valid_until: date | None
    reason: str


@strawberry.type(description="What anyone may learn from a service certificate's number (R31).")
class CertificateCheck:
    number: str
    name: str
    province_code: strawberry.Private[str]
    years_served: int
    completed_on: date

    @strawberry.field
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code)


@strawberry.type
class AllowanceStandard:
    year: str
    province_code: strawberry.Private[str]
    county_code: strawberry.Private[str | None]
    monthly_allowance: Decimal
    hardship_allowance: Decimal

    @strawberry.field
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code)

    @strawberry.field
    async def county(self, info: Info) -> County | None:
        if self.county_code is None:
            return None
        return County.of(await info.context.loaders.one(m.County).load(self.county_code))


@strawberry.type
class Quota:
    year: str
    recruiting_province_code: strawberry.Private[str]
    serving_province_code: strawberry.Private[str]
    quota: int
    used: int

    @strawberry.field
    async def recruiting_province(self, info: Info) -> Province:
        return await load_province(info, self.recruiting_province_code)

    @strawberry.field
    async def serving_province(self, info: Info) -> Province:
        return await load_province(info, self.serving_province_code)


@strawberry.type
class ZoneFunding:
    zone: FundingZone
    volunteer_months: int
    central_subsidy: Decimal


@strawberry.type
class ProvinceFunding:
    year: str
    province_code: strawberry.Private[str]
    in_post: int
    by_zone: list[ZoneFunding]
    central_subsidy: Decimal
    local_allowance: Decimal
    uninsured: int

    @strawberry.field
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code)


@strawberry.type
class LocalProject(Node):
    row: strawberry.Private[m.LocalProject]
    year: str
    name: str
    scale: int
    budget: Decimal
    status: LocalProjectStatus

    @classmethod
    def of(cls, row: m.LocalProject) -> LocalProject:
        return cls(
            id=to_global_id("LocalProject", row.id),
            row=row,
            year=row.year,
            name=row.name,
            scale=row.scale,
            budget=row.budget,
            status=LocalProjectStatus(row.status),
        )

    @strawberry.field
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.row.province_code)


@strawberry.type
class AuditEntry(Node):
    at: datetime
    actor_level: OfficeLevel
    actor_code: str | None
    actor_subject: str
    operation: str
    target_ids: list[strawberry.ID]
    changes: JSON

    @classmethod
    def of(cls, row: m.AuditEntry) -> AuditEntry:
        return cls(
            id=to_global_id("AuditEntry", row.id),
            at=row.at,
            actor_level=OfficeLevel(row.actor_level),
            actor_code=row.actor_code,
            actor_subject=row.actor_subject,
            operation=row.operation,
            target_ids=[strawberry.ID(t) for t in row.target_ids],
            changes=row.changes,
        )


@strawberry.type
class Actor:
    level: OfficeLevel
    code: str | None = strawberry.field(
        description="Province, county or school code; null for the national office and volunteers."
    )
    subject: str

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer | None:
        if self.level is not OfficeLevel.VOLUNTEER:
            return None
        row = await info.context.loaders.one(m.Volunteer, "subject").load(self.subject)
        return None if row is None else Volunteer.of(row)


@strawberry.type
class Plugin:
    name: str
    level: OfficeLevel | None
    version: str


# The types `node(id:)` can return, by the type name in the global id, with the entity whose read
# scope applies (None: readable by any authenticated caller) and how the key is typed.
NODE_TYPES: dict[str, tuple[type, Any, str | None, bool]] = {
    "Province": (Province, m.Province, None, False),
    "County": (County, m.County, None, False),
    "ServiceUnit": (ServiceUnit, m.ServiceUnit, None, True),
    "Post": (Post, m.Post, None, True),
    "School": (School, m.School, None, False),
    "Volunteer": (Volunteer, m.Volunteer, "Volunteer", True),
    "Application": (Application, m.Application, "Application", True),
    "Training": (Training, m.Training, None, True),
    "ServiceAgreement": (ServiceAgreement, m.ServiceAgreement, "ServiceAgreement", True),
    "SafetyIncident": (SafetyIncident, m.SafetyIncident, "SafetyIncident", True),
    "MonthlyReport": (MonthlyReport, m.MonthlyReport, "MonthlyReport", True),
    "Assessment": (Assessment, m.Assessment, "Assessment", True),
    "LocalProject": (LocalProject, m.LocalProject, None, True),
    "AuditEntry": (AuditEntry, m.AuditEntry, "AuditEntry", True),
}
