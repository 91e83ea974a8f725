"""Every userError the recruitment season's mutations give (R7, R8, R15–R25), each with the input path at
fault where there is one. A refusal writes nothing: no row of the season's tables and no audit entry
(R42); a batch (publicize, recordAttendance) with a bad application writes none of the batch and names
each bad one by its index."""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import Any

import pytest

from tests.conftest import Client
from tests.season import (
    APPLY,
    APPROVE_TRAINING,
    ATTEND,
    BEIJING,
    EXAM,
    GANSU,
    LZU,
    MOVE_QUOTA,
    NATIONAL,
    PUBLICIZE,
    REALLOCATE,
    REPLACE,
    SCHEDULE,
    SELECT,
    SET_QUOTA,
    SET_SCALE,
    SET_YEAR,
    SIGN_OFF,
    SIGN_RECRUITMENT,
    YEAR,
    client_at,
    must,
    payload,
)
from tests.seed import seed_reference
from tests.test_season_deadlines import seeded_applications, set_quota_cells, snapshot

YUNNAN = {"level": "provincial", "code": "53", "sub": "ops-yunnan"}
UNKNOWN_APPLICATION = base64.b64encode(b"Application:987654").decode()
UNKNOWN_TRAINING = base64.b64encode(b"Training:987654").decode()
ANY = object()  # the field is not checked


@pytest.fixture
async def front(client: Client) -> Client:
    """A front end at 2027-03-01 on a hub with the seeded year, serving provinces (62, 53, 65, 45) and schools."""
    await seed_reference(client.hub)
    return client


async def refused(
    client: Client, document: str, input: dict[str, Any], actor: dict[str, Any], *expected: tuple[str, Any]
) -> list[dict[str, Any]]:
    """Run a mutation that must be refused with exactly the `expected` (code, field) user errors, in order;
    the payload carries no object, and nothing (audit included) is written."""
    before = await snapshot(client)
    result = payload(await client.ok(document, {"input": input}, **actor))
    errors = result["userErrors"]
    assert [e["code"] for e in errors] == [code for code, _ in expected], errors
    for error, (_, field) in zip(errors, expected, strict=True):
        if field is not ANY:
            assert error["field"] == field, error
        assert error["message"]
    assert all(value in (None, []) for key, value in result.items() if key != "userErrors"), result
    assert await snapshot(client) == before, "a refusal wrote something"
    return errors


async def recruited(client: Client, count: int, serving: str = "62", **columns: Any) -> list[str]:
    """Applications of 62 that signed a recruitment agreement for `serving` (each uses a unit of 62→serving)."""
    ids = []
    status = columns.pop("status", "RECRUITED")
    for _ in range(count):
        values = {
            "serving_province_code": serving,
            "quota_recruiting_code": "62",
            "confirmation_number": f"XB2027-62{serving}-{uuid.uuid4().hex[:10].upper()}",
            "notice_starts_on": date(2027, 2, 1),
            "notice_ends_on": date(2027, 2, 5),
            **columns,
        }
        ids += await seeded_applications(client, 1, status, **values)
    return ids


async def status_of(client: Client, gid: str) -> str:
    node = await client.ok(
        "query($id: ID!) { node(id: $id) { ... on Application { status } } }", {"id": gid}, **NATIONAL
    )
    return node["node"]["status"]


# ---------- the national office: year, scale, quota ----------


async def test_set_program_year_refuses_a_malformed_code_and_a_milestone_given_twice(front: Client) -> None:
    for code in ("2027-2029", "2027/2028", "27-28", "", "2027-2028-2029"):
        await refused(front, SET_YEAR, {"code": code, "milestones": []}, NATIONAL, ("INVALID_INPUT", ["input", "code"]))
    twice = [
        {"milestone": "SELECTION_COMPLETES", "closesOn": "2027-06-01"},
        {"milestone": "TRAINING_ARRANGED", "closesOn": "2027-07-01"},
        {"milestone": "SELECTION_COMPLETES", "closesOn": "2027-06-02"},
    ]
    error = await refused(
        front, SET_YEAR, {"code": YEAR, "milestones": twice}, NATIONAL, ("INVALID_INPUT", ["input", "milestones"])
    )
    assert error[0]["message"] == "重复给出的时间节点：选拔完成"  # the milestone by its label


