"""Webhook delivery from the outbox (issue 16): fan-out of each event to the endpoints whose office may
read it, then signed attempts with exponential backoff and jitter until a 2xx answer or dead-letter.

Many processes share the outbox: every step claims its rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL
(SQLite's writers queue on BEGIN IMMEDIATE: run one worker there). A claimed delivery carries a lease;
a worker killed mid-send leaves it to expire and another sends again — at least once, with the same
`webhook-id`, which receivers dedupe by (Standard Webhooks)."""

from __future__ import annotations

import json
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import case, or_, select, update
from standardwebhooks import Webhook as Signer

from hub import models as m
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.events.targets import BlockedTarget, check_target
from hub.graphql.people import PERSONAL
from hub.ids import int_key
from hub.rules.privacy import VolunteerTies, shown

log = logging.getLogger("hub.events")

# Seconds to wait after each failed attempt (±20% jitter): the first retries come within a minute, then
# they grow; the 12th attempt, about 27 hours after the first, is the last before the delivery is DEAD.
RETRY_DELAYS = (10, 30, 90, 270, 810, 2430, 7290, 21600, 21600, 21600, 21600)
BATCH = 100


def now() -> datetime:
    """Delivery runs on real time, whatever day HUB_TODAY pins for the domain rules."""
    return datetime.now(UTC)


def retry_delay(failed_attempts: int, rng: random.Random | None = None) -> float | None:
    """Seconds until the next attempt after `failed_attempts` failures; None: dead-letter the delivery."""
    if failed_attempts > len(RETRY_DELAYS):
        return None
    base = RETRY_DELAYS[failed_attempts - 1]
    return base * (rng or random).uniform(0.8, 1.2)


def office_actor(level: str, code: str | None) -> Actor:
    """The office an endpoint belongs to, as the actor whose read scopes decide what it receives."""
    return Actor(level=OfficeLevel(level), code=code, subject=f"webhooks:{level.lower()}:{code or '-'}")


