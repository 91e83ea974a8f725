"""Issue 16: subscriptions over graphql-transport-ws, fed from the outbox. A subscriber connected to one
`hub serve` process sees the events committed through another (PostgreSQL LISTEN/NOTIFY; SQLite polls),
only those inside its read scope and with personal data masked per R2a; a bad token is refused when the
connection opens (4403), and a token that expires ends the subscription."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from hub.auth import make_token
from hub.rules.idnumbers import mask_id_number
from tests.conftest import Client
from tests.seed import id_number, seed_reference
from tests.test_an_event_survives_a_killed_process import hub_serve
from tests.test_audit_log import REGISTER

SUBSCRIBE = "subscription { events { id type objects } }"


async def subscribe(url: str, token: str) -> Any:
    ws = await websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return ws


async def next_message(ws: Any, timeout: float) -> dict[str, Any] | None:
    try:
        return json.loads(await asyncio.wait_for(ws.recv(), timeout))
    except TimeoutError:
        return None


def register_through(url: str, settings: Any, seq: int) -> None:
    token = make_token(settings, "volunteer", f"acct-sub-{seq}")
    registration = {
        "name": f"订阅{seq}",
        "idNumber": id_number(seq),
        "phone": f"138{seq:08d}",
        "schoolCode": "10730",
        "degree": "BACHELOR",
        "hasWorkExperience": False,
    }
    body = httpx.post(
        f"{url}/graphql",
        json={"query": REGISTER, "variables": {"input": registration}},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert body["data"]["registerVolunteer"]["userErrors"] == [], body


async def test_a_subscriber_on_one_process_sees_what_another_commits(client: Client) -> None:
    await seed_reference(client.hub)
    settings = client.hub.settings
    with hub_serve(settings.database_url) as (_, first), hub_serve(settings.database_url) as (_, second):
        lzu = await subscribe(first, make_token(settings, "school", "teacher", "10730"))
        pku = await subscribe(first, make_token(settings, "school", "teacher", "10001"))
        await asyncio.sleep(0.5)  # both subscriptions started
        await asyncio.to_thread(register_through, second, settings, 851)

        message = await next_message(lzu, 15)
        assert message is not None and message["type"] == "next", message
        event = message["payload"]["data"]["events"]
        assert event["type"] == "registerVolunteer" and event["id"].startswith("msg_")
        [volunteer] = event["objects"]
        assert volunteer["fields"]["phone"] == "13800000851"  # the school sees its student's phone (R2a)
        assert volunteer["fields"]["idNumber"] == mask_id_number(id_number(851))  # but not the full number
        assert await next_message(pku, 2) is None  # another school's subscriber gets nothing
        await lzu.close()
        await pku.close()


async def test_tokens_are_checked_at_connection_and_their_expiry_enforced(client: Client) -> None:
    settings = client.hub.settings
    with hub_serve(settings.database_url) as (_, url):
        ws = await websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer not-a-token"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

        short = make_token(settings, "national", "watcher", None, ttl=3)
        ws = await subscribe(url, short)
        message = await next_message(ws, 15)
        assert message is not None and message["type"] in ("next", "error"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors")
        assert errors and "令牌已过期" in json.dumps(errors, ensure_ascii=False)
        await ws.close()
