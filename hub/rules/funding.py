"""R4, R38, R39: funding zones, the central subsidy (中央财政补贴), the local living allowance and insurance.

Money is `decimal.Decimal`, never float. Each amount is computed exactly and rounded once, per
volunteer, to the cent (ROUND_HALF_UP); a province's or the nation's total is the plain sum of those
per-volunteer amounts. Round per volunteer, then sum: that way the provinces' totals add up to the
national total to the cent, whatever way the volunteers are grouped.

The read planner answers the funding report in SQL (hub.funding.report_sql): the zone, the local allowance and
insurance are spelled in SQL here too (`*_sql`), next to their Python and from the same constants, and
tests/test_funding_report_is_planned.py holds each pair together on SQLite and PostgreSQL. The months that
can count (`counted_months`) and the central subsidy per zone and month count (`central_subsidy`) go into the
statement from Python as literal tables, so they have one spelling only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, intersect, or_, select
from sqlalchemy.sql.elements import ColumnElement

from hub import models as m
from hub.enums import FundingZone, InsuranceKind, Region
from hub.rules.years import service_period

TIBET_PROVINCE = "54"
# 南疆四地州: Aksu 6529, Kizilsu 6530, Kashgar 6531, Hotan 6532.
SOUTH_XINJIANG_PREFECTURES = frozenset({"6529", "6530", "6531", "6532"})

CENTRAL_SUBSIDY_PER_YEAR: dict[FundingZone, Decimal] = {
    FundingZone.WEST: Decimal("30000"),
    FundingZone.SOUTH_XINJIANG_TIBET: Decimal("40000"),
    FundingZone.CENTRAL: Decimal("24000"),
    FundingZone.NONE: Decimal("0"),  # assumption (R4): no central subsidy outside west and centre
}

MONTHS_PER_YEAR = 12
REQUIRED_INSURANCE = frozenset(InsuranceKind)


def funding_zone(county_code: str, province_region: Region) -> FundingZone:
    """R4: SOUTH_XINJIANG_TIBET for Tibet (54) and the prefectures 6529–6532, WEST for other western
    counties (XPCC 66 included), CENTRAL for central-region counties, NONE elsewhere (assumption)."""
    if county_code.startswith(TIBET_PROVINCE) or county_code[:4] in SOUTH_XINJIANG_PREFECTURES:
        return FundingZone.SOUTH_XINJIANG_TIBET
    region = Region(province_region)
    if region is Region.WEST:
        return FundingZone.WEST
    if region is Region.CENTRAL:
        return FundingZone.CENTRAL
    return FundingZone.NONE


def funding_zone_sql(county_code: Any, province_region: Any) -> ColumnElement[str]:
    """`funding_zone` in SQL (the read planner's funding report), from the same constants; tests hold the two
    together (tests/test_funding_report_is_planned.py)."""
    south = or_(
        func.substr(county_code, 1, len(TIBET_PROVINCE)) == TIBET_PROVINCE,
        func.substr(county_code, 1, 4).in_(sorted(SOUTH_XINJIANG_PREFECTURES)),
    )
    return case(
        (south, FundingZone.SOUTH_XINJIANG_TIBET.value),
        (province_region == Region.WEST.value, FundingZone.WEST.value),
        (province_region == Region.CENTRAL.value, FundingZone.CENTRAL.value),
        else_=FundingZone.NONE.value,
    )


def counted_months(year: str, today: date) -> list[tuple[date, date]]:
    """R38: the months of `year`'s service period (August to July) begun by `today`, oldest first, each as
    (its first day, its last day or `today`, whichever comes first) — the days of it that can count."""
    period_start, period_end = service_period(year)
    months = []
    first = period_start
    while first <= min(period_end, today):
        following = date(first.year + first.month // MONTHS_PER_YEAR, first.month % MONTHS_PER_YEAR + 1, 1)
        months.append((first, min(following - timedelta(days=1), today)))
        first = following
    return months


def months_in_post(periods: Iterable[tuple[date, date]], year: str, today: date) -> int:
    """R38: the months of `year`'s service period (August to July) in which the volunteer was in post
    on any day up to `today`: the counted months (`counted_months`) that a term overlaps. Periods are
    inclusive (start, end) agreement terms and may overlap; a month counts once."""
    terms = list(periods)
    for start, end in terms:
        if start > end:
            raise ValueError(f"a term cannot end ({end.isoformat()}) before it starts ({start.isoformat()})")
    return sum(
        1 for first, last in counted_months(year, today) if any(start <= last and end >= first for start, end in terms)
    )


def central_subsidy(
    zone: FundingZone,
    months: int,
    *,
    rates: Mapping[FundingZone, Decimal] = CENTRAL_SUBSIDY_PER_YEAR,
) -> Decimal:
    """R38: the central subsidy due for one volunteer: the zone's yearly rate / 12 × months in post
    (assumption: prorated by month). Computed exactly, then rounded once to 0.01 with ROUND_HALF_UP.

    This is a per-volunteer amount; totals (per province, per zone, national) are sums of these
    rounded amounts, never a rate applied to summed months, so the parts always add up to the total.
    """
    _check_months(months)
    return _to_cents(Fraction(rates[FundingZone(zone)]) * months / MONTHS_PER_YEAR)


def local_allowance(months: int, monthly: Decimal, hardship: Decimal, remote: bool) -> Decimal:
    """R39: the local allowance due for one volunteer: months in post × (monthly living allowance +
    the hardship allowance when the county is remote), rounded once to 0.01 with ROUND_HALF_UP.
    Social insurance and insurance premiums are not part of it."""
    _check_months(months)
    if monthly < 0 or hardship < 0:
        raise ValueError("an allowance cannot be negative")
    per_month = Fraction(monthly) + (Fraction(hardship) if remote else 0)
    return _to_cents(per_month * months)


def local_allowance_cents_sql(months: Any, monthly: Any, hardship: Any, remote: Any) -> ColumnElement[int]:
    """`local_allowance` in SQL, in whole cents: standards are stored to the cent (numeric(12, 2)), so
    months × (monthly + hardship when remote) is exact and its rounding to the cent changes nothing."""
    per_month = _cents_sql(monthly) + case((remote.is_(True), _cents_sql(hardship)), else_=0)
    return months * per_month


def _cents_sql(amount: Any) -> ColumnElement[int]:
    return cast(func.round(amount * 100), BigInteger)


def uninsured(policies: Iterable[tuple[InsuranceKind, date, date]], today: date) -> bool:
    """R39: true unless both a MAJOR_ILLNESS and an ACCIDENT policy are in force today
    (valid_from ≤ today ≤ valid_until)."""
    in_force = {InsuranceKind(kind) for kind, valid_from, valid_until in policies if valid_from <= today <= valid_until}
    return not REQUIRED_INSURANCE <= in_force


def insured_sql(volunteer_id: Any, today: date) -> ColumnElement[bool]:
    """`not uninsured(...)` in SQL: the volunteer is in the set of those holding a policy of every required kind
    in force today — one INTERSECT per kind, materialized on PostgreSQL, so the statement builds it once: a CTE
    runs in the leader, where two uncorrelated INs were hashed again by each parallel worker (funding report on
    the nation grown ×5: 1.145× req/s; scale 1: 1.125×)."""

    def in_force(kind: InsuranceKind) -> Any:
        policy = m.InsurancePolicy.__table__.alias(f"policy_{kind.value.lower()}")
        return select(policy.c.volunteer_id).where(
            policy.c.kind == kind.value, policy.c.valid_from <= today, policy.c.valid_until >= today
        )

    held = intersect(*(in_force(kind) for kind in sorted(REQUIRED_INSURANCE))).cte()
    held = held.prefix_with("MATERIALIZED", dialect="postgresql")  # SQLite before 3.35 does not know the word
    return volunteer_id.in_(select(held.c.volunteer_id))


def _check_months(months: int) -> None:
    if not 0 <= months <= MONTHS_PER_YEAR:
        raise ValueError(f"months in post lie between 0 and {MONTHS_PER_YEAR}, not {months}")


def _to_cents(amount: Fraction) -> Decimal:
    """Round an exact amount to the cent, half up (away from zero), without going through a float."""
    cents = abs(amount) * 100
    whole, cent = divmod(math.floor(cents + Fraction(1, 2)), 100)
    sign = "-" if amount < 0 and (whole or cent) else ""
    return Decimal(f"{sign}{whole}.{cent:02d}")
