"""The transactional outbox: each accepted mutation's domain event is a row written in the mutation's
own transaction, beside its audit entry, so that a committed change always has its event and a rolled-back
one never does — whatever happens to the process after the commit (issue 16).

Delivery reads the outbox later (hub/events/delivery.py). On PostgreSQL each process sends a NOTIFY on
`hub_events` after its commits (`Wakeups`), so that workers and subscribers in any process wake at once
instead of waiting for their next poll. Never inside the committing transaction: a transaction that has
sent a NOTIFY takes one lock of the whole cluster at commit and holds it through its WAL flush, so every
such commit waited for the one before it, in every process (migration 0013 removed the trigger that did).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, String, bindparam, func, insert, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit import ENTRIES, entry_row, write_entry, written
from hub.db import check_text_rows
from hub.ids import from_global_id
from hub.models import AuditScope, DomainEvent

CHANNEL = "hub_events"
FLUSH_SECONDS = 2.0
log = logging.getLogger("hub.outbox")
EVENTS = DomainEvent.__table__  # type: ignore[attr-defined]


def new_uid() -> str:
    """A Standard Webhooks message id: `msg_` and 32 hex digits, the same for every delivery of the event."""
    return f"msg_{uuid.uuid4().hex}"


def affected_objects(target_ids: list[str], changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The affected objects as the payload shows them: global id, GraphQL type name and changed fields
    (`changes` as the audit entry holds them: JSON values)."""
    objects = []
    for target in target_ids:
        try:
            type_name = from_global_id(target)[0]
        except Exception:  # an id that is no global id still names the object
            type_name = None
        objects.append({"id": target, "type": type_name, "fields": changes.get(target, {})})
    return objects


async def write_event(unit: Any, entry: Any) -> dict[str, Any]:
    """Add the event of `unit` (the mutation's unit of work) to its open transaction; `entry` is the audit
    entry just written, whose jurisdiction scopes decide who may receive the event. One plain insert (the
    row comes back), no ORM object: every mutation writes one. Listeners are woken after the commit
    (`Wakeups`), never from inside it."""
    event = event_row(unit, entry)
    await unit.session.execute(insert(EVENTS).values(event))
    return event


def event_row(unit: Any, entry: Any) -> dict[str, Any]:
    """The event of `unit` for its audit entry `entry` (its id, time, targets and changes), text-checked."""
    event = {
        "uid": new_uid(),
        "type": unit.operation,
        "at": entry.at,
        "audit_entry_id": entry.id,
        "actor_level": unit.actor.level.value,
        "actor_code": unit.actor.code,
        "objects": affected_objects(list(entry.target_ids), entry.changes),
        "fanned_out": False,
        "relayed": False,
    }
    check_text_rows(EVENTS, [event])  # what the ORM flush checks (hub.db)
    return event


async def write_entry_and_event(unit: Any, at: datetime) -> Any:
    """The audit entry of `unit` (hub.audit.write_entry: unsealed, with its jurisdiction scopes) and its event,
    added to its open transaction; the entry comes back as written. On PostgreSQL the three inserts are one
    statement (`ENTRY_AND_EVENT`: one round trip instead of three, issue 17's burst); elsewhere they are
    `write_entry` and `write_event`, one after the other."""
    session: AsyncSession = unit.session
    if session.get_bind().dialect.name != "postgresql":
        entry = await write_entry(session, unit.actor, unit.operation, at, unit.target_ids, unit.changes, unit.scopes)
        await write_event(unit, entry)
        return entry
    await session.flush()  # the rule's own rows first, as write_entry does
    row = entry_row(unit.actor, unit.operation, at, unit.target_ids, unit.changes)
    scopes = sorted(set(unit.scopes))
    check_text_rows(SCOPES, [{"level": level, "code": code} for level, code in scopes])
    event = event_row(unit, written(0, row))  # its entry's id comes from the statement
    del event["audit_entry_id"]
    parameters = {
        **{f"entry_{key}": value for key, value in row.items()},
        **{f"event_{key}": value for key, value in event.items()},
        "scope_levels": [level for level, _code in scopes],
        "scope_codes": [code for _level, code in scopes],
    }
    entry_id = (await session.execute(ENTRY_AND_EVENT, parameters)).scalar_one()
    return written(entry_id, row)