async def test_province_scale_refusals(front: Client) -> None:
    scale = {"year": YEAR, "provinceCode": "62", "scale": -1}
    await refused(front, SET_SCALE, scale, NATIONAL, ("INVALID_INPUT", ["input", "scale"]))
    await refused(
        front,
        SET_SCALE,
        {**scale, "scale": 5, "provinceCode": "99"},
        NATIONAL,
        ("NOT_FOUND", ["input", "provinceCode"]),
    )
    await refused(
        front, SET_SCALE, {**scale, "scale": 5, "year": "2031-2032"}, NATIONAL, ("NOT_FOUND", ["input", "year"])
    )
    # R8: three volunteers are assigned to a county of 62; the scale cannot go below three
    await recruited(front, 3, status="TRAINED", county_code="621121")
    await refused(front, SET_SCALE, {**scale, "scale": 2}, NATIONAL, ("INVALID_INPUT", ["input", "scale"]))
    assert (await must(front, SET_SCALE, {**scale, "scale": 3}, NATIONAL))["province"]["scale"] == 3


async def test_quota_refusals(front: Client) -> None:
    cell = {"year": YEAR, "recruitingProvinceCode": "62", "servingProvinceCode": "62", "quota": -1}
    await refused(front, SET_QUOTA, cell, NATIONAL, ("INVALID_INPUT", ["input", "quota"]))
    await refused(
        front,
        SET_QUOTA,
        {**cell, "quota": 3, "recruitingProvinceCode": "99"},
        NATIONAL,
        ("NOT_FOUND", ["input", "recruitingProvinceCode"]),
    )
    await refused(
        front,
        SET_QUOTA,
        {**cell, "quota": 3, "servingProvinceCode": "00"},
        NATIONAL,
        ("NOT_FOUND", ["input", "servingProvinceCode"]),
    )
    await refused(
        front, SET_QUOTA, {**cell, "quota": 3, "year": "2031-2032"}, NATIONAL, ("NOT_FOUND", ["input", "year"])
    )
    # two recruitment agreements use 62→62: the quota cannot go below two
    await set_quota_cells(front, {("62", "62"): 4})
    await recruited(front, 2)
    await refused(front, SET_QUOTA, {**cell, "quota": 1}, NATIONAL, ("INVALID_INPUT", ["input", "quota"]))
    [view] = (await must(front, SET_QUOTA, {**cell, "quota": 2}, NATIONAL))["quotas"]
    assert (view["quota"], view["used"]) == (2, 2)


# ---------- the recruiting province: selection, exam, notice, agreement ----------


async def test_selection_refusals(front: Client) -> None:
    [approved] = await seeded_applications(front, 1, "SCHOOL_APPROVED")
    [submitted] = await seeded_applications(front, 1)
    good = {
        "applicationId": approved,
        "writtenScore": 80,
        "interviewScore": 90,
        "psychologicalPassed": True,
        "selected": True,
    }
    for bad in (100.5, -0.5):
        await refused(front, SELECT, {**good, "writtenScore": bad}, GANSU, ("INVALID_INPUT", ["input", "writtenScore"]))
        await refused(
            front, SELECT, {**good, "interviewScore": bad}, GANSU, ("INVALID_INPUT", ["input", "interviewScore"])
        )
    await refused(
        front, SELECT, {**good, "psychologicalPassed": False}, GANSU, ("INVALID_INPUT", ["input", "selected"])
    )
    await refused(front, SELECT, {**good, "applicationId": submitted}, GANSU, ("INVALID_STATE", ANY))  # not signed off
    await refused(
        front, SELECT, {**good, "applicationId": UNKNOWN_APPLICATION}, GANSU, ("NOT_FOUND", ["input", "applicationId"])
    )
    # the bounds are scores too
    selected = await must(front, SELECT, {**good, "writtenScore": 0, "interviewScore": 100}, GANSU)
    assert selected["application"]["status"] == "SELECTED"
    # selected once: the next selection of it is an illegal transition
    await refused(front, SELECT, good, GANSU, ("INVALID_STATE", ANY))


