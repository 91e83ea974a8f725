"""Every userError the in-service mutations can give (R28–R31, R37, R39, R41), with the path of the input
field at fault; a refusal writes nothing (not a row, not an audit entry). And what the accepted calls
change: monthly reports are corrected in place until a later month is filed, a MAJOR incident bans the
county for the next program year (R10, R29), re-proposing an assessment updates it until approved, at
most 20% of a province's volunteers in post are approved EXCELLENT (R30), certificates are unique and
not guessable (R31), allowance standards are one per province or county (R39), and volunteers of an
approved local project get the benefits of the national project (R37)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hub.ids import to_global_id
from tests.conftest import Client
from tests.in_service import (
    APPROVE_ASSESSMENTS,
    COMPLETE,
    DECIDE_PROJECT,
    FILE_REPORT,
    INSURE,
    PROPOSE,
    SET_ALLOWANCE,
    SUBMIT_PROJECT,
)
from tests.permission_tables import IN_SERVICE_TABLES, changed, snapshot
from tests.season import client_at, must, payload
from tests.seed import YEAR, seed_reference
from tests.test_in_service_permissions_table import (
    NATIONAL,
    Placement,
    county_actor,
    place,
    provincial,
    vid,
    volunteer_actor,
)

TONGWEI = county_actor("621121")
YONGCHANG = county_actor("620321")
WEIXIN = county_actor("530629")
GANSU = provincial("62")
YUNNAN = provincial("53")
IN_TERM = date(2027, 10, 5)
END_OF_TERM = date(2028, 7, 31)
UNKNOWN_VOLUNTEER = to_global_id("Volunteer", 999999)

COUNTY_QUERY = """query($code: String!) { county(code: $code) { bannedYears
  now: acceptsVolunteers(year: "2027-2028") next: acceptsVolunteers(year: "2028-2029") } }"""
ASSESSMENTS_OF = """query($id: ID!) { node(id: $id) { ... on Volunteer { assessments { id year grade status } } } }"""
STANDARDS = """query($province: String!) { allowanceStandards(year: "2027-2028", provinceCode: $province) {
  year province { code } county { code } monthlyAllowance hardshipAllowance } }"""
COMMENDATIONS = """query($province: String) { commendations(year: "2027-2028", provinceCode: $province) {
  id volunteer { id } grade status } }"""
VERIFY = """query($n: String!) { verifyCertificate(number: $n) { number name province { code } yearsServed
  completedOn } }"""
BENEFITS = """query($id: ID!) { node(id: $id) { ... on Volunteer { benefits { kind eligible validFrom validUntil
  reason } } } }"""


async def refused(front: Client, document: str, input: dict[str, Any], actor: dict[str, str]) -> list[Any]:
    """Send a mutation that must be refused by a domain rule: no GraphQL error, the payload's object null,
    nothing written. The (code, field) of each userError."""
    before = await snapshot(front, IN_SERVICE_TABLES)
    body = await front.gql(document, {"input": input}, **actor)
    assert not body.get("errors"), body
    result = payload(body["data"])
    assert result["userErrors"], f"accepted: {result}"
    assert all(value in (None, []) for key, value in result.items() if key != "userErrors"), result
    written = changed(before, await snapshot(front, IN_SERVICE_TABLES))
    assert not written, f"refused ({result['userErrors']}), yet wrote {written}"
    return [(e["code"], e["field"]) for e in result["userErrors"]]


def report(month: str, in_post: int = 5, absent: int = 0, incidents: list[Any] | None = None) -> dict[str, Any]:
    return {"countyCode": "621121", "month": month, "inPost": in_post, "absent": absent, "incidents": incidents}


def incident(day: str, severity: str = "MINOR", description: str = "扭伤脚踝", volunteer: str | None = None) -> Any:
    return {"occurredOn": day, "severity": severity, "description": description, "volunteerId": volunteer}


# ---------- monthly reports and incidents (R28, R29, R10) ----------


async def test_a_monthly_report_is_refused_for_each_broken_rule(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        volunteers = await place(front.hub, [Placement("621121")] * 5)
        application = to_global_id("Application", 1)

        for month in ("2027-9", "2027-13", "2027-00", "Sep 2027", "2027/09", "202709", ""):
            assert await refused(front, FILE_REPORT, report(month), TONGWEI) == [
                ("INVALID_INPUT", ["input", "month"])
            ], month
        # a future month (today is 2027-10-05); a later year
        for month in ("2027-11", "2028-01"):
            assert await refused(front, FILE_REPORT, report(month), TONGWEI) == [
                ("INVALID_INPUT", ["input", "month"])
            ], month
        assert await refused(front, FILE_REPORT, report("2027-09", in_post=5, absent=6), TONGWEI) == [
            ("INVALID_INPUT", ["input", "absent"])
        ]
        assert await refused(front, FILE_REPORT, report("2027-09", absent=-1), TONGWEI) == [
            ("INVALID_INPUT", ["input", "absent"])
        ]
        outside = report("2027-09", incidents=[incident("2027-09-30"), incident("2027-10-01")])
        assert await refused(front, FILE_REPORT, outside, TONGWEI) == [
            ("INVALID_INPUT", ["input", "incidents", "1", "occurredOn"])
        ]
        empty = report("2027-09", incidents=[incident("2027-09-02", description="  ")])
        assert await refused(front, FILE_REPORT, empty, TONGWEI) == [
            ("INVALID_INPUT", ["input", "incidents", "0", "description"])
        ]
        for stranger in (UNKNOWN_VOLUNTEER, application, "not-an-id"):
            known = incident("2027-09-02", volunteer=vid(volunteers[0]))
            unknown = report("2027-09", incidents=[known, incident("2027-09-03", volunteer=stranger)])
            assert await refused(front, FILE_REPORT, unknown, TONGWEI) == [
                ("NOT_FOUND", ["input", "incidents", "1", "volunteerId"])
            ], stranger
        # several faults of one report are named together
        many = report("2027-9", in_post=1, absent=2, incidents=[incident("2027-09-02", description="")])
        assert sorted(map(tuple, await refused(front, FILE_REPORT, many, TONGWEI))) == sorted(
            [
                ("INVALID_INPUT", ["input", "month"]),
                ("INVALID_INPUT", ["input", "absent"]),
                ("INVALID_INPUT", ["input", "incidents", "0", "description"]),
            ]
        )
        # an unknown county, by its own (well-formed) office
        ghost = {**report("2027-09"), "countyCode": "620999"}
        assert await refused(front, FILE_REPORT, ghost, county_actor("620999")) == [
            ("NOT_FOUND", ["input", "countyCode"])
        ]

        # the current month may be reported (it has begun)
        filed = await must(front, FILE_REPORT, report("2027-10"), TONGWEI)
        assert filed["report"]["month"] == "2027-10"


async def test_a_report_is_corrected_in_place_until_a_later_month_is_filed(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        first, second, *_ = [vid(v) for v in await place(front.hub, [Placement("621121")] * 5)]

        august = await must(
            front,
            FILE_REPORT,
            report("2027-08", absent=2, incidents=[incident("2027-08-10", volunteer=first), incident("2027-08-20")]),
            TONGWEI,
        )
        corrected = await must(
            front,
            FILE_REPORT,
            report("2027-08", absent=1, incidents=[incident("2027-08-11", description="中暑", volunteer=second)]),
            TONGWEI,
        )
        assert corrected["report"]["id"] == august["report"]["id"]
        assert corrected["report"]["absent"] == 1
        assert corrected["report"]["incidents"] == [
            {"severity": "MINOR", "occurredOn": "2027-08-11", "description": "中暑", "volunteer": {"name": "在岗2"}}
        ]
        assert await front.sql("SELECT count(*) FROM safety_incidents") == [(1,)]
        assert await front.sql("SELECT count(*) FROM monthly_reports") == [(1,)]

        await must(front, FILE_REPORT, report("2027-09"), TONGWEI)
        assert await refused(front, FILE_REPORT, report("2027-08", absent=0), TONGWEI) == [
            ("INVALID_STATE", ["input", "month"])
        ]
        # the latest month stays correctable; another county's later report does not lock this county's
        latest = await must(front, FILE_REPORT, report("2027-09", absent=1), TONGWEI)
        assert latest["report"]["absent"] == 1
        await place(front.hub, [Placement("620321")], start=20)
        await must(front, FILE_REPORT, {**report("2027-10", in_post=1), "countyCode": "620321"}, YONGCHANG)
        await must(front, FILE_REPORT, report("2027-09", absent=0), TONGWEI)
        assert await front.sql("SELECT count(*) FROM monthly_reports") == [(3,)]
        assert await front.sql("SELECT count(*) FROM audit_entries WHERE operation = 'fileMonthlyReport'") == [(6,)]


async def test_a_major_incident_bans_the_county_for_the_next_program_year(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        [serving] = await place(front.hub, [Placement("621121")])
        await place(front.hub, [Placement("620321")], start=2)
        for code in ("621121", "620321"):
            county = (await front.ok(COUNTY_QUERY, {"code": code}, **NATIONAL))["county"]
            assert county == {"bannedYears": [], "now": True, "next": True}, code

        await must(
            front,
            FILE_REPORT,
            report("2027-09", in_post=1, incidents=[incident("2027-09-18", "MAJOR", "交通事故重伤", vid(serving))]),
            TONGWEI,
        )
        await must(
            front,
            FILE_REPORT,
            {**report("2027-09", in_post=1, incidents=[incident("2027-09-18", "MINOR")]), "countyCode": "620321"},
            YONGCHANG,
        )
        banned = (await front.ok(COUNTY_QUERY, {"code": "621121"}, **NATIONAL))["county"]
        assert banned == {"bannedYears": ["2028-2029"], "now": True, "next": False}
        minor = (await front.ok(COUNTY_QUERY, {"code": "620321"}, **NATIONAL))["county"]
        assert minor == {"bannedYears": [], "now": True, "next": True}


# ---------- assessments (R30) ----------


async def test_an_assessment_is_proposed_for_a_volunteer_in_service_and_changeable_until_approved(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, date(2028, 6, 30)) as front:
        await seed_reference(front.hub)
        serving, *_ = await place(front.hub, [Placement("621121")] * 5)
        dispatched, completed = await place(
            front.hub,
            [
                Placement("621121", terms=(), status="DISPATCHED"),
                Placement("621121", terms=((date(2026, 8, 1), date(2027, 7, 31)),), status="COMPLETED"),
            ],
            start=6,
        )
        for volunteer in (dispatched, completed):
            assert await refused(
                front, PROPOSE, {"volunteerId": vid(volunteer), "year": YEAR, "grade": "COMPETENT"}, TONGWEI
            ) == [("INELIGIBLE", ["input", "volunteerId"])]
        for year in ("2027", "2027-2029", "27-28", ""):
            assert await refused(
                front, PROPOSE, {"volunteerId": vid(serving), "year": year, "grade": "COMPETENT"}, TONGWEI
            ) == [("INVALID_INPUT", ["input", "year"])], year
        assert await refused(
            front, PROPOSE, {"volunteerId": vid(serving), "year": "2030-2031", "grade": "COMPETENT"}, TONGWEI
        ) == [("NOT_FOUND", ["input", "year"])]
        assert await refused(
            front, PROPOSE, {"volunteerId": UNKNOWN_VOLUNTEER, "year": YEAR, "grade": "COMPETENT"}, TONGWEI
        ) == [("NOT_FOUND", ["input", "volunteerId"])]

        first = (
            await must(front, PROPOSE, {"volunteerId": vid(serving), "year": YEAR, "grade": "COMPETENT"}, TONGWEI)
        )["assessment"]
        assert first["status"] == "PROPOSED" and first["grade"] == "COMPETENT"
        again = (
            await must(front, PROPOSE, {"volunteerId": vid(serving), "year": YEAR, "grade": "EXCELLENT"}, TONGWEI)
        )["assessment"]
        assert again == {**first, "grade": "EXCELLENT"}
        assert await front.sql("SELECT count(*) FROM assessments") == [(1,)]

        await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": [first["id"]]}, GANSU)  # 1 of 5 in post ≤ 20%
        assert await refused(
            front, PROPOSE, {"volunteerId": vid(serving), "year": YEAR, "grade": "BASIC"}, TONGWEI
        ) == [("INVALID_STATE", ["input", "year"])]
        record = (await front.ok(ASSESSMENTS_OF, {"id": vid(serving)}, **TONGWEI))["node"]
        assert record["assessments"] == [{"id": first["id"], "year": YEAR, "grade": "EXCELLENT", "status": "APPROVED"}]


async def _propose(front: Client, county: dict[str, str], volunteers: list[int], grades: list[str]) -> list[str]:
    ids = []
    for volunteer, grade in zip(volunteers, grades, strict=True):
        result = await must(front, PROPOSE, {"volunteerId": vid(volunteer), "year": YEAR, "grade": grade}, county)
        ids.append(result["assessment"]["id"])
    return ids


async def test_approved_excellent_grades_stay_within_a_fifth_of_the_volunteers_in_post(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, date(2028, 6, 30)) as front:
        await seed_reference(front.hub)
        gansu = await place(front.hub, [Placement("621121")] * 10)
        # five more placed in Gansu whose service ended: not in post, so not part of the 20% base
        await place(front.hub, [Placement("620321", status="TERMINATED")] * 5, start=11)
        yunnan = await place(front.hub, [Placement("530629")] * 4, start=21)

        excellent = await _propose(front, TONGWEI, gansu[:3], ["EXCELLENT"] * 3)
        competent = await _propose(front, TONGWEI, gansu[3:5], ["COMPETENT"] * 2)
        approved = await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": excellent[:2]}, GANSU)
        assert [(a["grade"], a["status"]) for a in approved["assessments"]] == [("EXCELLENT", "APPROVED")] * 2
        assert await refused(front, APPROVE_ASSESSMENTS, {"assessmentIds": [excellent[2]]}, GANSU) == [
            ("EXCELLENT_CAP", ["input", "assessmentIds"])
        ]
        # other grades are not capped
        await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": competent}, GANSU)

        # four in post in Yunnan: 20% of 4 rounds down to 0, so not a single EXCELLENT
        [yunnan_excellent, yunnan_basic] = await _propose(front, WEIXIN, yunnan[:2], ["EXCELLENT", "BASIC"])
        assert await refused(front, APPROVE_ASSESSMENTS, {"assessmentIds": [yunnan_excellent]}, YUNNAN) == [
            ("EXCELLENT_CAP", ["input", "assessmentIds"])
        ]
        await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": [yunnan_basic]}, YUNNAN)

        commended = (await front.ok(COMMENDATIONS, {"province": None}, **NATIONAL))["commendations"]
        assert sorted(c["id"] for c in commended) == sorted(excellent[:2])
        assert {c["volunteer"]["id"] for c in commended} == {vid(v) for v in gansu[:2]}
        assert (await front.ok(COMMENDATIONS, {"province": "53"}, **NATIONAL))["commendations"] == []


async def test_a_batch_over_the_cap_approves_none_of_its_assessments(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, date(2028, 6, 30)) as front:
        await seed_reference(front.hub)
        gansu = await place(front.hub, [Placement("621121")] * 10)
        ids = await _propose(front, TONGWEI, gansu[:5], ["COMPETENT", "EXCELLENT", "BASIC", "EXCELLENT", "EXCELLENT"])
        assert await refused(front, APPROVE_ASSESSMENTS, {"assessmentIds": ids}, GANSU) == [
            ("EXCELLENT_CAP", ["input", "assessmentIds"])
        ]
        assert await front.sql("SELECT DISTINCT status FROM assessments") == [("PROPOSED",)]
        await must(front, PROPOSE, {"volunteerId": vid(gansu[4]), "year": YEAR, "grade": "COMPETENT"}, TONGWEI)
        approved = await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": ids}, GANSU)
        assert sorted(a["grade"] for a in approved["assessments"]) == [
            "BASIC",
            "COMPETENT",
            "COMPETENT",
            "EXCELLENT",
            "EXCELLENT",
        ]
        assert await front.sql("SELECT DISTINCT status FROM assessments") == [("APPROVED",)]


async def test_approving_assessments_names_each_faulty_id(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, date(2028, 6, 30)) as front:
        await seed_reference(front.hub)
        gansu = await place(front.hub, [Placement("621121")] * 5)
        first, second = await _propose(front, TONGWEI, gansu[:2], ["COMPETENT", "BASIC"])
        await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": [first]}, GANSU)

        assert await refused(front, APPROVE_ASSESSMENTS, {"assessmentIds": [second, first]}, GANSU) == [
            ("INVALID_STATE", ["input", "assessmentIds", "1"])
        ]
        assert await refused(
            front, APPROVE_ASSESSMENTS, {"assessmentIds": [to_global_id("Assessment", 999999)]}, GANSU
        ) == [("NOT_FOUND", ["input", "assessmentIds", "0"])]
        for ids in ([], [second, second]):
            assert await refused(front, APPROVE_ASSESSMENTS, {"assessmentIds": ids}, GANSU) == [
                ("INVALID_INPUT", ["input", "assessmentIds"])
            ], ids
        await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": [second]}, GANSU)


# ---------- insurance (R39) ----------


def policy(volunteer: int | str, kind: str, number: str, valid_from: str, valid_until: str) -> dict[str, Any]:
    return {
        "volunteerId": volunteer if isinstance(volunteer, str) else vid(volunteer),
        "kind": kind,
        "policyNumber": number,
        "validFrom": valid_from,
        "validUntil": valid_until,
    }


async def test_an_insurance_policy_is_refused_for_each_broken_rule(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        first, second = await place(front.hub, [Placement("621121")] * 2)
        [completed] = await place(
            front.hub, [Placement("621121", terms=((date(2026, 8, 1), date(2027, 7, 31)),), status="COMPLETED")], 3
        )

        assert await refused(front, INSURE, policy(first, "ACCIDENT", "YW-1", "2028-07-31", "2027-08-01"), TONGWEI) == [
            ("INVALID_INPUT", ["input", "validUntil"])
        ]
        for number in ("", "   "):
            assert await refused(
                front, INSURE, policy(first, "ACCIDENT", number, "2027-08-01", "2028-07-31"), TONGWEI
            ) == [("INVALID_INPUT", ["input", "policyNumber"])]
        assert await refused(
            front, INSURE, policy(completed, "ACCIDENT", "YW-9", "2027-08-01", "2028-07-31"), TONGWEI
        ) == [("INELIGIBLE", ["input", "volunteerId"])]
        assert await refused(
            front, INSURE, policy(UNKNOWN_VOLUNTEER, "ACCIDENT", "YW-9", "2027-08-01", "2028-07-31"), TONGWEI
        ) == [("NOT_FOUND", ["input", "volunteerId"])]

        recorded = await must(
            front, INSURE, policy(first, "MAJOR_ILLNESS", "ZB-1", "2027-08-01", "2028-07-31"), TONGWEI
        )
        assert recorded["volunteer"]["insurance"] == [
            {"kind": "MAJOR_ILLNESS", "policyNumber": "ZB-1", "validFrom": "2027-08-01", "validUntil": "2028-07-31"}
        ]
        for number in ("ZB-1", " ZB-1 "):
            assert await refused(
                front, INSURE, policy(second, "MAJOR_ILLNESS", number, "2027-08-01", "2028-07-31"), TONGWEI
            ) == [("DUPLICATE", ["input", "policyNumber"])], number
        # the same number of the other kind is another insurer's policy
        await must(front, INSURE, policy(second, "ACCIDENT", "ZB-1", "2027-08-01", "2028-07-31"), TONGWEI)
        # a one-day policy is valid
        await must(front, INSURE, policy(second, "MAJOR_ILLNESS", "ZB-2", "2027-10-05", "2027-10-05"), TONGWEI)
        assert await front.sql("SELECT count(*) FROM insurance_policies") == [(3,)]


# ---------- completion and certificates (R31) ----------


async def test_service_is_completed_on_the_term_end_with_an_unguessable_certificate(settings) -> None:  # type: ignore[no-untyped-def]
    two_terms = ((date(2026, 8, 1), date(2027, 7, 31)), (date(2027, 8, 1), END_OF_TERM))
    async with client_at(settings, date(2028, 7, 30)) as front:  # the day before the term's end
        await seed_reference(front.hub)
        volunteers = await place(front.hub, [Placement("621121")] * 4 + [Placement("621121", terms=two_terms)])
        assert await refused(front, COMPLETE, {"volunteerId": vid(volunteers[0]), "appraisal": "期满"}, TONGWEI) == [
            ("INVALID_STATE", ["input", "volunteerId"])
        ]

    async with client_at(settings, END_OF_TERM) as front:  # the term's last day
        for appraisal in ("", "  "):
            assert await refused(
                front, COMPLETE, {"volunteerId": vid(volunteers[0]), "appraisal": appraisal}, TONGWEI
            ) == [("INVALID_INPUT", ["input", "appraisal"])]
        numbers = []
        for volunteer in volunteers:
            done = await must(
                front, COMPLETE, {"volunteerId": vid(volunteer), "appraisal": "服务期满，考核合格"}, TONGWEI
            )
            numbers.append(done["volunteer"]["certificateNumber"])
        assert await refused(
            front, COMPLETE, {"volunteerId": vid(volunteers[0]), "appraisal": "再次鉴定"}, TONGWEI
        ) == [("INELIGIBLE", ["input", "volunteerId"])]

        assert len(set(numbers)) == len(numbers), numbers
        assert await front.sql("SELECT DISTINCT status FROM applications") == [("COMPLETED",)]
        randoms = [_random_part(n) for n in numbers]
        assert all(len(r) >= 8 for r in randoms), numbers
        for i, a in enumerate(randoms):
            for b in randoms[i + 1 :]:
                assert sum(x != y for x, y in zip(a, b, strict=False)) >= 2, (a, b)
        if all(_as_int(r) is not None for r in randoms):
            values = [_as_int(r) for r in randoms]
            steps = {b - a for a, b in zip(values, values[1:], strict=False)}
            assert len(steps) > 1, f"certificate numbers are evenly spaced: {numbers}"
        for n, number in enumerate(numbers, start=1):
            check = (await front.ok(VERIFY, {"n": number}))["verifyCertificate"]
            assert check == {
                "number": number,
                "name": f"在岗{n}",
                "province": {"code": "62"},
                "yearsServed": 2 if n == 5 else 1,
                "completedOn": "2028-07-31",
            }
            for neighbour in _neighbours(number):
                assert (await front.ok(VERIFY, {"n": neighbour}))["verifyCertificate"] is None, neighbour


def _random_part(number: str) -> str:
    """The part of a certificate number after its last separator (the part that must not be guessable)."""
    for separator in ("-", "/", "_"):
        if separator in number:
            return number.rsplit(separator, 1)[1]
    return number


def _as_int(part: str) -> int | None:
    try:
        return int(part, 36)
    except ValueError:
        return None


def _neighbours(number: str) -> list[str]:
    """The numbers one step before and after `number`, read as a base-36 counter in its random part."""
    part = _random_part(number)
    value = _as_int(part)
    if value is None:
        return []
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = []
    for step in (-1, 1):
        n, text_ = value + step, ""
        while n:
            n, r = divmod(n, 36)
            text_ = digits[r] + text_
        out.append(number[: len(number) - len(part)] + text_.rjust(len(part), "0"))
    return out


# ---------- allowance standards (R39) ----------


async def test_an_allowance_standard_is_refused_for_each_broken_rule_and_updated_in_place(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)

        def standard(**fields: Any) -> dict[str, Any]:
            return {"year": YEAR, "provinceCode": "62", "monthlyAllowance": "2500.00", **fields}

        for amount in ("-0.01", "-2500"):
            assert await refused(front, SET_ALLOWANCE, standard(monthlyAllowance=amount), GANSU) == [
                ("INVALID_INPUT", ["input", "monthlyAllowance"])
            ], amount
        assert await refused(front, SET_ALLOWANCE, standard(countyCode="530629"), GANSU) == [
            ("CROSS_PROVINCE", ["input", "countyCode"])
        ]
        assert await refused(front, SET_ALLOWANCE, standard(countyCode="629999"), GANSU) == [
            ("NOT_FOUND", ["input", "countyCode"])
        ]
        assert await refused(front, SET_ALLOWANCE, standard(year="2030-2031"), GANSU) == [
            ("NOT_FOUND", ["input", "year"])
        ]

        await must(front, SET_ALLOWANCE, standard(hardshipAllowance="300.00"), GANSU)
        updated = await must(front, SET_ALLOWANCE, standard(monthlyAllowance="2600.00", hardshipAllowance="350"), GANSU)
        assert updated["standard"]["county"] is None
        await must(front, SET_ALLOWANCE, standard(countyCode="621121", monthlyAllowance="2700"), GANSU)
        await must(
            front,
            SET_ALLOWANCE,
            standard(countyCode="621121", monthlyAllowance="2800.50", hardshipAllowance="100"),
            GANSU,
        )
        await must(front, SET_ALLOWANCE, {"year": YEAR, "provinceCode": "53", "monthlyAllowance": "2300"}, YUNNAN)

        listed = (await front.ok(STANDARDS, {"province": "62"}, **GANSU))["allowanceStandards"]
        assert sorted(
            ((s["county"] or {}).get("code", ""), Decimal(s["monthlyAllowance"]), Decimal(s["hardshipAllowance"]))
            for s in listed
        ) == sorted([("", Decimal("2600"), Decimal("350")), ("621121", Decimal("2800.50"), Decimal("100"))]), listed
        assert all(s["year"] == YEAR and s["province"] == {"code": "62"} for s in listed)
        assert await front.sql("SELECT count(*) FROM allowance_standards WHERE province_code = '62'") == [(2,)]
        yunnan = (await front.ok(STANDARDS, {"province": "53"}, **NATIONAL))["allowanceStandards"]
        assert [(s["county"], Decimal(s["monthlyAllowance"]), Decimal(s["hardshipAllowance"])) for s in yunnan] == [
            (None, Decimal("2300"), Decimal("0"))
        ]


async def test_a_negative_in_post_count_is_named_at_in_post(settings) -> None:  # type: ignore[no-untyped-def]
    """The contract: a userError's field is the path of the input field at fault — here inPost, not absent."""
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        await place(front.hub, [Placement("621121")])
        assert await refused(front, FILE_REPORT, report("2027-09", in_post=-1, absent=0), TONGWEI) == [
            ("INVALID_INPUT", ["input", "inPost"])
        ]


