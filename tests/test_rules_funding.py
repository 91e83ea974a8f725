"""R4 funding zones, R38 central subsidy by month in post, R39 local allowance and insurance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hub.enums import FundingZone, InsuranceKind, Region
from hub.rules.funding import (
    CENTRAL_SUBSIDY_PER_YEAR,
    central_subsidy,
    funding_zone,
    local_allowance,
    months_in_post,
    uninsured,
)

YEAR = "2021-2022"
END_OF_YEAR = date(2022, 7, 31)


@pytest.mark.parametrize(
    "county, region, zone",
    [
        ("540102", Region.WEST, FundingZone.SOUTH_XINJIANG_TIBET),  # Lhasa
        ("652901", Region.WEST, FundingZone.SOUTH_XINJIANG_TIBET),  # Aksu
        ("653001", Region.WEST, FundingZone.SOUTH_XINJIANG_TIBET),  # Kizilsu
        ("653101", Region.WEST, FundingZone.SOUTH_XINJIANG_TIBET),  # Kashgar
        ("653201", Region.WEST, FundingZone.SOUTH_XINJIANG_TIBET),  # Hotan
        ("652801", Region.WEST, FundingZone.WEST),  # Bayingolin: northern neighbour of Aksu
        ("654002", Region.WEST, FundingZone.WEST),  # Ili
        ("650102", Region.WEST, FundingZone.WEST),  # Urumqi
        ("660101", Region.WEST, FundingZone.WEST),  # XPCC
        ("620321", Region.WEST, FundingZone.WEST),  # Gansu
        ("150102", Region.WEST, FundingZone.WEST),  # Inner Mongolia
        ("410102", Region.CENTRAL, FundingZone.CENTRAL),  # Henan
        ("140105", Region.CENTRAL, FundingZone.CENTRAL),  # Shanxi
        ("220102", Region.NORTHEAST, FundingZone.NONE),  # Jilin
        ("320102", Region.EAST, FundingZone.NONE),  # Jiangsu
    ],
)
def test_funding_zone(county: str, region: Region, zone: FundingZone) -> None:
    assert funding_zone(county, region) is zone


def test_funding_zone_accepts_region_strings() -> None:
    assert funding_zone("620321", "WEST") is FundingZone.WEST  # type: ignore[arg-type]


def test_subsidy_rates() -> None:
    assert CENTRAL_SUBSIDY_PER_YEAR == {
        FundingZone.WEST: Decimal("30000"),
        FundingZone.SOUTH_XINJIANG_TIBET: Decimal("40000"),
        FundingZone.CENTRAL: Decimal("24000"),
        FundingZone.NONE: Decimal("0"),
    }


def test_a_full_year_is_twelve_months() -> None:
    assert months_in_post([(date(2021, 8, 1), date(2022, 7, 31))], YEAR, END_OF_YEAR) == 12


def test_a_term_starting_mid_august_counts_august() -> None:
    assert months_in_post([(date(2021, 8, 15), date(2022, 8, 14))], YEAR, END_OF_YEAR) == 12


def test_today_mid_month_counts_that_month_and_nothing_after() -> None:
    term = [(date(2021, 8, 15), date(2022, 8, 14))]
    assert months_in_post(term, YEAR, date(2021, 10, 3)) == 3  # Aug, Sep, Oct
    assert months_in_post(term, YEAR, date(2021, 10, 1)) == 3
    assert months_in_post(term, YEAR, date(2021, 9, 30)) == 2
    assert months_in_post(term, YEAR, date(2021, 8, 14)) == 0  # not in post yet
    assert months_in_post(term, YEAR, date(2021, 8, 15)) == 1


def test_months_outside_the_service_period_do_not_count() -> None:
    previous_year = [(date(2020, 8, 1), date(2021, 7, 31))]
    assert months_in_post(previous_year, YEAR, END_OF_YEAR) == 0
    spanning = [(date(2020, 9, 1), date(2021, 8, 1))]  # one day in August 2021
    assert months_in_post(spanning, YEAR, END_OF_YEAR) == 1
    next_year_start = [(date(2022, 7, 31), date(2023, 7, 30))]
    assert months_in_post(next_year_start, YEAR, date(2023, 1, 1)) == 1  # only July 2022


def test_a_term_ending_early_counts_its_last_month() -> None:
    assert months_in_post([(date(2021, 8, 1), date(2021, 12, 1))], YEAR, END_OF_YEAR) == 5


def test_overlapping_and_adjacent_periods_count_each_month_once() -> None:
    periods = [
        (date(2021, 8, 1), date(2021, 11, 30)),
        (date(2021, 10, 15), date(2022, 1, 10)),  # overlaps Oct and Nov
        (date(2022, 1, 11), date(2022, 1, 31)),  # same month as the previous end
        (date(2021, 8, 20), date(2021, 8, 25)),  # inside the first
    ]
    assert months_in_post(periods, YEAR, END_OF_YEAR) == 6  # Aug..Jan


def test_a_gap_leaves_months_uncounted() -> None:
    periods = [(date(2021, 8, 1), date(2021, 9, 30)), (date(2022, 2, 1), date(2022, 3, 31))]
    assert months_in_post(periods, YEAR, END_OF_YEAR) == 4


def test_no_periods_no_months() -> None:
    assert months_in_post([], YEAR, END_OF_YEAR) == 0


def test_a_reversed_period_is_an_error() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        months_in_post([(date(2021, 9, 2), date(2021, 9, 1))], YEAR, END_OF_YEAR)


@pytest.mark.parametrize(
    "zone, months, amount",
    [
        (FundingZone.WEST, 12, "30000.00"),
        (FundingZone.WEST, 1, "2500.00"),
        (FundingZone.WEST, 0, "0.00"),
        (FundingZone.CENTRAL, 12, "24000.00"),
        (FundingZone.CENTRAL, 5, "10000.00"),
        (FundingZone.SOUTH_XINJIANG_TIBET, 12, "40000.00"),
        (FundingZone.SOUTH_XINJIANG_TIBET, 1, "3333.33"),  # 3333.333...
        (FundingZone.SOUTH_XINJIANG_TIBET, 2, "6666.67"),  # 6666.666... rounds up
        (FundingZone.SOUTH_XINJIANG_TIBET, 7, "23333.33"),
        (FundingZone.NONE, 12, "0.00"),
    ],
)
def test_central_subsidy(zone: FundingZone, months: int, amount: str) -> None:
    result = central_subsidy(zone, months)
    assert isinstance(result, Decimal)
    assert result == Decimal(amount) and str(result) == amount


def test_half_a_cent_rounds_up_once() -> None:
    # 0.06 / 12 × 1 = 0.005 exactly: ROUND_HALF_UP gives 0.01 (banker's rounding would give 0.00).
    assert central_subsidy(FundingZone.WEST, 1, rates={FundingZone.WEST: Decimal("0.06")}) == Decimal("0.01")


@pytest.mark.parametrize("months", [-1, 13])
def test_central_subsidy_months_out_of_range(months: int) -> None:
    with pytest.raises(ValueError):
        central_subsidy(FundingZone.WEST, months)


def test_provincial_sums_equal_the_national_total_to_the_cent() -> None:
    # Each volunteer's amount is rounded once; province totals and the national total are plain sums.
    tibet = [central_subsidy(FundingZone.SOUTH_XINJIANG_TIBET, m) for m in (1, 1, 1, 2, 5, 12)]
    xinjiang = [central_subsidy(FundingZone.SOUTH_XINJIANG_TIBET, m) for m in (1, 2, 2, 7)]
    gansu = [central_subsidy(FundingZone.WEST, m) for m in (3, 12, 11)]
    henan = [central_subsidy(FundingZone.CENTRAL, m) for m in (1, 12)]
    provinces = [sum(p, Decimal(0)) for p in (tibet, xinjiang, gansu, henan)]
    assert provinces == [Decimal("73333.33"), Decimal("40000.00"), Decimal("65000.00"), Decimal("26000.00")]
    national = sum(tibet + xinjiang + gansu + henan, Decimal(0))
    assert sum(provinces, Decimal(0)) == national == Decimal("204333.33")


def test_totals_are_sums_of_rounded_amounts_not_pooled_months() -> None:
    # Three one-month volunteers get 3333.33 each; the total is 9999.99, not 40000 / 12 × 3 = 10000.00.
    amounts = [central_subsidy(FundingZone.SOUTH_XINJIANG_TIBET, 1) for _ in range(3)]
    assert sum(amounts, Decimal(0)) == Decimal("9999.99")
    assert central_subsidy(FundingZone.SOUTH_XINJIANG_TIBET, 3) == Decimal("10000.00")


@pytest.mark.parametrize(
    "months, monthly, hardship, remote, amount",
    [
        (12, Decimal("2000"), Decimal("300"), False, "24000.00"),
        (12, Decimal("2000"), Decimal("300"), True, "27600.00"),
        (3, Decimal("1850.50"), Decimal("200.25"), True, "6152.25"),
        (0, Decimal("2000"), Decimal("300"), True, "0.00"),
        (5, Decimal("1999.999"), Decimal("0"), False, "10000.00"),  # 9999.995 rounds half up
    ],
)
def test_local_allowance(months: int, monthly: Decimal, hardship: Decimal, remote: bool, amount: str) -> None:
    result = local_allowance(months, monthly, hardship, remote)
    assert result == Decimal(amount) and str(result) == amount


def test_local_allowance_rejects_negative_amounts_and_bad_months() -> None:
    with pytest.raises(ValueError):
        local_allowance(3, Decimal("-1"), Decimal("0"), False)
    with pytest.raises(ValueError):
        local_allowance(13, Decimal("2000"), Decimal("0"), False)


TODAY = date(2021, 10, 1)
ILLNESS, ACCIDENT = InsuranceKind.MAJOR_ILLNESS, InsuranceKind.ACCIDENT
A_YEAR = (date(2021, 8, 1), date(2022, 7, 31))


def test_insured_with_both_kinds_in_force() -> None:
    assert not uninsured([(ILLNESS, *A_YEAR), (ACCIDENT, *A_YEAR)], TODAY)


def test_uninsured_without_one_kind() -> None:
    assert uninsured([(ILLNESS, *A_YEAR)], TODAY)
    assert uninsured([(ACCIDENT, *A_YEAR), (ACCIDENT, *A_YEAR)], TODAY)
    assert uninsured([], TODAY)


def test_policy_validity_is_inclusive_at_both_ends() -> None:
    policies = [(ILLNESS, TODAY, TODAY), (ACCIDENT, date(2021, 1, 1), TODAY)]
    assert not uninsured(policies, TODAY)
    assert uninsured(policies, date(2021, 10, 2))  # both expired the day before
    assert uninsured([(ILLNESS, *A_YEAR), (ACCIDENT, date(2021, 10, 2), A_YEAR[1])], TODAY)  # not yet


def test_an_expired_policy_is_covered_by_a_renewed_one() -> None:
    policies = [
        (ILLNESS, date(2020, 8, 1), date(2021, 7, 31)),
        (ILLNESS, *A_YEAR),
        (ACCIDENT, *A_YEAR),
    ]
    assert not uninsured(policies, TODAY)