async def test_physical_exam_refusals(front: Client) -> None:
    [selected] = await seeded_applications(front, 1, "SELECTED", psychological_passed=True, selected=True)
    [approved] = await seeded_applications(front, 1, "SCHOOL_APPROVED")
    exam = {"applicationId": selected, "passed": True, "examinedOn": "2027-03-02"}  # today is 2027-03-01
    await refused(front, EXAM, exam, GANSU, ("INVALID_INPUT", ["input", "examinedOn"]))
    await refused(
        front, EXAM, {**exam, "applicationId": approved, "examinedOn": "2027-03-01"}, GANSU, ("INVALID_STATE", ANY)
    )
    await refused(
        front, EXAM, {**exam, "applicationId": UNKNOWN_APPLICATION}, GANSU, ("NOT_FOUND", ["input", "applicationId"])
    )
    assert (await must(front, EXAM, {**exam, "examinedOn": "2027-03-01"}, GANSU))["application"][
        "status"
    ] == "EXAM_PASSED"


async def test_publicize_refusals_and_the_batch_is_all_or_nothing(front: Client) -> None:
    passed = await seeded_applications(front, 3, "EXAM_PASSED", exam_passed=True, examined_on=date(2027, 2, 1))
    [selected] = await seeded_applications(front, 1, "SELECTED", psychological_passed=True, selected=True)
    notice = {"applicationIds": passed, "startsOn": "2027-03-01", "endsOn": "2027-03-05"}
    await refused(front, PUBLICIZE, {**notice, "endsOn": "2027-02-28"}, GANSU, ("INVALID_INPUT", ["input", "endsOn"]))
    await refused(
        front, PUBLICIZE, {**notice, "applicationIds": []}, GANSU, ("INVALID_INPUT", ["input", "applicationIds"])
    )
    await refused(
        front,
        PUBLICIZE,
        {**notice, "applicationIds": [passed[0], passed[0]]},
        GANSU,
        ("INVALID_INPUT", ["input", "applicationIds"]),
    )
    # one bad application (a SELECTED one has not passed the exam): none of the batch is publicized
    await refused(
        front,
        PUBLICIZE,
        {**notice, "applicationIds": [passed[0], selected, passed[1]]},
        GANSU,
        ("INVALID_STATE", ["input", "applicationIds", "1"]),
    )
    # several bad ones: each is named by its index
    await refused(
        front,
        PUBLICIZE,
        {**notice, "applicationIds": [UNKNOWN_APPLICATION, passed[0], selected]},
        GANSU,
        ("NOT_FOUND", ["input", "applicationIds", "0"]),
        ("INVALID_STATE", ["input", "applicationIds", "2"]),
    )
    assert [await status_of(front, gid) for gid in passed] == ["EXAM_PASSED"] * 3
    done = await must(front, PUBLICIZE, notice, GANSU)
    assert [a["status"] for a in done["applications"]] == ["PUBLICIZED"] * 3
    # a PUBLICIZED application is not publicized twice
    await refused(
        front,
        PUBLICIZE,
        {**notice, "applicationIds": [passed[2]]},
        GANSU,
        ("INVALID_STATE", ["input", "applicationIds", "0"]),
    )


