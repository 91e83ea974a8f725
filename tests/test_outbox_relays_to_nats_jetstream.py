"""Issue 16: with HUB_EVENTS_RELAY=nats://…, the outbox is relayed to NATS JetStream (the real server running
here), in order, each message with `Nats-Msg-Id` = the event id, masked as the national office reads it;
relaying again (a process killed before it marked the events relayed) is deduplicated by JetStream."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from hub.events.relay import STREAM, SUBJECT, Relay
from hub.rules.idnumbers import mask_id_number
from hub.settings import EventSettings
from tests.conftest import Client
from tests.seed import id_number, seed_reference
from tests.test_audit_log import register, submit

NATS_URL = os.environ.get("HUB_TEST_NATS_URL", "nats://127.0.0.1:4222")


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return replace(settings, events=EventSettings(relay=NATS_URL))


async def test_events_are_published_once_per_id_in_outbox_order(client: Client) -> None:
    nats = pytest.importorskip("nats")
    try:
        probe = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
    except Exception as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"NATS unreachable at {NATS_URL}: {exc}")
    await probe.close()

    await seed_reference(client.hub)
    volunteer = await register(client, "acct-relay", 861, "10730")
    await submit(client, "acct-relay")
    uids = [uid for (uid,) in await client.sql("SELECT uid FROM domain_events ORDER BY id")]

    relay = Relay(client.hub)
    try:
        assert await relay.run_once() == 2
        assert await relay.run_once() == 0
        await client.sql("UPDATE domain_events SET relayed = false")  # as if killed before the commit
        assert await relay.run_once() == 2

        stream = relay.stream
        got: dict[str, list[dict]] = {uid: [] for uid in uids}
        subscription = await stream.subscribe(f"{SUBJECT}.>", stream=STREAM, ordered_consumer=True)
        info = await stream.stream_info(STREAM)
        for _ in range(info.state.messages):
            message = await subscription.next_msg(timeout=5)
            if message.headers and message.headers.get("Nats-Msg-Id") in got:
                got[message.headers["Nats-Msg-Id"]].append(json.loads(message.data))
        await subscription.unsubscribe()
    finally:
        await relay.close()
    assert [len(bodies) for bodies in got.values()] == [1, 1]  # relayed twice, stored once each
    registered = got[uids[0]][0]
    assert registered["type"] == "registerVolunteer" and registered["id"] == uids[0]
    [obj] = registered["data"]["objects"]
    assert obj["id"] == volunteer and obj["fields"]["phone"] is None  # as the national office reads it
    assert obj["fields"]["idNumber"] == mask_id_number(id_number(861))
    assert got[uids[1]][0]["type"] == "submitApplication"
