"""The bench driver: the hub, the raw-SQL limit and PostGraphile over one generated database, one at a time.

1. A bench database: generated at `--scale` (thrown away afterwards unless `--keep-database`), or an
   already generated one given with `--database-url` (left as it is).
2. SQL statements per request of the hub, counted in this process (a Hub, its ASGI app and a
   `before_cursor_execute` listener), each query run once warm.
3. Answers: every server is started in turn and asked every query it serves once; the hub's and the
   limit's answers to Q1 and Q2 must be JSON-equal (PostGraphile's too, after renaming its fields) —
   all before anything is timed.
4. Timing: each server in turn is started, warmed up, and sent `--requests` requests per query at
   `--concurrency` (bounded by `--max-seconds`); req/s, p50 and p99, and each as a ratio to the limit.

`--baseline PATH --baseline-database-url URL` adds the server `baseline`: the hub of another checkout (an
earlier commit, with its own `.venv`) over the database its own bench.generate made, timed in the same run as
today's hub, so that "2x that commit" or "within noise of that commit" is one run's ratio.

    python -m bench.run --scale 1.0 --servers hub,limit,postgraphile --requests 500 --json results.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import generate, servers
from bench.load import LoadResult, Request, run_load, summary

QUERIES = servers.BENCH / "queries"
POSTGRAPHILE_QUERIES = servers.POSTGRAPHILE / "queries"
COMPUTED_COLUMNS = servers.POSTGRAPHILE / "computed_columns.sql"
SECRET = "xibu-bench-secret-of-at-least-32-bytes-long"
LIMIT_QUERIES = ("q1_province_dashboard", "q2_volunteer_page", "post_structure_west", "funding_report")
SERVERS = ("hub", "baseline", "hub-executor", "limit", "postgraphile")
ANONYMOUS = "anonymous"  # PostGraphile's queries carry no token
NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
# PostGraphile's names for the hub's fields in Q1/Q2 (its amber preset names relations after the key).
POSTGRAPHILE_NAMES = {
    "provinceByCode": "province",
    "countiesByProvinceCode": "counties",
    "postsByCountyCode": "posts",
    "countyByCode": "county",
    "postByPostId": "post",
    "countyByCountyCode": "county",
}


@dataclass(frozen=True)
class BenchQuery:
    """A front-end query of bench/queries and the office it runs as (`# actor: level [code]`)."""

    name: str
    text: str
    level: str
    code: str | None

    @classmethod
    def read(cls, path: Path) -> BenchQuery:
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("# actor:"):
                level, *code = line.removeprefix("# actor:").split()
                return cls(path.stem, text, level, code[0] if code else None)
        raise ValueError(f"{path} names no actor (a line '# actor: national' or '# actor: county 620121')")

    def token(self) -> str:
        from hub.auth import make_token
        from hub.settings import Settings

        subject = f"bench-{self.level}-{self.code or 'office'}"
        return make_token(Settings(jwt_secret=SECRET), self.level, subject, self.code, ttl=24 * 3600)

    def request(self, url: str, expected_length: int | None = None) -> Request:
        body = json.dumps({"query": self.text}).encode()
        headers = {"content-type": "application/json"}
        if self.level != ANONYMOUS:
            headers["authorization"] = f"Bearer {self.token()}"
        return Request(url, body, headers, expected_length)


def load_queries() -> list[BenchQuery]:
    return [BenchQuery.read(path) for path in sorted(QUERIES.glob("*.graphql"))]


def postgraphile_query(query: BenchQuery) -> BenchQuery | None:
    """The same question as PostGraphile's schema spells it (Q1, Q2), without a token."""
    path = POSTGRAPHILE_QUERIES / f"{query.name}.graphql"
    if not path.exists():
        return None
    return BenchQuery(query.name, path.read_text(encoding="utf-8"), ANONYMOUS, None)


def renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(k, k): renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, names) for v in value]
    return value


