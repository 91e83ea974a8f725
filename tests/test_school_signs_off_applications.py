"""R21: the school office signs off its own students' applications (approve, or reject with a reason),
recorded with who and when; R1: nobody else may; R7: not after the SCHOOL_SIGN_OFF_CLOSES milestone
(2027-05-17 for 2027-2028) unless the national office has extended it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx
import pytest

from hub.app import create_app
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import Client, error_codes
from tests.seed import YEAR, seed_reference, seed_volunteers

SIGN_OFF = """
mutation($input: SignOffApplicationInput!) {
  signOffApplication(input: $input) {
    application { id status schoolSignOff { decision reason by at } }
    userErrors { code field message }
  }
}"""

APPLICATIONS = """
query($year: String!, $schoolCode: String) {
  applications(year: $year, schoolCode: $schoolCode) {
    edges { node { id status volunteer { name } schoolSignOff { decision reason by at } } }
  }
}"""

SET_PROGRAM_YEAR = """
mutation($input: ProgramYearInput!) {
  setProgramYear(input: $input) {
    programYear { code milestones { milestone closesOn } }
    userErrors { code field message }
  }
}"""

LANZHOU = {"level": "school", "code": "10730", "sub": "teacher-wang"}


@asynccontextmanager
async def client_on(settings: Settings, today: date) -> AsyncIterator[Client]:
    """A second front end on the same database, whose hub takes `today` as the date (as conftest builds one)."""
    hub = Hub(dataclasses.replace(settings, today=today), HubPlugins())
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield Client(http, hub)
    finally:
        await hub.dispose()


@pytest.fixture
async def applications(client: Client) -> dict[str, str]:
    """Global ids of submitted applications: three students of 兰州大学 (10730), one of 北京大学 (10001)."""
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 3, "10730", start=1)
    await seed_volunteers(client.hub, 1, "10001", start=4)
    data = await client.ok(APPLICATIONS, {"year": YEAR}, level="national")
    by_name = {e["node"]["volunteer"]["name"]: e["node"]["id"] for e in data["applications"]["edges"]}
    return {
        "lan1": by_name["志愿者1"],
        "lan2": by_name["志愿者2"],
        "lan3": by_name["志愿者3"],
        "bei": by_name["志愿者4"],
    }


async def sign_off(client: Client, application_id: str, decision: str, reason: str | None = None, **actor: Any):  # type: ignore[no-untyped-def]
    payload: dict[str, Any] = {"applicationId": application_id, "decision": decision}
    if reason is not None:
        payload["reason"] = reason
    return await client.gql(SIGN_OFF, {"input": payload}, **(actor or LANZHOU))


async def stored(client: Client, application_id: str) -> dict[str, Any]:
    data = await client.ok(
        "query($id: ID!) { node(id: $id) { ... on Application { status schoolSignOff { decision reason by at } } } }",
        {"id": application_id},
        level="national",
    )
    return data["node"]


async def audit_rows(client: Client) -> int:
    return (await client.sql("SELECT count(*) FROM audit_entries"))[0][0]


def accepted(body: dict[str, Any]) -> dict[str, Any]:
    assert not body.get("errors"), body["errors"]
    payload = body["data"]["signOffApplication"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["application"]


def refused(body: dict[str, Any]) -> list[str]:
    assert not body.get("errors"), body["errors"]
    payload = body["data"]["signOffApplication"]
    assert payload["application"] is None
    return [e["code"] for e in payload["userErrors"]]


async def test_school_approves_its_students_application(client: Client, applications: dict[str, str]) -> None:
    application = accepted(await sign_off(client, applications["lan1"], "APPROVE"))
    assert application["id"] == applications["lan1"]
    assert application["status"] == "SCHOOL_APPROVED"
    record = application["schoolSignOff"]
    assert record["decision"] == "APPROVE"
    assert record["reason"] is None
    assert "teacher-wang" in record["by"]
    assert record["at"].startswith("2027-03-01")
    assert await stored(client, applications["lan1"]) == {"status": "SCHOOL_APPROVED", "schoolSignOff": record}


async def test_school_rejects_with_a_reason(client: Client, applications: dict[str, str]) -> None:
    application = accepted(await sign_off(client, applications["lan2"], "REJECT", "尚未取得毕业证书"))
    assert application["status"] == "SCHOOL_REJECTED"
    record = application["schoolSignOff"]
    assert record["decision"] == "REJECT"
    assert record["reason"] == "尚未取得毕业证书"
    assert "teacher-wang" in record["by"]
    assert record["at"].startswith("2027-03-01")
    assert await stored(client, applications["lan2"]) == {"status": "SCHOOL_REJECTED", "schoolSignOff": record}


@pytest.mark.parametrize("reason", [None, "", "   "])
async def test_a_rejection_without_a_reason_is_invalid(
    client: Client, applications: dict[str, str], reason: str | None
) -> None:
    body = await sign_off(client, applications["lan1"], "REJECT", reason)
    assert refused(body) == ["INVALID_INPUT"]
    assert body["data"]["signOffApplication"]["userErrors"][0]["field"] == ["input", "reason"]
    assert await stored(client, applications["lan1"]) == {"status": "SUBMITTED", "schoolSignOff": None}
    assert await audit_rows(client) == 0


async def test_another_schools_office_is_forbidden_and_nothing_is_written(
    client: Client, applications: dict[str, str]
) -> None:
    body = await sign_off(client, applications["lan1"], "APPROVE", level="school", code="10001", sub="teacher-zhang")
    assert error_codes(body) == ["FORBIDDEN"], body
    assert (body.get("data") or {}).get("signOffApplication") is None
    body = await sign_off(client, applications["bei"], "REJECT", "不是本校学生", **LANZHOU)
    assert error_codes(body) == ["FORBIDDEN"], body

    assert await stored(client, applications["lan1"]) == {"status": "SUBMITTED", "schoolSignOff": None}
    assert await stored(client, applications["bei"]) == {"status": "SUBMITTED", "schoolSignOff": None}
    assert await audit_rows(client) == 0
    rows = await client.sql("SELECT count(*) FROM applications WHERE sign_off_decision IS NOT NULL")
    assert rows[0][0] == 0


@pytest.mark.parametrize(
    "actor",
    [
        {"level": "national"},
        {"level": "provincial", "code": "62"},
        {"level": "county", "code": "621121"},
        {"level": "volunteer", "sub": "vol-1"},  # the applicant herself
    ],
    ids=["national", "provincial", "county", "volunteer"],
)
async def test_other_office_levels_are_forbidden(
    client: Client, applications: dict[str, str], actor: dict[str, str]
) -> None:
    body = await sign_off(client, applications["lan1"], "APPROVE", **actor)
    assert error_codes(body) == ["FORBIDDEN"], body
    assert await stored(client, applications["lan1"]) == {"status": "SUBMITTED", "schoolSignOff": None}
    assert await audit_rows(client) == 0


async def test_anonymous_caller_is_unauthenticated(client: Client, applications: dict[str, str]) -> None:
    body = await client.gql(SIGN_OFF, {"input": {"applicationId": applications["lan1"], "decision": "APPROVE"}})
    assert error_codes(body) == ["UNAUTHENTICATED"], body
    assert await stored(client, applications["lan1"]) == {"status": "SUBMITTED", "schoolSignOff": None}


@pytest.mark.parametrize("first,second", [("APPROVE", "APPROVE"), ("APPROVE", "REJECT"), ("REJECT", "APPROVE")])
async def test_signing_off_twice_is_an_invalid_state(
    client: Client, applications: dict[str, str], first: str, second: str
) -> None:
    done = accepted(await sign_off(client, applications["lan3"], first, "理由一"))
    assert refused(await sign_off(client, applications["lan3"], second, "理由二")) == ["INVALID_STATE"]
    assert await stored(client, applications["lan3"]) == {
        "status": done["status"],
        "schoolSignOff": done["schoolSignOff"],
    }
    assert await audit_rows(client) == 1


async def test_a_withdrawn_application_cannot_be_signed_off(client: Client, applications: dict[str, str]) -> None:
    withdrawn = await client.ok(
        """mutation($input: WithdrawApplicationInput!) {
             withdrawApplication(input: $input) { application { status } userErrors { code } } }""",
        {"input": {"applicationId": applications["lan1"], "reason": "考研"}},
        level="volunteer",
        sub="vol-1",
    )
    assert withdrawn["withdrawApplication"]["application"]["status"] == "WITHDRAWN"
    assert refused(await sign_off(client, applications["lan1"], "APPROVE")) == ["INVALID_STATE"]


async def test_an_unknown_application_is_not_found(client: Client, applications: dict[str, str]) -> None:
    assert refused(await sign_off(client, "QXBwbGljYXRpb246OTk5OTk=", "APPROVE")) == ["NOT_FOUND"]


async def test_sign_off_is_open_on_the_milestone_day(
    client: Client, settings: Settings, applications: dict[str, str]
) -> None:
    async with client_on(settings, date(2027, 5, 17)) as on_the_day:
        application = accepted(await sign_off(on_the_day, applications["lan1"], "APPROVE"))
    assert application["schoolSignOff"]["at"].startswith("2027-05-17")


async def test_after_the_milestone_the_deadline_has_passed_until_extended(
    client: Client, settings: Settings, applications: dict[str, str]
) -> None:
    async with client_on(settings, date(2027, 5, 18)) as late:
        assert refused(await sign_off(late, applications["lan1"], "APPROVE")) == ["DEADLINE_PASSED"]
        assert refused(await sign_off(late, applications["lan2"], "REJECT", "材料不全")) == ["DEADLINE_PASSED"]
        assert await stored(late, applications["lan1"]) == {"status": "SUBMITTED", "schoolSignOff": None}
        assert await audit_rows(late) == 0

        extended = await late.ok(
            SET_PROGRAM_YEAR,
            {
                "input": {
                    "code": YEAR,
                    "milestones": [{"milestone": "SCHOOL_SIGN_OFF_CLOSES", "closesOn": "2027-06-01"}],
                }
            },
            level="national",
        )
        assert extended["setProgramYear"]["userErrors"] == []
        milestones = {m["milestone"]: m["closesOn"] for m in extended["setProgramYear"]["programYear"]["milestones"]}
        assert milestones["SCHOOL_SIGN_OFF_CLOSES"] == "2027-06-01"

        application = accepted(await sign_off(late, applications["lan1"], "APPROVE"))
        assert application["status"] == "SCHOOL_APPROVED"
        assert application["schoolSignOff"]["at"].startswith("2027-05-18")

    async with client_on(settings, date(2027, 6, 2)) as later_still:
        assert refused(await sign_off(later_still, applications["lan2"], "APPROVE")) == ["DEADLINE_PASSED"]
