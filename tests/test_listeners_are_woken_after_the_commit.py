"""Issue 17: the NOTIFY that wakes delivery workers and subscribers in every process is sent after a
mutation's commit, in a transaction of its own, never inside the mutation's: PostgreSQL serializes the commits
of transactions that sent a NOTIFY (one lock of the whole cluster, held through the WAL flush), which made
every hub process's commits queue on one another. Commits close together share one NOTIFY."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest
from sqlalchemy import event, text

from hub.outbox import CHANNEL, Wakeups
from tests.conftest import Client, listen_url
from tests.seed import seed_reference
from tests.test_audit_log import register


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.mark.postgres_only
async def test_a_commit_wakes_listeners_after_it_and_sends_nothing_inside_it(client: Client) -> None:
    import asyncpg

    await seed_reference(client.hub)
    url = listen_url(client.hub.settings.database_url) or client.hub.settings.database_url
    listener, probe = await asyncpg.connect(_asyncpg_dsn(url)), await asyncpg.connect(_asyncpg_dsn(url))
    woken: asyncio.Queue[int] = asyncio.Queue()

    async def on_notify() -> None:
        # What a woken worker reads: the committed event is there when the wake-up arrives.
        await woken.put(await listener.fetchval("SELECT count(*) FROM domain_events"))

    await listener.add_listener(CHANNEL, lambda *_: asyncio.ensure_future(on_notify()))
    wakeups, sent = client.hub.wakeups, client.hub.wakeups.send
    seen_by_send: list[int] = []

    async def send_after_looking() -> None:
        # seen from another connection when the NOTIFY leaves: the mutation's transaction has committed
        seen_by_send.append(await probe.fetchval("SELECT count(*) FROM domain_events"))
        await sent()  # type: ignore[misc]

    inside: list[str] = []

    def statements(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        inside.append(statement)

    wakeups.send = send_after_looking
    event.listen(client.hub.engine.sync_engine, "before_cursor_execute", statements)
    try:
        await register(client, "acct-wake", 881, "10730")
        assert await asyncio.wait_for(woken.get(), timeout=10) == 1
        assert seen_by_send == [1]
        assert inside and not [s for s in inside if "notify" in s.lower()], inside  # none in the mutation
    finally:
        wakeups.send = sent
        event.remove(client.hub.engine.sync_engine, "before_cursor_execute", statements)
        await listener.close()
        await probe.close()
    triggers = await client.sql(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = 'domain_events'::regclass AND p.prosrc ILIKE '%notify%'"
    )
    assert triggers == []  # nothing notifies from inside the inserting transaction (migration 0013)


@pytest.mark.postgres_only
async def test_the_wakeup_goes_out_amid_other_traffic(client: Client) -> None:
    """Through PgBouncer in transaction mode too (CI): a NOTIFY sent as a prepared statement outside a
    transaction failed there whenever PgBouncer ran its two exchanges on different server connections."""
    send = client.hub.wakeups.send
    assert send is not None
    stop = asyncio.Event()

    async def traffic() -> None:
        while not stop.is_set():
            async with client.hub.engine.begin() as connection:
                await connection.execute(text("SELECT pg_sleep(0.002)"))

    others = [asyncio.create_task(traffic()) for _ in range(12)]
    try:
        sent = await asyncio.gather(*(send() for _ in range(60)), return_exceptions=True)
    finally:
        stop.set()
        await asyncio.gather(*others)
    assert [outcome for outcome in sent if isinstance(outcome, BaseException)] == []


async def test_commits_close_together_share_one_wakeup_and_a_later_one_gets_its_own() -> None:
    sent: list[int] = []

    async def send() -> None:
        sent.append(1)

    wakeups = Wakeups(send)
    for _ in range(50):
        wakeups.committed()
    await wakeups.flush()
    assert len(sent) == 1
    wakeups.committed()  # a commit after that NOTIFY went out needs one of its own
    await wakeups.flush()
    assert len(sent) == 2


async def test_a_failing_wakeup_is_logged_and_the_next_commit_still_sends(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    async def send() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("the database went away")

    wakeups = Wakeups(send)
    wakeups.committed()
    await wakeups.flush()
    assert "cannot NOTIFY hub_events" in caplog.text
    wakeups.committed()
    await wakeups.flush()
    assert len(calls) == 2


async def test_nothing_is_sent_where_nothing_listens() -> None:
    wakeups = Wakeups(None)  # SQLite: workers and subscribers poll
    wakeups.committed()
    await wakeups.flush()


async def test_a_database_that_does_not_answer_holds_up_a_shutdown_no_longer_than_the_timeout() -> None:
    async def hang() -> None:
        await asyncio.sleep(30)

    wakeups = Wakeups(hang)
    wakeups.committed()
    started = asyncio.get_running_loop().time()
    await wakeups.flush(timeout=0.2)
    assert asyncio.get_running_loop().time() - started < 5


REQUEST = contextvars.ContextVar("request", default=None)


async def test_the_wakeup_runs_outside_the_committing_request_s_context() -> None:
    seen: list[object] = []

    async def send() -> None:
        seen.append(REQUEST.get())

    wakeups = Wakeups(send)
    token = REQUEST.set("the request that committed")  # its statement count and trace must not get the NOTIFY
    try:
        wakeups.committed()
    finally:
        REQUEST.reset(token)
    await wakeups.flush()
    assert seen == [None]