async def test_recruitment_agreement_refusals(front: Client, settings: Any) -> None:
    await set_quota_cells(front, {("62", "62"): 1, ("62", "45"): 1})
    notice = {"notice_starts_on": date(2027, 2, 20), "notice_ends_on": date(2027, 2, 28)}
    own, other = await seeded_applications(front, 2, "PUBLICIZED", **notice)
    [adjusting] = await seeded_applications(front, 1, "PUBLICIZED", accepts_adjustment=True, **notice)
    [running] = await seeded_applications(
        front, 1, "PUBLICIZED", notice_starts_on=date(2027, 2, 25), notice_ends_on=date(2027, 3, 1)
    )
    [selected] = await seeded_applications(front, 1, "SELECTED", psychological_passed=True, selected=True)
    sign = {"applicationId": own, "servingProvinceCode": "62"}

    # R22: from the day after the notice ends (it ends today)
    await refused(front, SIGN_RECRUITMENT, {**sign, "applicationId": running}, GANSU, ("INVALID_STATE", ANY))
    await refused(front, SIGN_RECRUITMENT, {**sign, "applicationId": selected}, GANSU, ("INVALID_STATE", ANY))
    await refused(
        front,
        SIGN_RECRUITMENT,
        {**sign, "applicationId": UNKNOWN_APPLICATION},
        GANSU,
        ("NOT_FOUND", ["input", "applicationId"]),
    )
    # R23: a serving province of the year (scale > 0) ...
    await front.sql("INSERT INTO province_scales (year, province_code, scale) VALUES (:y, '14', 0)", y=YEAR)
    for not_serving in ("11", "14"):
        await refused(
            front,
            SIGN_RECRUITMENT,
            {"applicationId": adjusting, "servingProvinceCode": not_serving},
            GANSU,
            ("INELIGIBLE", ["input", "servingProvinceCode"]),
        )
    # ... among the preferences (62, 53, 65), unless the applicant accepted adjustment
    await refused(
        front,
        SIGN_RECRUITMENT,
        {"applicationId": other, "servingProvinceCode": "45"},
        GANSU,
        ("INELIGIBLE", ["input", "servingProvinceCode"]),
    )
    adjusted = await must(front, SIGN_RECRUITMENT, {"applicationId": adjusting, "servingProvinceCode": "45"}, GANSU)
    assert adjusted["application"]["recruitmentAgreement"]["servingProvince"] == {"code": "45"}
    # R18: no quota cell 62→53, and the one place of 62→62 used up
    await refused(
        front,
        SIGN_RECRUITMENT,
        {"applicationId": other, "servingProvinceCode": "53"},
        GANSU,
        ("QUOTA_EXCEEDED", ["input", "servingProvinceCode"]),
    )
    await must(front, SIGN_RECRUITMENT, sign, GANSU)
    await refused(
        front,
        SIGN_RECRUITMENT,
        {**sign, "applicationId": other},
        GANSU,
        ("QUOTA_EXCEEDED", ["input", "servingProvinceCode"]),
    )
    # R7: one DEADLINE_PASSED here too (the rest are in test_season_deadlines)
    async with client_at(settings, date(2027, 6, 21)) as late:
        await refused(late, SIGN_RECRUITMENT, {**sign, "applicationId": other}, GANSU, ("DEADLINE_PASSED", ANY))


async def test_school_sign_off_and_application_refusals(front: Client) -> None:
    first, second = await seeded_applications(front, 2)
    await refused(
        front,
        SIGN_OFF,
        {"applicationId": first, "decision": "REJECT", "reason": "  "},
        LZU,
        ("INVALID_INPUT", ["input", "reason"]),
    )
    await refused(
        front,
        SIGN_OFF,
        {"applicationId": UNKNOWN_APPLICATION, "decision": "APPROVE"},
        LZU,
        ("NOT_FOUND", ["input", "applicationId"]),
    )
    await must(front, SIGN_OFF, {"applicationId": first, "decision": "APPROVE"}, LZU)
    await refused(
        front, SIGN_OFF, {"applicationId": first, "decision": "REJECT", "reason": "重复"}, LZU, ("INVALID_STATE", ANY)
    )

    volunteer = {"level": "volunteer", "sub": "vol-2"}  # seeded with an active application (`second`)
    apply = {"year": YEAR, "preferredProvinceCodes": ["62", "53", "65"], "acceptsAdjustment": False}
    await refused(front, APPLY, apply, {"level": "volunteer", "sub": "nobody"}, ("INELIGIBLE", ANY))
    await refused(front, APPLY, {**apply, "year": "2031-2032"}, volunteer, ("NOT_FOUND", ["input", "year"]))
    for preferences in (["62", "53"], ["62", "62", "53"], ["62", "53", "11"]):
        await refused(
            front,
            APPLY,
            {**apply, "preferredProvinceCodes": preferences},
            volunteer,
            ("INVALID_INPUT", ["input", "preferredProvinceCodes"]),
        )
    await refused(front, APPLY, apply, volunteer, ("DUPLICATE", ANY))
    assert await status_of(front, second) == "SUBMITTED"


