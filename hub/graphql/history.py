"""History across program years: a volunteer's one-year terms (R27: agreements, renewals, posts,
assessments) and a county's years (R9–R11: filed, banned, disqualified, evaluated, volunteers).

Fields added to the core types `Volunteer` and `County` (as plugins add theirs, hub.schema). They are
answered by resolvers over per-request DataLoaders — one statement per level whatever the list's length —
not yet planned into one SQL statement by the read planner (hub.graphql.planner falls back to the executor
for a field it has no plan for)."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from sqlalchemy import func, select

from hub import counting
from hub import models as m
from hub.enums import CountyStatus, UserErrorCode
from hub.graphql import aggregates
from hub.graphql.context import Info
from hub.graphql.fields import executor_only, executor_only_type, visible
from hub.graphql.geography import County
from hub.graphql.people import Volunteer
from hub.graphql.service import Assessment, ServiceAgreement
from hub.rules import counties

NOT_PLANNED = "history is assembled in Python from batched loaders (term years by R27, bans by R10); not yet planned"
FILED = (CountyStatus.ACTIVE.value, CountyStatus.DISQUALIFIED.value)  # R9: filed by the national office


@strawberry.type(description="One one-year term of a volunteer's service (R27) and what the year recorded.")
@executor_only_type(NOT_PLANNED)
class ServiceTerm:
    year: str = strawberry.field(
        description="The program year the term covers (term k of a year-Y₀ application: Y₀ + k − 1)."
    )
    term_year: int = strawberry.field(description="1 for the first agreement, 2 and 3 for renewals.")
    renewal: bool
    agreement: ServiceAgreement = strawberry.field(description="The agreement: its dates, post, unit and county.")
    assessment: Assessment | None = strawberry.field(description="The annual assessment of that year (R30), if any.")


@strawberry.type(description="A county in one program year (R9–R11).")
@executor_only_type(NOT_PLANNED)
class CountyYear:
    year: str
    filed: bool = strawberry.field(description="A filed service county (R9) that year: filed for it or earlier.")
    banned: bool = strawberry.field(
        description="No new volunteers that year after a major incident the year before (R10)."
    )
    disqualified: bool = strawberry.field(description="No new volunteers that year after a failed evaluation (R11).")
    evaluation_passed: bool | None = strawberry.field(
        description="The province's evaluation of that year (R11), if recorded."
    )
    evaluation_remarks: str | None
    volunteers: int = strawberry.field(
        description="Volunteers of the county that year, renewals included (County.volunteers)."
    )


async def _program_years(info: Any) -> list[str]:
    async def batch(session: Any, keys: list[str]) -> list[list[str]]:
        years = list((await session.execute(select(m.ProgramYear.code).order_by(m.ProgramYear.code))).scalars())
        return [years for _ in keys]

    return await info.context.loaders.custom("program_years", batch).load("all")


async def _county_volunteers(info: Any, year: str, code: str) -> int:
    """Per year, one statement for every county asked: the count of hub.counting.served_in_county."""

    async def batch(session: Any, codes: list[str]) -> list[int]:
        county = m.County.__table__
        people = (
            select(func.count(func.distinct(m.Application.volunteer_id)))
            .where(counting.served_in_county(year, county.c.code))
            .correlate(county)
            .scalar_subquery()
        )
        counts = dict((await session.execute(select(county.c.code, people).where(county.c.code.in_(codes)))).all())
        return [counts.get(c, 0) for c in codes]

    return await info.context.loaders.custom(("county_volunteers", year), batch).load(code)


@strawberry.type
class VolunteerHistory:
    @executor_only(
        NOT_PLANNED, description="Every one-year term across program years, in order (R27), with its assessment."
    )
    async def terms(self, info: Info) -> list[ServiceTerm]:
        volunteer: Volunteer = self  # type: ignore[assignment]
        if not await visible(info, "Volunteer", m.Volunteer, volunteer.row):
            return []
        loaders = info.context.loaders
        agreements = await loaders.many(m.ServiceAgreement, "volunteer_id").load(volunteer.row.id)
        assessments = {a.year: a for a in await loaders.many(m.Assessment, "volunteer_id").load(volunteer.row.id)}
        applications = await loaders.one(m.Application).load_many([a.application_id for a in agreements])
        terms = []
        for agreement, application in zip(agreements, applications, strict=True):
            year = counting.term_program_year(application.year, agreement.term_year)
            assessment = assessments.get(year)
            terms.append(
                ServiceTerm(
                    year=year,
                    term_year=agreement.term_year,
                    renewal=agreement.term_year > 1,
                    agreement=ServiceAgreement.of(agreement),
                    assessment=Assessment.of(assessment) if assessment else None,
                )
            )
        return sorted(terms, key=lambda t: (t.year, t.term_year))


@strawberry.type
class CountyHistory:
    @executor_only(NOT_PLANNED, description="The county in every program year on record, oldest first (R9–R11).")
    async def years(self, info: Info) -> list[CountyYear]:
        county: County = self  # type: ignore[assignment]
        info.context.require_actor("County.years")
        row = county.row
        evaluations = await info.context.loaders.many(m.CountyEvaluation, "county_code").load(row.code)
        by_year = {e.year: e for e in evaluations}
        failed = [e.year for e in evaluations if not e.passed]
        banned = await aggregates.banned_years(info, row.code)
        years = await _program_years(info)
        people = await asyncio.gather(*(_county_volunteers(info, year, row.code) for year in years))
        out = []
        for year, volunteers in zip(years, people, strict=True):
            disqualified = counties.refusal("ACTIVE", set(), failed, year, row.first_service_year)
            evaluation = by_year.get(year)
            out.append(
                CountyYear(
                    year=year,
                    filed=row.status in FILED and (row.first_service_year or year) <= year,
                    banned=year in banned,
                    disqualified=disqualified is not None and disqualified[0] is UserErrorCode.INELIGIBLE,
                    evaluation_passed=evaluation.passed if evaluation else None,
                    evaluation_remarks=evaluation.remarks if evaluation else None,
                    volunteers=volunteers,
                )
            )
        return out


HISTORY_FIELDS: list[tuple[str, type]] = [("Volunteer", VolunteerHistory), ("County", CountyHistory)]
HISTORY_TYPES: list[type] = [ServiceTerm, CountyYear]
