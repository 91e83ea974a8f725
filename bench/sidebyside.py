"""Today's hub against another checkout's, per request, in a way that survives a shared, noisy machine.

Two measures, each over `hub serve` processes on 127.0.0.1 (the servers of `bench.run`: production, rate
limits off), every checkout with its own `.venv` and its own bench database:

- `--measure cpu`: all servers run at once; in each round every server in turn (the order reversed every
  other round) gets `--requests` requests of each query at `--concurrency`; the server process's CPU time
  (utime + stime from /proc/PID/stat) per request, req/s and p99, and the medians of the rounds' ratios to
  the last server named. CPU per request moves less than req/s when others share the machine, but both move.
- `--measure instructions`: one server at a time under valgrind's callgrind, instrumentation switched on
  only while the `--requests` requests of a query run (after a warm-up): user-space instructions per
  request, repeatable to ~1% whatever else runs. Timers (the audit sequencer, revocation reloads) are
  turned down for it: valgrind runs ~50× slower, so what happens once a second would count ~50× per
  request. Kernel time (socket writes, the log line's write) is not counted. The callgrind files stay in
  `--out` for `callgrind_annotate`.

    python -m bench.sidebyside --server head=.:postgresql+asyncpg://…/xibu_bench_head \\
        --server base=/work/base-8e5465b:postgresql+asyncpg://…/xibu_bench_base --measure cpu --rounds 4

A server may take environment variables: `--env head:HUB_READ_PLANNER=off`.
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import generate, servers
from bench.load import run_load
from bench.run import SECRET, BenchQuery, load_queries

TICKS = os.sysconf("SC_CLK_TCK")
QUIET_TIMERS = {"HUB_AUDIT_SEAL_INTERVAL": "0", "HUB_REVOCATION_REFRESH": "3600"}


@dataclass
class Checkout:
    """A named hub: its checkout (with `.venv`), its bench database and extra environment."""

    name: str
    path: Path
    database_url: str
    env: dict[str, str] = field(default_factory=dict)

    def server(self, logs: Path, wrapper: list[str] | None = None) -> servers.Server:
        env = {**servers.hub_env(self.database_url, SECRET, generate.BENCH_TODAY.isoformat()), "PYTHONPATH": ""}
        venv = self.path / ".venv" / "bin"
        command = [*(wrapper or []), str(venv / "python"), str(venv / "hub"), "serve", "--host", servers.HOST]
        port = servers.free_port()
        return servers.Server(
            self.name, [*command, "--port", str(port)], {**env, **self.env}, port, logs / f"{self.name}.log", self.path
        )


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure_cpu(checkouts: list[Checkout], queries: list[BenchQuery], args: argparse.Namespace) -> None:
    running = {c.name: c.server(args.out) for c in checkouts}
    rounds: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    try:
        for server in running.values():
            server.start()
            for query in queries:
                run_load(query.request(server.url), args.warmup, args.concurrency, 60.0)
        names = [c.name for c in checkouts]
        for number in range(args.rounds):
            for query in queries:
                for name in names if number % 2 == 0 else names[::-1]:
                    server = running[name]
                    assert server.process is not None
                    before = cpu_seconds(server.process.pid)
                    result = run_load(query.request(server.url), args.requests, args.concurrency, 120.0)
                    cpu = cpu_seconds(server.process.pid) - before
                    figures = (1000 * cpu / max(result.completed, 1), result.rate, result.percentile(99))
                    rounds.setdefault((name, query.name), []).append(figures)
                    bad = result.errors + result.mismatched
                    print(
                        f"round {number} {name:<10} {query.name:<26} {figures[0]:6.3f} ms CPU/req "
                        f"{figures[1]:7.1f} req/s  p99 {figures[2]:7.1f} ms" + (f"  {bad} bad" if bad else ""),
                        flush=True,
                    )
    finally:
        for server in running.values():
            server.stop()
    reference = checkouts[-1].name
    print(f"\nmedians over {args.rounds} rounds (ratios: medians of each round's ratio to {reference})")
    for query in queries:
        theirs = rounds[(reference, query.name)]
        for checkout in checkouts:
            ours = rounds[(checkout.name, query.name)]
            cpu, rate, p99 = (statistics.median(r[i] for r in ours) for i in range(3))
            cpu_ratio = statistics.median(a[0] / b[0] for a, b in zip(ours, theirs, strict=True))
            rate_ratio = statistics.median(a[1] / b[1] for a, b in zip(ours, theirs, strict=True))
            print(
                f"{query.name:<26} {checkout.name:<10} {cpu:6.3f} ms CPU/req ({cpu_ratio:.3f}×)  "
                f"{rate:7.1f} req/s ({rate_ratio:.3f}×)  p99 {p99:7.1f} ms"
            )


def measure_instructions(checkouts: list[Checkout], queries: list[BenchQuery], args: argparse.Namespace) -> None:
    found: dict[tuple[str, str], float] = {}
    for checkout in checkouts:
        checkout.env = {**QUIET_TIMERS, "PYTHONHASHSEED": "0", **checkout.env}
        stem = args.out / checkout.name
        wrapper = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={stem}.out"]
        server = checkout.server(args.out, wrapper)
        server.start(timeout=900)
        try:
            assert server.process is not None
            pid = str(server.process.pid)
            for query in queries:
                run_load(query.request(server.url), args.warmup, args.concurrency, 600.0)
            for query in queries:
                earlier = set(glob.glob(f"{stem}.out*"))
                _callgrind("-z", pid)
                _callgrind("-i", "on", pid)
                result = run_load(query.request(server.url), args.requests, args.concurrency, 900.0)
                _callgrind("-i", "off", pid)
                _callgrind("-d", pid)
                time.sleep(1.0)
                dump = max(set(glob.glob(f"{stem}.out*")) - earlier, key=os.path.getmtime)
                kept = f"{stem}.{query.name}.callgrind"
                os.replace(dump, kept)
                found[(checkout.name, query.name)] = _total(Path(kept)) / max(result.completed, 1)
                print(
                    f"{checkout.name:<10} {query.name:<26} {found[(checkout.name, query.name)] / 1e6:7.3f} M "
                    f"instructions/req ({result.completed} requests, {result.errors + result.mismatched} bad) {kept}",
                    flush=True,
                )
        finally:
            server.stop()
    reference = checkouts[-1].name
    for query in queries:
        for checkout in checkouts:
            value = found[(checkout.name, query.name)]
            ratio = value / found[(reference, query.name)]
            print(f"{query.name:<26} {checkout.name:<10} {value / 1e6:7.3f} M/req  {ratio:.3f}× {reference}")


def _callgrind(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True, timeout=300)


def _total(path: Path) -> int:
    for line in path.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise ValueError(f"{path}: no totals line")


def checkout_of(spec: str) -> Checkout:
    """`name=path:database_url`."""
    name, _eq, rest = spec.partition("=")
    path, _colon, url = rest.partition(":")
    if not (name and path and url):
        raise argparse.ArgumentTypeError(f"--server wants name=path:database_url, not {spec!r}")
    return Checkout(name, Path(path).resolve(), url)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", type=checkout_of, action="append", required=True, help="name=path:database_url")
    parser.add_argument("--env", action="append", default=[], help="name:KEY=VALUE for one server")
    parser.add_argument("--queries", default="q2_volunteer_page,node_batch", help="comma-separated bench queries")
    parser.add_argument("--measure", choices=("cpu", "instructions"), default="cpu")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (cpu)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per server, query and round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("sidebyside-out"), help="logs and callgrind files")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    checkouts: list[Checkout] = args.server
    for item in args.env:
        name, _colon, pair = item.partition(":")
        key, _eq, value = pair.partition("=")
        for checkout in checkouts:
            if checkout.name == name:
                checkout.env[key] = value
    wanted = args.queries.split(",")
    queries = [q for q in load_queries() if q.name in wanted]
    if args.measure == "cpu":
        measure_cpu(checkouts, queries, args)
    else:
        measure_instructions(checkouts, queries, args)


if __name__ == "__main__":
    main()