# ---------- quota moves (R16) and reallocation (R17) ----------

MOVE = {"year": YEAR, "recruitingProvinceCode": "62", "fromServingProvinceCode": "62", "toServingProvinceCode": "53"}


async def test_move_quota_refusals(front: Client) -> None:
    await set_quota_cells(front, {("62", "62"): 100, ("62", "53"): 3})
    await recruited(front, 2, serving="53")  # 62→53 has one unused place
    for amount in (0, -2):
        await refused(front, MOVE_QUOTA, {**MOVE, "amount": amount}, GANSU, ("INVALID_INPUT", ["input", "amount"]))
    await refused(
        front, MOVE_QUOTA, {**MOVE, "toServingProvinceCode": "11", "amount": 1}, GANSU, ("INVALID_INPUT", ANY)
    )
    await refused(
        front,
        MOVE_QUOTA,
        {**MOVE, "fromServingProvinceCode": "62", "toServingProvinceCode": "62", "amount": 1},
        GANSU,
        ("INVALID_INPUT", ANY),
    )
    await refused(front, MOVE_QUOTA, {**MOVE, "fromServingProvinceCode": "65", "amount": 1}, GANSU, ("NOT_FOUND", ANY))
    await refused(
        front, MOVE_QUOTA, {**MOVE, "year": "2031-2032", "amount": 1}, GANSU, ("NOT_FOUND", ["input", "year"])
    )
    back = {**MOVE, "fromServingProvinceCode": "53", "toServingProvinceCode": "62"}
    await refused(front, MOVE_QUOTA, {**back, "amount": 2}, GANSU, ("QUOTA_EXCEEDED", ["input", "amount"]))
    moved = await must(front, MOVE_QUOTA, {**back, "amount": 1}, GANSU)
    cells = {q["servingProvince"]["code"]: (q["quota"], q["used"]) for q in moved["quotas"]}
    assert cells == {"53": (2, 2), "62": (101, 0)}


async def test_quota_adjustment_limit_is_ten_percent_of_the_total(front: Client) -> None:
    # 62's total is 20: moves may sum to 2 (2 × 10 = 20), not 3
    await set_quota_cells(front, {("62", "62"): 15, ("62", "53"): 5, ("53", "53"): 14, ("53", "62"): 5})
    await must(front, MOVE_QUOTA, {**MOVE, "amount": 2}, GANSU)
    for move in (
        {**MOVE, "amount": 1},
        {**MOVE, "fromServingProvinceCode": "53", "toServingProvinceCode": "62", "amount": 1},
    ):
        error = await refused(front, MOVE_QUOTA, move, GANSU, ("QUOTA_ADJUSTMENT_LIMIT", ["input", "amount"]))
        assert "20" in error[0]["message"]
    quotas = await front.ok(f'{{ quotas(year: "{YEAR}", recruitingProvinceCode: "62") {{ quota }} }}', **NATIONAL)
    assert sum(q["quota"] for q in quotas["quotas"]) == 20  # a move keeps the total

    # 53's total is 19: moving 2 passes 10% (20 > 19); 1 is within
    yunnan = {**MOVE, "recruitingProvinceCode": "53", "fromServingProvinceCode": "53", "toServingProvinceCode": "62"}
    await refused(front, MOVE_QUOTA, {**yunnan, "amount": 2}, YUNNAN, ("QUOTA_ADJUSTMENT_LIMIT", ["input", "amount"]))
    await must(front, MOVE_QUOTA, {**yunnan, "amount": 1}, YUNNAN)
    await refused(front, MOVE_QUOTA, {**yunnan, "amount": 1}, YUNNAN, ("QUOTA_ADJUSTMENT_LIMIT", ["input", "amount"]))


