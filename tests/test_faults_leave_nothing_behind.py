"""Faults: an unreachable database makes /readyz 503 and GraphQL answer a clean DATABASE_UNAVAILABLE (no
driver text), and the hub recovers by itself when the database returns; a failure in the middle of a
mutation leaves nothing behind — no partial rows, no audit entry."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from hub.app import create_app
from hub.audit import verify
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.sequencer import seal
from tests.conftest import Client, error_codes
from tests.season import NATIONAL, REGISTER, UPSERT_COUNTIES
from tests.seed import id_number, seed_reference

PROVINCES = "{ provinces { code } }"
COUNTIES = {
    "counties": [
        {"code": "620321", "name": "永昌县", "keyAssistance": "LOCAL_KEY", "remote": True},
        {"code": "623027", "name": "夏河县", "keyAssistance": "NATIONAL_KEY", "remote": True},
        {"code": "623026", "name": "碌曲县", "keyAssistance": "NATIONAL_KEY", "remote": True},
    ]
}
TABLES = ("counties", "volunteers", "audit_entries", "audit_scopes")


class Proxy:
    """A TCP relay in front of PostgreSQL that can be cut (every connection dropped, the port closed) and
    restored on the same port: the database "goes away" without touching the server."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()
        self.writers.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def unreachable(settings, tmp_path: Path) -> AsyncIterator[Client]:  # type: ignore[no-untyped-def]
    """A hub whose database cannot be reached: a closed port, or an SQLite file in a missing folder."""
    if settings.database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'hub.db'}"
    else:
        url = make_url(settings.database_url).set(host="127.0.0.1", port=9).render_as_string(hide_password=False)
    hub = Hub(replace(settings, database_url=url), HubPlugins())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://hub") as http:
        yield Client(http, hub)
    await hub.dispose()


async def test_an_unreachable_database_is_not_ready_and_answers_cleanly(unreachable: Client) -> None:
    response = await unreachable.http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert (await unreachable.http.get("/healthz")).status_code == 200  # the process itself is alive
    for document, actor in ((PROVINCES, {}), (UPSERT_COUNTIES, NATIONAL)):
        body = await unreachable.gql(document, {"input": COUNTIES} if actor else None, **actor)
        assert error_codes(body) == ["DATABASE_UNAVAILABLE"], body
        text = str(body)
        assert "asyncpg" not in text and "sqlite" not in text.lower() and "Errno" not in text


@pytest.mark.postgres_only
async def test_the_hub_recovers_by_itself_when_the_database_returns(settings) -> None:  # type: ignore[no-untyped-def]
    real = make_url(settings.database_url)
    proxy = Proxy(real.host or "127.0.0.1", real.port or 5432)
    await proxy.start()
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    hub = Hub(replace(settings, database_url=url), HubPlugins())
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            front = Client(http, hub)
            assert (await http.get("/readyz")).status_code == 200
            assert len((await front.ok(PROVINCES))["provinces"]) == 32

            await proxy.cut()  # the pooled connections die with it
            assert (await http.get("/readyz")).status_code == 503
            body = await front.gql(PROVINCES)
            assert error_codes(body) == ["DATABASE_UNAVAILABLE"], body
            body = await front.gql(UPSERT_COUNTIES, {"input": COUNTIES}, **NATIONAL)
            assert error_codes(body) == ["DATABASE_UNAVAILABLE"], body

            await proxy.start()  # the same port again: no restart of the hub
            assert (await http.get("/readyz")).status_code == 200
            assert len((await front.ok(PROVINCES))["provinces"]) == 32
            data = await front.ok(UPSERT_COUNTIES, {"input": COUNTIES}, **NATIONAL)
            assert data["upsertCounties"]["userErrors"] == []
            assert await front.sql("SELECT count(*) FROM counties") == [(3,)]
    finally:
        await hub.dispose()
        await proxy.cut()


