"""R7: every dated mutation of the recruitment season is accepted on its milestone's closing day, refused
with DEADLINE_PASSED the day after (nothing written, no audit entry), and accepted again once the national
office has extended that milestone (setProgramYear; the new date is read back from programYear). R16:
moveQuota closes with the recruitment-agreement milestone; R17: reallocateQuota opens only after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from hub.enums import Milestone, label
from hub.rules.deadlines import default_milestones
from tests.conftest import Client
from tests.season import (
    APPLY,
    EXAM,
    GANSU,
    LZU,
    MOVE_QUOTA,
    NATIONAL,
    REALLOCATE,
    SCHEDULE,
    SELECT,
    SET_YEAR,
    SIGN_OFF,
    SIGN_RECRUITMENT,
    YEAR,
    client_at,
    must,
    payload,
)
from tests.seed import seed_reference, seed_volunteers

APPLICATION_IDS = """query($year: String!) { applications(year: $year, first: 100) {
  edges { node { id volunteer { name } } } } }"""
MILESTONES = """query($code: String!) { programYear(code: $code) { milestones { milestone closesOn } } }"""
QUOTAS = """query($year: String!) { quotas(year: $year) {
  recruitingProvince { code } servingProvince { code } quota used } }"""

# Everything a season mutation could write, compared before and after a refusal.
WRITTEN_TABLES = (
    "program_years",
    "milestone_dates",
    "province_scales",
    "quotas",
    "quota_moves",
    "volunteers",
    "applications",
    "trainings",
    "audit_entries",
    "audit_scopes",
)

Attempt = tuple[dict[str, Any], dict[str, Any]]  # (input, actor)


async def snapshot(client: Client) -> dict[str, list[str]]:
    """Every row of the tables a season mutation writes, order-independent."""
    return {table: sorted(map(repr, await client.sql(f"SELECT * FROM {table}"))) for table in WRITTEN_TABLES}


async def seeded_applications(
    client: Client, count: int, status: str = "SUBMITTED", year: str = YEAR, **columns: Any
) -> list[str]:
    """`count` new applications of 兰州大学 students (recruited by 62; preferences 62, 53, 65; no adjustment)
    put straight into `status` and `year` with the given columns; their global ids, in seeding order."""
    start = (await client.sql("SELECT count(*) FROM volunteers"))[0][0] + 1
    volunteer_ids = await seed_volunteers(client.hub, count, start=start)
    values = {"status": status, "year": year, **columns}
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    for volunteer_id in volunteer_ids:
        await client.sql(f"UPDATE applications SET {assignments} WHERE volunteer_id = :vid", vid=volunteer_id, **values)
    edges = (await client.ok(APPLICATION_IDS, {"year": year}, **NATIONAL))["applications"]["edges"]
    by_name = {e["node"]["volunteer"]["name"]: e["node"]["id"] for e in edges}
    return [by_name[f"志愿者{n}"] for n in range(start, start + count)]


async def set_quota_cells(client: Client, cells: dict[tuple[str, str], int]) -> None:
    for (recruiting, serving), quota in cells.items():
        await client.sql(
            "INSERT INTO quotas (year, recruiting_province_code, serving_province_code, quota) "
            "VALUES (:year, :recruiting, :serving, :quota)",
            year=YEAR,
            recruiting=recruiting,
            serving=serving,
            quota=quota,
        )


def assert_refused(result: dict[str, Any], code: str) -> None:
    """One user error of `code`, and no object in the payload."""
    assert [e["code"] for e in result["userErrors"]] == [code], result["userErrors"]
    assert all(value in (None, []) for key, value in result.items() if key != "userErrors"), result


# ---------- what each dated mutation needs: two targets, one for the closing day, one for after ----------


async def _submit(client: Client) -> list[Attempt]:
    await seed_volunteers(client.hub, 2)  # registered volunteers ...
    await client.sql("DELETE FROM applications")  # ... who have not applied yet
    wanted = {"year": YEAR, "preferredProvinceCodes": ["62", "53", "65"], "acceptsAdjustment": False}
    return [(wanted, {"level": "volunteer", "sub": f"vol-{n}"}) for n in (1, 2)]


async def _sign_off(client: Client) -> list[Attempt]:
    ids = await seeded_applications(client, 2)
    return [({"applicationId": gid, "decision": "APPROVE"}, LZU) for gid in ids]


async def _select(client: Client) -> list[Attempt]:
    ids = await seeded_applications(client, 2, "SCHOOL_APPROVED")
    scores = {"writtenScore": 80, "interviewScore": 85.5, "psychologicalPassed": True, "selected": True}
    return [({"applicationId": gid, **scores}, GANSU) for gid in ids]


async def _exam(client: Client) -> list[Attempt]:
    ids = await seeded_applications(client, 2, "SELECTED", psychological_passed=True, selected=True)
    return [({"applicationId": gid, "passed": True, "examinedOn": "2027-06-01"}, GANSU) for gid in ids]


async def _sign_recruitment(client: Client) -> list[Attempt]:
    ids = await seeded_applications(
        client, 2, "PUBLICIZED", notice_starts_on=date(2027, 6, 1), notice_ends_on=date(2027, 6, 5)
    )
    await set_quota_cells(client, {("62", "62"): 5})
    return [({"applicationId": gid, "servingProvinceCode": "62"}, GANSU) for gid in ids]


async def _move_quota(client: Client) -> list[Attempt]:
    await set_quota_cells(client, {("62", "62"): 50, ("62", "53"): 10})
    move = {
        "year": YEAR,
        "recruitingProvinceCode": "62",
        "fromServingProvinceCode": "62",
        "toServingProvinceCode": "53",
        "amount": 1,
    }
    return [(move, GANSU), (move, GANSU)]


async def _schedule(client: Client) -> list[Attempt]:
    training = {
        "year": YEAR,
        "servingProvinceCode": "62",
        "location": "兰州",
        "startsOn": "2027-07-20",
        "endsOn": "2027-07-23",
    }
    return [(training, GANSU), ({**training, "location": "天水"}, GANSU)]


@dataclass(frozen=True)
class Dated:
    operation: str
    document: str
    milestone: str
    closes_on: date
    prepare: Callable[[Client], Awaitable[list[Attempt]]]


DATED = [
    Dated("submitApplication", APPLY, "REGISTRATION_CLOSES", date(2027, 5, 16), _submit),
    Dated("signOffApplication", SIGN_OFF, "SCHOOL_SIGN_OFF_CLOSES", date(2027, 5, 17), _sign_off),
    Dated("recordSelection", SELECT, "SELECTION_COMPLETES", date(2027, 5, 31), _select),
    Dated("recordPhysicalExam", EXAM, "PHYSICAL_EXAMS_COMPLETE", date(2027, 6, 10), _exam),
    Dated(
        "signRecruitmentAgreement",
        SIGN_RECRUITMENT,
        "RECRUITMENT_AGREEMENTS_SIGNED",
        date(2027, 6, 20),
        _sign_recruitment,
    ),
    Dated("moveQuota", MOVE_QUOTA, "RECRUITMENT_AGREEMENTS_SIGNED", date(2027, 6, 20), _move_quota),
    Dated("scheduleTraining", SCHEDULE, "TRAINING_ARRANGED", date(2027, 6, 30), _schedule),
]


@pytest.mark.parametrize("dated", DATED, ids=[d.operation for d in DATED])
async def test_a_dated_mutation_closes_with_its_milestone_until_extended(
    client: Client, settings: Any, dated: Dated
) -> None:
    await seed_reference(client.hub)
    (on_time, on_time_actor), (late, late_actor) = await dated.prepare(client)
    assert default_milestones(YEAR)[Milestone(dated.milestone)] == dated.closes_on  # the plan's date (R7)

    async with client_at(settings, dated.closes_on) as front:  # the closing day itself is still open
        await must(front, dated.document, on_time, on_time_actor)

    day_after = dated.closes_on + timedelta(days=1)
    async with client_at(settings, day_after) as front:
        before = await snapshot(front)
        late_result = payload(await front.ok(dated.document, {"input": late}, **late_actor))
        assert_refused(late_result, "DEADLINE_PASSED")
        assert label(Milestone(dated.milestone)) in late_result["userErrors"][0]["message"]  # by its label
        assert await snapshot(front) == before  # nothing written, no audit entry

        extended = dated.closes_on + timedelta(days=5)
        changed = {"milestone": dated.milestone, "closesOn": extended.isoformat()}
        year = await must(front, SET_YEAR, {"code": YEAR, "milestones": [changed]}, NATIONAL)
        expected = {m.value: d.isoformat() for m, d in default_milestones(YEAR).items()} | {
            dated.milestone: extended.isoformat()
        }
        assert {r["milestone"]: r["closesOn"] for r in year["programYear"]["milestones"]} == expected
        public = (await front.ok(MILESTONES, {"code": YEAR}))["programYear"]["milestones"]  # anonymous may read
        assert {r["milestone"]: r["closesOn"] for r in public} == expected

        await must(front, dated.document, late, late_actor)

    async with client_at(settings, extended + timedelta(days=1)) as front:  # the extension closes in turn
        assert_refused(payload(await front.ok(dated.document, {"input": late}, **late_actor)), "DEADLINE_PASSED")


REALLOCATION = {
    "year": YEAR,
    "fromRecruitingProvinceCode": "62",
    "fromServingProvinceCode": "62",
    "toRecruitingProvinceCode": "11",
    "toServingProvinceCode": "62",
    "amount": 2,
}


async def test_reallocation_opens_only_after_the_recruitment_deadline(client: Client, settings: Any) -> None:
    await seed_reference(client.hub)
    await set_quota_cells(client, {("62", "62"): 5})

    for day in (date(2027, 3, 1), date(2027, 6, 20)):  # before and on the recruitment milestone: moveQuota's time
        async with client_at(settings, day) as front:
            before = await snapshot(front)
            result = payload(await front.ok(REALLOCATE, {"input": REALLOCATION}, **NATIONAL))
            assert_refused(result, "INVALID_STATE")
            assert await snapshot(front) == before

    async with client_at(settings, date(2027, 6, 21)) as front:
        moved = await must(front, REALLOCATE, REALLOCATION, NATIONAL)
        cells = {(q["recruitingProvince"]["code"], q["servingProvince"]["code"]): q["quota"] for q in moved["quotas"]}
        assert cells == {("62", "62"): 3, ("11", "62"): 2}
        read = (await front.ok(QUOTAS, {"year": YEAR}, **NATIONAL))["quotas"]
        assert {(q["recruitingProvince"]["code"], q["servingProvince"]["code"]): q["quota"] for q in read} == cells
        # R17: the move is recorded with both sides
        [row] = await front.sql(
            "SELECT from_recruiting_code, from_serving_code, to_recruiting_code, to_serving_code, amount, "
            "reallocation FROM quota_moves"
        )
        assert tuple(row[:5]) == ("62", "62", "11", "62", 2) and bool(row[5]) is True


async def test_an_extended_recruitment_deadline_keeps_reallocation_closed(client: Client, settings: Any) -> None:
    await seed_reference(client.hub)
    await set_quota_cells(client, {("62", "62"): 5})
    extended = {"milestone": "RECRUITMENT_AGREEMENTS_SIGNED", "closesOn": "2027-06-25"}
    await must(client, SET_YEAR, {"code": YEAR, "milestones": [extended]}, NATIONAL)

    async with client_at(settings, date(2027, 6, 25)) as front:
        assert_refused(payload(await front.ok(REALLOCATE, {"input": REALLOCATION}, **NATIONAL)), "INVALID_STATE")
        # while the extended milestone runs, the recruiting province still moves its own quota (R16)
        await set_quota_cells(front, {("62", "53"): 20})
        move = {
            "year": YEAR,
            "recruitingProvinceCode": "62",
            "fromServingProvinceCode": "53",
            "toServingProvinceCode": "62",
            "amount": 1,
        }
        await must(front, MOVE_QUOTA, move, GANSU)
    async with client_at(settings, date(2027, 6, 26)) as front:
        await must(front, REALLOCATE, REALLOCATION, NATIONAL)