REALLOCATION = {
    "year": YEAR,
    "fromRecruitingProvinceCode": "62",
    "fromServingProvinceCode": "62",
    "toRecruitingProvinceCode": "11",
    "toServingProvinceCode": "62",
}


async def test_reallocate_quota_refusals(front: Client, settings: Any) -> None:
    await set_quota_cells(front, {("62", "62"): 3})
    await recruited(front, 1)  # 62→62 has two unused places
    await refused(front, REALLOCATE, {**REALLOCATION, "amount": 1}, NATIONAL, ("INVALID_STATE", ANY))  # too early
    async with client_at(settings, date(2027, 6, 21)) as late:
        for amount in (0, -1):
            await refused(
                late, REALLOCATE, {**REALLOCATION, "amount": amount}, NATIONAL, ("INVALID_INPUT", ["input", "amount"])
            )
        await refused(
            late, REALLOCATE, {**REALLOCATION, "amount": 3}, NATIONAL, ("QUOTA_EXCEEDED", ["input", "amount"])
        )
        await refused(
            late,
            REALLOCATE,
            {**REALLOCATION, "toServingProvinceCode": "11", "amount": 1},
            NATIONAL,
            ("INVALID_INPUT", ANY),
        )
        await refused(
            late,
            REALLOCATE,
            {**REALLOCATION, "toRecruitingProvinceCode": "99", "amount": 1},
            NATIONAL,
            ("NOT_FOUND", ANY),
        )
        await refused(
            late,
            REALLOCATE,
            {**REALLOCATION, "fromServingProvinceCode": "65", "amount": 1},
            NATIONAL,
            ("NOT_FOUND", ANY),
        )
        await refused(
            late,
            REALLOCATE,
            {**REALLOCATION, "year": "2031-2032", "amount": 1},
            NATIONAL,
            ("NOT_FOUND", ["input", "year"]),
        )
        moved = await must(late, REALLOCATE, {**REALLOCATION, "amount": 2}, NATIONAL)
        assert {q["recruitingProvince"]["code"]: q["quota"] for q in moved["quotas"]} == {"62": 1, "11": 2}


async def test_quota_move_refusals_name_the_province_field_at_fault(front: Client, settings: Any) -> None:
    """The contract's UserError.field is the input field at fault; a target that is not serving (or not a
    province) is one field."""
    await set_quota_cells(front, {("62", "62"): 10, ("62", "53"): 10})
    await refused(
        front,
        MOVE_QUOTA,
        {**MOVE, "toServingProvinceCode": "11", "amount": 1},
        GANSU,
        ("INVALID_INPUT", ["input", "toServingProvinceCode"]),
    )
    async with client_at(settings, date(2027, 6, 21)) as late:
        await refused(
            late,
            REALLOCATE,
            {**REALLOCATION, "toServingProvinceCode": "11", "amount": 1},
            NATIONAL,
            ("INVALID_INPUT", ["input", "toServingProvinceCode"]),
        )
        await refused(
            late,
            REALLOCATE,
            {**REALLOCATION, "toRecruitingProvinceCode": "99", "amount": 1},
            NATIONAL,
            ("NOT_FOUND", ["input", "toRecruitingProvinceCode"]),
        )


# ---------- the serving province: training, attendance, replacement ----------

