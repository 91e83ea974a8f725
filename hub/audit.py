"""R42: audit entries, written inside the mutation's transaction, and who may read them; the hash chain
that makes the log tamper-evident, and its verification (`hub audit verify`).

Each entry's `hash` is the SHA-256 of its canonical content (time, actor, operation, targets, changes,
jurisdiction scopes) and of `prev_hash`, the hash of the entry before it (GENESIS for the first); `seq` is
its position in the chain. A mutation writes its entry unsealed — no lock, no read of the chain's head —
so that commits never queue on one another; the sequencer (hub/sequencer.py) seals committed entries into
the chain in batches, as Certificate Transparency logs and Trillian do. Signed checkpoints
(hub/checkpoints.py) kept outside the database make a cut tail visible.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.auth import Actor
from hub.db import check_text_rows, insert_rows
from hub.i18n import _
from hub.models import AuditEntry, AuditScope

GENESIS = "0" * 64
CHAIN_LOCK = 0x687562_6175_64  # "hub aud": the advisory lock of the sequencer (PostgreSQL), never of a commit
PAGE = 1000
ENTRIES = AuditEntry.__table__  # type: ignore[attr-defined]


async def write_entry(
    session: AsyncSession,
    actor: Actor,
    operation: str,
    at: datetime,
    target_ids: list[str],
    changes: dict[str, Any],
    scopes: Iterable[tuple[str, str]],
) -> Any:
    """Add the entry, unsealed, and its jurisdiction scopes to the open transaction (flushed, not
    committed); the sequencer chains it once the transaction has committed. The entry comes back as the
    row written (its columns as attributes, its id read back), not an ORM object: every mutation writes one,
    and an object with its flush cost more than the two inserts (issue 17, the registration burst)."""
    await session.flush()  # the rule's own rows first, as before: the entry is the transaction's last write
    row = entry_row(actor, operation, at, target_ids, changes)
    entry_id = (await session.execute(insert(ENTRIES).values(row).returning(ENTRIES.c.id))).scalar_one()
    # one statement of plain rows: a batch mutation touches thousands of scopes (a roster: every account)
    scope_rows = [{"entry_id": entry_id, "level": level, "code": code} for level, code in sorted(set(scopes))]
    await insert_rows(session, AuditScope, scope_rows)
    return written(entry_id, row)


def entry_row(
    actor: Actor, operation: str, at: datetime, target_ids: list[str], changes: dict[str, Any]
) -> dict[str, Any]:
    """The columns of an unsealed entry as `write_entry` inserts them, text-checked as an ORM flush checks."""
    row = {
        "at": at,
        "actor_level": actor.level.value,
        "actor_code": actor.code,
        "actor_subject": actor.subject,
        "operation": operation,
        "target_ids": target_ids,
        "changes": _jsonable(changes),
    }
    check_text_rows(ENTRIES, [row])  # what the ORM flush checks (hub.db)
    return row


def written(entry_id: int, row: dict[str, Any]) -> Any:
    """The entry as written: its columns as attributes, its id read back, not yet sealed."""
    return SimpleNamespace(id=entry_id, prev_hash=None, hash=None, seq=None, **row)


def entry_hash(entry: Any, scopes: Iterable[tuple[str, str]]) -> str:
    """SHA-256 of the entry's canonical JSON, its scopes and `prev_hash` (the id and `seq` are left out:
    the chain orders the log; rolled-back transactions leave gaps in ids)."""
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
    """What `verify` found: how many sealed entries were checked, the head, the first break (None: intact),
    entries still waiting for the sequencer, and how many a checkpoint vouches for that the log lacks."""

    entries: int
    head: str
    broken_at: int | None = None
    reason: str | None = None
    pending: int = 0
    cut: int = 0

    @property
    def intact(self) -> bool:
        return self.reason is None


class Vouched(Protocol):
    """What a signed checkpoint vouches for: the first `entries` entries of the chain, ending in `head`."""

    entries: int
    head: str
    at: datetime


async def verify(session: AsyncSession, checkpoint: Vouched | None = None) -> Verdict:
    """Walk the sealed entries in chain order (`seq`); the first entry whose content no longer gives its
    hash (edited), whose `prev_hash` is not the hash of the entry before it (an entry deleted, inserted or
    moved there, or one rewritten with a fresh hash), or whose position skips one is reported.

    With a `checkpoint` (verified by the caller), the log must hold at least its entries and the entry at
    its size must have its head: fewer entries is a cut tail, another head a rewritten log."""
    expected, count, at_checkpoint = GENESIS, 0, None
    async for entry, scopes in _entries(session):
        count += 1
        if entry_hash(entry, scopes) != entry.hash:
            return Verdict(
                count,
                expected,
                entry.id,
                _("entry {id} was altered: its content no longer gives its hash", id=entry.id),
            )
        if entry.prev_hash != expected or entry.seq != count:
            before = (
                _("the start of the log")
                if expected == GENESIS
                else _("the entry before it ({hash}…)", hash=expected[:12])
            )
            return Verdict(
                count,
                expected,
                entry.id,
                _(
                    "entry {id} does not follow {before}: an entry is missing, added or moved there",
                    id=entry.id,
                    before=before,
                ),
            )
        expected = entry.hash
        if checkpoint is not None and count == checkpoint.entries:
            at_checkpoint = entry.hash
    pending = (await session.execute(select(func.count()).where(AuditEntry.seq.is_(None)))).scalar_one()
    if checkpoint is not None:
        when = checkpoint.at.isoformat(timespec="seconds")
        if count < checkpoint.entries:
            cut = checkpoint.entries - count
            reason = _(
                "the tail was cut: the checkpoint of {when} vouches for {entries} entries, "
                "the log holds {count} ({cut} missing at the end)",
                when=when,
                entries=checkpoint.entries,
                count=count,
                cut=cut,
            )
            return Verdict(count, expected, None, reason, pending, cut)
        if at_checkpoint != checkpoint.head:
            reason = _(
                "the log was rewritten: entry {entries} does not have the head the checkpoint of "
                "{when} vouches for ({head}…)",
                entries=checkpoint.entries,
                when=when,
                head=checkpoint.head[:12],
            )
            return Verdict(count, expected, None, reason, pending)
    return Verdict(count, expected, pending=pending)


async def _entries(session: AsyncSession) -> AsyncIterator[tuple[AuditEntry, list[tuple[str, str]]]]:
    last = 0
    while True:
        page = (
            (
                await session.execute(
                    select(AuditEntry)
                    .where(AuditEntry.seq.is_not(None), AuditEntry.seq > last)
                    .order_by(AuditEntry.seq)
                    .limit(PAGE)
                )
            )
            .scalars()
            .all()
        )
        if not page:
            return
        scopes = await scopes_of(session, [e.id for e in page])
        for entry in page:
            yield entry, scopes.get(entry.id, [])
        last = page[-1].seq


async def scopes_of(session: Any, entry_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The jurisdiction scopes of the given entries (a session or a connection)."""
    scopes: dict[int, list[tuple[str, str]]] = {}
    rows = await session.execute(
        select(AuditScope.entry_id, AuditScope.level, AuditScope.code).where(AuditScope.entry_id.in_(entry_ids))
    )
    for entry_id, level, code in rows:
        scopes.setdefault(entry_id, []).append((level, code))
    return scopes


def touched_by(level: str, code: str) -> ColumnElement[bool]:
    """SQL: the audit entries touching the jurisdiction `level`/`code`."""
    return AuditEntry.id.in_(select(AuditScope.entry_id).where(AuditScope.level == level, AuditScope.code == code))


_PLAIN = frozenset({str, int, float, bool, type(None)})  # JSON values as they are


def _jsonable(value: Any) -> Any:
    if type(value) is dict:  # a batch's changes: thousands of small dicts of plain values, looked at by type first
        return {k if type(k) is str else str(k): v if type(v) in _PLAIN else _jsonable(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return str(value)  # dates, decimals: their ISO / exact text
