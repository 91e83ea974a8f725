"""R38–R40: the funding report, checked to the cent against figures computed here, independently, with
Decimal, from the same inputs.

Fourteen volunteers serve in four provinces and all three subsidised zones: WEST (Gansu 621121 通渭县,
remote; 620321 永昌县; Xinjiang 650102 天山区), SOUTH_XINJIANG_TIBET (Kashgar 653121 疏附县, Lhasa 540102
城关区) and CENTRAL (Henan 411325 内乡县, remote; 411326 淅川县). Agreements start on the first, in the
middle, on the last day of a month and on "today"; one term ended early, one volunteer renewed. The
months in post are counted by hand below (a month counts when the volunteer was in post on any day of
it, up to today, within August–July of the year).

Amounts are due per volunteer: rate / 12 × months, and months × (monthly allowance + the hardship
allowance in a remote county), each rounded once to the cent (half up); a zone's and a province's
figures are the sums of those (hub/rules/funding.py: "round per volunteer, then sum", so the provinces
add up to the nation to the cent)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.in_service import FUNDING, INSURE, SET_ALLOWANCE
from tests.season import client_at, must
from tests.seed import YEAR, seed_reference
from tests.test_in_service_permissions_table import (
    NATIONAL,
    Placement,
    add_counties,
    county_actor,
    place,
    provincial,
    set_remote,
    vid,
)

TODAY = date(2028, 1, 15)  # HUB_TODAY: August 2027 to January 2028 have begun
AFTER_THE_YEAR = date(2028, 9, 30)  # every month of 2027-2028 (August to July) has passed
CENT = Decimal("0.01")
RATE = {"WEST": Decimal("30000"), "SOUTH_XINJIANG_TIBET": Decimal("40000"), "CENTRAL": Decimal("24000")}

# county: (zone, remote)
COUNTIES = {
    "621121": ("WEST", True),
    "620321": ("WEST", False),
    "650102": ("WEST", False),
    "653121": ("SOUTH_XINJIANG_TIBET", True),
    "540102": ("SOUTH_XINJIANG_TIBET", True),
    "411325": ("CENTRAL", True),
    "411326": ("CENTRAL", False),
}
NEW_COUNTIES = [
    ("650102", "天山区", False),
    ("653121", "疏附县", True),
    ("540102", "城关区", True),
    ("411325", "内乡县", True),
    ("411326", "淅川县", False),
]
# allowance standards (monthly, hardship) set by the provincial offices; Tibet (54) sets none
PROVINCE_STANDARDS = {
    "62": ("2000.00", "350.00"),
    "65": ("2400.00", "200.00"),  # 650102 is not remote: its hardship allowance does not apply
    "41": ("1833.33", "166.67"),
}
COUNTY_STANDARDS = {
    "620321": ("2100.00", "500.00"),  # overrides Gansu's; not remote, so no hardship
    "653121": ("2800.00", "600.00"),  # overrides Xinjiang's; remote, so with hardship
}

IN_FORCE = ("2027-08-01", "2028-07-31")


@dataclass(frozen=True)
class Served:
    """One volunteer: where, the agreement terms, the months in post of 2027-2028 up to TODAY and up to
    AFTER_THE_YEAR (counted by hand), the policies on record and whether uninsured on TODAY."""

    county: str
    terms: tuple[tuple[date, date], ...]
    months: int
    months_at_end: int
    policies: tuple[tuple[str, str, str], ...] = ()
    uninsured: bool = True
    status: str = "IN_SERVICE"


def year_from(day: date) -> tuple[tuple[date, date], ...]:
    """One agreement of a year from `day` (to the day before its anniversary)."""
    return ((day, day.replace(year=day.year + 1) - timedelta(days=1)),)


BOTH = (("MAJOR_ILLNESS", *IN_FORCE), ("ACCIDENT", *IN_FORCE))
VOLUNTEERS = [
    # Gansu (62)
    Served("621121", year_from(date(2027, 8, 1)), 6, 12, BOTH, uninsured=False),
    Served("621121", year_from(date(2027, 9, 15)), 5, 11, (("ACCIDENT", *IN_FORCE),)),  # only one kind
    Served(  # renewed: the first term was 2026-2027; the major-illness policy expired yesterday
        "621121",
        ((date(2026, 8, 1), date(2027, 7, 31)), (date(2027, 8, 1), date(2028, 7, 31))),
        6,
        12,
        (("MAJOR_ILLNESS", "2027-01-15", "2028-01-14"), ("ACCIDENT", *IN_FORCE)),
    ),
    Served("620321", ((date(2027, 8, 1), date(2027, 10, 10)),), 3, 3, status="TERMINATED"),  # left in October
    Served("620321", year_from(date(2027, 11, 30)), 3, 9),
    # Xinjiang (65): Kashgar is SOUTH_XINJIANG_TIBET, Urumqi WEST
    Served(
        "653121",
        year_from(date(2027, 8, 1)),
        6,
        12,
        (("MAJOR_ILLNESS", "2027-01-16", "2028-01-15"), ("ACCIDENT", *IN_FORCE)),  # ends today: still in force
        uninsured=False,
    ),
    Served(
        "653121",
        year_from(date(2027, 9, 1)),
        5,
        11,
        (("MAJOR_ILLNESS", "2028-01-16", "2029-01-15"), ("ACCIDENT", *IN_FORCE)),  # starts tomorrow
    ),
    Served("653121", year_from(date(2027, 12, 31)), 2, 8),
    Served(
        "650102",
        year_from(date(2027, 8, 20)),
        6,
        12,
        (("MAJOR_ILLNESS", *IN_FORCE), ("ACCIDENT", "2028-01-15", "2029-01-14")),  # starts today
        uninsured=False,
    ),
    # Tibet (54)
    Served("540102", year_from(date(2027, 10, 8)), 4, 10, BOTH, uninsured=False),
    Served("540102", year_from(TODAY), 1, 7),  # reported today
    # Henan (41), central region
    Served("411325", year_from(date(2027, 8, 1)), 6, 12, BOTH, uninsured=False),
    Served("411325", year_from(date(2027, 10, 31)), 4, 10),
    Served("411326", year_from(date(2027, 8, 1)), 6, 12),
]


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def per_month_allowance(county: str) -> Decimal:
    monthly, hardship = COUNTY_STANDARDS.get(county) or PROVINCE_STANDARDS.get(county[:2]) or ("0", "0")
    remote = COUNTIES[county][1]
    return Decimal(monthly) + (Decimal(hardship) if remote else Decimal("0"))


def expected_report(at_end: bool = False) -> dict[str, dict[str, Any]]:
    """The report per province, computed here: Decimal amounts per volunteer, rounded once, then summed."""
    out: dict[str, dict[str, Any]] = {}
    for v in VOLUNTEERS:
        province = v.county[:2]
        entry = out.setdefault(
            province,
            {
                "inPost": 0,
                "zones": defaultdict(lambda: [0, Decimal("0")]),
                "central": Decimal("0"),
                "local": Decimal("0"),
                "uninsured": 0,
            },
        )
        months = v.months_at_end if at_end else v.months
        zone = COUNTIES[v.county][0]
        subsidy = cents(RATE[zone] * months / 12)
        entry["zones"][zone][0] += months
        entry["zones"][zone][1] += subsidy
        entry["central"] += subsidy
        entry["local"] += cents(months * per_month_allowance(v.county))
        if v.status == "IN_SERVICE":
            entry["inPost"] += 1
            entry["uninsured"] += v.uninsured
    return out


def money(text: str) -> Decimal:
    """A Decimal serialized as a plain decimal string (never a float, never an exponent)."""
    assert isinstance(text, str) and re.fullmatch(r"-?\d+(\.\d+)?", text), text
    return Decimal(text)


async def prepare(front: Any) -> list[int]:
    hub = front.hub
    await seed_reference(hub)
    for province in ("41", "54"):
        await front.sql(
            "INSERT INTO province_scales (year, province_code, scale) VALUES (:y, :p, 10)", y=YEAR, p=province
        )
    await add_counties(hub, NEW_COUNTIES)
    await set_remote(hub, "621121", True)
    volunteers = await place(hub, [Placement(v.county, terms=v.terms, status=v.status) for v in VOLUNTEERS])
    for province, (monthly, hardship) in PROVINCE_STANDARDS.items():
        await must(
            front,
            SET_ALLOWANCE,
            {"year": YEAR, "provinceCode": province, "monthlyAllowance": monthly, "hardshipAllowance": hardship},
            provincial(province),
        )
    for county, (monthly, hardship) in COUNTY_STANDARDS.items():
        await must(
            front,
            SET_ALLOWANCE,
            {
                "year": YEAR,
                "provinceCode": county[:2],
                "countyCode": county,
                "monthlyAllowance": monthly,
                "hardshipAllowance": hardship,
            },
            provincial(county[:2]),
        )
    for n, (volunteer, served) in enumerate(zip(volunteers, VOLUNTEERS, strict=True), start=1):
        for kind, valid_from, valid_until in served.policies:
            await must(
                front,
                INSURE,
                {
                    "volunteerId": vid(volunteer),
                    "kind": kind,
                    "policyNumber": f"{kind[:2]}-{n:04d}",
                    "validFrom": valid_from,
                    "validUntil": valid_until,
                },
                county_actor(served.county),
            )
    return volunteers


def actual(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "inPost": entry["inPost"],
        "zones": {z["zone"]: (z["volunteerMonths"], z["centralSubsidy"]) for z in entry["byZone"]},
        "central": money(entry["centralSubsidy"]),
        "local": money(entry["localAllowance"]),
        "uninsured": entry["uninsured"],
    }


def as_strings(expected: dict[str, Any]) -> dict[str, Any]:
    """The expected figures as the report gives them: per zone the exact strings; the province's totals as
    Decimals (a total of nothing may read "0" or "0.00")."""
    return {
        "inPost": expected["inPost"],
        "zones": {z: (months, str(amount)) for z, (months, amount) in expected["zones"].items()},
        "central": expected["central"],
        "local": expected["local"],
        "uninsured": expected["uninsured"],
    }


async def test_the_funding_report_adds_up_to_the_cent(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, TODAY) as front:
        await prepare(front)
        for county, (zone, remote) in COUNTIES.items():
            data = await front.ok(
                "query($c: String!) { county(code: $c) { fundingZone remote } }", {"c": county}, **NATIONAL
            )
            assert data["county"] == {"fundingZone": zone, "remote": remote}, county

        expected = expected_report()
        # the rates of R38, per month, as the brief of the plan states them
        assert cents(RATE["WEST"] / 12) == Decimal("2500.00")
        assert cents(RATE["SOUTH_XINJIANG_TIBET"] / 12) == Decimal("3333.33")
        assert cents(RATE["CENTRAL"] / 12) == Decimal("2000.00")

        everywhere = (await front.ok(FUNDING, {"year": YEAR, "province": None}, **NATIONAL))["fundingReport"]
        by_code = {e["province"]["code"]: e for e in everywhere}
        assert len(by_code) == len(everywhere), "a province is listed twice"
        assert all(e["year"] == YEAR for e in everywhere)
        for province, figures in expected.items():
            assert actual(by_code[province]) == as_strings(figures), province

        # spelled out: the zones of the four provinces
        assert {p: actual(by_code[p])["zones"] for p in ("62", "65", "54", "41")} == {
            "62": {"WEST": (23, "57500.00")},  # 6+5+6+3+3 months × 2500
            "65": {
                "SOUTH_XINJIANG_TIBET": (13, "43333.34"),  # 20000.00 + 16666.67 + 6666.67
                "WEST": (6, "15000.00"),
            },
            "54": {"SOUTH_XINJIANG_TIBET": (5, "16666.66")},  # 13333.33 + 3333.33
            "41": {"CENTRAL": (16, "32000.00")},
        }
        assert [actual(by_code[p])["uninsured"] for p in ("62", "65", "54", "41")] == [3, 2, 1, 2]
        assert [actual(by_code[p])["inPost"] for p in ("62", "65", "54", "41")] == [4, 4, 2, 3]

        # local allowance, by hand: Gansu 17 months × 2350 (remote 621121, province standard with hardship)
        # + 6 months × 2100 (620321's own standard, no hardship: not remote); Xinjiang 13 × 3400 (Kashgar's
        # own standard with hardship) + 6 × 2400 (Urumqi, province standard, not remote); Tibet none set;
        # Henan 10 × 2000.00 (remote) + 6 × 1833.33
        assert [money(by_code[p]["localAllowance"]) for p in ("62", "65", "54", "41")] == [
            Decimal("52550.00"),
            Decimal("58600.00"),
            Decimal("0"),
            Decimal("30999.98"),
        ]

        # every figure is a plain decimal string; a province's total is the sum of its zones
        for entry in everywhere:
            zones = [money(z["centralSubsidy"]) for z in entry["byZone"]]
            assert money(entry["centralSubsidy"]) == sum(zones, Decimal("0")), entry
            money(entry["localAllowance"])

        # the nation: the sum over every province equals the totals computed here, to the cent
        central = sum((money(e["centralSubsidy"]) for e in everywhere), Decimal("0"))
        local = sum((money(e["localAllowance"]) for e in everywhere), Decimal("0"))
        assert central == sum((f["central"] for f in expected.values()), Decimal("0")) == Decimal("164500.00")
        assert local == sum((f["local"] for f in expected.values()), Decimal("0")) == Decimal("142149.98")
        others = [e for code, e in by_code.items() if code not in expected]
        assert all(money(e["centralSubsidy"]) == 0 and money(e["localAllowance"]) == 0 for e in others)
        assert all(e["inPost"] == 0 and e["uninsured"] == 0 for e in others)

        # a province's figures are the same in its own report and in the report of every province
        for province in expected:
            alone = (await front.ok(FUNDING, {"year": YEAR, "province": province}, **NATIONAL))["fundingReport"]
            assert alone == [by_code[province]], province
            own = (await front.ok(FUNDING, {"year": YEAR, "province": None}, **provincial(province)))["fundingReport"]
            assert own == [by_code[province]], province


async def test_a_years_report_counts_august_to_july_only(settings) -> None:  # type: ignore[no-untyped-def]
    """After the year has ended every month from August to July counts, and none after July; the renewed
    volunteer's first term belongs to the report of 2026-2027."""
    async with client_at(settings, TODAY) as front:
        await prepare(front)
    async with client_at(settings, AFTER_THE_YEAR) as front:
        expected = expected_report(at_end=True)
        everywhere = (await front.ok(FUNDING, {"year": YEAR, "province": None}, **NATIONAL))["fundingReport"]
        by_code = {e["province"]["code"]: e for e in everywhere}
        for province, figures in expected.items():
            got = actual(by_code[province])
            wanted = as_strings(figures)
            assert (got["zones"], got["central"], got["local"]) == (
                wanted["zones"],
                wanted["central"],
                wanted["local"],
            ), province
        assert actual(by_code["62"])["zones"] == {"WEST": (47, "117500.00")}  # 12 + 11 + 12 + 3 + 9
        central = sum((money(e["centralSubsidy"]) for e in everywhere), Decimal("0"))
        local = sum((money(e["localAllowance"]) for e in everywhere), Decimal("0"))
        assert central == sum((f["central"] for f in expected.values()), Decimal("0"))
        assert local == sum((f["local"] for f in expected.values()), Decimal("0"))

        previous = (await front.ok(FUNDING, {"year": "2026-2027", "province": "62"}, **NATIONAL))["fundingReport"]
        [gansu] = previous
        assert gansu["year"] == "2026-2027"
        assert [(z["zone"], z["volunteerMonths"], z["centralSubsidy"]) for z in gansu["byZone"]] == [
            ("WEST", 12, "30000.00")
        ]
        assert money(gansu["centralSubsidy"]) == Decimal("30000.00")
        assert money(gansu["localAllowance"]) == 0  # no standard was set for 2026-2027