def hub_settings(database_url: str) -> Any:
    from hub.settings import Settings

    # As the bench servers (servers.hub_env): one token sends every request, so no rate limit.
    return Settings(
        database_url=database_url,
        jwt_secret=SECRET,
        today=generate.BENCH_TODAY,
        env="production",
        rate_limit_subject=None,
        rate_limit_office=None,
    )


async def count_statements(database_url: str, queries: list[BenchQuery]) -> dict[str, dict[str, Any]]:
    """Per query: the data statements one warm request costs the hub, and its answer (in process)."""
    import httpx
    from sqlalchemy import event

    from hub.app import create_app
    from hub.plugins import HubPlugins
    from hub.runtime import Hub

    hub = Hub(hub_settings(database_url), HubPlugins())
    statements: list[str] = []

    def before_cursor_execute(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            statements.append(statement)

    out: dict[str, dict[str, Any]] = {}
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            for query in queries:
                headers = {"authorization": f"Bearer {query.token()}"}
                await client.post("/graphql", json={"query": query.text}, headers=headers)  # warm
                event.listen(hub.engine.sync_engine, "before_cursor_execute", before_cursor_execute)
                try:
                    statements.clear()
                    response = await client.post("/graphql", json={"query": query.text}, headers=headers)
                finally:
                    event.remove(hub.engine.sync_engine, "before_cursor_execute", before_cursor_execute)
                out[query.name] = {"statements": len(statements), "answer": response.json()}
    finally:
        await hub.dispose()
    return out


def fetch_answers(server: servers.Server, queries: list[BenchQuery]) -> dict[str, dict[str, Any]]:
    """One request per query: the parsed answer and its length in bytes."""
    import httpx

    answers = {}
    with httpx.Client(timeout=300.0) as client:
        for query in queries:
            request = query.request(server.url)
            response = client.post(request.url, content=request.body, headers=request.headers)
            answers[query.name] = {"status": response.status_code, "bytes": len(response.content)}
            try:
                answers[query.name]["answer"] = response.json()
            except ValueError:
                answers[query.name]["answer"] = {"errors": [{"message": response.text[:500]}]}
    return answers


def machine_facts(database_url: str) -> dict[str, Any]:
    """What the figures were measured on."""
    import asyncpg

    async def server_version() -> str:
        connection = await asyncpg.connect(generate.asyncpg_dsn(database_url), timeout=10)
        try:
            return str(await connection.fetchval("SHOW server_version"))
        finally:
            await connection.close()

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "postgresql": asyncio.run(server_version()),
        "platform": platform.platform(),
    }


@contextmanager
def database(args: argparse.Namespace) -> Any:
    """The bench database: the one given, or a fresh generated one (dropped unless --keep-database)."""
    if args.database_url:
        yield args.database_url
        return
    url = f"{args.admin_url.rsplit('/', 1)[0]}/xibu_bench_{uuid.uuid4().hex[:10]}"
    try:
        generate.generate(url, args.scale, args.seed)
        yield url
    finally:
        if args.keep_database:
            print(f"kept the bench database: {url}")
        else:
            asyncio.run(generate.drop_database(url))


def apply_computed_columns(database_url: str) -> None:
    import asyncpg

    async def apply() -> None:
        connection = await asyncpg.connect(generate.asyncpg_dsn(database_url), timeout=10)
        try:
            await connection.execute(COMPUTED_COLUMNS.read_text(encoding="utf-8"))
        finally:
            await connection.close()

    asyncio.run(apply())


def make_server(
    name: str, database_url: str, logs: Path, baseline: Path | None = None, baseline_url: str = ""
) -> servers.Server:
    env = servers.hub_env(database_url, SECRET, generate.BENCH_TODAY.isoformat())
    if name == "baseline" and baseline is not None:  # the other checkout's own hub over its own database
        env = {**servers.hub_env(baseline_url, SECRET, generate.BENCH_TODAY.isoformat()), "PYTHONPATH": ""}
        command = [str(baseline / ".venv" / "bin" / "hub"), "serve", "--host", servers.HOST]
        port = servers.free_port()
        return servers.Server(name, [*command, "--port", str(port)], env, port, logs / f"{name}.log", cwd=baseline)
    if name == "hub":
        return servers.hub_server(env, logs)
    if name == "hub-executor":  # the same hub with the read planner off: what the planner buys
        return servers.hub_server({**env, "HUB_READ_PLANNER": "off"}, logs, name)
    if name == "limit":
        return servers.limit_server(env, logs)
    return servers.postgraphile_server(database_url, logs)


