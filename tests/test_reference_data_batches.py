"""R3–R5, R19: the national office upserts counties and schools in batches, by code — the first time they are
inserted, afterwards updated — and reads them back by code and under their province. A batch is all or
nothing: each bad row is its own userError (its index in the field path) and none of the batch is written,
nor audited (R42)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client
from tests.season import NATIONAL, UPSERT_COUNTIES, UPSERT_SCHOOLS, must, payload
from tests.seed import seed_reference

COUNTY = """query($code: String!) { county(code: $code) {
  code name province { code } keyAssistance remote fundingZone status } }"""
SCHOOL = """query($code: String!) { school(code: $code) { code name province { code } } }"""
PROVINCE_SCHOOLS = """query($code: String!) { province(code: $code) { schools { code name } } }"""


async def count(client: Client, table: str) -> int:
    return (await client.sql(f"SELECT count(*) FROM {table}"))[0][0]


async def county(client: Client, code: str) -> dict[str, Any] | None:
    return (await client.ok(COUNTY, {"code": code}, **NATIONAL))["county"]


async def school(client: Client, code: str) -> dict[str, Any] | None:
    return (await client.ok(SCHOOL, {"code": code}, **NATIONAL))["school"]


async def schools_of(client: Client, province: str) -> dict[str, str]:
    data = await client.ok(PROVINCE_SCHOOLS, {"code": province}, **NATIONAL)
    return {s["code"]: s["name"] for s in data["province"]["schools"]}


async def refused_batch(client: Client, document: str, input: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """Run a batch that must be refused; its (code, field) user errors. Nothing of it is written or audited."""
    tables = ("counties", "schools", "audit_entries", "audit_scopes")
    before = {t: await count(client, t) for t in tables}
    result = payload(await client.ok(document, {"input": input}, **NATIONAL))
    assert all(value == [] for key, value in result.items() if key != "userErrors"), result
    assert all(e["message"] for e in result["userErrors"])
    assert {t: await count(client, t) for t in tables} == before
    return [(e["code"], e["field"]) for e in result["userErrors"]]


async def test_counties_are_inserted_then_updated_by_code(client: Client) -> None:
    before = await count(client, "counties")
    inserted = await must(
        client,
        UPSERT_COUNTIES,
        {
            "counties": [
                {"code": "621122", "name": "陇西县", "keyAssistance": "NATIONAL_KEY", "remote": True},
                {"code": "653121", "name": "疏附县", "keyAssistance": "LOCAL_KEY", "remote": False},
                {"code": "411523", "name": "新县", "keyAssistance": "POVERTY_EXITED"},
            ]
        },
        NATIONAL,
    )
    assert [(c["code"], c["province"]["code"]) for c in inserted["counties"]] == [
        ("621122", "62"),
        ("653121", "65"),
        ("411523", "41"),
    ]
    assert await count(client, "counties") == before + 3
    assert await county(client, "621122") == {
        "code": "621122",
        "name": "陇西县",
        "province": {"code": "62"},
        "keyAssistance": "NATIONAL_KEY",
        "remote": True,
        "fundingZone": "WEST",
        "status": "NOT_SERVICE",
    }
    kashgar = await county(client, "653121")
    assert (kashgar["keyAssistance"], kashgar["remote"], kashgar["fundingZone"]) == (
        "LOCAL_KEY",
        False,
        "SOUTH_XINJIANG_TIBET",  # R4: 6531 Kashgar
    )
    henan = await county(client, "411523")
    assert (henan["remote"], henan["fundingZone"]) == (False, "CENTRAL")  # remote not given: not remote

    updated = await must(
        client,
        UPSERT_COUNTIES,
        {
            "counties": [
                {"code": "621122", "name": "陇西县（更名）", "keyAssistance": "LOCAL_KEY", "remote": False},
                {"code": "411523", "name": "新县", "keyAssistance": "NONE", "remote": True},
            ]
        },
        NATIONAL,
    )
    assert [c["name"] for c in updated["counties"]] == ["陇西县（更名）", "新县"]
    assert await count(client, "counties") == before + 3  # updated in place, not duplicated
    renamed = await county(client, "621122")
    assert (renamed["name"], renamed["keyAssistance"], renamed["remote"]) == ("陇西县（更名）", "LOCAL_KEY", False)
    henan = await county(client, "411523")
    assert (henan["keyAssistance"], henan["remote"]) == ("NONE", True)
    assert (await county(client, "653121"))["name"] == "疏附县"  # not in the batch: untouched


async def test_updating_a_service_county_keeps_its_status(client: Client) -> None:
    await seed_reference(client.hub)  # 621121 通渭县 is an ACTIVE service county
    await must(
        client,
        UPSERT_COUNTIES,
        {"counties": [{"code": "621121", "name": "通渭县", "keyAssistance": "LOCAL_KEY", "remote": True}]},
        NATIONAL,
    )
    record = await county(client, "621121")
    assert (record["status"], record["keyAssistance"], record["remote"]) == ("ACTIVE", "LOCAL_KEY", True)


async def test_schools_are_inserted_then_updated_by_code(client: Client) -> None:
    before = await count(client, "schools")
    await must(
        client,
        UPSERT_SCHOOLS,
        {
            "schools": [
                {"code": "10730", "name": "兰州大学", "provinceCode": "62"},
                {"code": "10736", "name": "西北师范大学", "provinceCode": "62"},
                {"code": "10673", "name": "云南大学", "provinceCode": "53"},
            ]
        },
        NATIONAL,
    )
    assert await count(client, "schools") == before + 3
    assert await school(client, "10736") == {"code": "10736", "name": "西北师范大学", "province": {"code": "62"}}
    assert await schools_of(client, "62") == {"10730": "兰州大学", "10736": "西北师范大学"}
    assert await schools_of(client, "53") == {"10673": "云南大学"}

    updated = await must(
        client,
        UPSERT_SCHOOLS,
        {
            "schools": [
                {"code": "10736", "name": "西北师范大学（新校区）", "provinceCode": "62"},
                {"code": "10673", "name": "云南大学", "provinceCode": "52"},  # corrected province
            ]
        },
        NATIONAL,
    )
    assert [(s["code"], s["name"], s["province"]["code"]) for s in updated["schools"]] == [
        ("10736", "西北师范大学（新校区）", "62"),
        ("10673", "云南大学", "52"),
    ]
    assert await count(client, "schools") == before + 3
    assert await school(client, "10736") == {
        "code": "10736",
        "name": "西北师范大学（新校区）",
        "province": {"code": "62"},
    }
    assert await schools_of(client, "62") == {"10730": "兰州大学", "10736": "西北师范大学（新校区）"}
    assert await schools_of(client, "53") == {}
    assert await schools_of(client, "52") == {"10673": "云南大学"}


async def test_a_county_batch_with_bad_rows_reports_each_and_writes_none(client: Client) -> None:
    good = {"code": "621122", "name": "陇西县", "keyAssistance": "NATIONAL_KEY", "remote": True}
    rows = [
        good,
        {**good, "code": "62112", "name": "五位码县"},  # 1: not six digits
        {**good, "code": "62112a", "name": "字母县"},  # 2: not digits
        {**good, "code": "991234", "name": "无省县"},  # 3: no province 99
        {**good, "name": "陇西县二"},  # 4: the code of row 0 again
        {**good, "code": "530628", "name": "   "},  # 5: empty name
        {**good, "code": "530629", "name": "威信县"},
    ]
    errors = await refused_batch(client, UPSERT_COUNTIES, {"counties": rows})
    assert errors == [
        ("INVALID_INPUT", ["input", "counties", "1", "code"]),
        ("INVALID_INPUT", ["input", "counties", "2", "code"]),
        ("NOT_FOUND", ["input", "counties", "3", "code"]),
        ("DUPLICATE", ["input", "counties", "4", "code"]),
        ("INVALID_INPUT", ["input", "counties", "5", "name"]),
    ]
    for code in ("621122", "530629"):  # the good rows were not written either
        assert await county(client, code) is None


async def test_a_school_batch_with_bad_rows_reports_each_and_writes_none(client: Client) -> None:
    await must(
        client, UPSERT_SCHOOLS, {"schools": [{"code": "10730", "name": "兰州大学", "provinceCode": "62"}]}, NATIONAL
    )
    rows = [
        {"code": "10730", "name": "兰州大学（改）", "provinceCode": "62"},  # an update, fine by itself
        {"code": "1073", "name": "四位码大学", "provinceCode": "62"},  # 1: not five digits
        {"code": "10736", "name": "西北师范大学", "provinceCode": "99"},  # 2: no province 99
        {"code": "10730", "name": "兰州大学", "provinceCode": "62"},  # 3: the code of row 0 again
        {"code": "10673", "name": "", "provinceCode": "53"},  # 4: empty name
        {"code": "10001", "name": "北京大学", "provinceCode": "11"},
    ]
    errors = await refused_batch(client, UPSERT_SCHOOLS, {"schools": rows})
    assert errors == [
        ("INVALID_INPUT", ["input", "schools", "1", "code"]),
        ("NOT_FOUND", ["input", "schools", "2", "provinceCode"]),
        ("DUPLICATE", ["input", "schools", "3", "code"]),
        ("INVALID_INPUT", ["input", "schools", "4", "name"]),
    ]
    assert await school(client, "10730") == {"code": "10730", "name": "兰州大学", "province": {"code": "62"}}
    assert await school(client, "10001") is None
    assert await schools_of(client, "11") == {}


async def test_an_empty_batch_is_invalid(client: Client) -> None:
    assert await refused_batch(client, UPSERT_COUNTIES, {"counties": []}) == [("INVALID_INPUT", ["input", "counties"])]
    assert await refused_batch(client, UPSERT_SCHOOLS, {"schools": []}) == [("INVALID_INPUT", ["input", "schools"])]
