"""Tokens as the contract README says: who may call what, and every defective token is UNAUTHENTICATED."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.conftest import SECRET, error_codes
from tests.seed import seed_reference

PUBLIC = '{ provinces { code name region } province(code: "62") { name } programYear(code: "2027-2028") { code milestones { milestone closesOn } } verifyCertificate(number: "none") { name } }'  # noqa: E501


OTHER_SECRET = "another-secret-also-at-least-32-bytes-long"


def _token(**claims: object) -> str:
    base: dict[str, object] = {"sub": "someone", "exp": int(time.time()) + 600}
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, SECRET, algorithm="HS256")


async def test_anonymous_reads_public_reference_data_only(client, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    data = await client.ok(PUBLIC)
    assert len(data["provinces"]) == 32
    assert {p["code"]: p["region"] for p in data["provinces"]}["66"] == "WEST"  # R3: XPCC
    assert data["province"]["name"] == "甘肃省"
    assert len(data["programYear"]["milestones"]) == 7
    assert data["verifyCertificate"] is None
    for field in (
        "me { level }",
        "counties { totalCount }",
        'applications(year: "2027-2028") { totalCount }',
        "auditLog { totalCount }",
        'county(code: "621121") { name }',
        "plugins { name }",
    ):
        body = await client.gql("{ " + field + " }")
        assert error_codes(body) == ["UNAUTHENTICATED"], field


@pytest.mark.parametrize(
    "level, code",
    [("national", None), ("provincial", "62"), ("county", "621121"), ("school", "10730"), ("volunteer", None)],
)
async def test_each_level_is_recognised(client, level, code) -> None:  # type: ignore[no-untyped-def]
    data = await client.ok("{ me { level code subject } }", level=level, code=code, sub="acct")
    assert data["me"] == {"level": level.upper(), "code": code, "subject": "acct"}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(_token(level="national", exp=int(time.time()) - 10), id="expired"),
        pytest.param(
            jwt.encode(
                {"sub": "x", "level": "national", "exp": int(time.time()) + 60}, OTHER_SECRET, algorithm="HS256"
            ),
            id="badly-signed",
        ),
        pytest.param(
            jwt.encode({"sub": "x", "level": "national", "exp": int(time.time()) + 60}, None, algorithm="none"),
            id="alg-none",
        ),
        pytest.param(_token(level="mayor"), id="unknown-level"),
        pytest.param(_token(level="county", code="62"), id="code-of-another-level"),
        pytest.param(_token(level="provincial"), id="missing-code"),
        pytest.param(_token(level="national", exp=None), id="no-exp"),
        pytest.param(_token(level="national", sub=None), id="no-sub"),
        pytest.param("not-a-jwt", id="garbage"),
    ],
)
async def test_defective_tokens_are_unauthenticated(client, token: str) -> None:  # type: ignore[no-untyped-def]
    for query in ("{ me { level } }", "{ provinces { code } }"):
        body = await client.gql(query, token=token)
        assert error_codes(body) == ["UNAUTHENTICATED"], (query, body)


async def test_a_malformed_authorization_header_is_unauthenticated(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.http.post(
        "/graphql", json={"query": "{ me { level } }"}, headers={"authorization": "Token abc"}
    )
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_an_office_outside_its_level_is_forbidden_with_a_reason(client, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    body = await client.gql('{ applications(year: "2027-2028") { totalCount } }', level="county", code="621121")
    assert not body.get("errors")  # counties read their own applications (none yet)
    body = await client.gql(
        'mutation { setProgramYear(input: {code: "2028-2029", milestones: []}) { programYear { code } } }',
        level="county",
        code="621121",
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert "全国项目办" in body["errors"][0]["message"]  # the level that may, in Chinese by default
    assert await client.sql("SELECT code FROM program_years WHERE code = '2028-2029'") == []
