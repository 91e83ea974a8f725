"""Issue 16: each office's endpoint receives exactly the events inside its read scope, with personal data
masked per R2a for that office, signed per Standard Webhooks (verified here with the `standardwebhooks`
library); failures are retried with backoff and jitter, then dead-lettered; the attempts are readable by
the owning office only."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from hub.events import delivery
from hub.ids import to_global_id
from hub.rules.idnumbers import mask_id_number
from hub.settings import EventSettings
from tests.conftest import Client
from tests.seed import id_number, seed_reference
from tests.test_audit_log import SIGN_OFF, register, submit
from tests.test_webhooks_are_managed_by_their_office import CREATE, LZU, NATIONAL, PKU, ROTATE, TONGWEI

DELIVERIES = """query($status: String) { webhookDeliveries(first: 50, status: $status) { totalCount
  edges { node { eventId eventType status attemptCount lastStatusCode attempts { statusCode error } } } } }"""


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return replace(settings, events=EventSettings(allow_private=True))


class Receiver:
    """A receiving system per path: answers with `status[path]` (200 by default) and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status: dict[str, int] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status.get(request.url.path, 200))

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path]


async def endpoint(client: Client, office: dict[str, str], path: str, types: list[str] | None = None) -> str:
    data = await client.ok(CREATE, {"input": {"url": f"http://127.0.0.1:9{path}", "eventTypes": types}}, **office)
    return data["createWebhook"]["webhook"]["secret"]


async def run_worker(client: Client, receiver: Receiver) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver.handle)) as http:
        while await delivery.fan_out(client.hub) + await delivery.deliver_due(client.hub, http):
            pass


async def test_each_office_gets_what_it_may_read_masked_and_signed(client: Client) -> None:
    await seed_reference(client.hub)
    secrets = {
        "/lzu": await endpoint(client, LZU, "/lzu"),
        "/pku": await endpoint(client, PKU, "/pku"),
        "/tongwei": await endpoint(client, TONGWEI, "/tongwei"),
        "/national": await endpoint(client, NATIONAL, "/national", ["registerVolunteer", "signOffApplication"]),
    }
    volunteer = await register(client, "acct-hook", 831, "10730")
    application = await submit(client, "acct-hook")
    signed = await client.ok(
        SIGN_OFF, {"input": {"applicationId": application, "decision": "APPROVE"}}, level="school", code="10730"
    )
    assert signed["signOffApplication"]["userErrors"] == []
    receiver = Receiver()
    await run_worker(client, receiver)

    for request in receiver.requests:  # every request verifies with the library, against its endpoint's secret
        payload = Verifier(secrets[request.url.path]).verify(request.content, dict(request.headers))
        assert request.headers["webhook-id"] == payload["id"] and payload["id"].startswith("msg_")
    lzu = receiver.bodies("/lzu")
    assert [b["type"] for b in lzu] == ["createWebhook", "registerVolunteer", "submitApplication", "signOffApplication"]
    assert [b["type"] for b in receiver.bodies("/pku")] == ["createWebhook"]  # its own; nothing of 兰州大学
    assert [b["type"] for b in receiver.bodies("/tongwei")] == ["createWebhook"]  # no volunteer placed there yet
    national = receiver.bodies("/national")
    assert [b["type"] for b in national] == ["registerVolunteer", "signOffApplication"]  # its event types only

    # R2a per receiver: the school sees its student's phone, not the full identity number; the national
    # office neither. The payload names the object by its global id with its fields.
    [registered_lzu] = [b for b in lzu if b["type"] == "registerVolunteer"]
    [registered_nat] = [b for b in national if b["type"] == "registerVolunteer"]
    assert registered_lzu["id"] == registered_nat["id"]  # one event, one id, whoever receives it
    [lzu_obj], [nat_obj] = registered_lzu["data"]["objects"], registered_nat["data"]["objects"]
    assert lzu_obj["id"] == volunteer and lzu_obj["type"] == "Volunteer"
    assert lzu_obj["fields"]["phone"] == "13800000831"
    assert lzu_obj["fields"]["idNumber"] == mask_id_number(id_number(831))
    assert nat_obj["fields"]["phone"] is None and nat_obj["fields"]["idNumber"] == mask_id_number(id_number(831))
    assert lzu_obj["fields"]["name"] == "申请人831"
    assert registered_lzu["timestamp"].endswith("Z") and registered_lzu["data"]["actor"]["level"] == "VOLUNTEER"

    # everything is settled: nothing pending, nothing sent twice
    assert await client.sql("SELECT DISTINCT status FROM webhook_deliveries") == [("DELIVERED",)]
    assert len({(r.url.path, r.headers["webhook-id"]) for r in receiver.requests}) == len(receiver.requests)


