"""The delivery worker (issue 16): inside `hub serve` as a lifespan task, or alone as `hub worker`.

It loops: fan new outbox events out to endpoints, send the due deliveries, relay to a broker when one
is configured; when there is nothing to do it sleeps until the next poll — or, on PostgreSQL, until a
NOTIFY on `hub_events` says another transaction (in any process) committed an event. At start it finds
whatever an earlier process left pending (events not fanned out, deliveries due or with an expired
lease), so a killed process loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import httpx

from hub.events.delivery import BATCH, deliver_due, fan_out
from hub.outbox import CHANNEL

log = logging.getLogger("hub.events")
GATHER_SECONDS = 0.1


class OutboxSignal:
    """Wakes waiters when an event commits: PostgreSQL LISTEN on `hub_events` (one connection per process),
    plus the in-process nudge; waiters on SQLite fall back to polling."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._waiters: set[asyncio.Event] = set()
        self._connection: Any = None

    async def start(self) -> None:
        if not self.database_url.startswith("postgresql"):
            return
        import asyncpg

        dsn = self.database_url.replace("postgresql+asyncpg", "postgresql")
        try:
            self._connection = await asyncpg.connect(dsn)
            await self._connection.add_listener(CHANNEL, lambda *_: self.notify())
        except Exception:  # the worker still polls without it
            log.exception("cannot LISTEN on %s; polling only", CHANNEL)
            self._connection = None

    async def stop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None

    def notify(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    def waiter(self) -> asyncio.Event:
        event = asyncio.Event()
        self._waiters.add(event)
        return event

    def forget(self, event: asyncio.Event) -> None:
        self._waiters.discard(event)


async def run_worker(
    hub: Any, signal: OutboxSignal, stop: asyncio.Event, relay: Callable[[], Any] | None = None
) -> None:
    """Deliver until `stop` is set. One failing round is logged and retried after the poll interval."""
    poll = hub.settings.events.poll_seconds
    wake = signal.waiter()
    try:
        async with httpx.AsyncClient() as http:
            while not stop.is_set():
                wake.clear()
                try:
                    # Straight on only while a batch came back full (a backlog); otherwise wait for the
                    # next commit: under a burst every round would find one new event and rounds would
                    # run back to back, costing the mutations their share of the database and the loop.
                    backlog = await fan_out(hub) >= BATCH
                    backlog |= await deliver_due(hub, http) >= BATCH
                    if relay is not None:
                        backlog |= await relay() >= BATCH
                except Exception:
                    log.exception("delivery round failed; retrying in %s s", poll)
                    backlog = False
                if backlog:
                    continue
                waits = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
                await asyncio.wait(waits, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
                for w in waits:
                    w.cancel()
                if wake.is_set() and not stop.is_set():
                    # Gather the commits of the next moment into one round: under a burst, one fan-out
                    # per commit would cost the mutations' own share of the database.
                    await asyncio.sleep(GATHER_SECONDS)
    finally:
        signal.forget(wake)


class OwnConnections:
    """The hub as the worker sees it, with a small pool of its own: the request pool can be all taken by
    mutations queueing on the audit chain's lock during a burst, and the worker must not wait behind them."""

    POOL = 4

    def __init__(self, hub: Any) -> None:
        from hub.db import make_engine, make_sessionmaker

        self.settings = hub.settings
        self.permissions = hub.permissions
        self.engine = make_engine(hub.settings.database_url, self.POOL, hub.settings.pgbouncer)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.write_sessionmaker = make_sessionmaker(self.engine, write=True)


class Worker:
    """A running worker task and its signal, started and stopped with the app (or `hub worker`)."""

    def __init__(self, hub: Any) -> None:
        self.hub = OwnConnections(hub)
        self.signal = OutboxSignal(hub.settings.database_listen_url or hub.settings.database_url)
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.relay: Any = None

    async def start(self) -> None:
        await self.signal.start()
        if self.hub.settings.events.relay:
            from hub.events.relay import Relay

            self.relay = Relay(self.hub)
        relay = self.relay.run_once if self.relay is not None else None
        self.task = asyncio.create_task(run_worker(self.hub, self.signal, self.stop, relay))

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.relay is not None:
            with contextlib.suppress(Exception):
                await self.relay.close()
        await self.signal.stop()
        await self.hub.engine.dispose()