def envelope(event: m.DomainEvent, objects: list[dict[str, Any]]) -> str:
    """The JSON body (Standard Webhooks' {type, timestamp, data}, with the event id): compact UTF-8."""
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    body = {
        "id": event.uid,
        "type": event.type,
        "timestamp": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": {"actor": {"level": event.actor_level, "code": event.actor_code}, "objects": objects},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class PersonalData:
    """R2a for event payloads: a Volunteer object carries the volunteer's identity number and phone, shown
    in full only to the offices entitled to them (the table of hub/rules/privacy.py), masked otherwise.
    Loaded for a whole batch of events in two statements."""

    def __init__(self) -> None:
        self.people: dict[int, tuple[m.Volunteer, VolunteerTies]] = {}

    async def load(self, session: Any, events: list[m.DomainEvent]) -> None:
        keys = {
            key
            for event in events
            for obj in event.objects
            if obj.get("type") == "Volunteer" and (key := int_key(obj["id"], "Volunteer")) is not None
        }
        if not keys:
            return
        rows = (
            await session.execute(
                select(m.Volunteer, m.School.province_code)
                .join(m.School, m.School.code == m.Volunteer.school_code)
                .where(m.Volunteer.id.in_(keys))
            )
        ).all()
        apps: dict[int, list[Any]] = defaultdict(list)
        for app in (await session.execute(select(m.Application).where(m.Application.volunteer_id.in_(keys)))).scalars():
            apps[app.volunteer_id].append(app)
        for volunteer, province in rows:
            ties = VolunteerTies.of(volunteer.subject, volunteer.school_code, province, apps[volunteer.id])
            self.people[volunteer.id] = (volunteer, ties)

    def objects_for(self, event: m.DomainEvent, actor: Actor) -> list[dict[str, Any]]:
        out = []
        for obj in event.objects:
            key = int_key(obj["id"], "Volunteer") if obj.get("type") == "Volunteer" else None
            if key is not None and key in self.people:
                volunteer, ties = self.people[key]
                fields = dict(obj.get("fields") or {})
                for name, kind in PERSONAL.items():  # the API's own personal-data declarations (R2a)
                    fields[name] = shown(actor, ties, kind, getattr(volunteer, kind))
                obj = {**obj, "fields": fields}
            out.append(obj)
        return out


async def fan_out(hub: Any, limit: int = BATCH) -> int:
    """Turn up to `limit` new events into deliveries for the endpoints whose office may read each (the
    office's read scope on AuditEntry, as the plugins declare it); returns how many events were handled."""
    async with hub.write_sessionmaker() as session, session.begin():
        pending = (
            select(m.DomainEvent.id)
            .where(m.DomainEvent.fanned_out.is_(False))
            .order_by(m.DomainEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        hooks = (await session.execute(select(m.Webhook))).scalars().all()
        if not hooks:  # nobody to deliver to: one statement settles the batch (the registration burst's case)
            done = await session.execute(
                update(m.DomainEvent)
                .where(m.DomainEvent.id.in_(pending.scalar_subquery()))
                .values(fanned_out=True)
                .execution_options(synchronize_session=False)
            )
            return done.rowcount or 0
        events = list(
            (
                await session.execute(select(m.DomainEvent).where(m.DomainEvent.id.in_(pending.scalar_subquery())))
            ).scalars()
        )
        if not events:
            return 0
        offices: dict[tuple[str, str | None], list[m.Webhook]] = defaultdict(list)
        for hook in hooks:
            offices[(hook.office_level, hook.office_code)].append(hook)
        personal = PersonalData()
        if offices:
            await personal.load(session, events)
        entries = [e.audit_entry_id for e in events]
        existing = set(  # a replayed event keeps the deliveries it already has (hub events replay)
            (
                await session.execute(
                    select(m.Delivery.webhook_id, m.Delivery.event_id).where(
                        m.Delivery.event_id.in_([e.id for e in events])
                    )
                )
            ).all()
        )
        at = now()
        for (level, code), office_hooks in offices.items():
            actor = office_actor(level, code)
            readable = set(
                (
                    await session.execute(
                        select(m.AuditEntry.id).where(
                            m.AuditEntry.id.in_(entries), hub.permissions.visible(actor, "AuditEntry")
                        )
                    )
                ).scalars()
            )
            for event in events:
                wanted = [h for h in office_hooks if h.event_types is None or event.type in h.event_types]
                if event.audit_entry_id not in readable or not wanted:
                    continue
                body = envelope(event, personal.objects_for(event, actor))
                for hook in wanted:
                    if (hook.id, event.id) in existing:
                        continue
                    session.add(m.Delivery(webhook_id=hook.id, event_id=event.id, body=body, next_attempt_at=at))
        await session.execute(
            update(m.DomainEvent).where(m.DomainEvent.id.in_([e.id for e in events])).values(fanned_out=True)
        )
    return len(events)


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    url: str
    secret: str
    uid: str
    body: str
    previous_secret: str | None = None  # still signing for a while after a rotation


async def claim(hub: Any, limit: int = BATCH) -> list[Claimed]:
    """Lease up to `limit` due deliveries to this worker (rows other workers hold are skipped)."""
    at = now()
    async with hub.write_sessionmaker() as session, session.begin():
        rows = (
            await session.execute(
                select(m.Delivery.id)
                .where(
                    m.Delivery.status == "PENDING",
                    m.Delivery.next_attempt_at <= at,
                    or_(m.Delivery.leased_until.is_(None), m.Delivery.leased_until < at),
                )
                .order_by(m.Delivery.next_attempt_at, m.Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        ids = list(rows)
        if not ids:
            return []
        lease = at + timedelta(seconds=hub.settings.events.lease_seconds)
        await session.execute(update(m.Delivery).where(m.Delivery.id.in_(ids)).values(leased_until=lease))
        previous = case((m.Webhook.previous_valid_until > at, m.Webhook.previous_secret), else_=None)
        found = await session.execute(
            select(m.Delivery.id, m.Webhook.url, m.Webhook.secret, m.DomainEvent.uid, m.Delivery.body, previous)
            .join(m.Webhook, m.Webhook.id == m.Delivery.webhook_id)
            .join(m.DomainEvent, m.DomainEvent.id == m.Delivery.event_id)
            .where(m.Delivery.id.in_(ids))
        )
        return [Claimed(*row) for row in found]


def signed_headers(item: Claimed, at: datetime) -> dict[str, str]:
    """Standard Webhooks headers: webhook-id, webhook-timestamp, webhook-signature (v1, HMAC-SHA256; two
    space-separated signatures while a rotated-out secret is still valid)."""
    secrets = [item.secret, *([item.previous_secret] if item.previous_secret else [])]
    return {
        "webhook-id": item.uid,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(Signer(secret).sign(item.uid, at, item.body) for secret in secrets),
        "content-type": "application/json",
        "user-agent": "xibu-hub-webhooks",
    }


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    at: datetime
    status: int | None
    error: str | None
    duration_ms: int


async def attempt(hub: Any, http: httpx.AsyncClient, item: Claimed) -> Outcome:
    """One signed POST of a claimed delivery; what came of it (recorded with the others of its round)."""
    started = time.perf_counter()
    status, error = None, None
    try:
        await check_target(item.url, hub.settings.events.allow_private)
        response = await http.post(
            item.url,
            content=item.body.encode("utf-8"),
            headers=signed_headers(item, now()),
            timeout=hub.settings.events.timeout_seconds,
            follow_redirects=False,
        )
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except BlockedTarget as exc:
        error = f"blocked: {exc}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return Outcome(item.delivery_id, now(), status, error, int((time.perf_counter() - started) * 1000))


async def record(hub: Any, outcomes: list[Outcome]) -> None:
    """Record a round's outcomes in one transaction: the attempts, and each delivery DELIVERED, due again
    after its backoff, or DEAD after the last retry."""
    async with hub.write_sessionmaker() as session, session.begin():
        rows = await session.execute(
            select(m.Delivery)
            .where(m.Delivery.id.in_([o.delivery_id for o in outcomes]), m.Delivery.status == "PENDING")
            .with_for_update()
        )
        deliveries = {d.id: d for d in rows.scalars()}  # a missing one was deleted with its endpoint
        for outcome in outcomes:
            delivery = deliveries.get(outcome.delivery_id)
            if delivery is None:
                continue
            session.add(
                m.DeliveryAttempt(
                    delivery_id=delivery.id,
                    at=outcome.at,
                    status_code=outcome.status,
                    error=outcome.error,
                    duration_ms=outcome.duration_ms,
                )
            )
            delivery.attempts += 1
            delivery.leased_until = None
            delivery.last_status_code = outcome.status
            delivery.last_error = outcome.error
            if outcome.error is None:
                delivery.status, delivery.delivered_at = "DELIVERED", outcome.at
                continue
            delay = retry_delay(delivery.attempts)
            if delay is None:
                delivery.status = "DEAD"
                log.warning("delivery %s dead after %s attempts: %s", delivery.id, delivery.attempts, outcome.error)
            else:
                delivery.next_attempt_at = outcome.at + timedelta(seconds=delay)


async def deliver_due(hub: Any, http: httpx.AsyncClient, limit: int = BATCH) -> int:
    """Claim and send the due deliveries, concurrently; returns how many were attempted."""
    import asyncio

    items = await claim(hub, limit)
    if items:
        await record(hub, list(await asyncio.gather(*(attempt(hub, http, item) for item in items))))
    return len(items)
