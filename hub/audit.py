"""R42: audit entries, written inside the mutation's transaction, and who may read them; the hash chain
that makes the log tamper-evident, and its verification (`hub audit verify`).

Each entry's `hash` is the SHA-256 of its canonical content (time, actor, operation, targets, changes,
jurisdiction scopes) and of `prev_hash`, the hash of the entry before it (GENESIS for the first). The
append is serialized — a PostgreSQL transaction-scoped advisory lock, SQLite's BEGIN IMMEDIATE of every
write — so that the chain stays one line under parallel mutations, in one process or many. The lock is
taken at the end of the mutation's work and held only until its commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.auth import Actor
from hub.models import AuditEntry, AuditScope

GENESIS = "0" * 64
CHAIN_LOCK = 0x687562_6175_64  # "hub aud": the advisory lock of the chain's head (PostgreSQL)
PAGE = 1000


async def write_entry(
    session: AsyncSession,
    actor: Actor,
    operation: str,
    at: datetime,
    target_ids: list[str],
    changes: dict[str, Any],
    scopes: Iterable[tuple[str, str]],
) -> AuditEntry:
    """Add the entry, chained to the head of the log, and its jurisdiction scopes to the open transaction
    (flushed, not committed)."""
    scope_list = sorted(set(scopes))
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head = (await session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))).scalar()
    entry = AuditEntry(
        at=at,
        actor_level=actor.level.value,
        actor_code=actor.code,
        actor_subject=actor.subject,
        operation=operation,
        target_ids=target_ids,
        changes=_jsonable(changes),
        prev_hash=head or GENESIS,
        hash="",
    )
    entry.hash = entry_hash(entry, scope_list)
    session.add(entry)
    await session.flush()
    for level, code in scope_list:
        session.add(AuditScope(entry_id=entry.id, level=level, code=code))
    return entry


def entry_hash(entry: Any, scopes: Iterable[tuple[str, str]]) -> str:
    """SHA-256 of the entry's canonical JSON, its scopes and `prev_hash` (the id is left out: the chain,
    not the sequence, orders the log; rolled-back transactions leave gaps in ids)."""
    at = entry.at.astimezone(UTC) if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    content = [
        entry.prev_hash,
        at.isoformat(timespec="microseconds"),
        entry.actor_level,
        entry.actor_code,
        entry.actor_subject,
        entry.operation,
        list(entry.target_ids),
        entry.changes,
        sorted([level, code] for level, code in scopes),
    ]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: how many entries were checked, the head, and the first break (None: intact)."""

    entries: int
    head: str
    broken_at: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


async def verify(session: AsyncSession) -> Verdict:
    """Walk the log in id order; the first entry whose content no longer gives its hash (altered), or
    whose `prev_hash` is not the hash of the entry before it (an entry missing, or rewritten with its
    hash), is reported. A removed last entry leaves no trace in the chain itself: keep the reported head
    (entries and hash) elsewhere and compare."""
    expected, count = GENESIS, 0
    async for entry, scopes in _entries(session):
        count += 1
        if entry_hash(entry, scopes) != entry.hash:
            return Verdict(
                count, expected, entry.id, f"entry {entry.id} was altered: its content no longer gives its hash"
            )
        if entry.prev_hash != expected:
            before = "the start of the log" if expected == GENESIS else f"the entry before it ({expected[:12]}…)"
            return Verdict(
                count, expected, entry.id, f"entry {entry.id} does not follow {before}: an entry is missing there"
            )
        expected = entry.hash
    return Verdict(count, expected)


async def _entries(session: AsyncSession) -> AsyncIterator[tuple[AuditEntry, list[tuple[str, str]]]]:
    last = 0
    while True:
        page = (
            (await session.execute(select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(PAGE)))
            .scalars()
            .all()
        )
        if not page:
            return
        scopes: dict[int, list[tuple[str, str]]] = {}
        rows = await session.execute(
            select(AuditScope.entry_id, AuditScope.level, AuditScope.code).where(
                AuditScope.entry_id.in_([e.id for e in page])
            )
        )
        for entry_id, level, code in rows:
            scopes.setdefault(entry_id, []).append((level, code))
        for entry in page:
            yield entry, scopes.get(entry.id, [])
        last = page[-1].id


def touched_by(level: str, code: str) -> ColumnElement[bool]:
    """SQL: the audit entries touching the jurisdiction `level`/`code`."""
    return AuditEntry.id.in_(select(AuditScope.entry_id).where(AuditScope.level == level, AuditScope.code == code))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return str(value)  # dates, decimals: their ISO / exact text
