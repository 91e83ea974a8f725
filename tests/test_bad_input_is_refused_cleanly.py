"""Bad input, by hand: very long strings, control characters, emoji and symbols in names, invalid dates,
negative and huge numbers, duplicate ids in lists — each refused with a clear userError (or a GraphQL
validation error for what the schema's types already exclude), nothing written. Valid Chinese names,
including compound surnames, minority names with the middle dot and rare characters, are accepted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Client, error_codes
from tests.permission_tables import SEASON_TABLES, changed, snapshot
from tests.season import NATIONAL, REGISTER, SET_QUOTA, SET_SCALE, SET_YEAR, UPSERT_COUNTIES
from tests.seed import YEAR, id_number, seed_reference

VALID_NAMES = ["欧阳娜娜", "买买提·艾力", "阿卜杜热西提·阿卜杜热合曼", "王𪚥", "司马相如", "Anna Müller", "李 娜"]
INVALID_NAMES = {
    "emoji": "张三😀",
    "a NUL": "张\x00三",
    "a zero-width space": "张\u200b三",
    "a line break": "张\n三",
    "markup": "<b>张三</b>",
    "too long": "张" * 31,
    "only spaces": "   ",
    "SQL": "张三'; DROP TABLE volunteers; --",
}


def registration(name: str, seq: int) -> dict[str, Any]:
    return {
        "name": name,
        "idNumber": id_number(seq),
        "phone": f"139{seq:08d}",
        "schoolCode": "10730",
        "degree": "BACHELOR",
        "hasWorkExperience": False,
    }


async def refused_cleanly(front: Client, document: str, variables: dict[str, Any], field: str, **actor: Any) -> list:
    """Send the request; it must come back with userErrors (no GraphQL error), a null object and no write.
    The userErrors, for the caller to look at."""
    before = await snapshot(front, SEASON_TABLES)
    body = await front.gql(document, variables, **actor)
    assert not body.get("errors"), body
    payload = body["data"][field]
    assert payload["userErrors"], payload
    assert all(e["message"] and e["code"] for e in payload["userErrors"])
    assert changed(before, await snapshot(front, SEASON_TABLES)) == []
    return payload["userErrors"]


async def refused_by_validation(front: Client, document: str, variables: dict[str, Any], **actor: Any) -> str:
    before = await snapshot(front, SEASON_TABLES)
    body = await front.gql(document, variables, **actor)
    assert body.get("data") is None and body["errors"], body
    assert changed(before, await snapshot(front, SEASON_TABLES)) == []
    return body["errors"][0]["message"]


async def test_valid_chinese_and_other_names_are_accepted(client: Client) -> None:
    await seed_reference(client.hub)
    for n, name in enumerate(VALID_NAMES):
        data = await client.ok(REGISTER, {"input": registration(name, 500 + n)}, level="volunteer", sub=f"n{n}")
        assert data["registerVolunteer"]["userErrors"] == [], name
    stored = [row[0] for row in await client.sql("SELECT name FROM volunteers ORDER BY id")]
    assert stored == VALID_NAMES


@pytest.mark.parametrize("name", INVALID_NAMES.values(), ids=INVALID_NAMES.keys())
async def test_names_that_are_no_names_are_refused(client: Client, name: str) -> None:
    await seed_reference(client.hub)
    errors = await refused_cleanly(
        client, REGISTER, {"input": registration(name, 600)}, "registerVolunteer", level="volunteer", sub="bad"
    )
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", "name"])]


async def test_an_over_long_or_controlled_text_is_refused_on_every_database(client: Client) -> None:
    """SQLite would store 200 characters in a 40-character column; the hub refuses on both databases.
    A lone surrogate (valid JSON, \\ud800, but no text) is sent as the escaped JSON a client can send."""
    await seed_reference(client.hub)
    headers = {"authorization": f"Bearer {client.token('national')}", "content-type": "application/json"}
    for bad in ("县" * 200, "永昌\x07县", "永昌\ud800县"):
        counties = {"counties": [{"code": "620321", "name": bad, "keyAssistance": "LOCAL_KEY", "remote": True}]}
        before = await snapshot(client, SEASON_TABLES)
        raw = json.dumps({"query": UPSERT_COUNTIES, "variables": {"input": counties}}, ensure_ascii=True)
        body = (await client.http.post("/graphql", content=raw.encode(), headers=headers)).json()
        assert not body.get("errors"), body
        errors = body["data"]["upsertCounties"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", "name"])], errors
        assert changed(before, await snapshot(client, SEASON_TABLES)) == []


async def test_a_huge_string_is_refused_before_it_is_parsed(client: Client) -> None:
    response = await client.http.post(
        "/graphql", json={"query": "{ provinces { code } }", "variables": {"x": "长" * 3_000_000}}
    )
    assert response.status_code == 413


@pytest.mark.parametrize("closes_on", ["2027-02-30", "2027-13-01", "27-01-01", "", "2027-01-01T00:00:00"])
async def test_invalid_dates_are_validation_errors(client: Client, closes_on: str) -> None:
    await seed_reference(client.hub)
    variables = {
        "input": {"code": "2031-2032", "milestones": [{"milestone": "REGISTRATION_CLOSES", "closesOn": closes_on}]}
    }
    message = await refused_by_validation(client, SET_YEAR, variables, **NATIONAL)
    assert "Date" in message


async def test_negative_and_huge_numbers_are_refused(client: Client) -> None:
    await seed_reference(client.hub)
    for scale in (-1, -2_147_483_648):
        variables = {"input": {"year": YEAR, "provinceCode": "62", "scale": scale}}
        await refused_cleanly(client, SET_SCALE, variables, "setProvinceScale", **NATIONAL)
    variables = {"input": {"year": YEAR, "recruitingProvinceCode": "62", "servingProvinceCode": "53", "quota": -3}}
    await refused_cleanly(client, SET_QUOTA, variables, "setQuota", **NATIONAL)
    for huge in (2_147_483_648, 10**30):
        variables = {"input": {"year": YEAR, "provinceCode": "62", "scale": huge}}
        message = await refused_by_validation(client, SET_SCALE, variables, **NATIONAL)
        assert "Int" in message


async def test_duplicate_codes_in_a_list_are_refused(client: Client) -> None:
    await seed_reference(client.hub)
    county = {"code": "623027", "name": "夏河县", "keyAssistance": "NATIONAL_KEY", "remote": True}
    variables = {"input": {"counties": [county, {**county, "name": "夏河"}]}}
    errors = await refused_cleanly(client, UPSERT_COUNTIES, variables, "upsertCounties", **NATIONAL)
    assert errors[0]["code"] in ("DUPLICATE", "INVALID_INPUT"), errors
    apply = """mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) {
      application { id } userErrors { code field message } } }"""
    await client.ok(REGISTER, {"input": registration("欧阳娜娜", 700)}, level="volunteer", sub="dup")
    variables = {"input": {"year": YEAR, "preferredProvinceCodes": ["62", "62", "53"], "acceptsAdjustment": True}}
    errors = await refused_cleanly(client, apply, variables, "submitApplication", level="volunteer", sub="dup")
    assert errors[0]["code"] == "INVALID_INPUT"


async def test_a_huge_list_is_refused_by_the_body_limit_or_the_batch_rules(client: Client) -> None:
    await seed_reference(client.hub)
    county = {"name": "某县", "keyAssistance": "NATIONAL_KEY", "remote": True}
    counties = [{**county, "code": f"{n:06d}"} for n in range(150_000)]  # ~11 MiB, over the 8 MiB body limit
    response = await client.http.post(
        "/graphql",
        json={"query": UPSERT_COUNTIES, "variables": {"input": {"counties": counties}}},
        headers={"authorization": f"Bearer {client.token('national')}"},
    )
    assert response.status_code == 413
    assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
