"""R18, R26, R30 across processes: two `hub serve` processes on one PostgreSQL database, with parallel
quota (recruitment agreements), headcount (service agreements) and excellent-cap (assessment approvals)
mutations spread over both, never overdraw — the guarantees are the database's locks, not one process's.
The audit chain stays one line across both processes as well: each process's sequencer seals entries in
turn (hub/sequencer.py), and every entry ends up sealed at its own position."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from hub.audit import verify
from hub.auth import make_token
from hub.ids import to_global_id
from tests.conftest import SECRET, is_pooled
from tests.in_service import APPROVE_ASSESSMENTS
from tests.placement import SIGN, approved_posts, county_actor, trained_volunteers
from tests.season import GANSU, SIGN_RECRUITMENT
from tests.seed import seed_reference
from tests.test_headcount_and_scale_are_never_overdrawn import TERM, TONGWEI, _dispatched, _in_service
from tests.test_in_service_permissions_table import Placement, add_assessments, place
from tests.test_quota_is_never_overdrawn import _publicized, _set_cells

pytestmark = pytest.mark.postgres_only


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def two_hubs(database_url: str, day: date) -> Iterator[list[str]]:
    """Two `hub serve` processes on `database_url` with HUB_TODAY=`day`; their base URLs."""
    env = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_JWT_SECRET": SECRET,
        "HUB_TODAY": day.isoformat(),
        "HUB_DB_POOL_SIZE": "12",
        "HUB_DB_PGBOUNCER": "on" if is_pooled(database_url) else "off",
    }
    ports = [_free_port(), _free_port()]
    command = [sys.executable, "-c", "from hub.cli import main; main()", "serve", "--port"]
    processes = [
        subprocess.Popen([*command, str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for url, process in zip(urls, processes, strict=True):
            while True:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{url} did not start"
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


async def spread(urls: list[str], settings: Any, document: str, inputs: list[dict[str, Any]], actor: dict) -> list:  # type: ignore[type-arg]
    """Send one request per input, alternating between the processes, all at once; the payloads."""
    token = make_token(settings, actor["level"], actor.get("sub", "x"), actor.get("code"))
    headers = {"authorization": f"Bearer {token}"}
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    f"{urls[n % 2]}/graphql", json={"query": document, "variables": {"input": i}}, headers=headers
                )
                for n, i in enumerate(inputs)
            )
        )
    elapsed = time.perf_counter() - started
    bodies = [r.json() for r in responses]
    print(f"\n[two processes] {len(inputs)} × {next(iter(bodies[0].get('data') or {'?': 0}))}: {elapsed:.2f}s")
    crashed = [b["errors"] for b in bodies if b.get("errors")]
    assert not crashed, crashed  # a deadlock, a serialization failure or a pool timeout fails the test
    return [next(iter(b["data"].values())) for b in bodies]


async def chain_is_whole(hub: Any) -> None:
    """Both processes sealed what they wrote (the last round runs at shutdown); the chain is whole."""
    async with hub.sessionmaker() as session:
        found = await verify(session)
        written = (await session.execute(text("SELECT count(*) FROM audit_entries"))).scalar_one()
    assert found.intact, found.reason
    assert (found.entries, found.pending) == (written, 0)


async def test_quota_cells_are_never_overdrawn_across_processes(settings, hub, client) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    applicants = await _publicized(hub, 30, recruited=1)
    await _set_cells(hub, {"62": 7})
    with two_hubs(settings.database_url, date(2027, 6, 15)) as urls:
        inputs = [{"applicationId": gid, "servingProvinceCode": "62"} for gid in applicants]
        results = await spread(urls, settings, SIGN_RECRUITMENT, inputs, GANSU)
    signed = [r for r in results if r["application"] is not None]
    refused = Counter(e["code"] for r in results if r["application"] is None for e in r["userErrors"])
    assert len(signed) == 6, refused
    assert refused == {"QUOTA_EXCEEDED": 24}
    assert await client.sql("SELECT count(*) FROM applications WHERE status = 'RECRUITED'") == [(7,)]
    await chain_is_whole(hub)


async def test_post_headcounts_are_never_overdrawn_across_processes(settings, hub, client) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    [post] = await approved_posts(hub, TONGWEI, [("TOWNSHIP", "RURAL_EDUCATION", 5)])
    await _in_service(hub, await trained_volunteers(hub, 1, start=1), post)
    applicants = await _dispatched(hub, 25, TONGWEI, start=2)
    with two_hubs(settings.database_url, date(2027, 8, 10)) as urls:
        post_id = to_global_id("Post", post)
        inputs = [{"applicationId": gid, "postId": post_id, **TERM} for gid in applicants]
        results = await spread(urls, settings, SIGN, inputs, county_actor(TONGWEI))
    signed = [r for r in results if r["agreement"] is not None]
    refused = Counter(e["code"] for r in results if r["agreement"] is None for e in r["userErrors"])
    assert len(signed) == 4, refused
    assert refused == {"POST_FULL": 21}
    assert await client.sql("SELECT count(*) FROM service_agreements WHERE post_id = :p", p=post) == [(5,)]
    await chain_is_whole(hub)


async def test_the_excellent_cap_holds_across_processes(settings, hub, client) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    volunteers = await place(hub, [Placement("621121")] * 6 + [Placement("620321")] * 4)
    ids = await add_assessments(hub, [(v, "EXCELLENT", "PROPOSED") for v in volunteers])
    with two_hubs(settings.database_url, date(2028, 6, 30)) as urls:
        results = await spread(urls, settings, APPROVE_ASSESSMENTS, [{"assessmentIds": [i]} for i in ids], GANSU)
    accepted = [r for r in results if not r["userErrors"]]
    refused = Counter(e["code"] for r in results for e in r["userErrors"])
    assert len(accepted) == 2, refused
    assert refused == {"EXCELLENT_CAP": 8}
    assert await client.sql("SELECT status, count(*) FROM assessments GROUP BY status ORDER BY status") == [
        ("APPROVED", 2),
        ("PROPOSED", 8),
    ]
    await chain_is_whole(hub)
