"""R9–R11 on the record: the facts hub.rules.counties decides from — a county's major incidents and failed
evaluations — read for a mutation (`acceptance`), and the same rules spelled in SQL over one row per program
year for the read planner's `County.years` (hub.graphql.history; tests/test_read_planner_agrees_with_executor.py
holds the two forms together)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, extract, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import counting
from hub import models as m
from hub.enums import IncidentSeverity, UserErrorCode
from hub.rules import counties
from hub.rules.counties import FILED


def major_incidents(codes: list[str]) -> Any:
    """SQL: (county code, day) of every major incident of the counties `codes` (R10, R29)."""
    return select(m.SafetyIncident.county_code, m.SafetyIncident.occurred_on).where(
        m.SafetyIncident.county_code.in_(codes), m.SafetyIncident.severity == IncidentSeverity.MAJOR.value
    )


async def acceptance(session: AsyncSession, county: m.County, year: str) -> tuple[UserErrorCode, str] | None:
    """hub.rules.counties.refusal inside a mutation's transaction: None, or why the county takes no volunteers
    in `year`."""
    days = [day for _, day in (await session.execute(major_incidents([county.code]))).all()]
    failed = (
        await session.execute(
            select(m.CountyEvaluation.year).where(
                m.CountyEvaluation.county_code == county.code, m.CountyEvaluation.passed.is_(False)
            )
        )
    ).scalars()
    return counties.refusal(county.status, counties.banned_years(days), list(failed), year, county.first_service_year)


def filed_sql(status: Any, filed_for: Any, first: Any) -> Any:
    """SQL, R9: a filed service county in the year whose first calendar year is `first`: filed (`status`) for
    that year or earlier (`filed_for`, the first service year or NULL)."""
    return and_(status.in_(FILED), func.coalesce(counting.first_year(filed_for), first) <= first)


def banned_sql(county_code: Any, first: Any) -> Any:
    """SQL, R10, R29 (`banned_years`): a major incident of the county in the program year before."""
    i = m.SafetyIncident.__table__.alias()
    day = i.c.occurred_on
    incident_year = extract("year", day) - case((extract("month", day) < 8, 1), else_=0)  # rules.years.year_of
    major = and_(i.c.county_code == county_code, i.c.severity == IncidentSeverity.MAJOR.value)
    return exists(select(i.c.id).where(major, incident_year + 1 == first).correlate_except(i))


def disqualified_sql(county_code: Any, filed_for: Any, first: Any) -> Any:
    """SQL, R11 (`refusal`): a failed evaluation of an earlier year, unless a new filing for a year after it and
    not after this one lifted it."""
    e = m.CountyEvaluation.__table__.alias()
    failed = counting.first_year(e.c.year)
    lifted = and_(
        filed_for.is_not(None),
        failed < counting.first_year(filed_for),
        counting.first_year(filed_for) <= first,
    )
    condition = and_(e.c.county_code == county_code, e.c.passed.is_(False), failed < first, not_(lifted))
    return exists(select(e.c.id).where(condition).correlate_except(e))