TRAINING = {
    "year": YEAR,
    "servingProvinceCode": "62",
    "location": "兰州",
    "startsOn": "2027-07-20",
    "endsOn": "2027-07-23",
}


async def test_schedule_training_refusals(front: Client) -> None:
    for ends_on in ("2027-07-22", "2027-07-20", "2027-07-19"):  # 3 days, 1 day, ends before it starts
        await refused(front, SCHEDULE, {**TRAINING, "endsOn": ends_on}, GANSU, ("INVALID_INPUT", ["input", "endsOn"]))
    for location in ("", "   "):
        await refused(
            front, SCHEDULE, {**TRAINING, "location": location}, GANSU, ("INVALID_INPUT", ["input", "location"])
        )
    await refused(
        front,
        SCHEDULE,
        {**TRAINING, "servingProvinceCode": "11"},
        BEIJING,
        ("INELIGIBLE", ["input", "servingProvinceCode"]),
    )
    await refused(front, SCHEDULE, {**TRAINING, "year": "2031-2032"}, GANSU, ("NOT_FOUND", ["input", "year"]))
    # R24: four days counting the first and the last is enough
    training = await must(front, SCHEDULE, TRAINING, GANSU)
    assert (training["training"]["days"], training["training"]["status"]) == (4, "PROPOSED")


async def test_approve_training_refusals(front: Client) -> None:
    training = (await must(front, SCHEDULE, TRAINING, GANSU))["training"]["id"]
    await refused(
        front, APPROVE_TRAINING, {"trainingId": UNKNOWN_TRAINING}, NATIONAL, ("NOT_FOUND", ["input", "trainingId"])
    )
    await must(front, APPROVE_TRAINING, {"trainingId": training}, NATIONAL)
    await refused(
        front, APPROVE_TRAINING, {"trainingId": training}, NATIONAL, ("INVALID_STATE", ["input", "trainingId"])
    )


async def test_attendance_refusals_and_the_batch_is_all_or_nothing(front: Client) -> None:
    ours = await recruited(front, 3)
    [elsewhere] = await recruited(front, 1, serving="53")
    [trained] = await recruited(front, 1, status="TRAINED")
    training = (await must(front, SCHEDULE, TRAINING, GANSU))["training"]["id"]
    attend = {"trainingId": training, "applicationIds": ours}

    await refused(front, ATTEND, attend, GANSU, ("INVALID_STATE", ["input", "trainingId"]))  # still PROPOSED
    await must(front, APPROVE_TRAINING, {"trainingId": training}, NATIONAL)
    await refused(
        front, ATTEND, {**attend, "trainingId": UNKNOWN_TRAINING}, GANSU, ("NOT_FOUND", ["input", "trainingId"])
    )
    await refused(
        front, ATTEND, {**attend, "applicationIds": []}, GANSU, ("INVALID_INPUT", ["input", "applicationIds"])
    )
    # one application recruited for another serving province: none of the batch is trained
    await refused(
        front,
        ATTEND,
        {**attend, "applicationIds": [ours[0], elsewhere, ours[1]]},
        GANSU,
        ("INELIGIBLE", ["input", "applicationIds", "1"]),
    )
    # several bad ones, each by its index
    await refused(
        front,
        ATTEND,
        {**attend, "applicationIds": [ours[0], trained, UNKNOWN_APPLICATION, elsewhere]},
        GANSU,
        ("INVALID_STATE", ["input", "applicationIds", "1"]),
        ("NOT_FOUND", ["input", "applicationIds", "2"]),
        ("INELIGIBLE", ["input", "applicationIds", "3"]),
    )
    assert [await status_of(front, gid) for gid in ours] == ["RECRUITED"] * 3
    done = await must(front, ATTEND, attend, GANSU)
    assert [a["status"] for a in done["applications"]] == ["TRAINED"] * 3


