"""Hostile and heavy queries are refused before anything runs, each with a clear error: depth, aliases,
tokens, page size, a cost budget, batches, body size and time; mutations come only as POST with JSON."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from hub.app import create_app
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Limits
from tests.conftest import Client, error_codes
from tests.seed import YEAR, seed_reference

DASHBOARD = (Path(__file__).parent.parent / "bench" / "queries" / "q1_province_dashboard.graphql").read_text()
SET_YEAR = 'mutation { setProgramYear(input: {code: "2031-2032", milestones: []}) { programYear { code } } }'


def nested(levels: int) -> str:
    """province → counties → node → province → … : `levels` fields deep."""
    inner, depth = "code", 1
    while depth + 4 <= levels:
        inner = f"counties {{ edges {{ node {{ province {{ {inner} }} }} }} }}"
        depth += 4
    return f'{{ province(code: "62") {{ {inner} }} }}', depth + 1


async def test_a_query_nested_too_deep_is_refused(client: Client) -> None:
    await seed_reference(client.hub)
    query, depth = nested(13)
    assert depth == 14
    body = await client.gql(query, level="national")
    assert set(error_codes(body)) == {"QUERY_TOO_COMPLEX"}
    assert any("嵌套了 14 层，上限 12 层" in e["message"] for e in body["errors"])
    assert body.get("data") is None  # refused at validation: nothing ran
    query, depth = nested(10)
    assert depth == 10
    await client.ok(query, level="national")


async def test_depth_counts_through_fragments(client: Client) -> None:
    query = """
    query { province(code: "62") { ...A } }
    fragment A on Province { counties { edges { node { province { ...B } } } } }
    fragment B on Province { counties { edges { node { province { ...C } } } } }
    fragment C on Province { counties { edges { node { code } } } }
    """
    body = await client.gql(query, level="national")
    assert any("嵌套了 13 层" in e["message"] for e in body["errors"]), body


async def test_too_many_aliases_are_refused(client: Client) -> None:
    await seed_reference(client.hub)
    fifteen = " ".join(f'p{i}: province(code: "62") {{ code }}' for i in range(15))
    await client.ok("{ " + fifteen + " }")
    body = await client.gql("{ " + fifteen + ' p15: province(code: "62") { code } }')
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "使用了 16 个别名，上限 15 个" in body["errors"][0]["message"]


async def test_a_document_of_too_many_tokens_is_refused(client: Client) -> None:
    query = "{ " + " ".join(["__typename"] * 2100) + " }"
    body = await client.gql(query)
    assert body["data"] is None
    assert "more than 2000 tokens" in body["errors"][0]["message"]


@pytest.mark.parametrize("first", [501, -1, 100_000])
async def test_a_page_beyond_the_cap_is_refused_literal_or_variable(client: Client, first: int) -> None:
    body = await client.gql(f"{{ counties(first: {first}) {{ totalCount }} }}", level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "path" not in body["errors"][0]  # a validation error: no resolver ran, no SQL
    assert f"first 须在 0 到 500 之间，而不是 {first}" in body["errors"][0]["message"]
    body = await client.gql("query($n: Int) { counties(first: $n) { totalCount } }", {"n": first}, level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "path" not in body["errors"][0]  # a validation error: no resolver ran


async def test_the_cost_budget_refuses_nested_big_pages_and_admits_the_dashboard(client: Client) -> None:
    await seed_reference(client.hub)
    data = await client.ok(DASHBOARD, level="national")
    assert data["province"]["code"] == "62"
    heavy = (
        '{ province(code: "62") { counties(first: 500) { edges { node { '
        f'posts(year: "{YEAR}", first: 500) {{ edges {{ node {{ title headcount filled }} }} }} }} }} }} }} }}'
    )
    body = await client.gql(heavy, level="national")
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "查询开销可能达到" in body["errors"][0]["message"]
    assert body.get("data") is None


async def test_aliases_multiply_the_cost(client: Client) -> None:
    one = (
        f'posts(year: "{YEAR}", first: 500) {{ edges {{ cursor node {{ id title headcount filled status '
        "county { code name province { code name } } } } }"
    )
    await client.ok("{ " + one + " }", level="national")  # 7,001: one + 500 × (edges, cursor, node and 11)
    copies = " ".join(f"c{i}: {one}" for i in range(15))
    body = await client.gql("{ " + copies + " }", level="national")
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "查询开销可能达到" in body["errors"][0]["message"]


async def test_batched_requests_are_refused(client: Client) -> None:
    response = await client.http.post("/graphql", json=[{"query": "{ provinces { code } }"}] * 2)
    assert response.status_code == 400
    assert "Batching is not enabled" in response.text


async def test_mutations_only_as_post_with_json(client: Client) -> None:
    await seed_reference(client.hub)
    headers = {"authorization": f"Bearer {client.token('national')}"}
    response = await client.http.get("/graphql", params={"query": SET_YEAR}, headers=headers)
    assert response.status_code == 400
    assert "mutations are not allowed when using GET" in response.text
    form = await client.http.post("/graphql", data={"query": SET_YEAR}, headers=headers)
    assert form.status_code == 400
    plain = await client.http.post(
        "/graphql", content=f'{{"query": "{SET_YEAR}"}}'.encode(), headers={**headers, "content-type": "text/plain"}
    )
    assert plain.status_code == 400
    assert await client.sql("SELECT code FROM program_years WHERE code = '2031-2032'") == []
    # the same mutation as POST with JSON goes through
    data = await client.ok(SET_YEAR, level="national")
    assert data["setProgramYear"]["programYear"]["code"] == "2031-2032"


async def _limited_client(settings, limits: Limits):  # type: ignore[no-untyped-def]
    hub = Hub(replace(settings, limits=limits), HubPlugins())
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    return hub, httpx.AsyncClient(transport=transport, base_url="http://hub")


async def test_a_body_over_the_limit_is_refused_before_parsing(settings) -> None:  # type: ignore[no-untyped-def]
    hub, http = await _limited_client(settings, Limits(max_body_bytes=2000))
    async with http:
        response = await http.post("/graphql", json={"query": "{ provinces { code } }", "variables": {"x": "é" * 2000}})
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        response = await http.post("/graphql", json={"query": "{ provinces { code } }"})
        assert response.status_code == 200
    await hub.dispose()


async def test_a_request_over_its_time_is_stopped_and_writes_nothing(settings) -> None:  # type: ignore[no-untyped-def]
    hub, http = await _limited_client(settings, Limits(timeout_seconds=1e-9))
    async with http:
        await seed_reference(hub)
        token = Client(http, hub).token("national")
        response = await http.post("/graphql", json={"query": SET_YEAR}, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert await Client(http, hub).sql("SELECT code FROM program_years WHERE code = '2031-2032'") == []
    await hub.dispose()