async def test_failures_are_retried_with_backoff_then_dead_lettered(client: Client) -> None:
    await seed_reference(client.hub)
    await endpoint(client, LZU, "/down", ["registerVolunteer"])
    await register(client, "acct-retry", 832, "10730")
    receiver = Receiver()
    receiver.status["/down"] = 503
    started = datetime.now(UTC)
    await run_worker(client, receiver)
    [(status, attempts, next_at)] = await client.sql("SELECT status, attempts, next_attempt_at FROM webhook_deliveries")
    next_at = next_at if isinstance(next_at, datetime) else datetime.fromisoformat(str(next_at))
    next_at = next_at if next_at.tzinfo else next_at.replace(tzinfo=UTC)
    assert (status, attempts) == ("PENDING", 1)
    assert (
        started + timedelta(seconds=7) < next_at < started + timedelta(seconds=60)
    )  # the first retry: within a minute

    # the owning office reads the attempts; another office does not see the delivery at all
    data = await client.ok(DELIVERIES, **LZU)
    [node] = [e["node"] for e in data["webhookDeliveries"]["edges"]]
    assert node["status"] == "PENDING" and node["attempts"] == [{"statusCode": 503, "error": "HTTP 503"}]
    assert (await client.ok(DELIVERIES, **PKU))["webhookDeliveries"]["totalCount"] == 0

    # due again: the receiver is back, the same webhook-id arrives and the delivery is settled
    await client.sql("UPDATE webhook_deliveries SET next_attempt_at = :t", t=started - timedelta(seconds=1))
    receiver.status["/down"] = 200
    await run_worker(client, receiver)
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert await client.sql("SELECT status, attempts FROM webhook_deliveries") == [("DELIVERED", 2)]

    # the last allowed attempt failing dead-letters the delivery
    await client.sql(
        "UPDATE webhook_deliveries SET status = 'PENDING', attempts = :n, next_attempt_at = :t",
        n=len(delivery.RETRY_DELAYS),
        t=started - timedelta(seconds=1),
    )
    receiver.status["/down"] = 500
    await run_worker(client, receiver)
    assert await client.sql("SELECT status FROM webhook_deliveries") == [("DEAD",)]
    assert (await client.ok(DELIVERIES, {"status": "DEAD"}, **LZU))["webhookDeliveries"]["totalCount"] == 1


def test_the_retry_schedule_starts_within_a_minute_and_lasts_over_a_day() -> None:
    import random

    rng = random.Random(16)
    delays = []
    n = 1
    while (delay := delivery.retry_delay(n, rng)) is not None:
        delays.append(delay)
        n += 1
    assert delays[0] < 60 and sum(delays[:2]) < 60  # the first retries come within a minute
    assert all(b >= a * 0.8 / 1.2 for a, b in zip(delays, delays[1:], strict=False))  # growing (jitter aside)
    assert sum(delays) >= 24 * 3600  # for at least a day, then DEAD
    assert len({round(d, 6) for d in delays[:7]}) == 7  # jittered, not a fixed grid


async def test_after_a_rotation_both_secrets_verify_for_a_while(client: Client) -> None:
    await seed_reference(client.hub)
    old = await endpoint(client, LZU, "/rotating", ["registerVolunteer"])
    [(hook,)] = await client.sql("SELECT id FROM webhooks")
    rotated = await client.ok(ROTATE, {"input": {"webhookId": to_global_id("Webhook", hook)}}, **LZU)
    new = rotated["rotateWebhookSecret"]["webhook"]["secret"]
    await register(client, "acct-rotate", 833, "10730")
    receiver = Receiver()
    await run_worker(client, receiver)
    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):  # a receiver still on the old secret, and one already on the new
        assert Verifier(secret).verify(request.content, dict(request.headers))["type"] == "registerVolunteer"

    await client.sql("UPDATE webhooks SET previous_valid_until = :t", t=datetime.now(UTC) - timedelta(seconds=1))
    await register(client, "acct-rotate-2", 834, "10730")
    await run_worker(client, receiver)
    latest = receiver.requests[-1]
    assert len(latest.headers["webhook-signature"].split(" ")) == 1
    Verifier(new).verify(latest.content, dict(latest.headers))
    with pytest.raises(WebhookVerificationError):
        Verifier(old).verify(latest.content, dict(latest.headers))
