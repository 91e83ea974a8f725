"""The outbox of domain events and their delivery: events written in the mutation's own transaction,
the webhook endpoints of each office, one delivery per (endpoint, event) and every attempt made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel, UniqueConstraint


class DomainEvent(SQLModel, table=True):
    """One committed change another office or system may care about (事件), written beside its audit entry.

    `uid` is the event's stable id (the `webhook-id` of every delivery of it); `objects` holds the affected
    objects' global ids, GraphQL type names and changed fields, unmasked: masking happens per receiver.
    `fanned_out` turns true once the delivery rows of the endpoints that may receive it exist; `relayed`
    once it is published to the broker (when one is configured)."""

    __tablename__ = "domain_events"
    __table_args__ = (
        Index("ix_domain_events_pending", "fanned_out", "id"),
        Index("ix_domain_events_unrelayed", "relayed", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=40, unique=True)
    type: str = Field(max_length=60, index=True)
    at: datetime = Field(index=True)
    audit_entry_id: int = Field(index=True)  # no foreign key: the audit log is checked, not constrained
    actor_level: str = Field(max_length=10)
    actor_code: str | None = Field(default=None, max_length=6)
    objects: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fanned_out: bool = Field(default=False)
    relayed: bool = Field(default=False)  # published to the broker of HUB_EVENTS_RELAY (hub/events/relay.py)


class Webhook(SQLModel, table=True):
    """An office's endpoint (webhook 端点): where the events inside the office's read scope are sent."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_office", "office_level", "office_code"),)

    id: int | None = Field(default=None, primary_key=True)
    office_level: str = Field(max_length=10)
    office_code: str | None = Field(default=None, max_length=6)
    url: str = Field(max_length=2000)
    event_types: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # None: all
    secret: str = Field(max_length=80)
    # After rotateWebhookSecret the old secret signs too (a second v1 signature) until this time, so that
    # a receiver can switch secrets without refusing deliveries in between.
    previous_secret: str | None = Field(default=None, max_length=80)
    previous_valid_until: datetime | None = Field(default=None)
    created_at: datetime
    created_by: str = Field(max_length=120)


class Delivery(SQLModel, table=True):
    """One event for one endpoint: PENDING until a 2xx answer (DELIVERED) or the last retry (DEAD).

    `body` is rendered once, masked for the endpoint's office, and signed anew at every attempt.
    `leased_until` is the claim of the worker sending it; a worker killed mid-send leaves a lease that
    expires, and another worker sends again (at least once; receivers dedupe by `webhook-id`)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhooks.id", index=True)
    event_id: int = Field(foreign_key="domain_events.id", index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="PENDING", max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime
    leased_until: datetime | None = Field(default=None)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = Field(default=None)


class DeliveryAttempt(SQLModel, table=True):
    """One HTTP attempt of a delivery: when, the status code (None: no answer) and the error, if any."""

    __tablename__ = "webhook_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_deliveries.id", index=True)
    at: datetime
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=500)
    duration_ms: int
