"""The audit sequencer: seals committed, unsealed audit entries into the hash chain, in batches.

Mutations write their entries unsealed (hub/audit.py) and commit without touching the chain, so no commit
waits for another. The sequencer — a task in every `hub serve` process, `hub audit seal` by hand — takes
the entries that are not yet sealed in the order they were written, chains each to the head (`prev_hash`,
`hash`, `seq`) and commits the batch: Certificate Transparency logs and Trillian's sequencer work the same
way (entries queued, then integrated into the tree by one signer). One sequencer seals at a time: a
PostgreSQL transaction-scoped advisory lock (a busy one is skipped, not waited for, by the periodic task),
SQLite's BEGIN IMMEDIATE. An entry becomes tamper-evident when it is sealed, within HUB_AUDIT_SEAL_INTERVAL
of its commit; until then `hub audit verify` counts it as pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.audit import CHAIN_LOCK, GENESIS, entry_hash, scopes_of
from hub.db import WRITE_OPTION
from hub.models import AuditEntry

log = logging.getLogger("hub.sequencer")
BATCH = 1000
entries = AuditEntry.__table__  # type: ignore[attr-defined]


async def seal(engine: AsyncEngine, wait: bool = True, batch: int = BATCH) -> int:
    """Seal every entry committed and still unsealed; the number sealed. `wait=False`: return 0 at once
    when another sequencer holds the lock (PostgreSQL)."""
    sealed = 0
    while True:
        count = await _seal_batch(engine, wait, batch)
        sealed += count
        if count < batch:
            return sealed


async def _seal_batch(engine: AsyncEngine, wait: bool, batch: int) -> int:
    # An idle round only reads: no write lock (SQLite) and no advisory lock (PostgreSQL) every second.
    async with engine.connect() as connection:
        waiting = (await connection.execute(select(entries.c.id).where(entries.c.seq.is_(None)).limit(1))).first()
    if waiting is None:
        return 0
    async with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            if wait:
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
            else:
                taken = await connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
                if not taken.scalar():
                    return 0
        head = (
            await connection.execute(
                select(entries.c.seq, entries.c.hash)
                .where(entries.c.seq.is_not(None))
                .order_by(entries.c.seq.desc())
                .limit(1)
            )
        ).first()
        seq, previous = (head[0], head[1]) if head else (0, GENESIS)
        pending = (
            (
                await connection.execute(
                    select(entries).where(entries.c.seq.is_(None)).order_by(entries.c.id).limit(batch)
                )
            )
            .mappings()
            .all()
        )
        if not pending:
            return 0
        scopes = await scopes_of(connection, [row["id"] for row in pending])
        sealed: list[dict[str, Any]] = []
        for row in pending:
            seq += 1
            entry = SimpleNamespace(**{**row, "prev_hash": previous})
            digest = entry_hash(entry, scopes.get(row["id"], []))
            sealed.append({"entry_id": row["id"], "new_seq": seq, "new_prev": previous, "new_hash": digest})
            previous = digest
        await connection.execute(
            update(entries)
            .where(entries.c.id == bindparam("entry_id"), entries.c.seq.is_(None))
            .values(seq=bindparam("new_seq"), prev_hash=bindparam("new_prev"), hash=bindparam("new_hash")),
            sealed,
        )
        return len(sealed)


@contextlib.asynccontextmanager
async def sequencing(engine: AsyncEngine, interval: float, every: Any = None) -> AsyncIterator[None]:
    """Run the sequencer every `interval` seconds while the block runs (0: not at all); `every`, an async
    callable, runs after each round (the checkpoint writer). The last round runs on the way out."""
    if interval <= 0:
        yield
        return

    async def rounds() -> None:
        while True:
            await asyncio.sleep(interval)
            await _round(engine, every, wait=False)

    task = asyncio.create_task(rounds(), name="audit-sequencer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await _round(engine, every, wait=True)


async def _round(engine: AsyncEngine, every: Any, wait: bool) -> None:
    try:
        await seal(engine, wait=wait)
        if every is not None:
            await every()
    except asyncio.CancelledError:
        raise
    except Exception:  # a lost database: the entries wait, the next round seals them
        log.exception("the audit sequencer could not seal this round")