def queries_of(name: str, queries: list[BenchQuery], baseline: Path | None = None) -> list[BenchQuery]:
    if name in ("hub", "hub-executor"):
        return queries
    if name == "baseline" and baseline is not None:  # the queries the earlier checkout had too
        return [q for q in queries if (baseline / "bench" / "queries" / f"{q.name}.graphql").exists()]
    if name == "limit":
        return [q for q in queries if q.name in LIMIT_QUERIES]
    return [pq for q in queries if q.name in LIMIT_QUERIES and (pq := postgraphile_query(q)) is not None]


def check(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Hub vs limit (exact JSON) and hub vs PostGraphile (its field names mapped to the hub's)."""
    answers = results["answers"]
    checks: dict[str, dict[str, Any]] = {}
    hub = answers.get("hub", {})
    for name, entry in hub.items():
        if entry["status"] != 200 or entry["answer"].get("errors") or entry["answer"].get("data") is None:
            results["problems"].append(f"hub answered {name} with an error: {json.dumps(entry['answer'])[:500]}")
    if not hub:
        return checks  # nothing to check against: the hub was not run
    for other in ("limit", "baseline", "postgraphile"):
        for name, entry in answers.get(other, {}).items():
            theirs = entry["answer"] if other != "postgraphile" else renamed(entry["answer"], POSTGRAPHILE_NAMES)
            ours = hub.get(name, {}).get("answer")
            equal = ours is not None and theirs == ours and not theirs.get("errors")
            checks.setdefault(name, {})[f"hub_equals_{other}"] = equal
            if not equal:
                results["problems" if other == "limit" else "warnings"].append(
                    f"{name}: the hub's and {other}'s answers differ\n  hub:   {json.dumps(ours)[:400]}\n"
                    f"  {other}: {json.dumps(entry['answer'])[:400]}"
                )
    return checks


def measure(
    server: servers.Server,
    queries: list[BenchQuery],
    answers: dict[str, Any],
    args: argparse.Namespace,
    database: str = "",
) -> dict:
    """Warm up, then time every query of this server; the summaries by query name, each with the CPU per request
    of the server's processes and of `database`'s PostgreSQL backends (bench.cpu): on a shared machine the CPU a
    request costs moves much less with other work than req/s does."""
    from bench import cpu

    figures = {}
    warmup = args.warmup if args.warmup is not None else max(args.concurrency, args.requests // 5)
    for query in queries:
        request = query.request(server.url, answers.get(query.name, {}).get("bytes"))
        run_load(request, warmup, args.concurrency, args.warmup_seconds, 1, args.client)
        group = server.process.pid if server.process is not None else None
        with cpu.Sampler(group, database) as sampler:
            result: LoadResult = run_load(
                request, args.requests, args.concurrency, args.max_seconds, args.client_processes, args.client
            )
        figures[query.name] = summary(result)
        f = figures[query.name]
        used = sampler.used(result.completed, result.client_cpu)
        f["cpu"] = {k: used[k] for k in ("server_ms_per_req", "postgres_ms_per_req", "machine_busy")}
        print(
            f"  {server.name:<13} {query.name:<26} {f['req_per_s']:9.1f} req/s  p50 {f['p50_ms']:8.1f} ms  "
            f"p99 {f['p99_ms']:8.1f} ms  ({f['requests']} requests, {f['errors']} errors, "
            f"CPU/req: server {f['cpu']['server_ms_per_req']} ms, postgres {f['cpu']['postgres_ms_per_req']} ms, "
            f"client {f['client_cpu_ms_per_req']} ms; machine busy {f['cpu']['machine_busy']})",
            flush=True,
        )
    return figures


def ratios(results: dict[str, Any]) -> None:
    """Every figure of Q1/Q2 as a ratio to the limit of this run (req/s: higher is better; p50, p99: lower)."""
    timing = results["timing"]
    limit = timing.get("limit", {})
    for per_query in timing.values():
        for query, figures in per_query.items():
            base = limit.get(query)
            if not base or not base["req_per_s"]:
                continue
            figures["ratio_to_limit"] = {
                "req_per_s": round(figures["req_per_s"] / base["req_per_s"], 4),
                "p50": round(figures["p50_ms"] / base["p50_ms"], 2) if base["p50_ms"] else None,
                "p99": round(figures["p99_ms"] / base["p99_ms"], 2) if base["p99_ms"] else None,
            }


def against_baseline(results: dict[str, Any]) -> list[str]:
    """Today's hub as a ratio to the baseline checkout's, query by query (req/s: higher is better; p99: lower)."""
    timing = results["timing"]
    lines = []
    for query, base in sorted(timing.get("baseline", {}).items()):
        ours = timing.get("hub", {}).get(query)
        if ours and base["req_per_s"] and base["p99_ms"]:
            ratio = round(ours["req_per_s"] / base["req_per_s"], 3)
            tail = round(ours["p99_ms"] / base["p99_ms"], 3)
            ours["ratio_to_baseline"] = {"req_per_s": ratio, "p99": tail}
            lines.append(f"hub ÷ baseline, {query}: req/s {ratio:.3g}×, p99 {tail:.3g}×")
    return lines


def report(results: dict[str, Any]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| query | server | req/s | p50 ms | p99 ms | SQL stmts/req | req/s ÷ limit | p50 ÷ limit | p99 ÷ limit |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    statements = results.get("statements", {})
    for query in sorted({q for per in results["timing"].values() for q in per}):
        for name in SERVERS:
            f = results["timing"].get(name, {}).get(query)
            if f is None:
                continue
            count = {"hub": statements.get(query, {}).get("statements"), "limit": 1}.get(name)
            r = f.get("ratio_to_limit", {})
            shown = "—" if count is None else count
            lines.append(
                f"| {query} | {name} | {f['req_per_s']:.1f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {shown} | "
                f"{_r(r.get('req_per_s'))} | {_r(r.get('p50'))} | {_r(r.get('p99'))} |"
            )
    return "\n".join(lines)


def _r(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}×"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="data scale when generating (1.0 = national)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="an already generated bench database (kept)")
    parser.add_argument("--admin-url", default=generate.DEFAULT_URL, help="where to create the bench database")
    parser.add_argument("--keep-database", action="store_true", help="keep the generated database")
    parser.add_argument(
        "--servers",
        default="hub,limit",
        help="comma-separated: hub, baseline (needs --baseline), hub-executor (planner off), limit, postgraphile",
    )
    parser.add_argument(
        "--queries", default="", help="comma-separated names of bench/queries/*.graphql to run (default: all)"
    )
    parser.add_argument("--requests", type=int, default=500, help="timed requests per server and query")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=None, help="warm-up requests (default: max(c, n/5))")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time bound of one measurement")
    parser.add_argument("--warmup-seconds", type=float, default=15.0, help="time bound of one warm-up")
    parser.add_argument("--client-processes", type=int, default=1, help="client processes sharing the load")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw", help="HTTP client of the load")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="another checkout (with .venv) to time as 'baseline'"
    )
    parser.add_argument("--baseline-database-url", default="", help="the bench database the baseline's generate made")
    parser.add_argument("--json", type=Path, default=None, help="write every figure to this JSON file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    names = [n.strip() for n in args.servers.split(",") if n.strip()]
    unknown = set(names) - set(SERVERS)
    if unknown or not names:
        sys.exit(f"bench: --servers takes {', '.join(SERVERS)}, not {', '.join(sorted(unknown)) or 'nothing'}")
    names = [n for n in SERVERS if n in names]  # the hub first: the others are checked against it
    if "baseline" in names and not (args.baseline and args.baseline_database_url):
        sys.exit("bench: the server baseline needs --baseline PATH and --baseline-database-url URL")
    if args.requests < 1 or args.concurrency < 1 or args.max_seconds <= 0 or args.warmup_seconds <= 0:
        sys.exit("bench: --requests, --concurrency, --max-seconds and --warmup-seconds must be positive")
    queries = load_queries()
    if args.queries:
        wanted = {n.strip() for n in args.queries.split(",") if n.strip()}
        if wanted - {q.name for q in queries}:
            sys.exit(f"bench: --queries takes {', '.join(q.name for q in queries)}, not {', '.join(sorted(wanted))}")
        queries = [q for q in queries if q.name in wanted]
    results: dict[str, Any] = {"problems": [], "warnings": [], "answers": {}, "timing": {}, "skipped": {}}
    results["settings"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    logs = Path(tempfile.mkdtemp(prefix="xibu-bench-"))
    started = time.perf_counter()
    with database(args) as url:
        results["machine"] = machine_facts(url)
        results["today"] = generate.BENCH_TODAY.isoformat()
        print(f"machine: {results['machine']}\nserver logs: {logs}", flush=True)
        if "hub" in names:
            counted = asyncio.run(count_statements(url, queries))
            results["statements"] = {n: {"statements": c["statements"]} for n, c in counted.items()}
            print("hub SQL statements per request: " + ", ".join(f"{n} {c['statements']}" for n, c in counted.items()))
        if "postgraphile" in names:
            problem = servers.install_postgraphile(logs / "npm.log")
            if problem is None:
                apply_computed_columns(url)
            else:
                print(f"PostGraphile skipped: {problem}", flush=True)
                results["warnings"].append(f"PostGraphile skipped: {problem}")
                results["skipped"]["postgraphile"] = problem
                names.remove("postgraphile")

        print("answers (before any timing):", flush=True)
        for name in list(names):
            try:
                with make_server(name, url, logs, args.baseline, args.baseline_database_url) as server:
                    results["answers"][name] = fetch_answers(server, queries_of(name, queries, args.baseline))
            except RuntimeError as exc:
                results["problems" if name != "postgraphile" else "warnings"].append(f"{name} did not start: {exc}")
                results["skipped"][name] = str(exc).splitlines()[0]
                names.remove(name)
        results["checks"] = check(results)
        for query, verdicts in results["checks"].items():
            print(f"  {query}: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in verdicts.items()), flush=True)

        print(f"timing: {args.requests} requests per query at concurrency {args.concurrency}:", flush=True)
        for name in names:
            try:
                with make_server(name, url, logs, args.baseline, args.baseline_database_url) as server:
                    answers = results["answers"].get(name, {})
                    its_url = args.baseline_database_url if name == "baseline" and args.baseline else url
                    results["timing"][name] = measure(
                        server, queries_of(name, queries, args.baseline), answers, args, generate.database_name(its_url)
                    )
            except RuntimeError as exc:
                where = "problems" if name != "postgraphile" else "warnings"
                results[where].append(f"{name} failed while timing: {exc}")
    ratios(results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    table = report(results)
    print("\n" + table)
    for line in against_baseline(results):
        print(line)
    for problem in results["problems"]:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    for warning in results["warnings"]:
        print(f"WARNING: {warning}", file=sys.stderr)
    for name, per_query in results["timing"].items():
        for query, figures in per_query.items():
            if figures["errors"] or figures["mismatched"]:
                print(
                    f"PROBLEM: {name} {query}: {figures['errors']} errors, {figures['mismatched']} answers of another "
                    f"size under load; first: {figures['first_error']}",
                    file=sys.stderr,
                )
    if args.json:
        args.json.write_text(json.dumps({**results, "table": table}, ensure_ascii=False, indent=2, default=str))
    unequal = any(not v for verdicts in results["checks"].values() for k, v in verdicts.items() if "limit" in k)
    under_load = any(f["errors"] or f["mismatched"] for per in results["timing"].values() for f in per.values())
    return 1 if unequal or results["problems"] else 3 if under_load else 0


if __name__ == "__main__":
    sys.exit(main())
