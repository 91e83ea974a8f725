"""R38–R40: the national funding report planned into the read planner's one statement.

The executor (hub.graphql.reports.funding_report) reads agreements, standards and policies in eight
statements and applies the rules of hub.rules.funding per volunteer in Python. This compiler builds the same
answer in SQL both engines speak, from the same rules:

- the months that can count (`counted_months`: August to July, up to today) come from Python as a literal
  table, and a volunteer's month counts when one of their terms overlaps it — `months_in_post`'s test;
- the central subsidy per volunteer for each zone and month count comes from Python too (`central_subsidy`,
  4 zones × 12 months, exact and rounded to the cent there), so SQL only looks it up and sums whole cents;
- the zone (`funding_zone_sql`), the local allowance (`local_allowance_cents_sql`), insurance (`insured_sql`),
  volunteers in post (hub.counting.in_post) and the serving provinces (hub.scales.serving_sql) are the SQL
  spellings kept beside their Python in those modules.

Money is summed in whole cents (integers on both engines, no float), then printed as the executor prints
its Decimal (`hub.dialects.cents_text`). tests/test_funding_report_is_planned.py holds the planner's
answers equal to the executor's on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    String,
    Text,
    and_,
    case,
    cast,
    distinct,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)

from hub import counting, scales
from hub import models as m
from hub.dialects import EMPTY_LIST, cents_text, json_list
from hub.enums import FundingZone
from hub.graphql.fields import scoped, year_argument
from hub.graphql.planner import Details, Unplannable, Walk, named
from hub.rules import funding as money
from hub.rules.funding import MONTHS_PER_YEAR

assert counting.MAX_TERMS < 10, "the latest term is found by comparing `term_year || county_code` as text"

ENTITY = "Funding"  # the read scope of the report (plugins' ReadScope("Funding", ...))


def _counted_months(year: str, today: date) -> Any:
    """The months of the year that can count, as rows (first_day, last_day): a literal table from Python."""
    counted = money.counted_months(year, today)
    rows = [
        select(literal(first, Date).label("first_day"), literal(last, Date).label("last_day"))
        for first, last in counted
    ]
    if not rows:  # the year has not begun: no month counts
        none = literal(date(2000, 1, 1), Date)
        rows = [select(none.label("first_day"), none.label("last_day")).where(false())]
    return _union(rows).subquery("counted_months")


def _union(rows: list[Any]) -> Any:
    return union_all(*rows) if len(rows) > 1 else rows[0]


def _rates() -> Any:
    """(zone, months, cents, rank): the central subsidy of one volunteer for each zone and month count, in
    cents, computed by `central_subsidy`; rank is the zone's place in FundingZone (the report's order)."""
    rows = [
        select(
            literal_column(f"'{zone.value}'", String).label("zone"),
            literal_column(str(months)).label("months"),
            literal_column(str(int(money.central_subsidy(zone, months) * 100))).label("cents"),
            literal_column(str(rank)).label("rank"),
        )
        for rank, zone in enumerate(FundingZone)
        for months in range(1, MONTHS_PER_YEAR + 1)
    ]
    return _union(rows).subquery("subsidy_rates")


def _standard_id(year: str, province: Any, county: Any) -> Any:
    """The allowance standard in force (no draft) for the county, else for its province: the last set (the
    executor's `standard_of` keeps the last by id), as hub.allowances.in_force reads them."""
    standard = m.AllowanceStandard.__table__.alias("standard")
    base = and_(standard.c.year == year, standard.c.draft.is_(False), standard.c.province_code == province)

    def last(where: Any) -> Any:
        found = select(standard.c.id).where(base, where).order_by(standard.c.id.desc()).limit(1)
        return found.correlate_except(standard).scalar_subquery()

    return func.coalesce(last(standard.c.county_code == county), last(standard.c.county_code.is_(None)))


def _due(year: str, today: date, only: str | None, reported: Any) -> Any:
    """Per (province, zone, months): the volunteers with that many months in post, their months, central
    subsidy and local allowance in cents. Grouped by the latest agreement's county before the zone, the
    rate and the standard are looked up (a thousand groups for twenty thousand volunteers). The county is
    looked up among the counties of the `reported` provinces, as the executor reads them."""
    months = _counted_months(year, today)
    term = m.ServiceAgreement.__table__.alias("term")
    overlaps = and_(term.c.starts_on <= months.c.last_day, term.c.ends_on >= months.c.first_day)
    counted = func.count(distinct(months.c.first_day))
    # One pass over the agreements: each application's months in post, and the county of its latest term
    # (the executor's last agreement by (term_year, id); (application, term_year) is unique) whatever year
    # that term is of — the greatest `term_year || county_code`, as a term number has one digit (R27).
    latest = func.max(cast(term.c.term_year, Text).op("||")(term.c.county_code))
    served = (
        select(term.c.application_id, counted.label("months"), latest.label("latest"))
        .select_from(term.outerjoin(months, overlaps))
        .group_by(term.c.application_id)
        .having(counted > 0)
        .subquery("served")
    )
    application = m.Application.__table__.alias("funded")
    county_code = func.substr(served.c.latest, 2)
    grouped = (
        select(
            application.c.serving_province_code.label("province"),
            county_code.label("county_code"),
            served.c.months,
            func.count().label("n"),
        )
        .select_from(served.join(application, application.c.id == served.c.application_id))
        .where(*([] if only is None else [application.c.serving_province_code == only]))
        .group_by(application.c.serving_province_code, county_code, served.c.months)
        .subquery("funded_groups")
    )
    groups = select(
        grouped, _standard_id(year, grouped.c.province, grouped.c.county_code).label("standard_id")
    ).subquery("funded_standards")
    province = m.Province.__table__.alias("funded_region")
    county = m.County.__table__.alias("funded_county")
    standard = m.AllowanceStandard.__table__.alias("standard_in_force")
    rates = _rates()
    zone = money.funding_zone_sql(groups.c.county_code, province.c.region)
    allowance = money.local_allowance_cents_sql(
        groups.c.months, standard.c.monthly_allowance, standard.c.hardship_allowance, county.c.remote
    )
    return (
        select(
            groups.c.province,
            rates.c.zone,
            rates.c.rank,
            (groups.c.months * groups.c.n).label("months"),
            (rates.c.cents * groups.c.n).label("subsidy"),
            (func.coalesce(allowance, 0) * groups.c.n).label("allowance"),
        )
        .select_from(
            groups.join(province, province.c.code == groups.c.province)
            .outerjoin(county, and_(county.c.code == groups.c.county_code, county.c.province_code.in_(reported)))
            .join(rates, and_(rates.c.zone == zone, rates.c.months == groups.c.months))
            .outerjoin(standard, standard.c.id == groups.c.standard_id)
        )
        .cte()  # anonymous: a query may ask for the report twice (aliases)
    )


def _posted(year: str, today: date, only: str | None) -> Any:
    """Per province: the volunteers in post in the year (hub.counting) and those of them uninsured today."""
    application = m.Application.__table__.alias("posted")
    condition = counting.in_post(year, application.c)
    if only is not None:
        condition = and_(condition, application.c.serving_province_code == only)
    uninsured = case((money.insured_sql(application.c.volunteer_id, today), 0), else_=1)
    return (
        select(
            application.c.serving_province_code.label("province"),
            func.count().label("in_post"),
            func.sum(uninsured).label("uninsured"),
        )
        .where(condition)
        .group_by(application.c.serving_province_code)
        .subquery("in_post")
    )


def compile_funding_report(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """SQL of `Query.fundingReport`: one object per province the caller may read, by code — every serving
    province and any with money due or volunteers in post, or the one asked for."""
    if not walk.hub.permissions.can_read(walk.need_actor(), ENTITY):
        raise Unplannable("FORBIDDEN")
    year = year_argument(args.get("year"))
    only = args.get("province_code")
    if only is not None and not isinstance(only, str):
        raise Unplannable("not a province code")
    today = walk.today
    provinces = m.Province.__table__
    reported = select(provinces.c.code).where(walk.hub.permissions.visible(walk.actor, ENTITY))
    if only is not None:
        reported = reported.where(provinces.c.code == only)
    due = _due(year, today, only, reported)
    zones = (
        select(
            due.c.province,
            due.c.zone,
            due.c.rank,
            func.sum(due.c.months).label("months"),
            func.sum(due.c.subsidy).label("subsidy"),
        )
        .group_by(due.c.province, due.c.zone, due.c.rank)
        .cte()
    )
    totals = (
        select(due.c.province, func.sum(due.c.subsidy).label("subsidy"), func.sum(due.c.allowance).label("allowance"))
        .group_by(due.c.province)
        .subquery("funding_totals")
    )
    posted = _posted(year, today, only)
    province = m.Province.__table__.alias("funded_province")
    report_type = named(definition)
    zone_type = named(report_type.fields["byZone"])

    def by_zone(group: Details) -> Any:
        body = walk.embedded(
            zone_type,
            group,
            {
                "zone": lambda _d: zones.c.zone,
                "volunteerMonths": lambda _d: zones.c.months,
                "centralSubsidy": lambda _d: cents_text(zones.c.subsidy),
            },
        )
        listed = select(json_list(body, zones.c.rank)).where(zones.c.province == province.c.code)
        return func.coalesce(listed.correlate_except(zones).scalar_subquery(), EMPTY_LIST)

    body = walk.embedded(
        report_type,
        details,
        {
            "year": lambda _d: cast(literal(year, String), Text),
            "province": lambda group: walk.object(named(report_type.fields["province"]), province, group),
            "inPost": lambda _d: func.coalesce(posted.c.in_post, 0),
            "byZone": by_zone,
            "centralSubsidy": lambda _d: cents_text(func.coalesce(totals.c.subsidy, 0)),
            "localAllowance": lambda _d: cents_text(func.coalesce(totals.c.allowance, 0)),
            "uninsured": lambda _d: func.coalesce(posted.c.uninsured, 0),
        },
    )
    conditions = [scoped(walk, province, m.Province, ENTITY)]
    if only is not None:
        conditions.append(province.c.code == only)
    else:  # the all-provinces report lists the year's serving provinces and any with money due or in post
        conditions.append(
            or_(scales.serving_sql(year, province.c.code), totals.c.province.is_not(None), posted.c.in_post > 0)
        )
    listed = (
        select(json_list(body, province.c.code))
        .select_from(
            province.outerjoin(totals, totals.c.province == province.c.code).outerjoin(
                posted, posted.c.province == province.c.code
            )
        )
        .where(*conditions)
    )
    return func.coalesce(listed.scalar_subquery(), EMPTY_LIST)
