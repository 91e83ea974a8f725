"""A volunteer registers once (R6, R19), applies for a program year with three distinct serving provinces
before registration closes (R7, R20), may withdraw, and reads only their own records (R1, R2a).

Black-box: GraphQL documents through the ASGI app with real volunteer tokens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from hub.app import create_app
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import Client, error_codes
from tests.seed import YEAR, seed_reference, seed_volunteers

REGISTER = """
mutation($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) {
    volunteer { id name gender birthDate idNumber phone degree school { code } }
    userErrors { code field message }
  }
}"""

SUBMIT = """
mutation($input: SubmitApplicationInput!) {
  submitApplication(input: $input) {
    application {
      id year status acceptsAdjustment
      recruitingProvince { code }
      preferences { code }
      school { code }
    }
    userErrors { code field message }
  }
}"""

WITHDRAW = """
mutation($input: WithdrawApplicationInput!) {
  withdrawApplication(input: $input) {
    application { id status }
    userErrors { code field message }
  }
}"""

ME = """
query {
  me {
    level subject
    volunteer { id name idNumber phone applications { id year status preferences { code } } }
  }
}"""

NODE = """
query($id: ID!) {
  node(id: $id) {
    id
    ... on Volunteer { name idNumber }
    ... on Application { status }
  }
}"""

APPLICATIONS = """
query($year: String!) {
  applications(year: $year) { totalCount edges { node { id status volunteer { id name } } } }
}"""

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check(first17: str) -> str:
    """An identity number with its GB 11643 (MOD 11-2) check character, computed here independently."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


# Sequence 123: odd 17th digit, male; 124: even, female.
MALE_ID = with_check("62010219991231123")
FEMALE_ID = with_check("53010220000229124")  # born on a leap day, a real date


def registration(id_number: str = MALE_ID, phone: str = "13912345678", school: str = "10730", **more: Any) -> dict:
    return {
        "input": {
            "name": "李明",
            "idNumber": id_number,
            "phone": phone,
            "schoolCode": school,
            "degree": "BACHELOR",
            "hasWorkExperience": False,
            **more,
        }
    }


def application(*provinces: str, year: str = YEAR) -> dict:
    return {"input": {"year": year, "preferredProvinceCodes": list(provinces), "acceptsAdjustment": False}}


async def write(client: Client, statement: str, **params: Any) -> None:
    """Change the database behind the hub's back, committed (client.sql only reads)."""
    async with client.hub.engine.begin() as connection:
        await connection.execute(text(statement), params)


async def count(client: Client, table: str) -> int:
    return (await client.sql(f"SELECT count(*) FROM {table}"))[0][0]


async def register(client: Client, sub: str, id_number: str = MALE_ID, school: str = "10730") -> dict[str, Any]:
    data = await client.ok(REGISTER, registration(id_number, school=school), level="volunteer", sub=sub)
    payload = data["registerVolunteer"]
    assert payload["userErrors"] == []
    return payload["volunteer"]


async def submit(client: Client, sub: str, *provinces: str) -> dict[str, Any]:
    data = await client.ok(SUBMIT, application(*(provinces or ("62", "53", "65"))), level="volunteer", sub=sub)
    return data["submitApplication"]


def refused(payload: dict[str, Any], key: str) -> list[tuple[str, list[str] | None]]:
    """The (code, field) pairs of a refused payload, whose object must be null."""
    assert payload[key] is None
    assert payload["userErrors"], "a refusal names at least one user error"
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


