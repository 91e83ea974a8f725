"""Subscriptions over graphql-transport-ws (issue 16), fed from the outbox: a subscriber on one process
sees the events committed by any process (PostgreSQL LISTEN/NOTIFY wakes it; SQLite polls). The same
read scope as the audit log (R42) and the same R2a masking as webhooks decide what each subscriber gets.

The token is checked when the connection opens (`connection_init` payload `{"Authorization": "Bearer …"}`,
or the upgrade request's header), and its expiry is enforced: the subscription ends with an error when
the token expires."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import jwt
import strawberry
from graphql import GraphQLError
from sqlalchemy import func, select
from strawberry.exceptions import ConnectionRejectionError
from strawberry.scalars import JSON

from hub import models as m
from hub.auth import AuthenticationError, bearer
from hub.events.delivery import PersonalData
from hub.events.worker import OutboxSignal
from hub.graphql.context import Info
from hub.i18n import _

LOOK_BACK = 200  # ids below the cursor looked at again: a transaction with a lower id may commit later
REMEMBERED = 2000  # ids of events already sent, to skip those when looking back


async def connect(hub: Any, context: Any) -> None:
    """graphql-transport-ws `connection_init`: authenticate (4403 Forbidden otherwise) and note the expiry."""
    params = getattr(context, "connection_params", None) or {}
    header = params.get("Authorization") or params.get("authorization") or ""
    if not header and context.request is not None:
        header = context.request.headers.get("authorization", "")
    try:
        actor = bearer(str(header), hub.settings)
    except AuthenticationError as exc:
        raise ConnectionRejectionError({"reason": str(exc)}) from None
    if actor is None:
        raise ConnectionRejectionError({"reason": "subscriptions need a token"})
    token = str(header).partition(" ")[2].strip()
    context.actor, context.auth_error = actor, None
    context.memo["token_expires"] = jwt.decode(token, options={"verify_signature": False})["exp"]


async def _signal(hub: Any) -> OutboxSignal:
    """One LISTEN connection per process, shared by every subscriber (started on first use)."""
    lock = hub.__dict__.setdefault("_events_signal_lock", asyncio.Lock())
    async with lock:
        signal = hub.__dict__.get("_events_signal")
        if signal is None:
            signal = OutboxSignal(hub.settings.database_listen_url or hub.settings.database_url)
            await signal.start()
            hub._events_signal = signal
    return signal


@strawberry.type(description="A committed change inside the subscriber's read scope (docs/events.md).")
class DomainEvent:
    id: str = strawberry.field(description="The event id (also the webhook-id of its webhook deliveries).")
    type: str = strawberry.field(description="The event type: the mutation's name.")
    timestamp: datetime
    actor: JSON
    objects: JSON = strawberry.field(description="Affected objects: global id, type, fields (R2a-masked).")


@strawberry.type
class EventSubscription:
    @strawberry.subscription(description="Events committed from now on that the caller may read.")
    async def events(self, info: Info, types: list[str] | None = None) -> AsyncGenerator[DomainEvent, None]:
        context = info.context
        actor = context.require_actor("events")
        hub = context.hub
        expires = context.memo.get("token_expires")
        signal = await _signal(hub)
        wake = signal.waiter()
        sent: deque[int] = deque(maxlen=REMEMBERED)
        try:
            async with hub.sessionmaker() as session:
                cursor = (await session.execute(select(func.coalesce(func.max(m.DomainEvent.id), 0)))).scalar_one()
            while True:
                wake.clear()
                async with hub.sessionmaker() as session:
                    query = (
                        select(m.DomainEvent)
                        .join(m.AuditEntry, m.AuditEntry.id == m.DomainEvent.audit_entry_id)
                        .where(m.DomainEvent.id > cursor - LOOK_BACK, hub.permissions.visible(actor, "AuditEntry"))
                        .order_by(m.DomainEvent.id)
                        .limit(500)
                    )
                    if types:
                        query = query.where(m.DomainEvent.type.in_(types))
                    found = [e for e in (await session.execute(query)).scalars() if e.id not in sent]
                    personal = PersonalData()
                    await personal.load(session, found)
                for event in found:
                    sent.append(event.id)
                    cursor = max(cursor, event.id)
                    yield DomainEvent(
                        id=event.uid,
                        type=event.type,
                        timestamp=event.at,
                        actor={"level": event.actor_level, "code": event.actor_code},
                        objects=personal.objects_for(event, actor),
                    )
                timeout = hub.settings.events.poll_seconds
                if expires is not None:
                    left = expires - datetime.now().timestamp()
                    if left <= 0:
                        raise GraphQLError(_("the token has expired"), extensions={"code": "UNAUTHENTICATED"})
                    timeout = min(timeout, left)
                try:
                    await asyncio.wait_for(wake.wait(), timeout)
                except TimeoutError:
                    pass
        finally:
            signal.forget(wake)
