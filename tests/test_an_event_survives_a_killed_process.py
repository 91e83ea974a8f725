"""Issue 16: a `hub serve` process killed with SIGKILL right after a mutation commits loses nothing. The
event was committed with the change (the outbox); a restarted process finds it — not fanned out yet, or
claimed by the dead process under a lease that expires — and the receiver gets it. Duplicates on the wire
are allowed, so the receiver dedupes by `webhook-id`: it must see the event's id exactly once as a set,
and every body it got must verify with the endpoint's secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook as Verifier

from hub.auth import make_token
from hub.settings import EventSettings
from tests.conftest import SECRET, Client, listen_url
from tests.seed import TODAY, id_number, seed_reference
from tests.test_audit_log import REGISTER
from tests.test_two_processes_never_overdraw import _free_port
from tests.test_webhooks_are_managed_by_their_office import CREATE, LZU


class Receiver:
    """A real HTTP receiver on a free port; the first request it gets it answers only after `stall` s (a
    slow system), so that the kill may land while a delivery is in flight."""

    def __init__(self, stall: float) -> None:
        self.received: list[tuple[str, bytes, dict[str, str]]] = []
        self.stall = stall
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                first = not outer.received
                outer.received.append((self.headers["webhook-id"], body, dict(self.headers)))
                if first:
                    time.sleep(outer.stall)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:  # the sender died meanwhile
                    pass

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@contextmanager
def hub_serve(database_url: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_DATABASE_LISTEN_URL": listen_url(database_url) or "",
        "HUB_JWT_SECRET": SECRET,
        "HUB_TODAY": TODAY.isoformat(),
        "HUB_DB_POOL_SIZE": "8",
        "HUB_WEBHOOKS_ALLOW_PRIVATE": "1",
        "HUB_EVENTS_POLL_SECONDS": "0.2",
        "HUB_WEBHOOKS_LEASE_SECONDS": "3",
    }
    command = [sys.executable, "-c", "from hub.cli import main; main()", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "hub serve did not start"
            time.sleep(0.2)
        yield process, url
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return replace(settings, events=EventSettings(allow_private=True))


@pytest.mark.parametrize("stall", [0.0, 8.0], ids=["killed-before-sending", "killed-while-sending"])
async def test_the_receiver_gets_the_event_of_a_killed_process_once(client: Client, stall: float) -> None:
    await seed_reference(client.hub)
    receiver = Receiver(stall)
    try:
        created = await client.ok(CREATE, {"input": {"url": receiver.url, "eventTypes": ["registerVolunteer"]}}, **LZU)
        secret = created["createWebhook"]["webhook"]["secret"]
        token = make_token(client.hub.settings, "volunteer", "acct-killed")
        registration = {
            "name": "杀不死",
            "idNumber": id_number(841),
            "phone": "13800000841",
            "schoolCode": "10730",
            "degree": "BACHELOR",
            "hasWorkExperience": False,
        }
        with hub_serve(client.hub.settings.database_url) as (process, url):
            if stall:  # let the first process claim the delivery and start sending before it dies
                response = httpx.post(
                    f"{url}/graphql",
                    json={"query": REGISTER, "variables": {"input": registration}},
                    headers={"authorization": f"Bearer {token}"},
                    timeout=30,
                )
                deadline = time.monotonic() + 20
                while not receiver.received:
                    assert time.monotonic() < deadline, "the first process never started sending"
                    time.sleep(0.05)
            else:
                response = httpx.post(
                    f"{url}/graphql",
                    json={"query": REGISTER, "variables": {"input": registration}},
                    headers={"authorization": f"Bearer {token}"},
                    timeout=30,
                )
            os.kill(process.pid, signal.SIGKILL)  # right after the commit: no shutdown, no after-commit hook
            process.wait(timeout=10)
        assert response.json()["data"]["registerVolunteer"]["userErrors"] == []
        [(uid,)] = await client.sql("SELECT uid FROM domain_events WHERE type = 'registerVolunteer'")

        with hub_serve(client.hub.settings.database_url):
            deadline = time.monotonic() + 40
            while (await client.sql("SELECT status FROM webhook_deliveries")) != [("DELIVERED",)]:
                assert time.monotonic() < deadline, await client.sql("SELECT * FROM webhook_deliveries")
                time.sleep(0.2)
        assert {webhook_id for webhook_id, _, _ in receiver.received} == {uid}
        for _, body, headers in receiver.received:
            assert Verifier(secret).verify(body, headers)["type"] == "registerVolunteer"
        if stall:
            assert len(receiver.received) >= 2  # sent again after the dead sender's lease ran out
    finally:
        receiver.close()
