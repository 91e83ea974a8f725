"""Where the hub's time goes for one bench query: pyinstrument over N requests through the ASGI app,
in this process, on an already generated bench database (`pip install pyinstrument` first; it is not a
dependency of the hub).

    python -m bench.profile --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/xibu_bench \\
        --query q1_province_dashboard --requests 20 --html /tmp/q1.html
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from bench import generate
from bench.run import QUERIES, BenchQuery, hub_settings


async def profile(database_url: str, query: BenchQuery, requests: int, concurrency: int) -> Any:
    """The pyinstrument session of `requests` requests (after 3 warm ones), `concurrency` at a time."""
    import httpx
    from pyinstrument import Profiler

    from hub.app import create_app
    from hub.plugins import HubPlugins
    from hub.runtime import Hub

    hub = Hub(hub_settings(database_url), HubPlugins())
    headers = {"authorization": f"Bearer {query.token()}"}
    try:
        transport = httpx.ASGITransport(app=create_app(hub=hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub", timeout=300) as client:

            async def one() -> None:
                response = await client.post("/graphql", json={"query": query.text}, headers=headers)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"the hub answered {query.name} with {response.text[:300]}")

            for _ in range(3):
                await one()
            profiler = Profiler(async_mode="enabled", interval=0.0005)
            started = time.perf_counter()
            profiler.start()
            for i in range(0, requests, concurrency):
                await asyncio.gather(*(one() for _ in range(min(concurrency, requests - i))))
            profiler.stop()
            elapsed = time.perf_counter() - started
    finally:
        await hub.dispose()
    print(f"{requests} requests of {query.name} in {elapsed:.2f} s ({1000 * elapsed / requests:.1f} ms each)")
    return profiler


def self_time(profiler: Any, top: int = 25) -> str:
    """Flat view: CPU samples' self time by package (graphql-core, strawberry, sqlalchemy, asyncpg, the hub,
    asyncio, …) and the functions with the most self time — what the call tree spreads over many frames."""
    root = profiler.last_session.root_frame(trim_stem=False)
    by_package: dict[str, float] = {}
    by_function: dict[str, float] = {}
    stack = [root]
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        if frame.is_synthetic or frame.total_self_time <= 0:
            key = "[await / idle]" if frame.function == "[await]" else None
            if key:
                by_package[key] = by_package.get(key, 0.0) + frame.total_self_time
            continue
        path = (frame.file_path or "").replace("\\", "/")
        package = _package(path)
        by_package[package] = by_package.get(package, 0.0) + frame.total_self_time
        name = f"{package}: {frame.function} ({Path(path).name}:{frame.line_no})"
        by_function[name] = by_function.get(name, 0.0) + frame.total_self_time
    total = sum(by_package.values()) or 1.0
    lines = ["self time by package:"]
    lines += [f"  {t:8.3f} s {100 * t / total:5.1f}%  {k}" for k, t in sorted(by_package.items(), key=lambda i: -i[1])]
    lines.append(f"top {top} functions by self time:")
    ranked = sorted(by_function.items(), key=lambda i: -i[1])[:top]
    lines += [f"  {t:8.3f} s {100 * t / total:5.1f}%  {k}" for k, t in ranked]
    return "\n".join(lines)


def _package(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    for mark in ("/hub/", "/plugins/", "/bench/"):
        if mark in path:
            return mark.strip("/")
    if "/lib/python" in path:
        module = path.split("/lib/python", 1)[1].split("/", 2)[-1]
        return "stdlib:" + module.split("/", 1)[0].removesuffix(".py")
    return path or "?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=generate.DEFAULT_URL)
    parser.add_argument("--query", default="q1_province_dashboard", help="a file name of bench/queries")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--html", type=Path, default=None, help="also write pyinstrument's HTML report")
    args = parser.parse_args(argv)
    path = QUERIES / f"{args.query}.graphql"
    if not path.exists():
        sys.exit(f"bench: no query {path}")
    profiler = asyncio.run(profile(args.database_url, BenchQuery.read(path), args.requests, args.concurrency))
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(self_time(profiler))
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")


if __name__ == "__main__":
    main()
