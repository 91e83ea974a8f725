"""Serving: /graphql over POST and GET (queries only), GraphiQL for browsers outside production, /healthz,
/readyz; and the `hub` command: token, schema, db upgrade."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from hub.app import create_app
from hub.auth import parse_token
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import DEV_SECRET, ConfigurationError, Settings
from tests.conftest import error_codes


async def test_get_answers_queries_and_refuses_mutations(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.http.get("/graphql", params={"query": '{ province(code: "54") { name region } }'})
    assert response.json()["data"]["province"] == {"name": "西藏自治区", "region": "WEST"}
    assert "西藏" in response.text  # Chinese is sent as UTF-8, not \\u escapes
    response = await client.http.get(
        "/graphql",
        params={
            "query": 'mutation { withdrawApplication(input: {applicationId: "x", reason: "r"}) { application { id } } }'
        },
    )
    assert response.status_code in (400, 405)


async def test_browsers_get_graphiql_outside_production(client, settings) -> None:  # type: ignore[no-untyped-def]
    response = await client.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()
    production = Hub(replace(settings, env="production", jwt_secret="a-production-secret-of-32-bytes!!"))
    try:
        transport = httpx.ASGITransport(app=create_app(hub=production))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            response = await http.get("/graphql", headers={"accept": "text/html"})
            assert "graphiql" not in response.text.lower()
    finally:
        await production.dispose()


async def test_health_and_readiness(client, settings) -> None:  # type: ignore[no-untyped-def]
    assert (await client.http.get("/healthz")).status_code == 200
    assert (await client.http.get("/readyz")).json() == {"status": "ready"}
    broken = Hub(replace(settings, database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none"), HubPlugins())
    try:
        transport = httpx.ASGITransport(app=create_app(hub=broken))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            assert (await http.get("/healthz")).status_code == 200
            assert (await http.get("/readyz")).status_code == 503
    finally:
        await broken.dispose()


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ConfigurationError, match="HUB_JWT_SECRET"):
        Settings.from_env({"HUB_ENV": "production"})
    assert Settings.from_env({"HUB_ENV": "production", "HUB_JWT_SECRET": "s" * 40}).production


def _hub(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from hub.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)


def test_hub_token_prints_a_token_the_hub_accepts() -> None:
    result = _hub("token", "--level", "county", "--code", "621121", "--sub", "ops", "--ttl", "60")
    assert result.returncode == 0, result.stderr
    actor = parse_token(result.stdout.strip(), Settings(jwt_secret=DEV_SECRET))
    assert (actor.level.value, actor.code, actor.subject) == ("COUNTY", "621121", "ops")
    bad = _hub("token", "--level", "county", "--code", "62", "--sub", "ops")
    assert bad.returncode != 0 and "需要该级别的代码" in bad.stderr


def test_hub_schema_follows_hub_plugins(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "HUB_PLUGINS": "national,provincial,county"}
    result = _hub("schema", env=env)
    assert result.returncode == 0, result.stderr
    assert "setProgramYear" in result.stdout and "signOffApplication" not in result.stdout
    bad = _hub("schema", env={**os.environ, "HUB_PLUGINS": "national,nope"})
    assert bad.returncode != 0 and "nope" in bad.stderr


def test_hub_db_upgrade_creates_the_provinces(tmp_path: Path) -> None:
    import os
    import sqlite3

    env = {**os.environ, "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db"}
    result = _hub("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    assert sqlite3.connect(tmp_path / "cli.db").execute("SELECT count(*) FROM provinces").fetchone() == (32,)


async def test_unauthenticated_mutation_writes_nothing(client) -> None:  # type: ignore[no-untyped-def]
    body = await client.gql(
        'mutation { submitApplication(input: {year: "2027-2028", preferredProvinceCodes: ["62","53","65"], '
        "acceptsAdjustment: true}) { application { id } } }"
    )
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await client.sql("SELECT count(*) FROM audit_entries") == [(0,)]
