"""Who counts for a program year — the one definition every rule that counts people uses.

A volunteer counts for year Y (R8: "assigned, dispatched or in service there that year") when either
- their application is of year Y, assigned to a county and TRAINED, DISPATCHED or IN_SERVICE; or
- they are in post in year Y: IN_SERVICE with an agreement whose term covers Y. The k-th one-year term of
  an application of year Y₀ covers program year Y₀ + k − 1 (R27: a renewal is the next one-year term), so a
  volunteer whose agreement is renewed into Y counts for Y although their application is of an earlier year.

Terms are mapped to program years by their number, not by their dates, so that an agreement running from
mid-August to mid-August counts for one year only; R38's months in post stay date-based (hub.rules.funding).

Users: the scale (R8: assignCounty, setProvinceScale), the excellent cap (R30), the funding report's heads
(R40), Province.inPost, County.volunteers and the history fields. Quotas (R15–R18) count recruitment
agreements of the year, which renewals never sign (hub.quotas); post headcounts (R26) count the place each
volunteer in service holds through their latest agreement, renewals included (hub.posts).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Text, and_, cast, exists, false, func, literal_column, or_, select, union

from hub import models as m
from hub.enums import ApplicationStatus
from hub.rules.years import parse_year, year_code

MAX_TERMS = 3  # R27: a service term is one to three one-year agreements

# R8: before their first agreement, volunteers of the year count from their assignment to a county.
ASSIGNED_STATUSES = (
    ApplicationStatus.TRAINED.value,
    ApplicationStatus.DISPATCHED.value,
    ApplicationStatus.IN_SERVICE.value,
)


def term_covers(agreement: Any, application: Any, year: str) -> Any:
    """SQL: the agreement (a table or alias with `term_year`) is the term of `application` (its `year`
    column) that covers program year `year`: term k of an application of year Y₀ covers Y₀ + k − 1."""
    first = parse_year(year)
    return or_(
        *(and_(agreement.term_year == k, application.year == year_code(first - k + 1)) for k in range(1, MAX_TERMS + 1))
    )


def term_program_year(application_year: str, term_year: int) -> str:
    """The program year term `term_year` of an application of `application_year` covers (term_covers in Python)."""
    return year_code(parse_year(application_year) + term_year - 1)


def term_program_year_sql(agreement: Any) -> Any:
    """SQL: the program year an agreement's term covers, as `term_program_year` spells it (a SELECT of its
    application's year, correlated to `agreement`, a table or alias)."""
    application = m.Application.__table__.alias()
    first = first_year(application.c.year) + agreement.c.term_year - 1  # 'YYYY-YYYY'
    code = cast(first, Text).op("||")(literal_column("'-'")).op("||")(cast(first + 1, Text))
    return select(code).where(application.c.id == agreement.c.application_id).correlate_except(application)


def _terms(year: str, application: Any, county: Any = None) -> Any:
    agreement = m.ServiceAgreement.__table__.alias("term")
    condition = and_(agreement.c.application_id == application.id, term_covers(agreement.c, application, year))
    if county is not None:
        condition = and_(condition, agreement.c.county_code == county)
    return exists(select(agreement.c.id).where(condition).correlate_except(agreement))


def signed_term_covering(year: str, application: Any) -> Any:
    """SQL: the application has signed the term that covers `year` — term k of an application of year Y₀
    covers Y₀ + k − 1, and an application has signed terms 1 to its latest (R27: renewals add the next term;
    hub.agreements keeps `latest_term_year`), so that term is signed when k ≤ latest_term_year."""
    first = parse_year(year)
    return or_(
        *(
            and_(application.year == year_code(first - k + 1), application.latest_term_year >= k)
            for k in range(1, MAX_TERMS + 1)
        )
    )


def in_post(year: str, application: Any = None) -> Any:
    """SQL: the application is in post in `year` — IN_SERVICE with the term covering `year` signed
    (the first one-year agreement, or a renewal into `year`). `application` defaults to the table."""
    application = m.Application if application is None else application
    return and_(application.status == ApplicationStatus.IN_SERVICE.value, signed_term_covering(year, application))


def counted(year: str, application: Any = None) -> Any:
    """SQL: the application counts for `year` — assigned, dispatched or in post in it, renewals included."""
    application = m.Application if application is None else application
    assigned = and_(
        application.year == year,
        application.county_code.is_not(None),
        application.status.in_(ASSIGNED_STATUSES),
    )
    return or_(assigned, in_post(year, application))


def of_year(year: str, in_post_filter: bool | None = None, application: Any = None) -> Any:
    """SQL: the applications a list of `year` shows — those of the year; with `in_post_filter` true those in
    post in it (renewals into it included), with false the year's applications not in post in it."""
    application = m.Application if application is None else application
    if in_post_filter is None:
        return application.year == year
    if in_post_filter:
        return in_post(year, application)
    return and_(application.year == year, ~in_post(year, application))


def served_in_county(year: str, county: Any, application: Any = None) -> Any:
    """SQL: the application belongs on the county's list for `year` — assigned there for that year (whatever
    became of it since), or serving there in a term that covers `year` (a renewal), so the list of a past
    year still shows who was there."""
    application = m.Application if application is None else application
    try:
        parse_year(year)
    except ValueError:
        return false()
    return or_(
        and_(application.year == year, application.county_code == county),
        _terms(year, application, county),
    )


def volunteers_served_in_county(year: str, county: Any) -> Any:
    """SQL: the volunteer ids of `served_in_county(year, county)`, as a union of its two halves so that each
    is found through its own index (applications by year and county; agreements by county) — an OR of the
    two in one WHERE makes PostgreSQL walk every application of the county's volunteers instead."""
    application = m.Application.__table__
    try:
        parse_year(year)
    except ValueError:
        return select(application.c.volunteer_id).where(false())
    assigned = (
        select(application.c.volunteer_id)
        .where(application.c.year == year, application.c.county_code == county)
        .correlate_except(application)
    )
    agreement, renewed = m.ServiceAgreement.__table__.alias("term"), application.alias("renewed")
    terms = (
        select(renewed.c.volunteer_id)
        .select_from(agreement.join(renewed, renewed.c.id == agreement.c.application_id))
        .where(agreement.c.county_code == county, term_covers(agreement.c, renewed.c, year))
        .correlate_except(agreement, renewed)
    )
    return union(assigned, terms)


def first_year(code: Any) -> Any:
    """SQL: the first calendar year of a program-year code (`parse_year` of a column), portable SQL."""
    return cast(func.substr(code, 1, 4), Integer)


def served_in_county_of(year: Any, county: Any, application: Any) -> Any:
    """SQL: `served_in_county` for a year that is itself SQL (a program_years column, one row per year):
    assigned to the county for that year, or serving there in the term that covers it (term k of an
    application of year Y₀ covers Y₀ + k − 1, as `term_covers` spells it for a year known in Python)."""
    agreement = m.ServiceAgreement.__table__.alias("term")
    term = and_(
        agreement.c.application_id == application.id,
        agreement.c.county_code == county,
        agreement.c.term_year.between(1, MAX_TERMS),
        first_year(application.year) + agreement.c.term_year - 1 == first_year(year),
    )
    return or_(
        and_(application.year == year, application.county_code == county),
        exists(select(agreement.c.id).where(term).correlate_except(agreement)),
    )


async def count(session: Any, year: str, province: str) -> int:
    """R8: the volunteers counting for `year` in the serving `province` (run inside the caller's
    transaction, after it has locked the province's scale row)."""
    query = select(func.count()).where(m.Application.serving_province_code == province, counted(year))
    return (await session.execute(query)).scalar_one()