async def test_a_negative_hardship_allowance_is_named_at_hardship_allowance(settings) -> None:  # type: ignore[no-untyped-def]
    """The contract: a userError's field is the path of the input field at fault — here hardshipAllowance."""
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        negative = {"year": YEAR, "provinceCode": "62", "monthlyAllowance": "2500", "hardshipAllowance": "-1"}
        assert await refused(front, SET_ALLOWANCE, negative, GANSU) == [
            ("INVALID_INPUT", ["input", "hardshipAllowance"])
        ]


# ---------- local projects (R41) and their volunteers' benefits (R37) ----------


def project(**fields: Any) -> dict[str, Any]:
    return {
        "year": YEAR,
        "provinceCode": "62",
        "name": "甘肃乡村医生计划",
        "scale": 50,
        "budget": "1200000.00",
        **fields,
    }


async def test_a_local_project_plan_is_refused_for_each_broken_rule(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        assert await refused(front, SUBMIT_PROJECT, project(scale=0), GANSU) == [("INVALID_INPUT", ["input", "scale"])]
        assert await refused(front, SUBMIT_PROJECT, project(scale=-3), GANSU) == [("INVALID_INPUT", ["input", "scale"])]
        for budget in ("0", "0.00", "-1"):
            assert await refused(front, SUBMIT_PROJECT, project(budget=budget), GANSU) == [
                ("INVALID_INPUT", ["input", "budget"])
            ], budget
        for name in ("", "   "):
            assert await refused(front, SUBMIT_PROJECT, project(name=name), GANSU) == [
                ("INVALID_INPUT", ["input", "name"])
            ], name
        assert sorted(
            map(tuple, await refused(front, SUBMIT_PROJECT, project(name=" ", scale=0, budget="0"), GANSU))
        ) == sorted(
            [
                ("INVALID_INPUT", ["input", "name"]),
                ("INVALID_INPUT", ["input", "scale"]),
                ("INVALID_INPUT", ["input", "budget"]),
            ]
        )
        assert await refused(front, SUBMIT_PROJECT, project(year="2027"), GANSU) == [
            ("INVALID_INPUT", ["input", "year"])
        ]
        assert await refused(front, SUBMIT_PROJECT, project(year="2030-2031"), GANSU) == [
            ("NOT_FOUND", ["input", "year"])
        ]

        submitted = (await must(front, SUBMIT_PROJECT, project(), GANSU))["localProject"]
        assert submitted["status"] == "SUBMITTED" and submitted["province"] == {"code": "62"}
        assert Decimal(submitted["budget"]) == Decimal("1200000")
        for name in ("甘肃乡村医生计划", " 甘肃乡村医生计划 "):
            assert await refused(front, SUBMIT_PROJECT, project(name=name, scale=10), GANSU) == [
                ("DUPLICATE", ["input", "name"])
            ], name
        # the same name in another province is another project
        await must(front, SUBMIT_PROJECT, project(provinceCode="53"), YUNNAN)


async def test_a_local_project_is_decided_once_and_a_rejection_needs_a_reason(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        first = (await must(front, SUBMIT_PROJECT, project(), GANSU))["localProject"]["id"]
        second = (await must(front, SUBMIT_PROJECT, project(name="甘肃乡村教师计划"), GANSU))["localProject"]["id"]

        for reason in (None, "", "   "):
            assert await refused(
                front, DECIDE_PROJECT, {"localProjectId": first, "decision": "REJECT", "reason": reason}, NATIONAL
            ) == [("INVALID_INPUT", ["input", "reason"])], reason
        assert await refused(
            front,
            DECIDE_PROJECT,
            {"localProjectId": to_global_id("LocalProject", 999999), "decision": "APPROVE"},
            NATIONAL,
        ) == [("NOT_FOUND", ["input", "localProjectId"])]

        approved = await must(front, DECIDE_PROJECT, {"localProjectId": first, "decision": "APPROVE"}, NATIONAL)
        assert approved["localProject"] == {"id": first, "status": "APPROVED"}
        rejected = await must(
            front, DECIDE_PROJECT, {"localProjectId": second, "decision": "REJECT", "reason": "预算不足"}, NATIONAL
        )
        assert rejected["localProject"] == {"id": second, "status": "REJECTED"}
        for decided in (first, second):
            for decision in ({"decision": "APPROVE"}, {"decision": "REJECT", "reason": "重新评估"}):
                assert await refused(front, DECIDE_PROJECT, {"localProjectId": decided, **decision}, NATIONAL) == [
                    ("INVALID_STATE", ["input", "localProjectId"])
                ], (decided, decision)


async def test_volunteers_of_an_approved_local_project_get_the_benefits_of_the_national_project(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await seed_reference(front.hub)
        approved = (await must(front, SUBMIT_PROJECT, project(), GANSU))["localProject"]["id"]
        rejected = (await must(front, SUBMIT_PROJECT, project(name="甘肃乡村教师计划"), GANSU))["localProject"]["id"]
        await must(front, DECIDE_PROJECT, {"localProjectId": approved, "decision": "APPROVE"}, NATIONAL)
        await must(
            front, DECIDE_PROJECT, {"localProjectId": rejected, "decision": "REJECT", "reason": "超出预算"}, NATIONAL
        )

        # three volunteers with the same record (one year served, completed, assessed COMPETENT), each on its
        # own post: of the national project, of the approved and of the rejected local project
        completed = Placement("621121", status="COMPLETED")
        national, local, refused_local = [(await place(front.hub, [completed], start=n))[0] for n in (1, 2, 3)]
        for volunteer, project_gid in ((local, approved), (refused_local, rejected)):
            await front.sql(
                "UPDATE posts SET local_project_id = :project WHERE id IN "
                "(SELECT post_id FROM service_agreements WHERE volunteer_id = :volunteer)",
                project=_key(project_gid),
                volunteer=volunteer,
            )
        await front.sql(
            "INSERT INTO assessments (year, volunteer_id, grade, status) VALUES "
            "(:y, :a, 'COMPETENT', 'APPROVED'), (:y, :b, 'COMPETENT', 'APPROVED'), (:y, :c, 'COMPETENT', 'APPROVED')",
            y=YEAR,
            a=national,
            b=local,
            c=refused_local,
        )

    async with client_at(settings, date(2028, 9, 1)) as front:

        async def benefits(n: int, volunteer: int) -> dict[str, Any]:
            data = await front.ok(BENEFITS, {"id": vid(volunteer)}, **volunteer_actor(n))
            return {b["kind"]: b for b in data["node"]["benefits"]}

        of_national, of_local, of_rejected = (
            await benefits(1, national),
            await benefits(2, local),
            await benefits(3, refused_local),
        )
        assert (
            set(of_national)
            == set(of_local)
            == set(of_rejected)
            == {
                "POSTGRAD_EXAM_BONUS",
                "FRESH_GRADUATE_STATUS",
                "TUITION_COMPENSATION",
                "WORK_SENIORITY",
                "TITLE_EVALUATION",
            }
        )
        assert of_national["TITLE_EVALUATION"]["eligible"] is True  # the comparison is not between empty sets
        assert of_national["FRESH_GRADUATE_STATUS"]["eligible"] is True

        def facts(found: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
            return {k: (b["eligible"], b["validFrom"], b["validUntil"]) for k, b in found.items()}

        assert facts(of_local) == facts(of_national)
        assert [k for k, b in of_rejected.items() if b["eligible"]] == []
        assert all(b["reason"] for b in of_rejected.values())


def _key(global_id: str) -> int:
    from hub.ids import from_global_id

    return int(from_global_id(global_id)[1])
