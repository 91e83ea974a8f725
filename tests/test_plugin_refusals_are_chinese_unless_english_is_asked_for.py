"""The office plugins' and a local project's refusals read in Chinese by default and in English when the
request asks for it (Accept-Language), from the one message catalogue; their codes and fields never change
with the language. All plugins are enabled (the installed ones, the example local project among them)."""

from __future__ import annotations

from typing import Any

import pytest

from hub.plugins import installed_plugins
from tests.conftest import Client
from tests.season import SET_YEAR, UPSERT_COUNTIES
from tests.seed import seed_reference

APPLY_COUNTY = """mutation($input: ApplyServiceCountyInput!) { applyServiceCounty(input: $input) {
  county { code } userErrors { code message field } } }"""
REGISTER_VOLUNTEERS = """mutation($input: RegisterVolunteersInput!) { registerVolunteers(input: $input) {
  userErrors { code message field } } }"""
REGISTER_DOCTOR = """mutation($input: RegisterRuralDoctorInput!) { registerRuralDoctor(input: $input) {
  ruralDoctor { id } userErrors { code message field } } }"""
APPLY_INPUT = {
    "countyCode": "621121",
    "hasLeadingGroup": True,
    "hasProjectOffice": True,
    "contactPerson": "王主任",
    "intakeCapacity": 20,
    "governmentApprovalRef": "通政发〔2027〕1号",
}
NATIONAL = {"level": "national", "sub": "ops-national"}
NO_SUCH_COUNTY = {"level": "county", "code": "999999", "sub": "ops-nowhere"}
GANSU = {"level": "provincial", "code": "62", "sub": "ops-gansu"}
LZU = {"level": "school", "code": "10730", "sub": "ops-lzu"}

# (plugin, document, variables, actor, [(code, field, Chinese, English)] in the payload's order)
CASES: list[tuple[str, str, dict[str, Any], dict[str, str], list[tuple[str, list[str], str, str]]]] = [
    (
        "national",
        SET_YEAR,
        {"input": {"code": "2027", "milestones": []}},
        NATIONAL,
        [
            (
                "INVALID_INPUT",
                ["input", "code"],
                "项目年度的格式如 2021-2022，而不是“2027”",
                "a program year reads like 2021-2022, not '2027'",
            )
        ],
    ),
    (
        "national",  # a batch: each problem names its row, the row prefix in the same language
        UPSERT_COUNTIES,
        {
            "input": {
                "counties": [
                    {"code": "12", "name": "某县", "keyAssistance": "NONE"},
                    {"code": "621199", "name": " ", "keyAssistance": "NONE"},
                ]
            }
        },
        NATIONAL,
        [
            (
                "INVALID_INPUT",
                ["input", "counties", "0", "code"],
                "第 0 条：“12”不是有效的代码",
                "row 0: '12' is not a valid code",
            ),
            ("INVALID_INPUT", ["input", "counties", "1", "name"], "第 1 条：名称为空", "row 1: the name is empty"),
        ],
    ),
    (
        "county",
        APPLY_COUNTY,
        {"input": {**APPLY_INPUT, "countyCode": "999999"}},
        NO_SUCH_COUNTY,
        [("NOT_FOUND", ["input", "countyCode"], "没有代码为“999999”的县", "no county has the code '999999'")],
    ),
    (
        "school",
        REGISTER_VOLUNTEERS,
        {"input": {"volunteers": []}},
        LZU,
        [
            (
                "INVALID_INPUT",
                ["input", "volunteers"],
                "每批注册 1 至 {limit} 名志愿者",
                "register 1 to {limit} volunteers a batch",
            )
        ],
    ),
    (
        "gansu_rural_doctors",
        REGISTER_DOCTOR,
        {
            "input": {
                "countyCode": "621121",
                "village": " ",
                "doctorName": "马医生",
                "specialty": "",
                "startsOn": "2027-09-01",
            }
        },
        GANSU,
        [
            ("INVALID_INPUT", ["input", "village"], "村名为空", "the village is empty"),
            ("INVALID_INPUT", ["input", "specialty"], "专业为空", "the specialty is empty"),
        ],
    ),
]


async def _errors(
    client: Client, document: str, variables: dict[str, Any], actor: dict[str, str], language: str | None
):  # type: ignore[no-untyped-def]
    headers = {"authorization": f"Bearer {client.token(**actor)}"}
    if language:
        headers["accept-language"] = language
    response = await client.http.post("/graphql", json={"query": document, "variables": variables}, headers=headers)
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    return payload["userErrors"], response.headers["content-language"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
async def test_plugin_refusals_are_chinese_by_default_and_english_on_request(client: Client, case) -> None:  # type: ignore[no-untyped-def]
    plugin, document, variables, actor, expected = case
    if plugin not in installed_plugins():
        pytest.skip(f"{plugin} is not installed")
    from plugins.school.registration import MAX_VOLUNTEERS

    await seed_reference(client.hub)
    chinese, language = await _errors(client, document, variables, actor, None)
    assert language == "zh"
    assert [(e["code"], e["field"], e["message"]) for e in chinese] == [
        (code, field, zh.format(limit=MAX_VOLUNTEERS)) for code, field, zh, _en in expected
    ]
    english, language = await _errors(client, document, variables, actor, "en-GB,en;q=0.9,zh;q=0.5")
    assert language == "en"
    assert [(e["code"], e["field"], e["message"]) for e in english] == [
        (code, field, en.format(limit=MAX_VOLUNTEERS)) for code, field, _zh, en in expected
    ]
    # nothing was written by any of the refused requests
    assert await client.sql("SELECT count(*) FROM audit_entries") == [(0,)]


async def test_permission_refusals_name_the_plugins_rules_in_the_language_asked(client: Client) -> None:
    """A FORBIDDEN error says what the plugin's rule covers (Rule.describes), in the request's language."""
    await seed_reference(client.hub)
    variables = {"input": {"code": "2028-2029", "milestones": []}}
    county = {"level": "county", "code": "621121", "sub": "ops-tongwei"}
    headers = {"authorization": f"Bearer {client.token(**county)}"}
    for language, expected in (
        (None, "setProgramYear 只能由全国项目办办理，不能由县级项目办办理"),
        ("en", "setProgramYear is for the national office, not county"),
    ):
        sent = {**headers, "accept-language": language} if language else headers
        body = (
            await client.http.post("/graphql", json={"query": SET_YEAR, "variables": variables}, headers=sent)
        ).json()
        assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [("FORBIDDEN", expected)]
    outside = {"input": {**APPLY_INPUT, "countyCode": "620321"}}  # another county than the office's own
    for language, expected in (
        (None, "applyServiceCounty 超出了您的管辖范围（县级项目办本县）"),
        ("en", "applyServiceCounty is outside your jurisdiction (the county office's own county)"),
    ):
        sent = {**headers, "accept-language": language} if language else headers
        body = (
            await client.http.post("/graphql", json={"query": APPLY_COUNTY, "variables": outside}, headers=sent)
        ).json()
        assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [("FORBIDDEN", expected)]