@asynccontextmanager
async def client_on(settings: Settings, today: date) -> AsyncIterator[Client]:
    """A second front end on the same database whose hub takes `today` as the date (R7: injectable clock)."""
    hub = Hub(dataclasses.replace(settings, today=today), HubPlugins())
    try:
        transport = httpx.ASGITransport(app=create_app(hub=hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield Client(http, hub)
    finally:
        await hub.dispose()


# ---------- registration (R6, R19) ----------


async def test_registration_derives_birth_date_and_gender_and_is_tied_to_the_account(client: Client) -> None:
    await seed_reference(client.hub)

    volunteer = await register(client, "acct-li")
    assert volunteer["name"] == "李明"
    assert volunteer["birthDate"] == "1999-12-31"
    assert volunteer["gender"] == "MALE"
    assert volunteer["idNumber"] == MALE_ID  # the volunteer sees their own number in full
    assert volunteer["phone"] == "13912345678"
    assert volunteer["school"] == {"code": "10730"}

    female = await register(client, "acct-wang", FEMALE_ID, school="10673")
    assert female["birthDate"] == "2000-02-29"
    assert female["gender"] == "FEMALE"

    me = (await client.ok(ME, level="volunteer", sub="acct-li"))["me"]
    assert me["level"] == "VOLUNTEER"
    assert me["subject"] == "acct-li"
    assert me["volunteer"]["id"] == volunteer["id"]
    assert me["volunteer"]["name"] == "李明"
    assert me["volunteer"]["applications"] == []

    unregistered = (await client.ok(ME, level="volunteer", sub="acct-nobody"))["me"]
    assert unregistered["volunteer"] is None
    assert await count(client, "volunteers") == 2


async def test_an_account_and_an_identity_number_register_only_once(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")

    again = await client.ok(REGISTER, registration(FEMALE_ID), level="volunteer", sub="acct-li")
    assert "DUPLICATE" in [code for code, _ in refused(again["registerVolunteer"], "volunteer")]

    same_number = await client.ok(REGISTER, registration(MALE_ID), level="volunteer", sub="acct-other")
    assert "DUPLICATE" in [code for code, _ in refused(same_number["registerVolunteer"], "volunteer")]

    # The same number written with surrounding blanks is still the same number.
    padded = await client.ok(REGISTER, registration(f" {MALE_ID} "), level="volunteer", sub="acct-third")
    assert "DUPLICATE" in [code for code, _ in refused(padded["registerVolunteer"], "volunteer")]

    assert await count(client, "volunteers") == 1
    rows = await client.sql("SELECT subject FROM volunteers")
    assert [r[0] for r in rows] == ["acct-li"]


INVALID_REGISTRATIONS = {
    "id number too short": (registration(MALE_ID[:17]), [("INVALID_INPUT", ["input", "idNumber"])]),
    "id number too long": (registration(MALE_ID + "1"), [("INVALID_INPUT", ["input", "idNumber"])]),
    "id number with a letter inside": (
        registration("6201021999A231123X"),
        [("INVALID_INPUT", ["input", "idNumber"])],
    ),
    "wrong check digit": (
        registration(MALE_ID[:17] + ("0" if MALE_ID[17] != "0" else "1")),
        [("INVALID_INPUT", ["input", "idNumber"])],
    ),
    "February 30th": (
        registration(with_check("62010220040230123")),
        [("INVALID_INPUT", ["input", "idNumber"])],
    ),
    "thirteenth month": (
        registration(with_check("62010220041301123")),
        [("INVALID_INPUT", ["input", "idNumber"])],
    ),
    "February 29th of a common year": (
        registration(with_check("62010220030229123")),
        [("INVALID_INPUT", ["input", "idNumber"])],
    ),
    "phone of ten digits": (registration(phone="1391234567"), [("INVALID_INPUT", ["input", "phone"])]),
    "phone of twelve digits": (registration(phone="139123456789"), [("INVALID_INPUT", ["input", "phone"])]),
    "landline number": (registration(phone="09318888888"), [("INVALID_INPUT", ["input", "phone"])]),
    "phone not starting 13-19": (registration(phone="12012345678"), [("INVALID_INPUT", ["input", "phone"])]),
    "phone with letters": (registration(phone="1391234567a"), [("INVALID_INPUT", ["input", "phone"])]),
    "unknown school": (registration(school="99999"), [("NOT_FOUND", ["input", "schoolCode"])]),
    "three faults at once": (
        registration(MALE_ID[:17] + ("0" if MALE_ID[17] != "0" else "1"), phone="12345", school="99999"),
        [
            ("INVALID_INPUT", ["input", "idNumber"]),
            ("INVALID_INPUT", ["input", "phone"]),
            ("NOT_FOUND", ["input", "schoolCode"]),
        ],
    ),
}


@pytest.mark.parametrize("case", list(INVALID_REGISTRATIONS))
async def test_an_invalid_registration_names_each_field_at_fault_and_writes_nothing(client: Client, case: str) -> None:
    await seed_reference(client.hub)
    variables, expected = INVALID_REGISTRATIONS[case]

    data = await client.ok(REGISTER, variables, level="volunteer", sub="acct-li")
    problems = refused(data["registerVolunteer"], "volunteer")
    assert sorted(problems, key=repr) == sorted(expected, key=repr)
    assert all(e["message"] for e in data["registerVolunteer"]["userErrors"])

    assert await count(client, "volunteers") == 0
    assert await count(client, "audit_entries") == 0
    assert (await client.ok(ME, level="volunteer", sub="acct-li"))["me"]["volunteer"] is None


@pytest.mark.parametrize(
    ("actor", "code"),
    [({}, "UNAUTHENTICATED"), ({"level": "school", "code": "10730"}, "FORBIDDEN")],
    ids=["anonymous", "school office"],
)
async def test_only_a_volunteer_account_may_register(client: Client, actor: dict[str, str], code: str) -> None:
    await seed_reference(client.hub)

    body = await client.gql(REGISTER, registration(), **actor)
    assert error_codes(body) == [code]
    assert body.get("data") is None or body["data"].get("registerVolunteer") is None

    assert await count(client, "volunteers") == 0
    assert await count(client, "audit_entries") == 0


# ---------- application (R7, R20) ----------


async def test_an_application_names_three_serving_provinces_in_order(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li", school="10730")

    payload = await submit(client, "acct-li", "53", "45", "62")
    assert payload["userErrors"] == []
    created = payload["application"]
    assert created["year"] == YEAR
    assert created["status"] == "SUBMITTED"
    assert created["acceptsAdjustment"] is False
    assert created["recruitingProvince"] == {"code": "62"}  # the province of 兰州大学
    assert created["school"] == {"code": "10730"}
    assert [p["code"] for p in created["preferences"]] == ["53", "45", "62"]

    me = (await client.ok(ME, level="volunteer", sub="acct-li"))["me"]["volunteer"]
    assert me["applications"] == [
        {
            "id": created["id"],
            "year": YEAR,
            "status": "SUBMITTED",
            "preferences": [{"code": c} for c in ("53", "45", "62")],
        }
    ]


async def test_the_recruiting_province_is_the_province_of_the_school(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-bei", school="10001")

    payload = await submit(client, "acct-bei", "65", "62", "53")
    assert payload["userErrors"] == []
    assert payload["application"]["recruitingProvince"] == {"code": "11"}  # 北京大学 recruits through Beijing


BAD_PREFERENCES = {
    "two provinces": ("62", "53"),
    "four provinces": ("62", "53", "65", "45"),
    "a repeated province": ("62", "53", "62"),
    "one province three times": ("62", "62", "62"),
    "Beijing does not serve": ("62", "53", "11"),
    "Gansu written with blanks and repeated": ("62", " 62", "53"),
    "no such province": ("62", "53", "99"),
}


@pytest.mark.parametrize("case", list(BAD_PREFERENCES))
async def test_preferences_must_be_three_distinct_serving_provinces(client: Client, case: str) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")
    audit_before = await count(client, "audit_entries")

    payload = await submit(client, "acct-li", *BAD_PREFERENCES[case])
    assert refused(payload, "application") == [("INVALID_INPUT", ["input", "preferredProvinceCodes"])]

    assert await count(client, "applications") == 0
    assert await count(client, "audit_entries") == audit_before


async def test_a_province_without_scale_that_year_is_not_serving(client: Client) -> None:
    await seed_reference(client.hub)
    # The seed gives Guangxi (45) a scale; take it back to zero (R2: serving means scale > 0).
    await write(client, "UPDATE province_scales SET scale = 0 WHERE year = :year AND province_code = '45'", year=YEAR)
    await register(client, "acct-li")

    payload = await submit(client, "acct-li", "62", "53", "45")
    assert refused(payload, "application") == [("INVALID_INPUT", ["input", "preferredProvinceCodes"])]
    assert await count(client, "applications") == 0


async def test_one_active_application_per_volunteer_and_year(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")
    first = await submit(client, "acct-li", "62", "53", "65")
    assert first["userErrors"] == []

    second = await submit(client, "acct-li", "45", "53", "65")
    assert [code for code, _ in refused(second, "application")] == ["DUPLICATE"]

    rows = await client.sql("SELECT preference_1, status FROM applications")
    assert [tuple(r) for r in rows] == [("62", "SUBMITTED")]


async def test_applying_before_registering_is_ineligible(client: Client) -> None:
    await seed_reference(client.hub)

    payload = await submit(client, "acct-unregistered", "62", "53", "65")
    assert [code for code, _ in refused(payload, "application")] == ["INELIGIBLE"]
    assert await count(client, "applications") == 0
    assert await count(client, "audit_entries") == 0


async def test_an_unknown_program_year_is_not_found(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")

    data = await client.ok(SUBMIT, application("62", "53", "65", year="2031-2032"), level="volunteer", sub="acct-li")
    assert refused(data["submitApplication"], "application") == [("NOT_FOUND", ["input", "year"])]
    assert await count(client, "applications") == 0


@pytest.mark.parametrize(
    ("today", "accepted"),
    [(date(2027, 5, 16), True), (date(2027, 5, 17), False), (date(2027, 9, 1), False)],
    ids=["on the closing day", "the day after", "months later"],
)
async def test_applications_close_with_registration(
    client: Client, settings: Settings, today: date, accepted: bool
) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")  # registered while it was open (2027-03-01)

    async with client_on(settings, today) as later:
        payload = (await later.ok(SUBMIT, application("62", "53", "65"), level="volunteer", sub="acct-li"))[
            "submitApplication"
        ]
    if accepted:
        assert payload["userErrors"] == []
        assert payload["application"]["status"] == "SUBMITTED"
        assert await count(client, "applications") == 1
    else:
        assert [code for code, _ in refused(payload, "application")] == ["DEADLINE_PASSED"]
        assert await count(client, "applications") == 0


async def test_an_extended_registration_milestone_keeps_applications_open(client: Client, settings: Settings) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")
    await write(  # what the national office's extension of the milestone leaves in the timeline (R7)
        client,
        "UPDATE milestone_dates SET closes_on = :on WHERE year = :year AND milestone = 'REGISTRATION_CLOSES'",
        on=date(2027, 5, 31),
        year=YEAR,
    )

    async with client_on(settings, date(2027, 5, 20)) as later:
        payload = (await later.ok(SUBMIT, application("62", "53", "65"), level="volunteer", sub="acct-li"))[
            "submitApplication"
        ]
    assert payload["userErrors"] == []


# ---------- withdrawal ----------


async def test_a_volunteer_withdraws_and_may_apply_again(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")
    first = (await submit(client, "acct-li", "62", "53", "65"))["application"]

    data = await client.ok(
        WITHDRAW, {"input": {"applicationId": first["id"], "reason": "考研上岸"}}, level="volunteer", sub="acct-li"
    )
    assert data["withdrawApplication"]["userErrors"] == []
    assert data["withdrawApplication"]["application"] == {"id": first["id"], "status": "WITHDRAWN"}

    again = await submit(client, "acct-li", "45", "62", "53")
    assert again["userErrors"] == []
    assert again["application"]["id"] != first["id"]
    assert [p["code"] for p in again["application"]["preferences"]] == ["45", "62", "53"]

    mine = (await client.ok(ME, level="volunteer", sub="acct-li"))["me"]["volunteer"]["applications"]
    assert sorted((a["id"], a["status"]) for a in mine) == sorted(
        [(first["id"], "WITHDRAWN"), (again["application"]["id"], "SUBMITTED")]
    )

    # A second active application is still refused: the new one is the active one now.
    third = await submit(client, "acct-li", "62", "53", "65")
    assert [code for code, _ in refused(third, "application")] == ["DUPLICATE"]


async def test_withdrawing_twice_is_an_invalid_state(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")
    first = (await submit(client, "acct-li"))["application"]
    variables = {"input": {"applicationId": first["id"], "reason": "个人原因"}}

    assert (await client.ok(WITHDRAW, variables, level="volunteer", sub="acct-li"))["withdrawApplication"][
        "userErrors"
    ] == []
    audit_after_first = await count(client, "audit_entries")

    twice = (await client.ok(WITHDRAW, variables, level="volunteer", sub="acct-li"))["withdrawApplication"]
    assert [code for code, _ in refused(twice, "application")] == ["INVALID_STATE"]
    assert await count(client, "audit_entries") == audit_after_first


async def test_withdrawing_someone_elses_application_is_forbidden(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-li")
    await register(client, "acct-wang", FEMALE_ID)
    theirs = (await submit(client, "acct-wang"))["application"]
    audit_before = await count(client, "audit_entries")

    body = await client.gql(
        WITHDRAW, {"input": {"applicationId": theirs["id"], "reason": "恶作剧"}}, level="volunteer", sub="acct-li"
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert body.get("data") is None or body["data"].get("withdrawApplication") is None

    rows = await client.sql("SELECT status, withdrawn_reason FROM applications")
    assert [tuple(r) for r in rows] == [("SUBMITTED", None)]
    assert await count(client, "audit_entries") == audit_before

    # An account that never registered is refused the same way.
    stranger = await client.gql(
        WITHDRAW, {"input": {"applicationId": theirs["id"], "reason": "x"}}, level="volunteer", sub="acct-stranger"
    )
    assert error_codes(stranger) == ["FORBIDDEN"]
    assert (await client.sql("SELECT status FROM applications"))[0][0] == "SUBMITTED"


# ---------- reading one's own records (R1, R2a) ----------


async def test_a_volunteer_reads_only_their_own_records(client: Client) -> None:
    await seed_reference(client.hub)
    others = await seed_volunteers(client.hub, 2, county="621121")  # vol-1, vol-2 with submitted applications
    assert len(others) == 2
    mine = await register(client, "acct-li")
    my_application = (await submit(client, "acct-li"))["application"]

    me = (await client.ok(ME, level="volunteer", sub="acct-li"))["me"]["volunteer"]
    assert me["id"] == mine["id"]
    assert me["idNumber"] == MALE_ID
    assert me["phone"] == "13912345678"
    assert [a["id"] for a in me["applications"]] == [my_application["id"]]

    listed = (await client.ok(APPLICATIONS, {"year": YEAR}, level="volunteer", sub="acct-li"))["applications"]
    assert listed["totalCount"] == 1
    assert [e["node"]["id"] for e in listed["edges"]] == [my_application["id"]]
    assert listed["edges"][0]["node"]["volunteer"]["id"] == mine["id"]

    own_node = (await client.ok(NODE, {"id": mine["id"]}, level="volunteer", sub="acct-li"))["node"]
    assert own_node == {"id": mine["id"], "name": "李明", "idNumber": MALE_ID}
    own_application = (await client.ok(NODE, {"id": my_application["id"]}, level="volunteer", sub="acct-li"))["node"]
    assert own_application == {"id": my_application["id"], "status": "SUBMITTED"}

    # Someone else's volunteer record and application: FORBIDDEN, no data.
    other_ids = (await client.ok(APPLICATIONS, {"year": YEAR}, level="volunteer", sub="vol-1"))["applications"]["edges"]
    assert len(other_ids) == 1
    other_application = other_ids[0]["node"]["id"]
    other_volunteer = other_ids[0]["node"]["volunteer"]["id"]
    assert other_volunteer != mine["id"]
    for foreign in (other_volunteer, other_application):
        body = await client.gql(NODE, {"id": foreign}, level="volunteer", sub="acct-li")
        assert error_codes(body) == ["FORBIDDEN"]
        assert (body.get("data") or {}).get("node") is None

    # An account that has not registered sees nothing at all.
    nobody = (await client.ok(APPLICATIONS, {"year": YEAR}, level="volunteer", sub="acct-nobody"))["applications"]
    assert nobody == {"totalCount": 0, "edges": []}
    body = await client.gql(NODE, {"id": mine["id"]}, level="volunteer", sub="acct-nobody")
    assert error_codes(body) == ["FORBIDDEN"]


async def test_anonymous_callers_may_not_apply_or_read_volunteers(client: Client) -> None:
    await seed_reference(client.hub)
    mine = await register(client, "acct-li")

    for document, variables in (
        (SUBMIT, application("62", "53", "65")),
        (ME, None),
        (APPLICATIONS, {"year": YEAR}),
        (NODE, {"id": mine["id"]}),
    ):
        body = await client.gql(document, variables)
        assert error_codes(body) == ["UNAUTHENTICATED"], document
    assert await count(client, "applications") == 0
