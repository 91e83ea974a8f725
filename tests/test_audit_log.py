"""R42: every accepted mutation writes one audit entry (actor, operation, target ids, changes) in its own
transaction; a refused one writes none. The log is read by the national office and by the offices (and
the volunteer) whose jurisdiction an entry touches (R1)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Client, error_codes
from tests.seed import YEAR, id_number, seed_reference

REGISTER = """
mutation($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) { volunteer { id } userErrors { code field message } }
}"""

SUBMIT = """
mutation($input: SubmitApplicationInput!) {
  submitApplication(input: $input) { application { id status } userErrors { code field message } }
}"""

SIGN_OFF = """
mutation($input: SignOffApplicationInput!) {
  signOffApplication(input: $input) { application { id status } userErrors { code field message } }
}"""

AUDIT_LOG = """
query($targetId: ID, $first: Int, $after: String) {
  auditLog(targetId: $targetId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id at actorLevel actorCode actorSubject operation targetIds changes } }
  }
}"""


async def audit_rows(client: Client) -> int:
    return (await client.sql("SELECT count(*) FROM audit_entries"))[0][0]


async def register(client: Client, sub: str, seq: int, school: str) -> str:
    data = await client.ok(
        REGISTER,
        {
            "input": {
                "name": f"申请人{seq}",
                "idNumber": id_number(seq),
                "phone": f"138{seq:08d}",
                "schoolCode": school,
                "degree": "BACHELOR",
                "hasWorkExperience": False,
            }
        },
        level="volunteer",
        sub=sub,
    )
    payload = data["registerVolunteer"]
    assert payload["userErrors"] == []
    return payload["volunteer"]["id"]


async def submit(client: Client, sub: str) -> str:
    data = await client.ok(
        SUBMIT,
        {"input": {"year": YEAR, "preferredProvinceCodes": ["62", "53", "65"], "acceptsAdjustment": True}},
        level="volunteer",
        sub=sub,
    )
    payload = data["submitApplication"]
    assert payload["userErrors"] == []
    return payload["application"]["id"]


async def read_log(client: Client, target_id: str | None = None, **as_actor: Any) -> list[dict[str, Any]]:
    """Every entry the actor may read (walking all pages)."""
    entries: list[dict[str, Any]] = []
    after = None
    while True:
        data = await client.ok(AUDIT_LOG, {"targetId": target_id, "first": 50, "after": after}, **as_actor)
        connection = data["auditLog"]
        entries.extend(edge["node"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            assert connection["totalCount"] == len(entries)
            return entries
        after = connection["pageInfo"]["endCursor"]


def changes_text(entry: dict[str, Any]) -> str:
    changes = entry["changes"]
    return changes if isinstance(changes, str) else json.dumps(changes, ensure_ascii=False)


@pytest.fixture
async def story(client: Client) -> dict[str, str]:
    """Two students apply: `lan` of 兰州大学 (10730, Gansu), signed off by her school; `bei` of 北京大学 (10001)."""
    await seed_reference(client.hub)
    ids = {
        "lan_volunteer": await register(client, "acct-lan", 801, "10730"),
        "lan_application": await submit(client, "acct-lan"),
        "bei_volunteer": await register(client, "acct-bei", 802, "10001"),
        "bei_application": await submit(client, "acct-bei"),
    }
    data = await client.ok(
        SIGN_OFF,
        {"input": {"applicationId": ids["lan_application"], "decision": "APPROVE"}},
        level="school",
        code="10730",
        sub="teacher-wang",
    )
    assert data["signOffApplication"]["userErrors"] == []
    return ids


async def test_each_accepted_mutation_writes_exactly_one_entry(client: Client) -> None:
    await seed_reference(client.hub)
    assert await audit_rows(client) == 0

    volunteer_id = await register(client, "acct-one", 811, "10730")
    assert await audit_rows(client) == 1
    application_id = await submit(client, "acct-one")
    assert await audit_rows(client) == 2
    data = await client.ok(
        SIGN_OFF,
        {"input": {"applicationId": application_id, "decision": "REJECT", "reason": "未满足毕业条件"}},
        level="school",
        code="10730",
        sub="teacher-wang",
    )
    assert data["signOffApplication"]["userErrors"] == []
    assert await audit_rows(client) == 3

    entries = await read_log(client, level="national", sub="auditor")
    by_operation = {e["operation"]: e for e in entries}
    assert sorted(by_operation) == ["registerVolunteer", "signOffApplication", "submitApplication"]
    assert len(entries) == 3

    registered = by_operation["registerVolunteer"]
    assert registered["actorLevel"] == "VOLUNTEER"
    assert registered["actorCode"] is None
    assert registered["actorSubject"] == "acct-one"
    assert registered["targetIds"] == [volunteer_id]
    assert "申请人811" in changes_text(registered)
    assert registered["at"].startswith("2027-03-01")

    submitted = by_operation["submitApplication"]
    assert submitted["actorLevel"] == "VOLUNTEER"
    assert submitted["actorSubject"] == "acct-one"
    assert submitted["targetIds"] == [application_id]
    assert "SUBMITTED" in changes_text(submitted)

    signed = by_operation["signOffApplication"]
    assert signed["actorLevel"] == "SCHOOL"
    assert signed["actorCode"] == "10730"
    assert signed["actorSubject"] == "teacher-wang"
    assert signed["targetIds"] == [application_id]
    assert "SCHOOL_REJECTED" in changes_text(signed)
    assert "未满足毕业条件" in changes_text(signed)


async def test_refused_mutations_write_no_entry(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-two", 821, "10730")
    application_id = await submit(client, "acct-two")
    before = await audit_rows(client)

    # Domain refusals (userErrors): a bad identity number, a second registration, a second application.
    bad = await client.ok(
        REGISTER,
        {
            "input": {
                "name": "坏号码",
                "idNumber": "620102200405060000",
                "phone": "13800000000",
                "schoolCode": "10730",
                "degree": "BACHELOR",
                "hasWorkExperience": False,
            }
        },
        level="volunteer",
        sub="acct-bad",
    )
    assert bad["registerVolunteer"]["volunteer"] is None
    assert "INVALID_INPUT" in [e["code"] for e in bad["registerVolunteer"]["userErrors"]]
    again = await client.ok(
        SUBMIT,
        {"input": {"year": YEAR, "preferredProvinceCodes": ["62", "53", "65"], "acceptsAdjustment": True}},
        level="volunteer",
        sub="acct-two",
    )
    assert again["submitApplication"]["application"] is None
    assert [e["code"] for e in again["submitApplication"]["userErrors"]] == ["DUPLICATE"]
    no_reason = await client.ok(
        SIGN_OFF,
        {"input": {"applicationId": application_id, "decision": "REJECT"}},
        level="school",
        code="10730",
    )
    assert [e["code"] for e in no_reason["signOffApplication"]["userErrors"]] == ["INVALID_INPUT"]
    assert await audit_rows(client) == before

    # Permission refusals: another school's office, an office of the wrong level, no token at all.
    for actor in ({"level": "school", "code": "10001"}, {"level": "national"}):
        body = await client.gql(SIGN_OFF, {"input": {"applicationId": application_id, "decision": "APPROVE"}}, **actor)
        assert error_codes(body) == ["FORBIDDEN"], body
    body = await client.gql(SIGN_OFF, {"input": {"applicationId": application_id, "decision": "APPROVE"}})
    assert error_codes(body) == ["UNAUTHENTICATED"], body
    assert await audit_rows(client) == before


async def test_audit_log_filters_by_target(client: Client, story: dict[str, str]) -> None:
    entries = await read_log(client, story["lan_application"], level="national")
    assert sorted(e["operation"] for e in entries) == ["signOffApplication", "submitApplication"]
    assert all(story["lan_application"] in e["targetIds"] for e in entries)

    entries = await read_log(client, story["bei_volunteer"], level="national")
    assert [e["operation"] for e in entries] == ["registerVolunteer"]
    assert entries[0]["targetIds"] == [story["bei_volunteer"]]


def targets(entries: list[dict[str, Any]]) -> set[str]:
    return {t for e in entries for t in e["targetIds"]}


async def test_national_office_reads_every_entry(client: Client, story: dict[str, str]) -> None:
    entries = await read_log(client, level="national")
    assert len(entries) == 5
    assert targets(entries) == set(story.values())


async def test_school_office_reads_entries_of_its_own_students_only(client: Client, story: dict[str, str]) -> None:
    lan = await read_log(client, level="school", code="10730")
    assert sorted(e["operation"] for e in lan) == ["registerVolunteer", "signOffApplication", "submitApplication"]
    assert targets(lan) == {story["lan_volunteer"], story["lan_application"]}

    bei = await read_log(client, level="school", code="10001")
    assert sorted(e["operation"] for e in bei) == ["registerVolunteer", "submitApplication"]
    assert targets(bei) == {story["bei_volunteer"], story["bei_application"]}

    # Filtering by another school's student's id finds nothing (not an error: the log is filtered).
    assert await read_log(client, story["bei_application"], level="school", code="10730") == []


async def test_recruiting_province_reads_entries_of_its_schools_students(client: Client, story: dict[str, str]) -> None:
    gansu = await read_log(client, level="provincial", code="62")
    assert targets(gansu) == {story["lan_volunteer"], story["lan_application"]}
    beijing = await read_log(client, level="provincial", code="11")
    assert targets(beijing) == {story["bei_volunteer"], story["bei_application"]}


async def test_volunteer_reads_entries_touching_themself_only(client: Client, story: dict[str, str]) -> None:
    lan = await read_log(client, level="volunteer", sub="acct-lan")
    assert sorted(e["operation"] for e in lan) == ["registerVolunteer", "signOffApplication", "submitApplication"]
    assert targets(lan) == {story["lan_volunteer"], story["lan_application"]}

    bei = await read_log(client, level="volunteer", sub="acct-bei")
    assert targets(bei) == {story["bei_volunteer"], story["bei_application"]}

    assert await read_log(client, level="volunteer", sub="acct-nobody") == []


async def test_county_office_outside_these_entries_sees_none(client: Client, story: dict[str, str]) -> None:
    assert await read_log(client, level="county", code="530629") == []
    assert await read_log(client, story["lan_application"], level="county", code="530629") == []


async def test_anonymous_caller_cannot_read_the_audit_log(client: Client, story: dict[str, str]) -> None:
    body = await client.gql(AUDIT_LOG, {})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body.get("data") is None or body["data"].get("auditLog") is None
