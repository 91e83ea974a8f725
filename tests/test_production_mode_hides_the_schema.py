"""HUB_ENV=production: no introspection, no GraphiQL, no "Did you mean …?" suggestions, and unexpected
errors masked (no stack, SQL or internal names); development shows them in full."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from hub.app import create_app
from hub.plugins import HubPlugins
from hub.runtime import Hub
from tests.conftest import Client, error_codes
from tests.seed import seed_reference

INTROSPECTION = "{ __schema { queryType { name } types { name fields { name } } } }"
TYPO = "{ provinc { code } }"
BAD_ENUM = 'mutation { registerVolunteer(input: {name: "张三", idNumber: "x", phone: "1", schoolCode: "10730", degree: BACHELORS, hasWorkExperience: false}) { volunteer { id } } }'  # noqa: E501


@pytest.fixture(params=["development", "production"])
async def mode_client(request: pytest.FixtureRequest, settings) -> AsyncIterator[Client]:  # type: ignore[no-untyped-def]
    hub = Hub(replace(settings, env=request.param), HubPlugins())
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield Client(http, hub)
    await hub.dispose()


async def test_introspection_only_outside_production(mode_client: Client) -> None:
    body = await mode_client.gql(INTROSPECTION)
    if mode_client.hub.settings.production:
        assert body.get("data") is None
        assert "introspection" in body["errors"][0]["message"].lower()
        body = await mode_client.gql('{ __type(name: "Volunteer") { fields { name } } }')
        assert body.get("data") is None
    else:
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_graphiql_only_outside_production(mode_client: Client) -> None:
    response = await mode_client.http.get("/graphql", headers={"accept": "text/html"})
    if mode_client.hub.settings.production:
        assert response.status_code == 404 or "graphiql" not in response.text.lower()
    else:
        assert response.status_code == 200
        assert "graphiql" in response.text.lower()


async def test_no_field_suggestions_in_production(mode_client: Client) -> None:
    for document in (TYPO, BAD_ENUM):
        body = await mode_client.gql(document, level="volunteer", sub="acct")
        message = " ".join(e["message"] for e in body["errors"])
        if mode_client.hub.settings.production:
            assert "Did you mean" not in message, message
            assert "provinces" not in message and "BACHELOR'" not in message
        else:
            assert "Did you mean" in message, message


async def test_unexpected_errors_are_masked_in_production(mode_client: Client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(mode_client.hub)

    def broken() -> None:
        raise RuntimeError('SELECT secret FROM volunteers_internal WHERE "id_number" = 1')

    monkeypatch.setattr(mode_client.hub, "sessionmaker", broken)
    # The executor's path: a statement of the read planner that fails falls back to it (hub/graphql/planner.py).
    monkeypatch.setattr(mode_client.hub, "read_planner", False)
    body = await mode_client.gql('{ province(code: "62") { name } provinces { code } }')
    text = str(body)
    if mode_client.hub.settings.production:
        assert set(error_codes(body)) == {"INTERNAL_SERVER_ERROR"}
        assert {e["message"] for e in body["errors"]} == {"服务器内部错误"}
        assert "volunteers_internal" not in text and "SELECT" not in text and "Traceback" not in text
    else:
        assert "volunteers_internal" in text


async def test_public_errors_are_kept_in_production(mode_client: Client) -> None:
    body = await mode_client.gql("{ me { level } }")
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["message"] == "me 需要令牌"
