"""The HUB_EVENTS_* and HUB_WEBHOOKS_* environment (issue 16), read into one object of Settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hub.i18n import _


@dataclass(frozen=True)
class EventSettings:
    """How events are delivered. `worker`: run the delivery worker inside `hub serve`; `relay`: a broker
    URL (nats://… for NATS JetStream, amqp://… for RabbitMQ) the outbox is relayed to, None for none."""

    worker: bool = True
    poll_seconds: float = 1.0  # how often an idle worker looks at the outbox (PostgreSQL also wakes it at once)
    lease_seconds: float = 60.0  # a claimed delivery is re-sent by another worker after this (a killed sender)
    timeout_seconds: float = 10.0  # one HTTP attempt
    allow_private: bool = False  # HUB_WEBHOOKS_ALLOW_PRIVATE=1: loopback/private targets (tests, intranets)
    relay: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EventSettings:
        def number(name: str, default: float) -> float:
            raw = env.get(name)
            value = float(raw) if raw else default
            if value <= 0:
                raise ValueError(_("{name} must be positive, not {raw!r}", name=name, raw=raw))
            return value

        return cls(
            worker=env.get("HUB_EVENTS_WORKER", "on").lower() in ("on", "1", "true", "yes"),
            poll_seconds=number("HUB_EVENTS_POLL_SECONDS", cls.poll_seconds),
            lease_seconds=number("HUB_WEBHOOKS_LEASE_SECONDS", cls.lease_seconds),
            timeout_seconds=number("HUB_WEBHOOKS_TIMEOUT_SECONDS", cls.timeout_seconds),
            allow_private=env.get("HUB_WEBHOOKS_ALLOW_PRIVATE", "0").lower() in ("1", "on", "true", "yes"),
            relay=env.get("HUB_EVENTS_RELAY") or None,
        )
