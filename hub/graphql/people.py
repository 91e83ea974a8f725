"""Volunteers (hub/models/people.py) and what their record shows, each field declared once; personal data
(R2a) through one `personal` declaration whose executor and SQL forms come from hub.rules.privacy."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, null, select
from strawberry.utils.str_converters import to_camel_case

from hub import models as m
from hub.enums import BenefitKind, Degree, Gender, InsuranceKind
from hub.errors import forbidden
from hub.graphql import aggregates
from hub.graphql.context import Info
from hub.graphql.fields import (
    Node,
    column,
    executor_only,
    executor_only_type,
    listed,
    many,
    one,
    planned,
    record,
    scoped,
    view,
    visible,
    when,
)
from hub.graphql.geography import Province, School, province_by
from hub.graphql.planner import Details, Walk, named
from hub.i18n import _
from hub.ids import int_key
from hub.rules.privacy import VolunteerTies, entitled_sql, masked_sql, shown

# Types of modules above this one, by name: strawberry resolves them lazily, so there is no import cycle.
ApplicationRef = Annotated["Application", strawberry.lazy("hub.graphql.applications")]  # noqa: F821
AgreementRef = Annotated["ServiceAgreement", strawberry.lazy("hub.graphql.service")]  # noqa: F821
AssessmentRef = Annotated["Assessment", strawberry.lazy("hub.graphql.service")]  # noqa: F821


async def volunteer_ties(info: Info, row: m.Volunteer) -> VolunteerTies:
    school = await info.context.loaders.one(m.School).load(row.school_code)
    apps = await info.context.loaders.many(m.Application, "volunteer_id").load(row.id)
    return VolunteerTies.of(row.subject, row.school_code, school.province_code, apps)


PERSONAL: dict[str, str] = {}  # GraphQL name -> kind of every personal-data field, for every other path (events)


def personal(kind: str, **field: Any) -> Any:
    """A personal-data column of the volunteer (`id_number`, `phone`): in full for a reader entitled to it
    (R2a, hub.rules.privacy.entitlement), masked otherwise — the same rule on both paths."""

    PERSONAL[to_camel_case(kind)] = kind

    async def resolve(self, info: Info) -> str | None:  # noqa: ANN001
        return shown(info.context.actor, await volunteer_ties(info, self.row), kind, getattr(self.row, kind))

    def compile_(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        value = row.c[kind]
        return when(entitled_sql(walk.actor, kind, row), value, masked_sql(kind, value))

    return planned(compile_, **field)(resolve)


def _current_agreement(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    alias = m.ServiceAgreement.__table__.alias()
    body = walk.object(named(definition), alias, details)
    today = walk.today
    current = (
        select(body)
        .where(alias.c.volunteer_id == row.c.id, alias.c.starts_on <= today, alias.c.ends_on >= today)
        .correlate_except(alias)
        .order_by(alias.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return when(scoped(walk, row, m.Volunteer, "Volunteer"), current, null())


def _applications(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    def where(t: Any) -> Any:
        return and_(t.c.volunteer_id == row.c.id, scoped(walk, t, m.Application, "Application"))

    return listed(walk, m.Application, where, details, definition)


@strawberry.type
@record(m.InsurancePolicy, node=False)
class InsurancePolicy:
    kind: InsuranceKind = column()
    policy_number: str = column()
    valid_from: date = column()
    valid_until: date = column()


@strawberry.federation.type(
    keys=["id"],
    description="A volunteer. Reached through a list the caller may not read in full (e.g. commendations), "
    "only the name, school and public facts show: the record (applications, agreements, insurance, "
    "benefits) is empty and personal data masked.",
)
@record(m.Volunteer, scope="Volunteer")
class Volunteer(Node):
    name: str = column()
    gender: Gender = column()
    birth_date: date = column()
    degree: Degree = column()
    graduate_teaching_group: bool = column()
    has_work_experience: bool = column()
    volunteer_experience: str | None = column()
    certificate_number: str | None = column(description="Issued on completion (R31).")
    id_number: str = personal(
        "id_number",
        description="Full number only for the volunteer and offices entitled to it; "
        "masked (e.g. 620***********1234) otherwise.",
    )
    phone: str | None = personal("phone")
    school: School = one(m.School, "school_code")
    agreements: list[AgreementRef] = many(m.ServiceAgreement, "volunteer_id", guard="Volunteer")
    assessments: list[AssessmentRef] = many(m.Assessment, "volunteer_id", guard="Volunteer")
    insurance: list[InsurancePolicy] = many(m.InsurancePolicy, "volunteer_id", guard="Volunteer")

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Volunteer | None:
        """Federation: a Volunteer entity by its global id, under the same read scope as `node` (R1):
        a volunteer outside the caller's jurisdiction is FORBIDDEN, through a gateway as directly."""
        info.context.require_scope("Volunteer", "Volunteer")
        key = int_key(id, "Volunteer")
        row = None if key is None else await info.context.loaders.one(m.Volunteer).load(key)
        if row is None:
            return None
        if not await visible(info, "Volunteer", m.Volunteer, row):
            raise forbidden(_("this {kind} is outside your jurisdiction", kind="Volunteer"))
        return cls.of(row)  # type: ignore[attr-defined]

    @planned(_applications)
    async def applications(self, info: Info) -> list[ApplicationRef]:
        """The volunteer's applications inside the caller's read scope."""
        return [view(m.Application, r) for r in await aggregates.visible_applications(info, self.row.id)]

    @planned(_current_agreement)
    async def current_agreement(self, info: Info) -> AgreementRef | None:
        if not await visible(info, "Volunteer", m.Volunteer, self.row):
            return None
        rows = await info.context.loaders.many(m.ServiceAgreement, "volunteer_id").load(self.row.id)
        today = info.context.hub.clock.today()
        current = [r for r in rows if r.starts_on <= today <= r.ends_on]
        return view(m.ServiceAgreement, current[-1]) if current else None

    @executor_only("R32–R37: benefits are computed by Python rules from the whole record (hub.rules.benefits)")
    async def benefits(self, info: Info) -> list[Benefit]:
        if not await visible(info, "Volunteer", m.Volunteer, self.row):
            return []
        # a finding's fields are Benefit's (hub.rules.benefits.BenefitFinding), taken over whole
        return [Benefit(**vars(finding)) for finding in await aggregates.benefits(info, self.row)]


@strawberry.type
@executor_only_type("a benefit is the result of a Python rule (hub.rules.benefits), never stored")
class Benefit:
    kind: BenefitKind
    eligible: bool
    valid_from: date | None
    valid_until: date | None
    reason: str


@strawberry.type(description="What anyone may learn from a service certificate's number (R31).")
@executor_only_type("a certificate check is assembled in Python from the volunteer's agreements (hub.certificates)")
class CertificateCheck:
    number: str
    name: str
    province_code: strawberry.Private[str]
    years_served: int
    completed_on: date
    province: Province = province_by("province_code")
