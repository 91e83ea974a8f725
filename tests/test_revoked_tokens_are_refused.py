"""Issue 20: a valid token can be withdrawn before it expires. `hub token revoke JTI|TOKEN` lists its jti
in the database; every request carrying it is then refused (401 UNAUTHENTICATED), by every hub process on
that database, while other tokens of the same subject keep working."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date

import httpx
import jwt
import pytest

from tests.conftest import SECRET, Client
from tests.test_two_processes_never_overdraw import two_hubs

ME = "{ me { level code subject } }"


def hub_token_revoke(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_JWT_SECRET": SECRET}
    command = [sys.executable, "-c", "from hub.cli import main; main()", "token", "revoke", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


async def ask(http: httpx.AsyncClient, token: str, url: str = "/graphql") -> httpx.Response:
    return await http.post(url, json={"query": ME}, headers={"authorization": f"Bearer {token}"})


async def test_a_revoked_token_is_refused_and_others_are_not(client: Client) -> None:
    url = client.hub.settings.database_url
    token, other = client.token("county", "621121"), client.token("county", "621121")
    assert (await ask(client.http, token)).json()["data"]["me"]["code"] == "621121"
    revoked = await asyncio.to_thread(hub_token_revoke, url, token, "--reason", "laptop stolen")
    assert revoked.returncode == 0, revoked.stderr
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    assert f"token {jti} revoked" in revoked.stdout
    refused = await ask(client.http, token)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "revoked" in refused.json()["errors"][0]["message"]
    assert (await ask(client.http, other)).json()["data"]["me"]["code"] == "621121"
    [(stored, reason, expires)] = await client.sql("SELECT jti, reason, expires_at FROM revoked_tokens")
    assert (stored, reason) == (jti, "laptop stolen") and expires is not None
    again = await asyncio.to_thread(hub_token_revoke, url, jti)
    assert again.returncode == 0 and "already revoked" in again.stdout


async def test_revoking_needs_a_jti(client: Client) -> None:
    no_jti = jwt.encode({"sub": "x", "level": "national", "exp": 2_000_000_000}, SECRET, algorithm="HS256")
    result = await asyncio.to_thread(hub_token_revoke, client.hub.settings.database_url, no_jti)
    assert result.returncode != 0 and "needs the token's jti" in result.stderr


@pytest.mark.postgres_only
async def test_two_processes_refuse_a_token_revoked_while_they_run(settings) -> None:  # type: ignore[no-untyped-def]
    from hub.auth import make_token

    token = make_token(settings, "provincial", "gansu-clerk", "62")
    with two_hubs(settings.database_url, date(2027, 6, 15)) as urls:
        async with httpx.AsyncClient(timeout=30) as http:
            for base in urls:
                assert (await ask(http, token, f"{base}/graphql")).status_code == 200
            revoked = await asyncio.to_thread(hub_token_revoke, settings.database_url, token)
            assert revoked.returncode == 0, revoked.stderr
            for base in urls:
                assert (await ask(http, token, f"{base}/graphql")).status_code == 401