async def test_replacement_refusals(front: Client) -> None:
    await set_quota_cells(front, {("62", "62"): 2, ("62", "45"): 1})  # 62→62: one held, one left by `gone`
    withdrawn = {"status": "WITHDRAWN", "active_volunteer_id": None}
    [gone] = await recruited(front, 1, **withdrawn)
    [gone_from_45] = await recruited(front, 1, serving="45", **withdrawn)
    [still_recruited] = await recruited(front, 1)
    [assigned] = await recruited(front, 1, county_code="621121", **withdrawn)  # withdrew after assignment
    candidates = await seeded_applications(front, 2, "EXAM_PASSED", exam_passed=True)
    [adjusting] = await seeded_applications(front, 1, "PUBLICIZED", exam_passed=True, accepts_adjustment=True)
    [selected] = await seeded_applications(front, 1, "SELECTED", selected=True)
    await front.sql("INSERT INTO program_years (code) VALUES ('2028-2029')")
    [next_year] = await seeded_applications(front, 1, "EXAM_PASSED", year="2028-2029", exam_passed=True)
    replace = {"withdrawnApplicationId": gone, "replacementApplicationId": candidates[0]}
    withdrawn_field, replacement_field = ["input", "withdrawnApplicationId"], ["input", "replacementApplicationId"]

    await refused(
        front,
        REPLACE,
        {**replace, "withdrawnApplicationId": UNKNOWN_APPLICATION},
        GANSU,
        ("NOT_FOUND", withdrawn_field),
    )
    await refused(
        front,
        REPLACE,
        {**replace, "replacementApplicationId": UNKNOWN_APPLICATION},
        GANSU,
        ("NOT_FOUND", replacement_field),
    )
    # only a volunteer who withdrew after recruitment and before dispatch is replaced
    for not_withdrawn in (still_recruited, assigned):
        await refused(
            front,
            REPLACE,
            {**replace, "withdrawnApplicationId": not_withdrawn},
            GANSU,
            ("INVALID_STATE", withdrawn_field),
        )
    # the replacement passed selection and the exam and is not yet recruited
    for not_ready in (selected, still_recruited):
        await refused(
            front,
            REPLACE,
            {**replace, "replacementApplicationId": not_ready},
            GANSU,
            ("INVALID_STATE", replacement_field),
        )
    # of the same year
    await refused(
        front, REPLACE, {**replace, "replacementApplicationId": next_year}, GANSU, ("INELIGIBLE", replacement_field)
    )
    # who chose the serving province (45 is not among 62, 53, 65) or accepts adjustment
    to_45 = {"withdrawnApplicationId": gone_from_45, "replacementApplicationId": candidates[1]}
    await refused(front, REPLACE, to_45, {**GANSU, "code": "45"}, ("INELIGIBLE", replacement_field))
    done = await must(front, REPLACE, {**to_45, "replacementApplicationId": adjusting}, {**GANSU, "code": "45"})
    assert done["application"]["status"] == "RECRUITED"
    # replaced once only
    await must(front, REPLACE, replace, GANSU)
    await refused(
        front, REPLACE, {**replace, "replacementApplicationId": candidates[1]}, GANSU, ("DUPLICATE", withdrawn_field)
    )


async def test_a_replacement_without_a_free_place_is_refused_naming_its_own_input(front: Client) -> None:
    """R18/R25: the withdrawn volunteer's place was taken by another agreement meanwhile; the refusal's field
    is null or an input field of recruitReplacement (it has no servingProvinceCode)."""
    await set_quota_cells(front, {("62", "62"): 1})
    [gone] = await recruited(front, 1, status="WITHDRAWN", active_volunteer_id=None)
    await recruited(front, 1)  # took the place `gone` left
    [candidate] = await seeded_applications(front, 1, "EXAM_PASSED", exam_passed=True)
    replace = {"withdrawnApplicationId": gone, "replacementApplicationId": candidate}
    [error] = await refused(front, REPLACE, replace, GANSU, ("QUOTA_EXCEEDED", ANY))
    assert error["field"] in (None, ["input", "withdrawnApplicationId"], ["input", "replacementApplicationId"]), error
