"""A request's token is verified once: the token guard (hub.tokenguard: revocation, rate limits) hands the
caller it verified to the GraphQL route (hub.auth.request_bearer), which does not decode it again; a header
the guard did not verify is still checked by the route."""

from __future__ import annotations

from typing import Any

import pytest

import hub.auth
from tests.conftest import Client

ME = "{ me { level code subject } }"


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token hub.auth verifies (jwt.decode with a key), in order."""
    seen: list[str] = []
    real = hub.auth.jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        if (kwargs.get("options") or {}).get("verify_signature", True):
            seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(hub.auth.jwt, "decode", counting)
    return seen


async def test_the_route_reuses_the_caller_the_guard_verified(client: Client, decodes: list[str]) -> None:
    token = client.token("county", "620121")
    decodes.clear()
    body = await client.gql(ME, token=token)
    assert body["data"]["me"] == {"level": "COUNTY", "code": "620121", "subject": "county-620121"}
    assert decodes == [token]  # once, by the guard; the route took its answer


async def test_a_bad_token_is_still_refused_by_the_route(client: Client, decodes: list[str]) -> None:
    claims = {"sub": "county-620121", "level": "county", "code": "620121", "exp": 4102444800}
    token = hub.auth.jwt.encode(claims, "another secret of at least thirty-two bytes", algorithm="HS256")
    body = await client.gql(ME, token=token)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert decodes == [token, token]  # the guard let it pass on; the route checked it and refused
