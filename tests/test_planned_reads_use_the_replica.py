"""Planned reads go to the streaming replica (HUB_DATABASE_REPLICA_URL) while it keeps up; once it is more
than HUB_REPLICA_MAX_LAG seconds behind, or unreachable, the primary answers them, and the replica again
once it has caught up. A real replica: CI builds one with pg_basebackup (.ci/databases.sh) and gives its
URL and its primary's as HUB_TEST_REPLICA_URL and HUB_TEST_PRIMARY_URL."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub import migrate
from hub.app import create_app
from hub.auth import make_token
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import SECRET, _with_database
from tests.seed import TODAY, seed_reference

PRIMARY = os.environ.get("HUB_TEST_PRIMARY_URL")
REPLICA = os.environ.get("HUB_TEST_REPLICA_URL")
PROVINCES = "{ provinces { code name } }"


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg", "postgresql")


async def _sql(url: str, statement: str) -> object:
    connection = await asyncpg.connect(_dsn(url), timeout=5)
    try:
        return await connection.fetchval(statement)
    finally:
        await connection.close()


async def _until(check, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        try:
            if await check():
                return
        except (OSError, asyncpg.PostgresError):
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


@pytest.fixture
async def pair() -> AsyncIterator[tuple[str, str]]:
    """A migrated throwaway database on the primary, and the same database on its replica."""
    if not (PRIMARY and REPLICA):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs HUB_TEST_PRIMARY_URL and HUB_TEST_REPLICA_URL (.ci/databases.sh)")
        pytest.skip("no streaming replica configured (HUB_TEST_PRIMARY_URL, HUB_TEST_REPLICA_URL)")
    name = f"hub_replica_{uuid.uuid4().hex[:10]}"
    await _sql(PRIMARY, f'CREATE DATABASE "{name}"')
    primary, replica = _with_database(PRIMARY, name), _with_database(REPLICA, name)
    try:
        await asyncio.to_thread(migrate.upgrade, Settings(database_url=primary), HubPlugins())
        await _until(lambda: _sql(replica, "SELECT count(*) = 32 FROM provinces"), "the replica to have the database")
        yield primary, replica
    finally:
        await _sql(REPLICA, "SELECT pg_wal_replay_resume()")
        await _sql(PRIMARY, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reads(text: str) -> dict[str, float]:
    for family in text_string_to_metric_families(text):
        if family.name == "hub_db_planned_reads":
            return {s.labels["target"]: s.value for s in family.samples if s.name.endswith("_total")}
    return {}


async def test_planned_reads_follow_the_replica_lag(pair) -> None:  # type: ignore[no-untyped-def]
    primary, replica = pair
    settings = Settings(
        database_url=primary, database_replica_url=replica, replica_max_lag=1.0, jwt_secret=SECRET, today=TODAY
    )
    hub = Hub(settings, HubPlugins())
    hub.reads.check_every = 0  # measure the lag on every read here
    token = make_token(settings, "national", "ops")
    try:
        await seed_reference(hub)
        await _until(lambda: _caught_up(hub), "the replica to catch up")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://h"
        ) as http:

            async def tibet() -> str:
                response = await http.post(
                    "/graphql", json={"query": PROVINCES}, headers={"authorization": f"Bearer {token}"}
                )
                rows = response.json()["data"]["provinces"]
                return next(p["name"] for p in rows if p["code"] == "54")

            assert await tibet() == "西藏自治区"
            assert hub.reads.reads == {"replica": 1}

            # The replica stops replaying; the primary changes; past the limit, the primary answers.
            await _sql(replica, "SELECT pg_wal_replay_pause()")
            await _sql(primary, "UPDATE provinces SET name = '西藏自治区（主库）' WHERE code = '54'")
            await _until(lambda: _lag_over(hub, 1.0), "the replica's lag to pass the limit")
            assert await tibet() == "西藏自治区（主库）"
            assert hub.reads.reads["primary"] == 1
            assert await _sql(replica, "SELECT name FROM provinces WHERE code = '54'") == "西藏自治区"  # still stale

            # Replaying again, it catches up and answers again.
            await _sql(replica, "SELECT pg_wal_replay_resume()")
            await _until(lambda: _caught_up(hub), "the replica to catch up again")
            assert await tibet() == "西藏自治区（主库）"
            assert hub.reads.reads == {"replica": 2, "primary": 1}
            assert _reads((await http.get("/metrics")).text) == {"primary": 1.0, "replica": 2.0}
    finally:
        await hub.dispose()


async def _caught_up(hub: Hub) -> bool:
    return await hub.reads.lag() == 0


async def _lag_over(hub: Hub, limit: float) -> bool:
    return await hub.reads.lag() > limit


async def test_an_unreachable_replica_leaves_reads_to_the_primary(settings) -> None:  # type: ignore[no-untyped-def]
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("a streaming replica is PostgreSQL's")
    hub = Hub(replace(settings, database_replica_url="postgresql+asyncpg://postgres@127.0.0.1:1/none"), HubPlugins())
    try:
        await seed_reference(hub)
        token = make_token(settings, "national", "ops")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://h"
        ) as http:
            response = await http.post(
                "/graphql", json={"query": PROVINCES}, headers={"authorization": f"Bearer {token}"}
            )
            assert len(response.json()["data"]["provinces"]) == 32
        assert hub.reads.reads == {"primary": 1} and hub.reads.last_lag == float("inf")
    finally:
        await hub.dispose()
