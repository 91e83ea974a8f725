"""History across program years: a volunteer's one-year terms (R27: agreements, renewals, posts,
assessments) and a county's years (R9–R11: filed, banned, disqualified, evaluated, volunteers).

Fields added to the core types `Volunteer` and `County` (as plugins add theirs, hub.schema). Both are declared
with their SQL beside their resolver, so the read planner answers them in the query's one statement. The
executor assembles a county's years in Python from per-request DataLoaders (one statement per level whatever
the length) with the rules of hub.rules.counties (R9 filing, R10 bans, R11 disqualification); the planner's SQL
spells the same rules over one row per program year (hub.counties), and
tests/test_read_planner_agrees_with_executor.py holds the two together."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from sqlalchemy import and_, func, literal_column, select

from hub import counting
from hub import models as m
from hub.counties import banned_sql, disqualified_sql, filed_sql
from hub.dialects import json_list
from hub.enums import UserErrorCode
from hub.graphql import aggregates
from hub.graphql.context import Info
from hub.graphql.fields import (
    EMPTY_LIST,
    built_by_parent,
    column,
    part_of,
    planned,
    scoped,
    view,
    visible,
    when,
)
from hub.graphql.geography import County
from hub.graphql.people import Volunteer
from hub.graphql.planner import Details, Walk, named
from hub.graphql.service import Assessment, ServiceAgreement
from hub.rules import counties


def _year(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return counting.term_program_year_sql(row).scalar_subquery()


def _renewal(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return row.c.term_year > 1


def _agreement(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return walk.object(named(definition), row, details)


def _assessment(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    assessment = m.Assessment.__table__.alias()
    body = walk.object(named(definition), assessment, details)
    year = counting.term_program_year_sql(row).scalar_subquery()
    where = and_(assessment.c.volunteer_id == row.c.volunteer_id, assessment.c.year == year)
    return select(body).where(where).correlate_except(assessment).scalar_subquery()


@strawberry.type(description="One one-year term of a volunteer's service (R27) and what the year recorded.")
@part_of(m.ServiceAgreement)
class ServiceTerm:
    term_year: int = column(description="1 for the first agreement, 2 and 3 for renewals.")

    @planned(_year, description="The program year the term covers (term k of a year-Y₀ application: Y₀ + k − 1).")
    async def year(self, info: Info) -> str:
        application = await info.context.loaders.one(m.Application).load(self.row.application_id)
        return counting.term_program_year(application.year, self.row.term_year)

    @planned(_renewal)
    def renewal(self) -> bool:
        return self.row.term_year > 1

    @planned(_agreement, description="The agreement: its dates, post, unit and county.")
    def agreement(self) -> ServiceAgreement:
        return view(m.ServiceAgreement, self.row)

    @planned(_assessment, description="The annual assessment of that year (R30), if any.")
    async def assessment(self, info: Info) -> Assessment | None:
        year = await self.year(info)
        assessments = await info.context.loaders.many(m.Assessment, "volunteer_id").load(self.row.volunteer_id)
        return next((view(m.Assessment, a) for a in assessments if a.year == year), None)


def _terms(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    agreement = m.ServiceAgreement.__table__.alias()
    body = walk.object(named(definition), agreement, details)
    year = counting.term_program_year_sql(agreement).scalar_subquery()
    terms = json_list(body, year, agreement.c.term_year, agreement.c.id)
    listed = select(terms).where(agreement.c.volunteer_id == row.c.id).correlate_except(agreement).scalar_subquery()
    return when(scoped(walk, row, m.Volunteer, "Volunteer"), func.coalesce(listed, EMPTY_LIST), EMPTY_LIST)


@strawberry.type(description="A county in one program year (R9–R11).")
class CountyYear:
    """Built by `County.years`: in Python by its resolver, in SQL by its compiler (`_county_years`)."""

    year: str = built_by_parent()
    filed: bool = built_by_parent(description="A filed service county (R9) that year: filed for it or earlier.")
    banned: bool = built_by_parent(
        description="No new volunteers that year after a major incident the year before (R10)."
    )
    disqualified: bool = built_by_parent(description="No new volunteers that year after a failed evaluation (R11).")
    evaluation_passed: bool | None = built_by_parent(
        description="The province's evaluation of that year (R11), if recorded."
    )
    evaluation_remarks: str | None = built_by_parent()
    volunteers: int = built_by_parent(
        description="Volunteers of the county that year, renewals included (County.volunteers)."
    )


def _county_years(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """SQL of `County.years`: one object per program year, oldest first, each field by the rule the resolver
    applies in Python — in SQL both engines speak (hub.dialects)."""
    walk.need_actor()
    years = m.ProgramYear.__table__.alias()
    year, first = years.c.code, counting.first_year(years.c.code)
    filed_for = func.nullif(row.c.first_service_year, literal_column("''"))

    def evaluation(column: str) -> Any:
        """The evaluation of that year (the last recorded, as the executor's by-year dict keeps it)."""
        e = m.CountyEvaluation.__table__.alias()
        found = select(e.c[column]).where(e.c.county_code == row.c.code, e.c.year == year)
        return found.order_by(e.c.id.desc()).limit(1).correlate_except(e).scalar_subquery()

    def volunteers(_details: Details) -> Any:
        a = m.Application.__table__.alias()
        served = counting.served_in_county_of(year, row.c.code, a.c)
        return select(func.count(func.distinct(a.c.volunteer_id))).where(served).correlate_except(a).scalar_subquery()

    body = walk.embedded(
        named(definition),
        details,
        {
            "year": lambda _d: year,
            "filed": lambda _d: filed_sql(row.c.status, filed_for, first),
            "banned": lambda _d: banned_sql(row.c.code, first),
            "disqualified": lambda _d: disqualified_sql(row.c.code, filed_for, first),
            "evaluationPassed": lambda _d: evaluation("passed"),
            "evaluationRemarks": lambda _d: evaluation("remarks"),
            "volunteers": volunteers,
        },
    )
    listed = select(json_list(body, year)).select_from(years).correlate_except(years)
    return func.coalesce(listed.scalar_subquery(), EMPTY_LIST)


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
    @planned(_terms, description="Every one-year term across program years, in order (R27), with its assessment.")
    async def terms(self, info: Info) -> list[ServiceTerm]:
        volunteer: Volunteer = self  # type: ignore[assignment]
        if not await visible(info, "Volunteer", m.Volunteer, volunteer.row):
            return []
        loaders = info.context.loaders
        agreements = await loaders.many(m.ServiceAgreement, "volunteer_id").load(volunteer.row.id)
        applications = await loaders.one(m.Application).load_many([a.application_id for a in agreements])
        ordered = sorted(
            zip(agreements, applications, strict=True),
            key=lambda pair: (
                counting.term_program_year(pair[1].year, pair[0].term_year),
                pair[0].term_year,
                pair[0].id,
            ),
        )
        return [ServiceTerm.of(agreement) for agreement, _ in ordered]  # type: ignore[attr-defined]


@strawberry.type
class CountyHistory:
    @planned(_county_years, description="The county in every program year on record, oldest first (R9–R11).")
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
                    filed=counties.filed(row.status, year, row.first_service_year),
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
