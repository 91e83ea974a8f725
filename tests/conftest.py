"""Fixtures: every black-box test runs on SQLite and on PostgreSQL, through the ASGI app, with real tokens.

PostgreSQL: one throwaway database per test session (created and dropped here), migrated once;
tables are emptied between tests. It is required where CI=true or HUB_TEST_POSTGRES=required:
an unreachable server then fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from hub import migrate
from hub.app import create_app
from hub.auth import make_token
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Settings

PG_ADMIN_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PG_REQUIRED = os.environ.get("CI") == "true" or os.environ.get("HUB_TEST_POSTGRES") == "required"
SECRET = "xibu-hub-test-secret-of-at-least-32-bytes"
REFERENCE_TABLES = {"provinces", "alembic_version"}
# A PgBouncer in transaction mode in front of that server (.ci/databases.sh): when set, the tests' hubs reach
# PostgreSQL through it (fixtures still create, migrate and empty databases directly). CI runs a subset so.
PG_THROUGH = os.environ.get("HUB_TEST_POSTGRES_THROUGH")
if PG_THROUGH:  # the hubs the tests start as processes (`hub serve`, `hub audit verify`) learn it too
    os.environ["HUB_DB_PGBOUNCER"] = "on"


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def through_pooler(url: str) -> str:
    """`url`'s database through HUB_TEST_POSTGRES_THROUGH's PgBouncer, when one is set."""
    return _with_database(PG_THROUGH, url.rsplit("/", 1)[1]) if PG_THROUGH else url


def is_pooled(url: str) -> bool:
    return bool(PG_THROUGH) and url.startswith(PG_THROUGH.rsplit("/", 1)[0] + "/")


def listen_url(url: str) -> str | None:
    """The server itself for LISTEN (a session PgBouncer's transaction mode cannot keep), when `url` is pooled."""
    return _with_database(PG_ADMIN_URL, url.rsplit("/", 1)[1]) if is_pooled(url) else None


async def _admin(statement: str) -> None:
    import asyncpg

    dsn = PG_ADMIN_URL.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head; dropped afterwards."""
    name = f"hub_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL is required (CI) but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    url = _with_database(PG_ADMIN_URL, name)
    migrate.upgrade(Settings(database_url=url), HubPlugins())
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once; each test copies it."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(Settings(database_url=f"sqlite+aiosqlite:///{path}"), HubPlugins())
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database of one test: a copy of the SQLite template, or the session's emptied PostgreSQL."""
    if request.param == "sqlite":
        if request.node.get_closest_marker("postgres_only"):
            pytest.skip("about PostgreSQL only")
        path = tmp_path / "hub.db"
        path.write_bytes(request.getfixturevalue("sqlite_template").read_bytes())
        yield f"sqlite+aiosqlite:///{path}"
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("about SQLite only")
    url = request.getfixturevalue("postgres_url")
    asyncio.run(_empty_postgres(url))
    yield through_pooler(url)


async def _empty_postgres(url: str) -> None:
    import hub.models  # noqa: F401

    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    from tests.seed import TODAY

    return Settings(
        database_url=database_url,
        jwt_secret=SECRET,
        pool_size=20,
        today=TODAY,
        pgbouncer=is_pooled(database_url),
        database_listen_url=listen_url(database_url),
    )


class Client:
    """A front end: sends GraphQL documents through the ASGI app, with a token per office."""

    def __init__(self, http: httpx.AsyncClient, hub: Hub) -> None:
        self.http = http
        self.hub = hub

    def token(self, level: str, code: str | None = None, sub: str | None = None) -> str:
        return make_token(self.hub.settings, level, sub or f"{level}-{code or 'x'}", code)

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None, **as_actor: Any
    ) -> dict[str, Any]:
        """POST a document; `as_actor` (level=, code=, sub=) makes the token. Returns the whole response."""
        if as_actor:
            token = self.token(**as_actor)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(self, query: str, variables: dict[str, Any] | None = None, **as_actor: Any) -> dict[str, Any]:
        """Like gql, but asserts there are no errors and returns `data`."""
        body = await self.gql(query, variables, **as_actor)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def sql(self, statement: str, **params: Any) -> list[Any]:
        """Run one statement in its own committed transaction; the rows, if it returns any."""
        async with self.hub.engine.begin() as connection:
            result = await connection.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []


@pytest.fixture
async def hub(settings: Settings) -> AsyncIterator[Hub]:
    instance = Hub(settings, HubPlugins())
    yield instance
    await instance.dispose()


@pytest.fixture
async def client(hub: Hub) -> AsyncIterator[Client]:
    app = create_app(hub=hub)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield Client(http, hub)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
