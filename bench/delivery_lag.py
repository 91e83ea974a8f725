"""Webhook delivery lag under load (issue 16): the registration burst of bench.burst against `hub serve`
(its delivery worker inside), with one national-office endpoint subscribed to `submitApplication` on a
local receiver. Lag = the receiver's arrival time − the event's commit time (`domain_events.at`, written in
the mutation's transaction). HUB_TODAY pins the bench's date, not the time of day, so the two are compared
as times of day (a lag is seconds, far below a day). Reports p50/p99/max lag and the burst's req/s.

    python -m bench.delivery_lag --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/xibu_bench \\
        --requests 1000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import generate, servers
from bench.burst import _connect, applications_of_year, burst, open_next_year, volunteers_without_application
from bench.run import SECRET


def _serve(path: str, ready: Any) -> None:
    """The receiver's own process (not a thread of the load client, which would share its GIL): appends
    the first arrival of each webhook-id to `path`, one line each."""
    seen: set[str] = set()
    out = open(path, "a", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length", 0)))
            arrived = datetime.now(UTC)
            webhook_id = self.headers["webhook-id"]
            if webhook_id not in seen:
                seen.add(webhook_id)
                out.write(f"{webhook_id}\t{arrived.isoformat()}\n")
                out.flush()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024  # http.server's 5 drops connections of a concurrent sender (1 s SYN retries)

    server = Server(("127.0.0.1", 0), Handler)
    ready.put(server.server_address[1])
    server.serve_forever()


def receiver(path: str) -> tuple[Any, int]:
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    process = context.Process(target=_serve, args=(path, ready), daemon=True)
    process.start()
    return process, ready.get(timeout=30)


def arrivals_of(path: str) -> dict[str, datetime]:
    found = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        webhook_id, at = line.split("\t")
        found[webhook_id] = datetime.fromisoformat(at)
    return found


async def subscribe(url: str, target: str) -> int:
    from hub.events.graphql import new_secret

    connection = await _connect(url)
    try:
        return await connection.fetchval(
            "INSERT INTO webhooks (office_level, office_code, url, event_types, secret, created_at, created_by) "
            "VALUES ('NATIONAL', NULL, $1, $2, $3, now(), 'bench') RETURNING id",
            target,
            json.dumps(["submitApplication"]),
            new_secret(),
        )
    finally:
        await connection.close()


async def commits(url: str, since: int) -> dict[str, datetime]:
    connection = await _connect(url)
    try:
        rows = await connection.fetch(
            "SELECT uid, at FROM domain_events WHERE id > $1 AND type = 'submitApplication'", since
        )
        return {r["uid"]: r["at"] for r in rows}
    finally:
        await connection.close()


async def cleanup(url: str, hook: int) -> tuple[int, int]:
    """Remove the bench's endpoint and its deliveries; the last event id (the next run starts after it)."""
    connection = await _connect(url)
    try:
        await connection.execute(
            "DELETE FROM webhook_attempts WHERE delivery_id IN"
            " (SELECT id FROM webhook_deliveries WHERE webhook_id = $1)",
            hook,
        )
        pending = await connection.fetchval(
            "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1 AND status <> 'DELIVERED'", hook
        )
        await connection.execute("DELETE FROM webhook_deliveries WHERE webhook_id = $1", hook)
        await connection.execute("DELETE FROM webhooks WHERE id = $1", hook)
        return pending, await connection.fetchval("SELECT coalesce(max(id), 0) FROM domain_events")
    finally:
        await connection.close()


def lag_seconds(arrived: datetime, committed: datetime) -> float:
    day = 24 * 3600
    a = arrived.hour * 3600 + arrived.minute * 60 + arrived.second + arrived.microsecond / 1e6
    c = committed.astimezone(UTC)
    c_s = c.hour * 3600 + c.minute * 60 + c.second + c.microsecond / 1e6
    return (a - c_s) % day


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery_lag", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--separate-worker", action="store_true", help="deliver from a `hub worker` process, not inside `hub serve`"
    )
    parser.add_argument("--drain-seconds", type=float, default=60.0, help="how long to wait for the last deliveries")
    args = parser.parse_args(argv)
    url = args.database_url
    provinces = asyncio.run(open_next_year(url))
    asyncio.run(applications_of_year(url, remove=True))
    arrivals_file = tempfile.NamedTemporaryFile(prefix="xibu-lag-", suffix=".tsv", delete=False).name
    process, port = receiver(arrivals_file)
    hook = asyncio.run(subscribe(url, f"http://127.0.0.1:{port}/hook"))
    env = {
        **servers.hub_env(url, SECRET, generate.BENCH_TODAY.isoformat()),
        "HUB_WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    before = asyncio.run(commits(url, 0))
    start_id = 0
    try:
        with tempfile.TemporaryDirectory(prefix="xibu-lag-") as logs:
            subjects = asyncio.run(volunteers_without_application(url, args.requests))
            serve_env = {**env, "HUB_EVENTS_WORKER": "off"} if args.separate_worker else env
            hub = servers.hub_server(serve_env, Path(logs), "hub-lag")
            worker = None
            if args.separate_worker:
                command = [sys.executable, "-c", "from hub.cli import main; main()", "worker"]
                log = open(Path(logs) / "worker.log", "w")  # noqa: SIM115
                worker = subprocess.Popen(command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
            with hub:
                result = asyncio.run(burst(hub.url, subjects, provinces, args.concurrency))
                import time

                deadline = time.monotonic() + args.drain_seconds
                while time.monotonic() < deadline:
                    committed = asyncio.run(commits(url, start_id))
                    arrivals = arrivals_of(arrivals_file)
                    if all(uid in arrivals for uid in committed if uid not in before):
                        break
                    time.sleep(0.5)
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
    finally:
        pending, _ = asyncio.run(cleanup(url, hook))
        asyncio.run(applications_of_year(url, remove=True))
        process.terminate()
    arrivals = arrivals_of(arrivals_file)
    committed = {uid: at for uid, at in asyncio.run(commits(url, 0)).items() if uid not in before}
    lags = sorted(lag_seconds(arrivals[uid], at) for uid, at in committed.items() if uid in arrivals)
    missing = len(committed) - len(lags)

    def pct(p: float) -> float:
        return (
            round(lags[max(0, min(len(lags) - 1, int(round(p * len(lags))) - 1))] * 1000, 1) if lags else float("nan")
        )

    print(
        f"  burst {result['req_per_s']:.1f} req/s ({result['requests']} requests, {result['refused']} refused);"
        f" delivered {len(lags)} of {len(committed)} events; lag p50 {pct(0.5)} ms  p99 {pct(0.99)} ms"
        f"  max {pct(1.0)} ms; {pending} deliveries left undelivered",
        flush=True,
    )
    return 1 if missing or result["refused"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
