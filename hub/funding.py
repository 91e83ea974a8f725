"""R38–R40: the national funding report (经费报表) per serving province — volunteers in post by zone, the
central subsidy, the local allowance and the uninsured — in its two forms, both from the rules of
hub.rules.funding:

- `report`, the executor's: agreements, standards and policies read in eight statements, the rules applied
  per volunteer in Python, plain figures out (hub.graphql.reports builds the GraphQL objects from them);
- `report_sql`, the read planner's (hub.graphql.funding builds the JSON answer from it): the same answer in
  SQL both engines speak. The months that can count (`counted_months`: August to July, up to today) come
  from Python as a literal table, and a volunteer's month counts when one of their terms overlaps it —
  `months_in_post`'s test; the central subsidy per volunteer for each zone and month count comes from Python
  too (`central_subsidy`, 4 zones × 12 months, exact and rounded to the cent there), so SQL only looks it up
  and sums whole cents; the zone (`funding_zone_sql`), the local allowance (`local_allowance_cents_sql`),
  insurance (`insured_sql`), volunteers in post (hub.counting.in_post) and the serving provinces
  (hub.scales.serving_sql) are the SQL spellings kept beside their Python in those modules.

Money is summed in whole cents (integers on both engines, no float), then printed as the executor prints
its Decimal (`hub.dialects.cents_text`). tests/test_funding_report_is_planned.py holds the planner's
answers equal to the executor's on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
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
from sqlalchemy.ext.asyncio import AsyncSession

from hub import allowances, counting, scales
from hub import models as m
from hub.enums import FundingZone, Region
from hub.rules import funding as money
from hub.rules.funding import MONTHS_PER_YEAR

assert counting.MAX_TERMS < 10, "the latest term is found by comparing `term_year || county_code` as text"

CENTS = Decimal("0.00")  # amounts always read with two decimals, also when nothing is due


@dataclass(frozen=True)
class ZoneFigures:
    zone: FundingZone
    volunteer_months: int
    central_subsidy: Decimal


@dataclass(frozen=True)
class ProvinceFigures:
    year: str
    province_code: str
    in_post: int
    by_zone: list[ZoneFigures]
    central_subsidy: Decimal
    local_allowance: Decimal
    uninsured: int


async def report(
    session: AsyncSession, year: str, today: date, visible: Any, province_code: str | None
) -> list[ProvinceFigures]:
    """The report of each province the caller may read (`visible`, an SQL condition on provinces), or of the
    one asked for: the year's serving provinces and any with money due or volunteers in post."""
    provinces_q = select(m.Province).where(visible).order_by(m.Province.code)
    if province_code is not None:
        provinces_q = provinces_q.where(m.Province.code == province_code)
    provinces = list((await session.execute(provinces_q)).scalars())
    codes = [p.code for p in provinces]
    agreements = (
        await session.execute(
            select(
                m.Application.id,
                m.Application.serving_province_code,
                m.Application.status,
                m.ServiceAgreement.county_code,
                m.ServiceAgreement.starts_on,
                m.ServiceAgreement.ends_on,
                m.Application.volunteer_id,
            )
            .join(m.ServiceAgreement, m.ServiceAgreement.application_id == m.Application.id)
            .where(m.Application.serving_province_code.in_(codes))
            .order_by(m.ServiceAgreement.term_year, m.ServiceAgreement.id)  # the latest agreement comes last
        )
    ).all()
    in_post_ids = set(
        (
            await session.execute(
                select(m.Application.id).where(m.Application.serving_province_code.in_(codes), counting.in_post(year))
            )
        ).scalars()
    )
    counties = {
        c.code: c for c in (await session.execute(select(m.County).where(m.County.province_code.in_(codes)))).scalars()
    }
    serving = set(await scales.serving_provinces(session, year))
    standards = await allowances.in_force(session, year, codes)
    policies = (
        await session.execute(
            select(
                m.InsurancePolicy.volunteer_id,
                m.InsurancePolicy.kind,
                m.InsurancePolicy.valid_from,
                m.InsurancePolicy.valid_until,
            ).where(
                m.InsurancePolicy.volunteer_id.in_(
                    select(m.Application.volunteer_id).where(m.Application.serving_province_code.in_(codes))
                )
            )
        )
    ).all()
    regions = {p.code: Region(p.region) for p in provinces}
    by_application: dict[int, dict[str, Any]] = {}
    of_province: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for app_id, serving_code, _status, county_code, starts_on, ends_on, volunteer_id in agreements:
        entry = by_application.setdefault(
            app_id, {"province": serving_code, "county": county_code, "periods": [], "volunteer": volunteer_id}
        )
        of_province[serving_code][app_id] = entry
        entry["periods"].append((starts_on, ends_on))
        entry["county"] = county_code  # the latest agreement's county
    policies_of: dict[int, list[Any]] = defaultdict(list)
    for volunteer_id, kind, valid_from, valid_until in policies:
        policies_of[volunteer_id].append((kind, valid_from, valid_until))
    standard_of = {(s.province_code, s.county_code): s for s in standards}

    # The rules are pure and their arguments take few values (4 zones × 13 month counts, a few standards):
    # computed once each per request, not once per volunteer (exact Fraction arithmetic is the cost).
    subsidy_for = functools.cache(money.central_subsidy)
    allowance_for = functools.cache(money.local_allowance)
    reports = []
    for province in provinces:
        zone_months: dict[FundingZone, int] = defaultdict(int)
        zone_subsidy: dict[FundingZone, Decimal] = defaultdict(Decimal)
        allowance = Decimal("0")
        in_post = uninsured = 0
        for app_id, entry in of_province[province.code].items():
            months = money.months_in_post(entry["periods"], year, today)
            county = counties.get(entry["county"])
            zone = money.funding_zone(entry["county"], regions[province.code])
            if months:
                zone_months[zone] += months
                zone_subsidy[zone] += subsidy_for(zone, months)
                standard = standard_of.get((province.code, entry["county"])) or standard_of.get((province.code, None))
                if standard is not None:
                    allowance += allowance_for(
                        months,
                        standard.monthly_allowance,
                        standard.hardship_allowance,
                        bool(county and county.remote),
                    )
            if app_id in in_post_ids:
                in_post += 1
                if money.uninsured(policies_of.get(entry["volunteer"], []), today):
                    uninsured += 1
        by_zone = [ZoneFigures(z, zone_months[z], zone_subsidy[z] + CENTS) for z in FundingZone if z in zone_months]
        if province_code is None and province.code not in serving and not zone_months and not in_post:
            continue  # the all-provinces report lists the year's serving provinces and any with money due
        reports.append(
            ProvinceFigures(
                year=year,
                province_code=province.code,
                in_post=in_post,
                by_zone=by_zone,
                central_subsidy=sum(zone_subsidy.values(), CENTS),
                local_allowance=allowance + CENTS,
                uninsured=uninsured,
            )
        )
    return reports


# --- The same report in SQL (the read planner's) -----------------------------------------------------------


@dataclass(frozen=True)
class ReportSql:
    """The report's parts for the planner, each keyed by `province`: `zones` (zone, rank — its place in
    FundingZone —, months, subsidy in cents), `totals` (subsidy and allowance in cents), `posted` (in_post,
    uninsured); `listed(code)`: the all-provinces report lists the province."""

    year: str
    zones: Any
    totals: Any
    posted: Any

    def listed(self, province_code: Any) -> Any:
        """The year's serving provinces and any with money due or volunteers in post (as `report` lists them)."""
        return or_(
            scales.serving_sql(self.year, province_code), self.totals.c.province.is_not(None), self.posted.c.in_post > 0
        )


def report_sql(year: str, today: date, only: str | None, reported: Any) -> ReportSql:
    """`report` in SQL, for the provinces `reported` (a SELECT of their codes) or only the one asked for."""
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
    return ReportSql(year, zones, totals, _posted(year, today, only))


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
