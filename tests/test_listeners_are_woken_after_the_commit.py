"""Issue 17: the NOTIFY that wakes delivery workers and subscribers in every process is sent after a
mutation's commit, in a transaction of its own, never inside the mutation's: PostgreSQL serializes the commits
of transactions that sent a NOTIFY (one lock of the whole cluster, held through the WAL flush), which made
every hub process's commits queue on one another. Commits close together share one NOTIFY."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event

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
    url = client.hub.settings.database_url
    listener = await asyncpg.connect(_asyncpg_dsn(listen_url(url) or url))
    woken: asyncio.Queue[int] = asyncio.Queue()

    async def on_notify(*_args: Any) -> None:
        # What a woken worker reads: the committed event is there when the wake-up arrives.
        await woken.put(await listener.fetchval("SELECT count(*) FROM domain_events"))

    await listener.add_listener(CHANNEL, lambda *args: asyncio.ensure_future(on_notify(*args)))
    inside: list[str] = []

    def statements(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        inside.append(statement)

    event.listen(client.hub.engine.sync_engine, "before_cursor_execute", statements)
    try:
        await register(client, "acct-wake", 881, "10730")
        assert await asyncio.wait_for(woken.get(), timeout=10) == 1
        notifying = [s for s in inside if "notify" in s.lower()]
        # the one NOTIFY, on its own statement, after the mutation's (BEGIN ... INSERT ... COMMIT)
        assert len(notifying) == 1 and inside[-1] == notifying[0], inside
    finally:
        event.remove(client.hub.engine.sync_engine, "before_cursor_execute", statements)
        await listener.close()
    triggers = await client.sql(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = 'domain_events'::regclass AND p.prosrc ILIKE '%notify%'"
    )
    assert triggers == []  # nothing notifies from inside the inserting transaction (migration 0013)


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
