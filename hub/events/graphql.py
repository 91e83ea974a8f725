"""Webhooks through the API (issue 16): an office manages its own endpoints and reads its deliveries.

`createWebhook`, `updateWebhook`, `deleteWebhook`, `rotateWebhookSecret` go through the one mutation path
(authorize → write + audit + outbox event); `webhooks` and `webhookDeliveries` are Relay connections of
the caller's own office only. Secrets are `whsec_` + base64 of 32 random bytes (Standard Webhooks)."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta
from typing import Any

import strawberry
from sqlalchemy import and_, select

from hub import models as m
from hub.auth import Actor
from hub.enums import OfficeLevel, UserErrorCode
from hub.errors import DomainRefusal, Problem, UserError, refuse
from hub.events.delivery import now as delivery_clock
from hub.events.targets import BlockedTarget, check_target
from hub.graphql.connections import Connection, fetch_page, to_connection
from hub.graphql.context import Info
from hub.graphql.fields import executor_only, executor_only_type
from hub.i18n import N_, _
from hub.ids import int_key, to_global_id
from hub.mutation import Unit, mutation
from hub.permissions import Rule, Target

OFFICES = (OfficeLevel.NATIONAL, OfficeLevel.PROVINCIAL, OfficeLevel.COUNTY, OfficeLevel.SCHOOL)
ROTATION_OVERLAP = timedelta(hours=24)  # the old secret's second signature after rotateWebhookSecret
ACTIONS = ("createWebhook", "updateWebhook", "deleteWebhook", "rotateWebhookSecret")


def own_office(actor: Actor, target: Target) -> bool:
    """An office manages only its own endpoints (same level, same code)."""
    return target.get("office_level") == actor.level.value and target.get("office_code") == actor.code


# A core rule: every office manages its own endpoints, whichever plugins are enabled; volunteers have none.
WEBHOOK_RULES = [
    Rule(action, level, own_office, describes=N_("the office's own webhook endpoints"))
    for action in ACTIONS
    for level in OFFICES
]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _office(actor: Actor) -> dict[str, Any]:
    return {"office_level": actor.level.value, "office_code": actor.code}


OWN_ENDPOINTS = "an office's own endpoints and delivery log, read by its operators a page at a time"


@strawberry.type(description="An office's webhook endpoint: events inside the office's read scope are POSTed to it.")
@executor_only_type(OWN_ENDPOINTS)
class Webhook:
    id: strawberry.ID
    url: str
    event_types: list[str] | None = strawberry.field(description="The event types sent; null: every event type.")
    secret: str = strawberry.field(description="The signing secret (whsec_…): verify with a standardwebhooks library.")
    created_at: datetime

    @classmethod
    def of(cls, row: m.Webhook) -> Webhook:
        return cls(
            id=strawberry.ID(to_global_id("Webhook", row.id)),
            url=row.url,
            event_types=row.event_types,
            secret=row.secret,
            created_at=row.created_at,
        )


@strawberry.type(description="One HTTP attempt of a delivery.")
@executor_only_type(OWN_ENDPOINTS)
class WebhookAttempt:
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@strawberry.type(description="One event for one endpoint: PENDING, DELIVERED or DEAD (after the last retry).")
@executor_only_type(OWN_ENDPOINTS)
class WebhookDelivery:
    id: strawberry.ID
    webhook_id: strawberry.ID
    event_id: str = strawberry.field(description="The event id, also the webhook-id header.")
    event_type: str
    status: str
    attempt_count: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    attempts: list[WebhookAttempt]


@strawberry.input
class CreateWebhookInput:
    url: str
    event_types: list[str] | None = None


@strawberry.input
class UpdateWebhookInput:
    webhook_id: strawberry.ID
    url: str | None = None
    event_types: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Omitted: unchanged; null: every event type."
    )


@strawberry.input
class WebhookIdInput:
    webhook_id: strawberry.ID


@strawberry.type
class WebhookPayload:
    webhook: Webhook | None
    user_errors: list[UserError]


@strawberry.type
class DeleteWebhookPayload:
    deleted_webhook_id: strawberry.ID | None
    user_errors: list[UserError]


async def _check_url(unit: Unit, url: str) -> str:
    url = url.strip()
    try:
        await check_target(url, unit.hub.settings.events.allow_private)
    except BlockedTarget as exc:
        raise refuse(UserErrorCode.INVALID_INPUT, str(exc), "input", "url") from None
    return url


def _check_types(unit: Unit, event_types: list[str] | None) -> list[str] | None:
    if event_types is None:
        return None
    known = set(unit.hub.schema._schema.mutation_type.fields)
    problems = [
        Problem(
            UserErrorCode.INVALID_INPUT,
            _("{name!r} is not an event type (see docs/events.md)", name=name),
            ("input", "eventTypes", str(i)),
        )
        for i, name in enumerate(event_types)
        if name not in known
    ]
    if problems:
        raise DomainRefusal(problems)
    return sorted(set(event_types))


async def _own_hook(unit: Unit, webhook_id: str) -> m.Webhook:
    hook = await unit.fetch(m.Webhook, webhook_id, "input", "webhookId")
    unit.authorize({"office_level": hook.office_level, "office_code": hook.office_code})
    return hook


def _audit(unit: Unit, hook: m.Webhook, changes: dict[str, Any]) -> None:
    level = {OfficeLevel.PROVINCIAL.value: "province", OfficeLevel.COUNTY.value: "county"}.get(hook.office_level)
    scope = {level: hook.office_code} if level else {}
    if hook.office_level == OfficeLevel.SCHOOL.value:
        scope = {"school": hook.office_code}
    unit.record(to_global_id("Webhook", hook.id), changes, **scope)  # never the secret


@strawberry.type
class WebhookMutation:
    @mutation(description="Add an endpoint of the caller's office; no eventTypes: every event type.")
    async def create_webhook(unit: Unit, input: CreateWebhookInput) -> WebhookPayload:
        unit.authorize(_office(unit.actor))
        url = await _check_url(unit, input.url)
        hook = m.Webhook(
            office_level=unit.actor.level.value,
            office_code=unit.actor.code,
            url=url,
            event_types=_check_types(unit, input.event_types),
            secret=new_secret(),
            created_at=unit.hub.clock.now(),
            created_by=unit.actor.subject,
        )
        unit.session.add(hook)
        await unit.session.flush()
        _audit(unit, hook, {"url": hook.url, "eventTypes": hook.event_types})
        return WebhookPayload(webhook=Webhook.of(hook), user_errors=[])

    @mutation(description="Change an endpoint's URL or event types.")
    async def update_webhook(unit: Unit, input: UpdateWebhookInput) -> WebhookPayload:
        hook = await _own_hook(unit, input.webhook_id)
        changes: dict[str, Any] = {}
        if input.url is not None:
            hook.url = changes["url"] = await _check_url(unit, input.url)
        if input.event_types is not strawberry.UNSET:
            hook.event_types = changes["eventTypes"] = _check_types(unit, input.event_types)
        unit.session.add(hook)
        await unit.session.flush()
        _audit(unit, hook, changes)
        return WebhookPayload(webhook=Webhook.of(hook), user_errors=[])

    @mutation(description="Remove an endpoint with its pending deliveries and their history.")
    async def delete_webhook(unit: Unit, input: WebhookIdInput) -> DeleteWebhookPayload:
        from sqlalchemy import delete

        hook = await _own_hook(unit, input.webhook_id)
        deliveries = select(m.Delivery.id).where(m.Delivery.webhook_id == hook.id)
        await unit.session.execute(delete(m.DeliveryAttempt).where(m.DeliveryAttempt.delivery_id.in_(deliveries)))
        await unit.session.execute(delete(m.Delivery).where(m.Delivery.webhook_id == hook.id))
        _audit(unit, hook, {"deleted": True})
        await unit.session.delete(hook)
        return DeleteWebhookPayload(deleted_webhook_id=input.webhook_id, user_errors=[])

    @mutation(description="Replace an endpoint's signing secret; the old one signs alongside the new for 24 hours.")
    async def rotate_webhook_secret(unit: Unit, input: WebhookIdInput) -> WebhookPayload:
        hook = await _own_hook(unit, input.webhook_id)
        hook.previous_secret, hook.secret = hook.secret, new_secret()
        hook.previous_valid_until = delivery_clock() + ROTATION_OVERLAP  # real time, as delivery runs
        unit.session.add(hook)
        await unit.session.flush()
        _audit(unit, hook, {"secretRotated": True})
        return WebhookPayload(webhook=Webhook.of(hook), user_errors=[])


def _own_hooks(actor: Actor) -> Any:
    code = m.Webhook.office_code == actor.code if actor.code is not None else m.Webhook.office_code.is_(None)
    return and_(m.Webhook.office_level == actor.level.value, code)


@strawberry.type
class WebhookQuery:
    @executor_only(OWN_ENDPOINTS, description="The caller's office's webhook endpoints.")
    async def webhooks(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Webhook]:
        actor = info.context.require_actor("webhooks")
        async with info.context.hub.sessionmaker() as session:
            page = await fetch_page(session, m.Webhook, _own_hooks(actor), first, after)
        return to_connection(page, Webhook.of, lambda row: row.id)

    @executor_only(OWN_ENDPOINTS, description="Deliveries to the caller's office's endpoints, in id order.")
    async def webhook_deliveries(
        self,
        info: Info,
        webhook_id: strawberry.ID | None = None,
        status: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        actor = info.context.require_actor("webhookDeliveries")
        mine = select(m.Webhook.id).where(_own_hooks(actor))
        where = m.Delivery.webhook_id.in_(mine)
        if webhook_id is not None:
            where = and_(where, m.Delivery.webhook_id == (int_key(webhook_id, "Webhook") or -1))
        if status is not None:
            where = and_(where, m.Delivery.status == status)
        async with info.context.hub.sessionmaker() as session:
            page = await fetch_page(session, m.Delivery, where, first, after)
            ids = [row.id for row in page.rows]
            events = dict(
                (
                    await session.execute(
                        select(m.DomainEvent.id, m.DomainEvent).where(
                            m.DomainEvent.id.in_([r.event_id for r in page.rows])
                        )
                    )
                ).all()
            )
            attempts: dict[int, list[WebhookAttempt]] = {i: [] for i in ids}
            rows = await session.execute(
                select(m.DeliveryAttempt).where(m.DeliveryAttempt.delivery_id.in_(ids)).order_by(m.DeliveryAttempt.id)
            )
            for a in rows.scalars():
                attempts[a.delivery_id].append(
                    WebhookAttempt(at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms)
                )

        def node(row: m.Delivery) -> WebhookDelivery:
            event = events[row.event_id]
            return WebhookDelivery(
                id=strawberry.ID(to_global_id("WebhookDelivery", row.id)),
                webhook_id=strawberry.ID(to_global_id("Webhook", row.webhook_id)),
                event_id=event.uid,
                event_type=event.type,
                status=row.status,
                attempt_count=row.attempts,
                next_attempt_at=row.next_attempt_at if row.status == "PENDING" else None,
                delivered_at=row.delivered_at,
                last_status_code=row.last_status_code,
                last_error=row.last_error,
                attempts=attempts[row.id],
            )

        return to_connection(page, node, lambda row: row.id)