class Fault:
    """Raises inside the mutation's transaction at the n-th writing statement (INSERT, UPDATE, DELETE, or a
    WITH holding one: on PostgreSQL the audit entry, its scopes and its event are one such statement), or at
    the commit when the mutation has fewer writing statements — after its last write, before anything is kept."""

    def __init__(self, hub: Hub, at_write: int) -> None:
        self.engine, self.at_write, self.writes, self.fired = hub.engine.sync_engine, at_write, 0, False

    def __enter__(self) -> Fault:
        event.listen(self.engine, "before_cursor_execute", self.check)
        event.listen(self.engine, "commit", self.at_commit)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self.check)
        event.remove(self.engine, "commit", self.at_commit)

    def check(self, _conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        text = statement.lstrip().upper()
        if text.startswith(("INSERT", "UPDATE", "DELETE")) or (text.startswith("WITH") and WRITES.search(text)):
            self.writes += 1
            if self.writes == self.at_write:
                self.fired = True
                raise RuntimeError("injected fault in table counties after the first write")

    def at_commit(self, _conn) -> None:  # type: ignore[no-untyped-def]
        if self.writes and not self.fired:
            self.fired = True
            raise RuntimeError("injected fault at the commit, after the last write")


WRITES = re.compile(r"\b(INSERT INTO|UPDATE|DELETE FROM)\b")


async def counts(front: Client) -> dict[str, int]:
    return {t: (await front.sql(f"SELECT count(*) FROM {t}"))[0][0] for t in TABLES}


VOLUNTEER = {"level": "volunteer", "sub": "acct-f"}
REGISTRATION = {
    "name": "欧阳娜娜",
    "idNumber": id_number(931),
    "phone": "13800000931",
    "schoolCode": "10730",
    "degree": "BACHELOR",
    "hasWorkExperience": False,
}


@pytest.mark.parametrize("at_write", [2, 3])
@pytest.mark.parametrize(
    "document, variables, actor",
    [
        pytest.param(UPSERT_COUNTIES, {"input": COUNTIES}, NATIONAL, id="upsertCounties"),
        pytest.param(
            REGISTER, {"input": REGISTRATION}, {"level": "volunteer", "sub": "acct-f"}, id="registerVolunteer"
        ),
    ],
)
async def test_a_fault_after_the_first_write_leaves_nothing(
    client: Client, document, variables, actor, at_write
) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(client.hub)
    before = await counts(client)
    with Fault(client.hub, at_write) as fault:
        body = await client.gql(document, variables, **actor)
    assert fault.fired and fault.writes >= 2  # the fault did fire, after at least one write of the mutation
    assert body["data"] is None or all(v is None for v in body["data"].values())
    assert error_codes(body) == [None] or error_codes(body) == ["INTERNAL_SERVER_ERROR"], body
    assert await counts(client) == before  # no partial rows, no audit entry

    # the hub goes on: the same request succeeds, once, and the audit chain is whole
    data = await client.ok(document, variables, **actor)
    assert all(not payload["userErrors"] for payload in data.values())
    after = await counts(client)
    assert after["audit_entries"] == before["audit_entries"] + 1
    assert await seal(client.hub.engine) == 1
    async with client.hub.sessionmaker() as session:
        found = await verify(session)
    assert found.intact and (found.entries, found.pending) == (after["audit_entries"], 0)


async def test_a_fault_is_masked_in_production(settings) -> None:  # type: ignore[no-untyped-def]
    hub = Hub(replace(settings, env="production"), HubPlugins())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://hub") as http:
        front = Client(http, hub)
        await seed_reference(hub)
        before = await counts(front)
        with Fault(hub, 2):
            body = await front.gql(UPSERT_COUNTIES, {"input": COUNTIES}, **NATIONAL)
        assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
        assert "counties" not in body["errors"][0]["message"] and "injected" not in str(body)
        assert await counts(front) == before
    await hub.dispose()
