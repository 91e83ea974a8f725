"""R42: audit entries, written inside the mutation's transaction, and who may read them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.auth import Actor
from hub.models import AuditEntry, AuditScope


async def write_entry(
    session: AsyncSession,
    actor: Actor,
    operation: str,
    at: datetime,
    target_ids: list[str],
    changes: dict[str, Any],
    scopes: Iterable[tuple[str, str]],
) -> AuditEntry:
    """Add the entry and its jurisdiction scopes to the open transaction (flushed, not committed)."""
    entry = AuditEntry(
        at=at,
        actor_level=actor.level.value,
        actor_code=actor.code,
        actor_subject=actor.subject,
        operation=operation,
        target_ids=target_ids,
        changes=_jsonable(changes),
    )
    session.add(entry)
    await session.flush()
    for level, code in sorted(set(scopes)):
        session.add(AuditScope(entry_id=entry.id, level=level, code=code))
    return entry


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
