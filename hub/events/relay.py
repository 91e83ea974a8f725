"""The outbox relayed to a broker (issue 16), for users who outgrow one database: with
HUB_EVENTS_RELAY=nats://host:4222 every event is published to NATS JetStream, on the subject
`hub.events.<type>` of the stream HUB_EVENTS (created when missing), in outbox order.

At least once, deduplicated: each message carries `Nats-Msg-Id: <event id>`, so a process killed
between the publish and the commit of `relayed` republishes the same id and JetStream's duplicate window
drops it. The broker is a system of the whole country and gets what the national office gets: every
event, personal data masked (R2a: the national office reads it masked). RabbitMQ (amqp://) is not
implemented yet: the setting refuses it."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update

from hub import models as m
from hub.events.delivery import BATCH, PersonalData, envelope, office_actor

log = logging.getLogger("hub.events")
STREAM = "HUB_EVENTS"
SUBJECT = "hub.events"


class Relay:
    """Publishes the outbox's unrelayed events to NATS JetStream, one batch per call."""

    def __init__(self, hub: Any) -> None:
        self.hub = hub
        self.url = hub.settings.events.relay or ""
        if not self.url.startswith(("nats://", "tls://")):
            raise ValueError(
                f"HUB_EVENTS_RELAY must be a nats:// URL (RabbitMQ is not supported yet), not {self.url!r}"
            )
        self.connection: Any = None
        self.stream: Any = None

    async def connect(self) -> None:
        import nats
        from nats.js.errors import NotFoundError

        self.connection = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=-1)
        self.stream = self.connection.jetstream()
        try:
            await self.stream.stream_info(STREAM)
        except NotFoundError:
            await self.stream.add_stream(name=STREAM, subjects=[f"{SUBJECT}.>"])

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.drain()
            self.connection = None

    async def run_once(self, limit: int = BATCH) -> int:
        """Publish up to `limit` events not relayed yet (rows other processes hold are skipped)."""
        if self.stream is None:
            await self.connect()
        actor = office_actor("NATIONAL", None)
        async with self.hub.write_sessionmaker() as session, session.begin():
            events = list(
                (
                    await session.execute(
                        select(m.DomainEvent)
                        .where(m.DomainEvent.relayed.is_(False))
                        .order_by(m.DomainEvent.id)
                        .limit(limit)
                        .with_for_update(skip_locked=True)
                    )
                ).scalars()
            )
            if not events:
                return 0
            personal = PersonalData()
            await personal.load(session, events)
            for event in events:
                body = envelope(event, personal.objects_for(event, actor)).encode("utf-8")
                await self.stream.publish(f"{SUBJECT}.{event.type}", body, headers={"Nats-Msg-Id": event.uid})
            await session.execute(
                update(m.DomainEvent).where(m.DomainEvent.id.in_([e.id for e in events])).values(relayed=True)
            )
        return len(events)
