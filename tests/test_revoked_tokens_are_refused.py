"""Issue 20: a valid token can be withdrawn before it expires. `hub token revoke JTI|TOKEN` lists its jti
in the database; every request carrying it is then refused (401 UNAUTHENTICATED), by every hub process on
that database, while other tokens of the same subject keep working."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date

import httpx
import jwt
import pytest
from sqlalchemy import text

from hub.app import create_app
from hub.auth import make_token
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import SECRET, Client
from tests.test_two_processes_never_overdraw import two_hubs

ME = "{ me { level code subject } }"


def hub_token_revoke(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_JWT_SECRET": SECRET, "HUB_LANG": "zh"}
    command = [sys.executable, "-c", "from hub.cli import main; main()", "token", "revoke", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


async def ask(http: httpx.AsyncClient, token: str, url: str = "/graphql") -> httpx.Response:
    return await http.post(url, json={"query": ME}, headers={"authorization": f"Bearer {token}"})


async def refused_within(http: httpx.AsyncClient, token: str, seconds: float, url: str = "/graphql") -> float:
    """Seconds until the token is refused (401), asking every 50 ms; fails after `seconds`."""
    started = time.monotonic()
    while (await ask(http, token, url)).status_code != 401:
        assert time.monotonic() - started < seconds, f"the token was still accepted after {seconds} s"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


@pytest.mark.parametrize("refresh", [0.0, 0.5], ids=["per-request", "refreshed"])
async def test_a_revoked_token_is_refused_and_others_are_not(settings: Settings, refresh: float) -> None:
    """HUB_REVOCATION_REFRESH=0 looks each jti up: refused at once. Otherwise a process checks against the
    revocations it loaded at most `refresh` seconds ago: refused within that."""
    hub = Hub(replace(settings, revocation_refresh=refresh))
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            token = make_token(settings, "county", "clerk", "621121")
            other = make_token(settings, "county", "clerk", "621121")
            assert (await ask(http, token)).json()["data"]["me"]["code"] == "621121"
            revoked = await asyncio.to_thread(
                hub_token_revoke, settings.database_url, token, "--reason", "laptop stolen"
            )
            assert revoked.returncode == 0, revoked.stderr
            jti = jwt.decode(token, options={"verify_signature": False})["jti"]
            assert f"令牌 {jti} 已吊销" in revoked.stdout
            if refresh == 0:
                refused = await ask(http, token)
            else:
                assert await refused_within(http, token, refresh + 2) <= refresh + 2
                refused = await ask(http, token)
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
            assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert "已被吊销" in refused.json()["errors"][0]["message"]
            assert (await ask(http, other)).json()["data"]["me"]["code"] == "621121"
        async with hub.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT jti, reason, expires_at FROM revoked_tokens"))).all()
    finally:
        await hub.dispose()
    [(stored, reason, expires)] = rows
    assert (stored, reason) == (jti, "laptop stolen") and expires is not None
    again = await asyncio.to_thread(hub_token_revoke, settings.database_url, jti)
    assert again.returncode == 0 and "此前已被吊销" in again.stdout


async def test_revoking_needs_a_jti(client: Client) -> None:
    no_jti = jwt.encode({"sub": "x", "level": "national", "exp": 2_000_000_000}, SECRET, algorithm="HS256")
    result = await asyncio.to_thread(hub_token_revoke, client.hub.settings.database_url, no_jti)
    assert result.returncode != 0 and "需要令牌的 jti" in result.stderr


@pytest.mark.postgres_only
async def test_two_processes_refuse_a_token_revoked_while_they_run(settings) -> None:  # type: ignore[no-untyped-def]
    token = make_token(settings, "provincial", "gansu-clerk", "62")
    with two_hubs(settings.database_url, date(2027, 6, 15)) as urls:
        async with httpx.AsyncClient(timeout=30) as http:
            for base in urls:
                assert (await ask(http, token, f"{base}/graphql")).status_code == 200
            revoked = await asyncio.to_thread(hub_token_revoke, settings.database_url, token)
            assert revoked.returncode == 0, revoked.stderr
            for base in urls:  # HUB_REVOCATION_REFRESH: 2 s by default
                await refused_within(http, token, 10, f"{base}/graphql")
