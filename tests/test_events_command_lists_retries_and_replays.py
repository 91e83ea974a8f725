"""Issue 16: `hub events list|retry|replay` on the outbox of a real database: the events with their
deliveries by status, dead deliveries made pending again, every event since a time delivered again."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace

import pytest

from hub.settings import EventSettings
from tests.conftest import Client
from tests.seed import seed_reference
from tests.test_audit_log import register
from tests.test_serving_and_cli import _hub
from tests.test_webhooks_are_managed_by_their_office import CREATE, LZU
from tests.test_webhooks_are_signed_scoped_and_retried import Receiver, run_worker


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return replace(settings, events=EventSettings(allow_private=True))


async def test_list_retry_and_replay(client: Client) -> None:
    await seed_reference(client.hub)
    await client.ok(CREATE, {"input": {"url": "http://127.0.0.1:9/cli", "eventTypes": ["registerVolunteer"]}}, **LZU)
    await register(client, "acct-cli", 881, "10730")
    receiver = Receiver()
    await run_worker(client, receiver)
    await client.sql("UPDATE webhook_deliveries SET status = 'DEAD'")
    env = {**os.environ, "HUB_DATABASE_URL": client.hub.settings.database_url}

    listed = await asyncio.to_thread(_hub, "events", "list", "--type", "registerVolunteer", env=env)
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    assert "registerVolunteer" in line and "DEAD=1" in line and "msg_" in line

    retried = await asyncio.to_thread(_hub, "events", "retry", env=env)
    assert retried.returncode == 0 and retried.stdout.startswith("1 "), retried.stdout + retried.stderr
    assert await client.sql("SELECT status, attempts FROM webhook_deliveries") == [("PENDING", 0)]
    await run_worker(client, receiver)
    assert await client.sql("SELECT status FROM webhook_deliveries") == [("DELIVERED",)]

    replayed = await asyncio.to_thread(_hub, "events", "replay", "--since", "2000-01-01", env=env)
    assert replayed.returncode == 0, replayed.stderr
    await run_worker(client, receiver)
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 3 and len(set(ids)) == 1  # the same event, sent three times, one id

    bad = await asyncio.to_thread(_hub, "events", "replay", "--since", "yesterday", env=env)
    assert bad.returncode != 0 and "ISO" in bad.stderr
