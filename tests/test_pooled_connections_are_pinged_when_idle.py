"""A pooled PostgreSQL connection is pinged at checkout only when the server has not answered on it for a
while (hub.db.ping_at_checkout): one used a moment ago goes straight to its request — issue 17's burst paid
three round trips of SQLAlchemy's pre-ping per request — while one idle longer is pinged, and one the server
dropped is replaced, so the hub still recovers by itself when the database returns
(tests/test_faults_leave_nothing_behind.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

import hub.db
from hub.db import make_engine

pytestmark = pytest.mark.postgres_only


async def backend(engine: Any) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def test_a_connection_is_pinged_only_after_a_pause_and_replaced_once_dropped(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(settings.database_url, 1, settings.pgbouncer)
    admin = make_engine(settings.database_url, 1, settings.pgbouncer)
    dialect = engine.sync_engine.dialect
    pings: list[object] = []
    real_ping = dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted_ping)
    try:
        first = await backend(engine)
        assert await backend(engine) == first
        assert pings == []  # new, then answered on a moment ago: no ping

        monkeypatch.setattr(hub.db, "FRESH_SECONDS", 0.0)  # every connection has been idle "a while"
        assert await backend(engine) == first
        assert len(pings) == 1

        if settings.pgbouncer:
            return  # behind PgBouncer the server connection is not the client's: nothing more to see
        monkeypatch.setattr(hub.db, "FRESH_SECONDS", 60.0)
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        await asyncio.sleep(0.5)  # the driver notices the server's goodbye on its own, the pool idle
        replaced = await backend(engine)  # checked out despite being "fresh": it was seen closed, so pinged
        assert replaced != first
        assert len(pings) == 2
    finally:
        await engine.dispose()
        await admin.dispose()
