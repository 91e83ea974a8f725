"""The transactional outbox: each accepted mutation's domain event is a row written in the mutation's
own transaction, beside its audit entry, so that a committed change always has its event and a rolled-back
one never does — whatever happens to the process after the commit (issue 16).

Delivery reads the outbox later (hub/events/delivery.py); on PostgreSQL the insert also sends a NOTIFY on
`hub_events` (a statement trigger, migration 0008), which PostgreSQL delivers only at commit, so that
workers and subscribers in any process wake at once instead of waiting for their next poll."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert

from hub.db import check_text_rows
from hub.ids import from_global_id
from hub.models import DomainEvent

CHANNEL = "hub_events"
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
    row comes back), no ORM object: every mutation writes one. On PostgreSQL its insert trigger sends the
    NOTIFY, delivered at commit."""
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
    await unit.session.execute(insert(EVENTS).values(event))
    return event
