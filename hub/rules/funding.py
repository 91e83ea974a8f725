"""R4, R38, R39: funding zones, the central subsidy (中央财政补贴), the local living allowance and insurance.

Money is `decimal.Decimal`, never float. Each amount is computed exactly and rounded once, per
volunteer, to the cent (ROUND_HALF_UP); a province's or the nation's total is the plain sum of those
per-volunteer amounts. Round per volunteer, then sum: that way the provinces' totals add up to the
national total to the cent, whatever way the volunteers are grouped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction

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


def months_in_post(periods: Iterable[tuple[date, date]], year: str, today: date) -> int:
    """R38: the months of `year`'s service period (August to July) in which the volunteer was in post
    on any day up to `today`. Periods are inclusive (start, end) agreement terms and may overlap; a
    month counts once."""
    period_start, period_end = service_period(year)
    months: set[tuple[int, int]] = set()
    for start, end in periods:
        if start > end:
            raise ValueError(f"a term cannot end ({end.isoformat()}) before it starts ({start.isoformat()})")
        first, last = max(start, period_start), min(end, period_end, today)
        if first > last:
            continue
        index, last_index = _month_index(first), _month_index(last)
        months.update(divmod(i, MONTHS_PER_YEAR) for i in range(index, last_index + 1))
    return len(months)


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


def uninsured(policies: Iterable[tuple[InsuranceKind, date, date]], today: date) -> bool:
    """R39: true unless both a MAJOR_ILLNESS and an ACCIDENT policy are in force today
    (valid_from ≤ today ≤ valid_until)."""
    in_force = {InsuranceKind(kind) for kind, valid_from, valid_until in policies if valid_from <= today <= valid_until}
    return not REQUIRED_INSURANCE <= in_force


def _month_index(day: date) -> int:
    return day.year * MONTHS_PER_YEAR + day.month - 1


def _check_months(months: int) -> None:
    if not 0 <= months <= MONTHS_PER_YEAR:
        raise ValueError(f"months in post lie between 0 and {MONTHS_PER_YEAR}, not {months}")


def _to_cents(amount: Fraction) -> Decimal:
    """Round an exact amount to the cent, half up (away from zero), without going through a float."""
    cents = abs(amount) * 100
    whole, cent = divmod(math.floor(cents + Fraction(1, 2)), 100)
    sign = "-" if amount < 0 and (whole or cent) else ""
    return Decimal(f"{sign}{whole}.{cent:02d}")
