"""The core's own errors read in Chinese by default and in English when asked for (Accept-Language, hub
--lang): a read that needs a token, a read outside the caller's jurisdiction, a refusal naming a status (by
its label, never its code), and a configuration mistake the CLI reports. Codes never change."""

from __future__ import annotations

import pytest

from hub.cli import main
from hub.enums import CountyStatus, PostStatus, TrainingStatus, label, labelled
from hub.i18n import speaking
from hub.ids import to_global_id
from tests.conftest import Client
from tests.placement import FILE_COUNTY
from tests.seed import seed_reference, seed_volunteers

ENGLISH = "en-GB,en;q=0.9,zh;q=0.5"
ME = "{ me { level code } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Volunteer { name } } }"


async def _post(client: Client, query: str, variables: dict, token: str | None, language: str | None) -> dict:  # type: ignore[type-arg]
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if language:
        headers["accept-language"] = language
    response = await client.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()


def _errors(body: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(e["extensions"]["code"], e["message"]) for e in body["errors"]]


async def test_an_anonymous_read_that_needs_a_token(client: Client) -> None:
    assert _errors(await _post(client, ME, {}, None, None)) == [("UNAUTHENTICATED", "me 需要令牌")]
    assert _errors(await _post(client, ME, {}, None, ENGLISH)) == [("UNAUTHENTICATED", "me needs a token")]


async def test_a_read_outside_the_jurisdiction(client: Client) -> None:
    await seed_reference(client.hub)
    (peking,) = await seed_volunteers(client.hub, 1, school_code="10001")  # 北京大学's student
    lanzhou = client.token("school", "10730", "ops-lzu")
    variables = {"id": to_global_id("Volunteer", peking)}
    assert _errors(await _post(client, NODE, variables, lanzhou, None)) == [
        ("FORBIDDEN", "该 Volunteer 超出了您的管辖范围")
    ]
    assert _errors(await _post(client, NODE, variables, lanzhou, ENGLISH)) == [
        ("FORBIDDEN", "this Volunteer is outside your jurisdiction")
    ]


async def test_a_refusal_names_the_status_by_its_label(client: Client) -> None:
    await seed_reference(client.hub)  # 通渭县 (621121) is already a service county (ACTIVE)
    national = client.token("national", None, "ops-national")
    variables = {"input": {"countyCode": "621121"}}
    answers = {}
    for language in (None, ENGLISH):
        body = await _post(client, FILE_COUNTY, variables, national, language)
        (error,) = body["data"]["fileServiceCounty"]["userErrors"]
        assert (error["code"], error["field"]) == ("INVALID_STATE", ["input", "countyCode"])
        answers[language] = error["message"]
    assert answers[None] == "该县当前状态为“服务县”；须经省级审核同意后才能备案"
    assert answers[ENGLISH] == "the county is Active; the province approves it before it is filed"
    assert "ACTIVE" not in answers[None]


def test_every_status_named_in_a_refusal_has_a_chinese_label() -> None:
    for kind in (CountyStatus, PostStatus, TrainingStatus):
        for member in kind:
            assert label(member, "zh") != member.name, member
    # members of two enums with one value keep their own labels
    assert label(PostStatus.APPROVED, "zh") == "已批准" and label(CountyStatus.REJECTED, "zh") == "未通过"
    assert labelled(CountyStatus, "APPLIED") == "已申请新增服务县"
    with speaking("en"):
        assert labelled(CountyStatus, "PROVINCE_APPROVED") == "Province approved"


def test_a_configuration_mistake_is_reported_in_the_language_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_ENV", "staging")
    for argv, expected in (
        (["--lang", "zh", "db", "upgrade"], "hub：HUB_ENV 必须是 development 或 production，而不是“staging”"),
        (["--lang", "en", "db", "upgrade"], "hub: HUB_ENV must be development or production, not 'staging'"),
    ):
        with pytest.raises(SystemExit) as exit:
            main(argv)
        assert exit.value.code == 2
        assert capsys.readouterr().err.strip() == expected


async def test_a_download_refused_for_want_of_a_token(client: Client) -> None:
    chinese = await client.http.get("/documents/application-form.pdf")
    english = await client.http.get("/documents/application-form.pdf", headers={"accept-language": "en"})
    assert chinese.status_code == english.status_code == 401
    assert chinese.json() == {"error": "下载需要令牌（Authorization: Bearer <令牌>）", "code": "UNAUTHENTICATED"}
    assert english.json() == {
        "error": "downloads need a token (Authorization: Bearer <token>)",
        "code": "UNAUTHENTICATED",
    }
