"""Closed-loop load at a fixed concurrency: a fixed number of requests, bounded in time, latencies per
request, and the client's own CPU time so that a saturated client shows.

Two clients: httpx's AsyncClient, and `raw`, a minimal HTTP/1.1 keep-alive client on asyncio streams
(one prebuilt request, Content-Length or chunked answers) that costs a fraction of httpx's CPU per
request — on 2 cores the client shares the machine with the server and PostgreSQL, so its cost is part
of what is measured. With `processes > 1` the connections are split over that many client processes
(spawned), which start together at one wall-clock instant; their latencies are merged.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx


@dataclass
class LoadResult:
    """What one measurement saw: every completed request's latency (seconds) and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    mismatched: int = 0
    wall: float = 0.0
    client_cpu: float = 0.0
    first_error: str | None = None

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Successful requests per second over the measurement's wall time."""
        return (self.completed - self.errors - self.mismatched) / self.wall if self.wall > 0 else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000

    def merge(self, other: LoadResult) -> None:
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.mismatched += other.mismatched
        self.client_cpu += other.client_cpu
        self.first_error = self.first_error or other.first_error


@dataclass(frozen=True)
class Request:
    """One POST of the measurement and what its answer must look like (byte length, when known)."""

    url: str
    body: bytes
    headers: dict[str, str]
    expected_length: int | None = None


class RawConnection:
    """One keep-alive HTTP/1.1 connection that POSTs the same prebuilt request again and again."""

    def __init__(self, request: Request) -> None:
        url = urlsplit(request.url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        head = [f"POST {url.path or '/'} HTTP/1.1", f"Host: {url.netloc}", f"Content-Length: {len(request.body)}"]
        head += [f"{k}: {v}" for k, v in request.headers.items()]
        self.payload = ("\r\n".join(head) + "\r\n\r\n").encode() + request.body
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(self.payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def close(self) -> None:
        writer, self.writer, self.reader = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _load(request: Request, total: int, concurrency: int, max_seconds: float, client: str) -> LoadResult:
    if client == "raw":
        return await _load_raw(request, total, concurrency, max_seconds)
    return await _load_httpx(request, total, concurrency, max_seconds)


async def _load_raw(request: Request, total: int, concurrency: int, max_seconds: float) -> LoadResult:
    result = LoadResult()
    issued = 0
    cpu = time.process_time()
    started = time.perf_counter()
    deadline = started + max_seconds

    async def worker() -> None:
        nonlocal issued
        connection = RawConnection(request)
        try:
            while issued < total and time.perf_counter() < deadline:
                issued += 1
                sent = time.perf_counter()
                try:
                    status, content = await connection.post()
                    ok = status == 200 and b'"errors"' not in content
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                    await connection.close()
                    ok, content = False, f"{type(exc).__name__}: {exc}".encode()
                result.latencies.append(time.perf_counter() - sent)
                _tally(result, request, ok, content)
        finally:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.wall = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu
    return result


def _tally(result: LoadResult, request: Request, ok: bool, content: bytes) -> None:
    if not ok:
        result.errors += 1
        result.first_error = result.first_error or content[:500].decode("utf-8", "replace")
    elif request.expected_length is not None and len(content) != request.expected_length:
        result.mismatched += 1


async def _load_httpx(request: Request, total: int, concurrency: int, max_seconds: float) -> LoadResult:
    result = LoadResult()
    issued = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    cpu = time.process_time()
    started = time.perf_counter()
    deadline = started + max_seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal issued
        while issued < total and time.perf_counter() < deadline:
            issued += 1
            sent = time.perf_counter()
            try:
                response = await client.post(request.url, content=request.body, headers=request.headers)
                content = response.content
                ok = response.status_code == 200 and b'"errors"' not in content
            except httpx.HTTPError as exc:
                ok, content = False, f"{type(exc).__name__}: {exc}".encode()
            result.latencies.append(time.perf_counter() - sent)
            _tally(result, request, ok, content)

    async with httpx.AsyncClient(limits=limits, timeout=120.0) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    result.wall = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu
    return result


def _process_main(
    request: Request, total: int, concurrency: int, max_seconds: float, client: str, start_at: float
) -> LoadResult:
    """One client process: wait for the common start instant, then run its share."""
    time.sleep(max(0.0, start_at - time.time()))
    return asyncio.run(_load(request, total, concurrency, max_seconds, client))


def run_load(
    request: Request, total: int, concurrency: int, max_seconds: float, processes: int = 1, client: str = "raw"
) -> LoadResult:
    """`total` requests at `concurrency` (split over `processes` client processes), at most `max_seconds`."""
    if processes <= 1:
        return asyncio.run(_load(request, total, concurrency, max_seconds, client))
    processes = min(processes, concurrency)
    shares = [
        (total // processes + (i < total % processes), concurrency // processes + (i < concurrency % processes))
        for i in range(processes)
    ]
    start_at = time.time() + 1.5
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        parts = pool.starmap(_process_main, [(request, n, c, max_seconds, client, start_at) for n, c in shares])
    merged = LoadResult()
    for part in parts:
        merged.merge(part)
    merged.wall = max(part.wall for part in parts)
    return merged


def summary(result: LoadResult) -> dict[str, Any]:
    """The figures of a measurement, rounded for the report."""
    return {
        "requests": result.completed,
        "errors": result.errors,
        "mismatched": result.mismatched,
        "seconds": round(result.wall, 3),
        "req_per_s": round(result.rate, 2),
        "p50_ms": round(result.percentile(50), 2),
        "p99_ms": round(result.percentile(99), 2),
        "client_cpu_ms_per_req": round(1000 * result.client_cpu / result.completed, 3) if result.completed else None,
        "first_error": result.first_error,
    }