SCOPES = AuditScope.__table__  # type: ignore[attr-defined]
_ENTRY_COLUMNS = ("at", "actor_level", "actor_code", "actor_subject", "operation", "target_ids", "changes")
_EVENT_COLUMNS = ("uid", "type", "at", "actor_level", "actor_code", "objects", "fanned_out", "relayed")


def _entry_and_event() -> Any:
    """PostgreSQL: INSERT the entry, its scopes (two arrays, unnested) and its event referencing it, as
    data-modifying CTEs of one statement, built once (its parameters bound per call: a cached compilation)."""
    entry = (
        insert(ENTRIES)
        .values({c: bindparam(f"entry_{c}", type_=ENTRIES.c[c].type) for c in _ENTRY_COLUMNS})
        .returning(ENTRIES.c.id)
        .cte("entry")
    )
    given = (
        func.unnest(bindparam("scope_levels", type_=ARRAY(String)), bindparam("scope_codes", type_=ARRAY(String)))
        .table_valued("level", "code")
        .render_derived()
    )
    scopes = (
        insert(SCOPES)
        .from_select(
            ["entry_id", "level", "code"],
            select(entry.c.id, given.c.level, given.c.code).select_from(entry.join(given, true())),
        )
        .cte("scopes")
    )
    event_values = [bindparam(f"event_{c}", type_=EVENTS.c[c].type) for c in _EVENT_COLUMNS]
    event = (
        insert(EVENTS).from_select([*_EVENT_COLUMNS, "audit_entry_id"], select(*event_values, entry.c.id)).cte("event")
    )
    return select(entry.c.id).add_cte(scopes, event)


ENTRY_AND_EVENT = _entry_and_event()


class Wakeups:
    """The NOTIFY on `hub_events` that tells listeners in every process that events committed: sent by `send`
    after commits (`committed()`), in a transaction of its own — one that writes nothing, so PostgreSQL commits
    it without waiting for a WAL flush and holds the notification queue's lock only for that moment.

    Commits of the next `WINDOW` seconds share one NOTIFY: under a burst one per commit would cost a round
    trip per mutation, and the delivery worker gathers a wake-up's commits for 100 ms anyway. A NOTIFY lost
    to a failure (or to a process killed between commit and NOTIFY) costs a listener its next poll, never
    an event: the outbox row committed with the change."""

    WINDOW = 0.02

    def __init__(self, send: Callable[[], Awaitable[Any]] | None) -> None:
        self.send = send  # None where nothing listens (SQLite: workers and subscribers poll)
        self._pending = False
        self._task: asyncio.Task[None] | None = None

    def committed(self) -> None:
        """Events committed: a NOTIFY goes out within WINDOW seconds (one for every commit until it does)."""
        if self.send is None:
            return
        self._pending = True
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            # a context of its own: not the committing request's (its statement count, its trace, its language)
            self._task = loop.create_task(self._run(), context=contextvars.Context())

    async def _run(self) -> None:
        while self._pending:
            await asyncio.sleep(self.WINDOW)
            self._pending = False  # a commit from now on is after this NOTIFY's start: it asks for another
            try:
                await self.send()  # type: ignore[misc]
            except Exception:
                log.warning("cannot NOTIFY %s; listeners see the events at their next poll", CHANNEL, exc_info=True)

    async def flush(self, timeout: float = FLUSH_SECONDS) -> None:
        """Wait for the NOTIFY still due (a process about to close its engine), at most `timeout` seconds: a
        database that does not answer must not hold up a shutdown (listeners still poll)."""
        task = self._task
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            with contextlib.suppress(Exception, TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), timeout)


def notify_on(engine: Any) -> Callable[[], Awaitable[Any]] | None:
    """`Wakeups`' sender on `engine` (the hub's side pool, not the requests'): PostgreSQL's `NOTIFY` as one
    simple-protocol query outside any transaction block — one round trip, its own transaction, and nothing
    prepared, which a PgBouncer in transaction mode could run on another server connection than the one that
    prepared it. None on SQLite."""
    if engine.dialect.name != "postgresql":
        return None

    async def send() -> None:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute(f"NOTIFY {CHANNEL}")

    return send
