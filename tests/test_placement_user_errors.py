"""Every userError of placement (R8–R12, R26–R27), each with the input path at fault where there is one.
A refusal is a payload with userErrors and no object (no GraphQL error), and writes nothing: no row of
the placement tables and no audit entry (R42).

The database is the one of the permission table (tests/test_placement_permissions_table.py): counties in
every state of R9, units and posts in every state of R12, volunteers of 北京大学 serving in Gansu (62):
trained, assigned to 620321, dispatched there, and in service there on `approved_post` (3 places)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from hub.ids import to_global_id
from tests.conftest import Client
from tests.permission_tables import PLACEMENT_TABLES, snapshot
from tests.placement import (
    APPLY_COUNTY,
    APPROVE_POSTS,
    ASSIGN,
    CHANGE_POST,
    CONFIRM_POSTS,
    CREATE_UNIT,
    DECIDE_COUNTY,
    DECLARE_POST,
    EVALUATE,
    FILE_COUNTY,
    RECEIVE,
    RENEW,
    SIGN,
    YEAR,
    trained_volunteers,
)
from tests.season import client_at, must, payload
from tests.seed import seed_reference
from tests.test_placement_permissions_table import (
    GANSU,
    LONGXI,
    NATIONAL,
    TONGWEI,
    YONGCHANG,
    prepare_placement,
)

ANY = object()  # the field is not checked


def unknown(type_name: str) -> str:
    return base64.b64encode(f"{type_name}:987654".encode()).decode()


def county(code: str) -> dict[str, str]:
    return {"level": "county", "code": code, "sub": f"ops-{code}"}


async def refused(
    front: Client, document: str, input: dict[str, Any], actor: dict[str, Any], *expected: tuple[str, Any]
) -> list[dict[str, Any]]:
    """Run a mutation that must be refused with exactly the `expected` (code, field) userErrors, in order;
    the payload carries no object, and nothing (audit included) is written."""
    before = await snapshot(front, PLACEMENT_TABLES)
    result = payload(await front.ok(document, {"input": input}, **actor))
    errors = result["userErrors"]
    assert [e["code"] for e in errors] == [code for code, _ in expected], errors
    for error, (_, field) in zip(errors, expected, strict=True):
        if field is not ANY:
            assert error["field"] == field, error
        assert error["message"].strip(), error
    assert all(value in (None, []) for key, value in result.items() if key != "userErrors"), result
    assert await snapshot(front, PLACEMENT_TABLES) == before, "a refusal wrote something"
    return errors


@pytest.fixture
async def world(settings) -> AsyncIterator[tuple[Any, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """(settings, ids): placement in mid-course (see the module's docstring), seen first on 2027-08-10."""
    async with client_at(settings, date(2027, 8, 10)) as front:
        ids = await prepare_placement(front.hub)
    yield settings, ids


APPLICATION = {
    "countyCode": "621122",
    "hasLeadingGroup": True,
    "hasProjectOffice": True,
    "contactPerson": "李主任",
    "intakeCapacity": 20,
    "governmentApprovalRef": "陇政发〔2027〕8号",
}


# ---------- R9: new service counties ----------


async def test_each_unmet_condition_of_a_new_service_county_is_its_own_error(world) -> None:  # type: ignore[no-untyped-def]
    settings, _ids = world
    async with client_at(settings, date(2027, 3, 1)) as front:
        for code, name, key_assistance in (
            ("621125", "漳县", "NONE"),
            ("621126", "岷县", "POVERTY_EXITED"),
            ("621102", "安定区", "LOCAL_KEY"),
        ):
            await front.sql(
                "INSERT INTO counties (code, name, province_code, key_assistance, remote, status) "
                "VALUES (:code, :name, '62', :key, false, 'NOT_SERVICE')",
                code=code,
                name=name,
                key=key_assistance,
            )
        for code in ("621125", "621126"):  # not a national or local key assistance county
            await refused(
                front,
                APPLY_COUNTY,
                {**APPLICATION, "countyCode": code},
                county(code),
                ("INELIGIBLE", ["input", "countyCode"]),
            )
        for field, value in (
            ("hasLeadingGroup", False),
            ("hasProjectOffice", False),
            ("contactPerson", "  "),
            ("contactPerson", ""),
            ("intakeCapacity", 19),
            ("governmentApprovalRef", ""),
            ("governmentApprovalRef", " "),
        ):
            await refused(front, APPLY_COUNTY, {**APPLICATION, field: value}, LONGXI, ("INELIGIBLE", ["input", field]))

        # all six at once: six userErrors, one per condition
        errors = await refused(
            front,
            APPLY_COUNTY,
            {
                "countyCode": "621125",
                "hasLeadingGroup": False,
                "hasProjectOffice": False,
                "contactPerson": " ",
                "intakeCapacity": 19,
                "governmentApprovalRef": "",
            },
            county("621125"),
            *[("INELIGIBLE", ANY)] * 6,
        )
        assert sorted(tuple(e["field"]) for e in errors) == sorted(
            ("input", f)
            for f in (
                "countyCode",
                "hasLeadingGroup",
                "hasProjectOffice",
                "contactPerson",
                "intakeCapacity",
                "governmentApprovalRef",
            )
        )
        assert len({e["message"] for e in errors}) == 6, errors

        # an intake of exactly 20 is enough; a local key assistance county is eligible too
        applied = await must(front, APPLY_COUNTY, APPLICATION, LONGXI)
        assert applied["county"] == {"code": "621122", "status": "APPLIED"}
        local = await must(front, APPLY_COUNTY, {**APPLICATION, "countyCode": "621102"}, county("621102"))
        assert local["county"]["status"] == "APPLIED"
        # applying twice: the county is no longer NOT_SERVICE
        await refused(front, APPLY_COUNTY, APPLICATION, LONGXI, ("INVALID_STATE", ["input", "countyCode"]))
        # an ACTIVE service county does not apply
        await refused(
            front,
            APPLY_COUNTY,
            {**APPLICATION, "countyCode": "620321"},
            YONGCHANG,
            ("INVALID_STATE", ["input", "countyCode"]),
        )
        # a county code that names no county, from the office of that code
        await refused(
            front,
            APPLY_COUNTY,
            {**APPLICATION, "countyCode": "629999"},
            county("629999"),
            ("NOT_FOUND", ["input", "countyCode"]),
        )


async def test_deciding_and_filing_a_county_in_the_wrong_state(world) -> None:  # type: ignore[no-untyped-def]
    settings, _ids = world
    async with client_at(settings, date(2027, 3, 1)) as front:
        for reason in (None, "", "  "):  # a rejection needs a reason
            await refused(
                front,
                DECIDE_COUNTY,
                {"countyCode": "621123", "decision": "REJECT", "reason": reason},
                GANSU,
                ("INVALID_INPUT", ["input", "reason"]),
            )
        for code in ("620321", "621122", "621124"):  # ACTIVE, NOT_SERVICE, PROVINCE_APPROVED: not APPLIED
            await refused(
                front,
                DECIDE_COUNTY,
                {"countyCode": code, "decision": "APPROVE"},
                GANSU,
                ("INVALID_STATE", ["input", "countyCode"]),
            )
        await refused(
            front,
            DECIDE_COUNTY,
            {"countyCode": "629999", "decision": "APPROVE"},
            GANSU,
            ("NOT_FOUND", ["input", "countyCode"]),
        )
        for code in ("621123", "620321"):  # APPLIED, ACTIVE: the province has not approved it
            await refused(
                front, FILE_COUNTY, {"countyCode": code}, NATIONAL, ("INVALID_STATE", ["input", "countyCode"])
            )
        await refused(front, FILE_COUNTY, {"countyCode": "629999"}, NATIONAL, ("NOT_FOUND", ["input", "countyCode"]))

        rejected = await must(
            front, DECIDE_COUNTY, {"countyCode": "621123", "decision": "REJECT", "reason": "无县政府批文"}, GANSU
        )
        assert rejected["county"] == {"code": "621123", "status": "REJECTED"}
        await refused(
            front, FILE_COUNTY, {"countyCode": "621123"}, NATIONAL, ("INVALID_STATE", ["input", "countyCode"])
        )


# ---------- R5, R12: service units and posts ----------


async def test_units_and_posts_are_refused_with_the_field_at_fault(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    async with client_at(settings, date(2027, 3, 1)) as front:
        await refused(
            front,
            CREATE_UNIT,
            {"countyCode": "620321", "name": "河西堡镇", "level": "VILLAGE"},
            YONGCHANG,
            ("DUPLICATE", ["input", "name"]),
        )
        await refused(
            front,
            CREATE_UNIT,
            {"countyCode": "620321", "name": "  河西堡镇 ", "level": "TOWNSHIP"},
            YONGCHANG,
            ("DUPLICATE", ["input", "name"]),
        )
        await refused(
            front,
            CREATE_UNIT,
            {"countyCode": "620321", "name": " ", "level": "TOWNSHIP"},
            YONGCHANG,
            ("INVALID_INPUT", ["input", "name"]),
        )
        await refused(
            front,
            CREATE_UNIT,
            {"countyCode": "629999", "name": "新镇", "level": "TOWNSHIP"},
            county("629999"),
            ("NOT_FOUND", ["input", "countyCode"]),
        )
        # the same name in another county is another unit
        other = await must(
            front, CREATE_UNIT, {"countyCode": "621121", "name": "河西堡镇", "level": "TOWNSHIP"}, TONGWEI
        )
        assert other["serviceUnit"]["county"] == {"code": "621121"}

        post = {"year": YEAR, "unitId": ids["unit"], "title": "村小英语", "category": "RURAL_EDUCATION", "headcount": 1}
        for headcount in (0, -1):
            await refused(
                front,
                DECLARE_POST,
                {**post, "headcount": headcount},
                YONGCHANG,
                ("INVALID_INPUT", ["input", "headcount"]),
            )
        await refused(front, DECLARE_POST, {**post, "title": " "}, YONGCHANG, ("INVALID_INPUT", ["input", "title"]))
        await refused(
            front,
            DECLARE_POST,
            {**post, "unitId": unknown("ServiceUnit")},
            YONGCHANG,
            ("NOT_FOUND", ["input", "unitId"]),
        )
        await refused(front, DECLARE_POST, {**post, "year": "2030-2031"}, YONGCHANG, ("NOT_FOUND", ["input", "year"]))

        # a county that is not a service county (nor applying) declares no posts
        longxi_unit = await must(
            front, CREATE_UNIT, {"countyCode": "621122", "name": "文峰镇", "level": "TOWNSHIP"}, LONGXI
        )
        await refused(
            front,
            DECLARE_POST,
            {**post, "unitId": longxi_unit["serviceUnit"]["id"]},
            LONGXI,
            ("INELIGIBLE", ["input", "unitId"]),
        )

        declared = await must(front, DECLARE_POST, post, YONGCHANG)  # a headcount of 1 is enough
        assert declared["post"]["status"] == "DECLARED" and declared["post"]["headcount"] == 1


async def test_confirming_and_approving_posts_in_the_wrong_state(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    async with client_at(settings, date(2027, 3, 1)) as front:
        decide = {"decision": "APPROVE"}
        await refused(
            front,
            CONFIRM_POSTS,
            {**decide, "postIds": [ids["confirmed_post"]]},
            GANSU,
            ("INVALID_STATE", ["input", "postIds", "0"]),
        )
        # a batch with one bad post confirms none of it, and names the bad one by its index
        await refused(
            front,
            CONFIRM_POSTS,
            {**decide, "postIds": [ids["declared_post"], ids["approved_post"], unknown("Post")]},
            GANSU,
            ("INVALID_STATE", ["input", "postIds", "1"]),
            ("NOT_FOUND", ["input", "postIds", "2"]),
        )
        for post_ids in ([], [ids["declared_post"], ids["declared_post"]]):
            await refused(
                front, CONFIRM_POSTS, {**decide, "postIds": post_ids}, GANSU, ("INVALID_INPUT", ["input", "postIds"])
            )
        for reason in (None, " "):
            await refused(
                front,
                CONFIRM_POSTS,
                {"postIds": [ids["declared_post"]], "decision": "REJECT", "reason": reason},
                GANSU,
                ("INVALID_INPUT", ["input", "reason"]),
            )
            await refused(
                front,
                APPROVE_POSTS,
                {"postIds": [ids["confirmed_post"]], "decision": "REJECT", "reason": reason},
                NATIONAL,
                ("INVALID_INPUT", ["input", "reason"]),
            )
        for key in ("declared_post", "approved_post"):
            await refused(
                front,
                APPROVE_POSTS,
                {**decide, "postIds": [ids[key]]},
                NATIONAL,
                ("INVALID_STATE", ["input", "postIds", "0"]),
            )
        await refused(
            front,
            APPROVE_POSTS,
            {**decide, "postIds": [unknown("Post")]},
            NATIONAL,
            ("NOT_FOUND", ["input", "postIds", "0"]),
        )

        confirmed = await must(front, CONFIRM_POSTS, {**decide, "postIds": [ids["declared_post"]]}, GANSU)
        assert confirmed["posts"] == [{"id": ids["declared_post"], "status": "PROVINCE_CONFIRMED"}]
        # confirming an already confirmed post
        await refused(
            front,
            CONFIRM_POSTS,
            {**decide, "postIds": [ids["declared_post"]]},
            GANSU,
            ("INVALID_STATE", ["input", "postIds", "0"]),
        )
        rejected = await must(
            front,
            APPROVE_POSTS,
            {"postIds": [ids["declared_post"]], "decision": "REJECT", "reason": "岗位重复"},
            NATIONAL,
        )
        assert rejected["posts"] == [{"id": ids["declared_post"], "status": "REJECTED"}]


# ---------- R8, R10, R11, R26: assignment ----------


async def test_assigning_a_volunteer_is_refused_with_the_rule_it_breaks(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    async with client_at(settings, date(2027, 7, 28)) as front:
        # 621121 is banned for 2027-2028: a major incident happened there in 2026-2027 (R10)
        await front.sql(
            "INSERT INTO safety_incidents (county_code, occurred_on, severity, description) "
            "VALUES ('621121', :day, 'MAJOR', '志愿者溺水')",
            day=date(2026, 10, 3),
        )
        [recruited] = await trained_volunteers(front.hub, 1, start=100)
        await front.sql("UPDATE applications SET status = 'RECRUITED' WHERE id = :id", id=recruited)
        trained = ids["trained"]

        def assign(application: str, code: str) -> dict[str, str]:
            return {"applicationId": application, "countyCode": code}

        at_county = ["input", "countyCode"]
        await refused(front, ASSIGN, assign(trained, "530629"), GANSU, ("CROSS_PROVINCE", at_county))
        for code in ("621122", "621123", "621124"):  # NOT_SERVICE, APPLIED, PROVINCE_APPROVED: not ACTIVE
            await refused(front, ASSIGN, assign(trained, code), GANSU, ("INELIGIBLE", at_county))
        await refused(front, ASSIGN, assign(trained, "621121"), GANSU, ("BANNED", at_county))
        await refused(front, ASSIGN, assign(trained, "629999"), GANSU, ("NOT_FOUND", at_county))

        at_application = ["input", "applicationId"]
        for application in (to_global_id("Application", recruited), ids["assigned"], ids["dispatched"], ids["serving"]):
            await refused(front, ASSIGN, assign(application, "620321"), GANSU, ("INVALID_STATE", at_application))
        await refused(front, ASSIGN, assign(unknown("Application"), "620321"), GANSU, ("NOT_FOUND", at_application))

        assigned = await must(front, ASSIGN, assign(trained, "620321"), GANSU)
        assert assigned["application"] == {"id": trained, "status": "TRAINED", "county": {"code": "620321"}}


async def test_assignments_stop_at_the_scale_of_the_province(client) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(client.hub)
    await client.sql("UPDATE province_scales SET scale = 2 WHERE province_code = '62' AND year = :year", year=YEAR)
    first, second, third = [to_global_id("Application", a) for a in await trained_volunteers(client.hub, 3)]
    await must(client, ASSIGN, {"applicationId": first, "countyCode": "620321"}, GANSU)
    await must(client, ASSIGN, {"applicationId": second, "countyCode": "621121"}, GANSU)
    [error] = await refused(
        client,
        ASSIGN,
        {"applicationId": third, "countyCode": "620321"},
        GANSU,
        ("SCALE_EXCEEDED", ["input", "countyCode"]),
    )
    assert "2" in error["message"], error


# ---------- R26, R7: the tripartite service agreement ----------


async def test_signing_an_agreement_is_refused_with_the_rule_it_breaks(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    sign = {
        "applicationId": ids["dispatched"],
        "postId": ids["approved_post"],
        "startsOn": "2027-08-16",
        "endsOn": "2028-08-15",
    }
    async with client_at(settings, date(2027, 8, 10)) as front:
        at_post = ["input", "postId"]
        for key in ("other_county_post", "yunnan_post"):  # another county of the province; another province
            await refused(front, SIGN, {**sign, "postId": ids[key]}, YONGCHANG, ("INELIGIBLE", at_post))
        for key in ("declared_post", "confirmed_post"):
            await refused(front, SIGN, {**sign, "postId": ids[key]}, YONGCHANG, ("INVALID_STATE", at_post))
        await refused(front, SIGN, {**sign, "postId": unknown("Post")}, YONGCHANG, ("NOT_FOUND", at_post))

        # the post is full once its places are taken (here: one place, held by the volunteer in service)
        await front.sql("UPDATE posts SET headcount = 1 WHERE title = '乡村教育-approved_post'")
        await refused(front, SIGN, sign, YONGCHANG, ("POST_FULL", at_post))
        await front.sql("UPDATE posts SET headcount = 3 WHERE title = '乡村教育-approved_post'")

        for ends in ("2028-08-16", "2029-08-15", "2027-08-15"):  # over a year; before it starts
            await refused(front, SIGN, {**sign, "endsOn": ends}, YONGCHANG, ("INVALID_INPUT", ["input", "endsOn"]))
        at_application = ["input", "applicationId"]
        for key in ("assigned", "serving"):  # not received yet; already in service
            await refused(
                front, SIGN, {**sign, "applicationId": ids[key]}, YONGCHANG, ("INVALID_STATE", at_application)
            )
        await refused(
            front, SIGN, {**sign, "applicationId": unknown("Application")}, YONGCHANG, ("NOT_FOUND", at_application)
        )

    async with client_at(settings, date(2027, 8, 16)) as late:  # the day after the milestone
        await refused(late, SIGN, sign, YONGCHANG, ("DEADLINE_PASSED", ANY))
    async with client_at(settings, date(2027, 8, 15)) as last_day:  # exactly one year, on the milestone's day
        signed = (await must(last_day, SIGN, sign, YONGCHANG))["agreement"]
        assert signed["termYear"] == 1 and (signed["startsOn"], signed["endsOn"]) == ("2027-08-16", "2028-08-15")
        assert signed["post"] == {"id": ids["approved_post"], "filled": 2}
        assert signed["county"] == {"code": "620321"}


# ---------- R27: renewals ----------


async def test_a_fourth_term_is_refused_and_only_the_current_agreement_is_renewed(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    first = {"agreementId": ids["agreement"]}  # 2027-08-01 .. 2028-07-31
    async with client_at(settings, date(2028, 6, 1)) as front:
        second = (await must(front, RENEW, first, YONGCHANG))["agreement"]
        assert (second["termYear"], second["startsOn"], second["endsOn"]) == (2, "2028-08-01", "2029-07-31")
        # the first agreement is no longer the current one
        await refused(front, RENEW, first, YONGCHANG, ("INVALID_STATE", ["input", "agreementId"]))
        await refused(
            front,
            RENEW,
            {"agreementId": unknown("ServiceAgreement")},
            YONGCHANG,
            ("NOT_FOUND", ["input", "agreementId"]),
        )
    async with client_at(settings, date(2029, 6, 1)) as front:
        third = (await must(front, RENEW, {"agreementId": second["id"]}, YONGCHANG))["agreement"]
        assert (third["termYear"], third["startsOn"], third["endsOn"]) == (3, "2029-08-01", "2030-07-31")
        for earlier in (first, {"agreementId": second["id"]}):
            await refused(front, RENEW, earlier, YONGCHANG, ("INVALID_STATE", ["input", "agreementId"]))
    async with client_at(settings, date(2030, 6, 1)) as front:  # a fourth term: at most three years
        await refused(
            front, RENEW, {"agreementId": third["id"]}, YONGCHANG, ("INVALID_STATE", ["input", "agreementId"])
        )
        terms = await front.sql("SELECT term_year FROM service_agreements ORDER BY term_year")
        assert [t for (t,) in terms] == [1, 2, 3]


async def test_an_agreement_that_has_ended_is_not_renewed(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    async with client_at(settings, date(2027, 8, 10)) as front:
        sign = {"applicationId": ids["dispatched"], "postId": ids["approved_post"]}
        agreement = (await must(front, SIGN, {**sign, "startsOn": "2027-08-10", "endsOn": "2028-08-09"}, YONGCHANG))[
            "agreement"
        ]
    async with client_at(settings, date(2028, 8, 10)) as front:  # it ended on 2028-08-09
        await refused(
            front, RENEW, {"agreementId": agreement["id"]}, YONGCHANG, ("INVALID_STATE", ["input", "agreementId"])
        )
    async with client_at(settings, date(2028, 8, 9)) as front:  # on its last day it is still renewed
        renewed = (await must(front, RENEW, {"agreementId": agreement["id"]}, YONGCHANG))["agreement"]
        assert (renewed["termYear"], renewed["startsOn"], renewed["endsOn"]) == (2, "2028-08-10", "2029-08-09")


COUNTY_STATE = """query($code: String!) { county(code: $code) { status bannedYears
  thisYear: acceptsVolunteers(year: "2027-2028") nextYear: acceptsVolunteers(year: "2028-2029")
  yearAfter: acceptsVolunteers(year: "2029-2030") } }"""


async def test_renewals_go_on_in_a_banned_or_disqualified_county(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    # R10: a major incident in 620321 during 2027-2028 bans it for 2028-2029
    async with client_at(settings, date(2027, 10, 5)) as front:
        await front.sql(
            "INSERT INTO safety_incidents (county_code, occurred_on, severity, description) "
            "VALUES ('620321', :day, 'MAJOR', '交通事故')",
            day=date(2027, 10, 3),
        )
    async with client_at(settings, date(2028, 6, 1)) as front:
        state = (await front.ok(COUNTY_STATE, {"code": "620321"}, **NATIONAL))["county"]
        assert state["bannedYears"] == ["2028-2029"] and state["nextYear"] is False, state
        second = (await must(front, RENEW, {"agreementId": ids["agreement"]}, YONGCHANG))["agreement"]
        assert (second["termYear"], second["startsOn"]) == (2, "2028-08-01")
        # R11: a failed evaluation for 2027-2028 disqualifies the county from 2028-2029 on
        evaluated = await must(front, EVALUATE, {"countyCode": "620321", "year": YEAR, "passed": False}, GANSU)
        assert evaluated["county"] == {"code": "620321", "status": "DISQUALIFIED"}
    async with client_at(settings, date(2029, 6, 1)) as front:  # no longer banned (2029-2030), but disqualified
        state = (await front.ok(COUNTY_STATE, {"code": "620321"}, **NATIONAL))["county"]
        assert state["status"] == "DISQUALIFIED" and state["yearAfter"] is False, state
        third = (await must(front, RENEW, {"agreementId": second["id"]}, YONGCHANG))["agreement"]
        assert (third["termYear"], third["startsOn"], third["endsOn"]) == (3, "2029-08-01", "2030-07-31")


# ---------- R26: post changes ----------

POST_FILLED = """query($year: String!) { posts(year: $year, provinceCode: "62", status: APPROVED) {
  edges { node { id filled headcount county { code } } } } }"""
AGREEMENT = """query($id: ID!) { node(id: $id) { ... on ServiceAgreement { termYear post { id } county { code }
  unit { name } } } }"""


async def test_a_post_changes_within_the_province_to_a_free_approved_post(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    async with client_at(settings, date(2027, 8, 10)) as front:
        # a full post of 620321: one place, taken by the dispatched volunteer
        full = await must(
            front,
            DECLARE_POST,
            {"year": YEAR, "unitId": ids["unit"], "title": "村医助理", "category": "RURAL_HEALTH", "headcount": 1},
            YONGCHANG,
        )
        full_post = full["post"]["id"]
        await must(front, CONFIRM_POSTS, {"postIds": [full_post], "decision": "APPROVE"}, GANSU)
        await must(front, APPROVE_POSTS, {"postIds": [full_post], "decision": "APPROVE"}, NATIONAL)
        await must(
            front,
            SIGN,
            {"applicationId": ids["dispatched"], "postId": full_post, "startsOn": "2027-08-10", "endsOn": "2028-08-09"},
            YONGCHANG,
        )

    change = {"agreementId": ids["agreement"], "postId": ids["other_county_post"], "reason": "本人申请调整岗位"}
    async with client_at(settings, date(2027, 12, 1)) as front:  # after the agreement milestone: none applies
        at_post = ["input", "postId"]
        body = await front.gql(CHANGE_POST, {"input": {**change, "postId": ids["yunnan_post"]}}, **GANSU)
        assert not body.get("errors"), body  # the rule is reported, not hidden behind FORBIDDEN
        await refused(front, CHANGE_POST, {**change, "postId": ids["yunnan_post"]}, GANSU, ("CROSS_PROVINCE", at_post))
        await refused(front, CHANGE_POST, {**change, "postId": full_post}, GANSU, ("POST_FULL", at_post))
        for key in ("declared_post", "confirmed_post"):
            await refused(front, CHANGE_POST, {**change, "postId": ids[key]}, GANSU, ("INVALID_STATE", at_post))
        await refused(front, CHANGE_POST, {**change, "postId": unknown("Post")}, GANSU, ("NOT_FOUND", at_post))
        for reason in ("", "   "):
            await refused(
                front, CHANGE_POST, {**change, "reason": reason}, GANSU, ("INVALID_INPUT", ["input", "reason"])
            )
        await refused(
            front,
            CHANGE_POST,
            {**change, "agreementId": unknown("ServiceAgreement")},
            GANSU,
            ("NOT_FOUND", ["input", "agreementId"]),
        )

        def places(data: dict[str, Any]) -> dict[str, int]:
            return {e["node"]["id"]: e["node"]["filled"] for e in data["posts"]["edges"]}

        before = places(await front.ok(POST_FILLED, {"year": YEAR}, **GANSU))
        assert (before[ids["approved_post"]], before[ids["other_county_post"]], before[full_post]) == (1, 0, 1)
        audit = (await front.sql("SELECT count(*) FROM audit_entries"))[0][0]
        moved = (await must(front, CHANGE_POST, change, GANSU))["agreement"]
        assert moved == {"id": ids["agreement"], "post": {"id": ids["other_county_post"]}, "county": {"code": "621121"}}
        after = places(await front.ok(POST_FILLED, {"year": YEAR}, **GANSU))
        assert (after[ids["approved_post"]], after[ids["other_county_post"]], after[full_post]) == (0, 1, 1)
        assert (await front.sql("SELECT count(*) FROM audit_entries"))[0][0] == audit + 1
        read = (await front.ok(AGREEMENT, {"id": ids["agreement"]}, **GANSU))["node"]
        assert read == {
            "termYear": 1,
            "post": {"id": ids["other_county_post"]},
            "county": {"code": "621121"},
            "unit": {"name": "平襄镇"},
        }
        # the volunteer now serves in 621121: that county's office renews, 620321's may not
        body = await front.gql(RENEW, {"input": {"agreementId": ids["agreement"]}}, **YONGCHANG)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], body
        # a change to the post the volunteer already holds is no change
        await refused(front, CHANGE_POST, change, GANSU, ("INVALID_INPUT", at_post))


# ---------- R11: county evaluation ----------


async def test_a_county_is_evaluated_once_a_year(world) -> None:  # type: ignore[no-untyped-def]
    settings, _ids = world
    async with client_at(settings, date(2028, 7, 1)) as front:
        evaluation = {"countyCode": "620321", "year": YEAR, "passed": True, "remarks": "考核合格"}
        await refused(front, EVALUATE, {**evaluation, "year": "2030-2031"}, GANSU, ("NOT_FOUND", ["input", "year"]))
        for year in ("2027", "2027-2029"):
            await refused(front, EVALUATE, {**evaluation, "year": year}, GANSU, ("INVALID_INPUT", ["input", "year"]))
        await refused(
            front, EVALUATE, {**evaluation, "countyCode": "629999"}, GANSU, ("NOT_FOUND", ["input", "countyCode"])
        )
        for code in ("621122", "621123"):  # not a service county
            await refused(
                front, EVALUATE, {**evaluation, "countyCode": code}, GANSU, ("INVALID_STATE", ["input", "countyCode"])
            )
        passed = await must(front, EVALUATE, evaluation, GANSU)
        assert passed["county"] == {"code": "620321", "status": "ACTIVE"}
        for again in (evaluation, {**evaluation, "passed": False}):
            await refused(front, EVALUATE, again, GANSU, ("DUPLICATE", ["input", "year"]))


# ---------- R26: receiving volunteers ----------


async def test_only_assigned_trained_volunteers_are_received(world) -> None:  # type: ignore[no-untyped-def]
    settings, ids = world
    async with client_at(settings, date(2027, 7, 30)) as front:
        await refused(
            front,
            RECEIVE,
            {"applicationIds": [ids["assigned"], ids["dispatched"], unknown("Application")]},
            YONGCHANG,
            ("INVALID_STATE", ["input", "applicationIds", "1"]),
            ("NOT_FOUND", ["input", "applicationIds", "2"]),
        )
        await refused(
            front,
            RECEIVE,
            {"applicationIds": [ids["serving"]]},
            YONGCHANG,
            ("INVALID_STATE", ["input", "applicationIds", "0"]),
        )
        for application_ids in ([], [ids["assigned"], ids["assigned"]]):
            await refused(
                front,
                RECEIVE,
                {"applicationIds": application_ids},
                YONGCHANG,
                ("INVALID_INPUT", ["input", "applicationIds"]),
            )
        received = await must(front, RECEIVE, {"applicationIds": [ids["assigned"]]}, YONGCHANG)
        assert received["applications"] == [{"id": ids["assigned"], "status": "DISPATCHED"}]
        await refused(
            front,
            RECEIVE,
            {"applicationIds": [ids["assigned"]]},
            YONGCHANG,
            ("INVALID_STATE", ["input", "applicationIds", "0"]),
        )


async def test_after_a_renewal_a_post_change_leaves_the_volunteer_one_place(world) -> None:  # type: ignore[no-untyped-def]
    """R26: the volunteer moves, with the renewed term: the old post's place is free again, the new one taken —
    one volunteer never holds two places."""
    settings, ids = world
    async with client_at(settings, date(2028, 6, 1)) as front:
        second = (await must(front, RENEW, {"agreementId": ids["agreement"]}, YONGCHANG))["agreement"]
        change = {"agreementId": second["id"], "postId": ids["other_county_post"], "reason": "本人申请调整岗位"}
        moved = (await must(front, CHANGE_POST, change, GANSU))["agreement"]
        assert moved["post"] == {"id": ids["other_county_post"]} and moved["county"] == {"code": "621121"}
        posts = (await front.ok(POST_FILLED, {"year": YEAR}, **GANSU))["posts"]["edges"]
        places = {e["node"]["id"]: e["node"]["filled"] for e in posts}
        assert (places[ids["approved_post"]], places[ids["other_county_post"]]) == (0, 1), places
