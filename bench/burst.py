"""Registration burst (issues 7, 17): `submitApplication` from many distinct volunteers at a fixed concurrency,
against `hub serve` with one process and with several processes on one PostgreSQL (`--workers N`), and
against the write limit (bench/limit_writes.py: the same rows in one statement, `--limit N` processes).

On a bench database (bench.generate) it opens the next program year (its milestones a year after the
bench year's, the same province scales), then for each server starts it, sends one application per
volunteer — each request with that volunteer's own token; `--warmup` of them first, untimed — and reports
req/s, p50 and p99, and where the CPU went (bench/cpu.py: each server process, the database's backends,
the client). Afterwards it checks that the database holds exactly one new application per successful
request and none for the refused ones, each with one audit entry (its scopes) and one outbox event, and
that these rows are the same, server for server, volunteer for volunteer (ids, times and the event's uid
aside); then it removes the applications, seals the audit entries still pending (`hub audit seal`) so that
the next server starts on a sealed chain, and — at the end — verifies the whole chain. `--rounds N`
repeats the servers in turn (A/B/C, A/B/C, ...) and reports the median round.

    python -m bench.burst --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/xibu_bench \\
        --workers 1,2 --limit 1 --requests 1000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import generate, servers
from bench.load import RawConnection, Request
from bench.run import SECRET

BENCH_YEAR = "2027-2028"
YEAR = "2028-2029"
MUTATION = (
    "mutation Apply($input: SubmitApplicationInput!) { submitApplication(input: $input) "
    "{ application { id status } userErrors { code message } } }"
)


async def _connect(url: str) -> Any:
    import asyncpg

    return await asyncpg.connect(generate.asyncpg_dsn(url), timeout=10)


async def open_next_year(url: str) -> list[str]:
    """The next program year, open for registration on the bench's today; three serving provinces."""
    connection = await _connect(url)
    try:
        async with connection.transaction():
            await connection.execute("INSERT INTO program_years (code) VALUES ($1) ON CONFLICT DO NOTHING", YEAR)
            await connection.execute(
                "INSERT INTO milestone_dates (year, milestone, closes_on, extended) "
                "SELECT $1, milestone, (closes_on + interval '1 year')::date, false FROM milestone_dates "
                "WHERE year = $2 ON CONFLICT DO NOTHING",
                YEAR,
                BENCH_YEAR,
            )
            await connection.execute(
                "INSERT INTO province_scales (year, province_code, scale) SELECT $1, province_code, scale "
                "FROM province_scales WHERE year = $2 ON CONFLICT DO NOTHING",
                YEAR,
                BENCH_YEAR,
            )
        rows = await connection.fetch(
            "SELECT province_code FROM province_scales WHERE year = $1 AND scale > 0 ORDER BY province_code LIMIT 3",
            YEAR,
        )
        return [r["province_code"] for r in rows]
    finally:
        await connection.close()


async def volunteers_without_application(url: str, count: int) -> list[str]:
    connection = await _connect(url)
    try:
        rows = await connection.fetch(
            "SELECT subject FROM volunteers v WHERE NOT EXISTS (SELECT 1 FROM applications a "
            "WHERE a.volunteer_id = v.id AND a.year = $1) ORDER BY id LIMIT $2",
            YEAR,
            count,
        )
        return [r["subject"] for r in rows]
    finally:
        await connection.close()


async def applications_of_year(url: str, remove: bool = False) -> int:
    connection = await _connect(url)
    try:
        count = await connection.fetchval("SELECT count(*) FROM applications WHERE year = $1", YEAR)
        if remove:
            await connection.execute("DELETE FROM applications WHERE year = $1", YEAR)
        return count
    finally:
        await connection.close()


def request_for(url: str, subject: str, provinces: list[str]) -> Request:
    from hub.auth import make_token
    from hub.settings import Settings

    token = make_token(Settings(jwt_secret=SECRET), "volunteer", subject, None, ttl=3600)
    variables = {"input": {"year": YEAR, "preferredProvinceCodes": provinces, "acceptsAdjustment": True}}
    body = json.dumps({"query": MUTATION, "variables": variables}).encode()
    return Request(url, body, {"content-type": "application/json", "authorization": f"Bearer {token}"})


async def burst(url: str, subjects: list[str], provinces: list[str], concurrency: int) -> dict[str, Any]:
    """Every subject applies once; closed loop at `concurrency` keep-alive connections."""
    pending = [request_for(url, s, provinces) for s in subjects]
    latencies: list[float] = []
    refused: list[str] = []
    started = time.perf_counter()

    async def worker() -> None:
        connection: RawConnection | None = None
        while pending:
            request = pending.pop()
            fresh = RawConnection(request)
            if connection is None:
                connection = fresh
            connection.payload = fresh.payload
            sent = time.perf_counter()
            status, content = await connection.post()
            latencies.append(time.perf_counter() - sent)
            answer = json.loads(content) if status == 200 else {}
            payload = (answer.get("data") or {}).get("submitApplication") or {}
            if status != 200 or answer.get("errors") or payload.get("userErrors") or not payload.get("application"):
                refused.append(content[:300].decode("utf-8", "replace"))
        if connection is not None:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return round(ordered[max(0, min(len(ordered) - 1, int(round(p * len(ordered))) - 1))] * 1000, 1)

    return {
        "requests": len(latencies),
        "refused": len(refused),
        "first_refusal": refused[0] if refused else None,
        "req_per_s": round(len(latencies) / wall, 1),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
    }


# What an accepted application left in the database, as the hub's path writes it: the application (every
# column but its id, its volunteer's ids and its time), its audit entry (JSON text as stored, the global id
# replaced, its scopes), and the entry's outbox event — per volunteer, for the entries written since `$2`.
STORED_SQL = """
WITH apps AS (
    SELECT a.*, v.subject, encode(convert_to('Application:' || a.id, 'UTF8'), 'base64') AS gid
    FROM applications a JOIN volunteers v ON v.id = a.volunteer_id WHERE a.year = $1
), entries AS (
    SELECT e.*, e.target_ids ->> 0 AS gid FROM audit_entries e WHERE e.id > $2
)
SELECT apps.subject,
       (to_jsonb(apps) - 'id' - 'gid' - 'submitted_at' - 'volunteer_id' - 'active_volunteer_id'
         || jsonb_build_object('active', apps.active_volunteer_id = apps.volunteer_id))::text AS application,
       (SELECT json_agg(json_build_object(
            'actor', concat_ws('/', e.actor_level, e.actor_code, e.actor_subject),
            'operation', e.operation,
            'target_ids', replace(e.target_ids::text, apps.gid, 'ID'),
            'changes', replace(e.changes::text, apps.gid, 'ID'),
            'scopes', (SELECT array_agg(s.level || ':' || s.code ORDER BY s.level, s.code)
                       FROM audit_scopes s WHERE s.entry_id = e.id),
            'events', (SELECT json_agg(json_build_object(
                           'type', d.type, 'actor', concat_ws('/', d.actor_level, d.actor_code),
                           'at', d.at = e.at, 'objects', replace(d.objects::text, apps.gid, 'ID')))
                       FROM domain_events d WHERE d.audit_entry_id = e.id)))
        FROM entries e WHERE e.gid = apps.gid)::text AS audit
FROM apps ORDER BY apps.subject
"""


async def audit_mark(url: str) -> int:
    """The last audit entry's id: a server's entries are those written after it."""
    connection = await _connect(url)
    try:
        return await connection.fetchval("SELECT coalesce(max(id), 0) FROM audit_entries")
    finally:
        await connection.close()


async def stored_rows(url: str, mark: int) -> tuple[dict[str, tuple[str, str | None]], int]:
    """Per volunteer, what their application of the burst's year stored (see STORED_SQL); and how many audit
    entries were written since `mark` in all."""
    connection = await _connect(url)
    try:
        rows = await connection.fetch(STORED_SQL, YEAR, mark)
        entries = await connection.fetchval("SELECT count(*) FROM audit_entries WHERE id > $1", mark)
        return {r["subject"]: (r["application"], r["audit"]) for r in rows}, entries
    finally:
        await connection.close()


def differences(stored: dict[str, tuple[str, str | None]], reference: dict[str, tuple[str, str | None]]) -> list[str]:
    """Volunteers whose stored rows differ from the reference's (the first server's), with the two versions."""
    found = []
    for subject in sorted(set(stored) | set(reference)):
        if stored.get(subject) != reference.get(subject):
            found.append(f"{subject}: {stored.get(subject)} != {reference.get(subject)}")
    return found


def well_formed(stored: dict[str, tuple[str, str | None]]) -> list[str]:
    """Applications without exactly one audit entry with its three scopes and exactly one outbox event."""
    problems = []
    for subject, (_application, audit) in stored.items():
        entries = json.loads(audit) if audit else []
        if len(entries) != 1 or len(entries[0]["scopes"] or []) != 3 or len(entries[0]["events"] or []) != 1:
            problems.append(f"{subject}: {audit}")
    return problems


async def seal_and_verify(url: str, verify: bool) -> dict[str, Any]:
    """Seal the audit entries still pending (what the hub's sequencer does while it serves; the limit has
    none), timed; with `verify`, walk the whole chain (`hub audit verify`)."""
    from hub.audit import verify as verify_chain
    from hub.db import make_engine, make_sessionmaker
    from hub.sequencer import seal

    engine = make_engine(url, 2)
    try:
        started = time.perf_counter()
        sealed = await seal(engine)
        result: dict[str, Any] = {"sealed": sealed, "seal_ms": round((time.perf_counter() - started) * 1000, 1)}
        if verify:
            async with make_sessionmaker(engine)() as session:
                verdict = await verify_chain(session)
            result.update(chain_entries=verdict.entries, chain_intact=verdict.intact, chain_pending=verdict.pending)
            if not verdict.intact:
                result["chain_broken"] = verdict.reason
        return result
    finally:
        await engine.dispose()


def server_for(name: str, env: dict[str, str], logs: Path) -> servers.Server:
    """`hub-N`: `hub serve` with N processes; `limit-N`: the limit server with N processes."""
    kind, _, count = name.partition("-")
    if kind == "hub":
        return servers.hub_server(env, logs, name, workers=int(count))
    return servers.limit_server(env, logs, name, workers=int(count))


@contextlib.contextmanager
def profiling(server: servers.Server, directory: str | None) -> Iterator[None]:
    """With `directory`: py-spy samples every process of the server while the block runs (`pip install
    py-spy`), one collapsed-stack file per process (`<server>-<pid>.txt`, for flamegraph.pl or speedscope)."""
    if not directory or server.process is None:
        yield
        return
    from bench import cpu

    Path(directory).mkdir(parents=True, exist_ok=True)
    pids = list(cpu.snapshot(server.process.pid, "-").server)
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    recorders = [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "200",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(Path(directory) / f"{server.name}-{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]
    try:
        yield
    finally:
        for recorder in recorders:
            recorder.send_signal(signal.SIGINT)
        for recorder in recorders:
            recorder.wait(30)


def measure(url: str, name: str, env: dict[str, str], logs: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One server's burst: its figures, CPU and the rows it stored (removed again afterwards)."""
    from bench import cpu

    provinces = asyncio.run(open_next_year(url))
    subjects = asyncio.run(volunteers_without_application(url, args.warmup + args.requests))
    warm, subjects = subjects[: args.warmup], subjects[args.warmup :]
    mark = asyncio.run(audit_mark(url))
    server = server_for(name, env, logs)
    database = generate.asyncpg_dsn(url).rsplit("/", 1)[-1]
    with server:
        assert server.process is not None
        warmed = asyncio.run(burst(server.url, warm, provinces, args.concurrency)) if warm else {"refused": 0}
        with profiling(server, args.profile), cpu.Sampler(server.process.pid, database) as sampler:
            client = time.thread_time()
            result = asyncio.run(burst(server.url, subjects, provinces, args.concurrency))
            client = time.thread_time() - client
        result["cpu"] = sampler.used(result["requests"], client)
    stored, entries = asyncio.run(stored_rows(url, mark))
    asyncio.run(applications_of_year(url, remove=True))
    result["stored"] = len(stored)
    result["audit_entries"] = entries
    malformed = well_formed(stored)
    accepted = len(warm) - warmed["refused"] + result["requests"] - result["refused"]
    result["warmup"] = len(warm)
    result["consistent"] = len(stored) == entries == accepted and not malformed
    if malformed:
        result["first_malformed"] = malformed[0][:600]
    result["seal"] = asyncio.run(seal_and_verify(url, verify=False))
    result["rows"] = stored
    return result


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median req/s (the lower middle one of an even count)."""
    return sorted(rounds, key=lambda r: r["req_per_s"])[(len(rounds) - 1) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a bench database (python -m bench.generate)")
    parser.add_argument("--workers", default="1,2", help="comma-separated process counts of `hub serve`")
    parser.add_argument("--limit", default="1", help="comma-separated process counts of the write limit ('' for none)")
    parser.add_argument("--requests", type=int, default=1000, help="applications per server and round")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=50, help="applications sent first, not timed (stored, checked)")
    parser.add_argument("--rounds", type=int, default=1, help="the servers in turn, this many times")
    parser.add_argument("--profile", help="a directory: py-spy samples each server process during the burst")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    url = args.database_url
    names = [f"hub-{int(w)}" for w in args.workers.split(",") if w.strip()]
    names += [f"limit-{int(w)}" for w in args.limit.split(",") if w.strip()]
    asyncio.run(open_next_year(url))
    asyncio.run(applications_of_year(url, remove=True))
    asyncio.run(seal_and_verify(url, verify=False))
    env = servers.hub_env(url, SECRET, generate.BENCH_TODAY.isoformat())
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    reference: dict[str, tuple[str, str | None]] | None = None
    status = 0
    with tempfile.TemporaryDirectory(prefix="xibu-burst-") as logs:
        for round_number in range(1, args.rounds + 1):
            for name in names:
                result = measure(url, name, env, Path(logs), args)
                stored = result.pop("rows")
                reference = stored if reference is None else reference
                unlike = differences(stored, reference)
                result["rows_equal_first_server"] = not unlike
                if unlike:
                    result["first_difference"] = unlike[0][:1200]
                rounds[name].append(result)
                used = result["cpu"]
                print(
                    f"  round {round_number} {name:8} {result['req_per_s']:7.1f} req/s  p50 {result['p50_ms']:7.1f} ms"
                    f"  p99 {result['p99_ms']:7.1f} ms  ({result['requests']} requests, {result['refused']} refused,"
                    f" {result['stored']} stored)  CPU ms/req: server {used['server_ms_per_req']}"
                    f" {used['server_processes_ms_per_req']}, postgres {used['postgres_ms_per_req']},"
                    f" client {used['client_ms_per_req']}; machine busy {used['machine_busy']}",
                    flush=True,
                )
                if result["refused"] or not result["consistent"] or unlike:
                    print(f"  first refusal: {result['first_refusal']}")
                    print(f"  malformed: {result.get('first_malformed')}  differs: {result.get('first_difference')}")
                    status = 1
        chain = asyncio.run(seal_and_verify(url, verify=True))
    if not chain.get("chain_intact"):
        status = 1
    figures: dict[str, Any] = {name: median_round(results) for name, results in rounds.items()}
    figures["rounds"] = rounds
    figures["audit_chain"] = chain
    print(report(figures, names))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return status


def report(figures: dict[str, Any], names: list[str]) -> str:
    """A markdown table of the median rounds, the ratios hub ÷ limit and hub-2 ÷ hub-1, and the chain."""
    lines = [
        "| server | req/s | p50 ms | p99 ms | server CPU ms/req (per process) | PostgreSQL ms/req | client ms/req |"
        " machine busy |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for name in names:
        f, used = figures[name], figures[name]["cpu"]
        per_process = " + ".join(f"{ms:g}" for ms in used["server_processes_ms_per_req"].values())
        lines.append(
            f"| {name} | {f['req_per_s']} | {f['p50_ms']} | {f['p99_ms']} | {used['server_ms_per_req']:g}"
            f" ({per_process}) | {used['postgres_ms_per_req']:g} | {used['client_ms_per_req']:g} |"
            f" {used['machine_busy']} |"
        )
    ratios = {}
    for hub in (n for n in names if n.startswith("hub-")):
        for limit in (n for n in names if n.startswith("limit-")):
            ratios[f"{hub} / {limit}"] = figures[hub]["req_per_s"] / figures[limit]["req_per_s"]
    if "hub-1" in figures and "hub-2" in figures:
        ratios["hub-2 / hub-1"] = figures["hub-2"]["req_per_s"] / figures["hub-1"]["req_per_s"]
    figures["ratios"] = {k: round(v, 3) for k, v in ratios.items()}
    lines += [f"{k}: {v:.3f}×" for k, v in ratios.items()]
    chain = figures["audit_chain"]
    lines.append(
        f"audit chain: {chain.get('chain_entries')} entries, intact {chain.get('chain_intact')},"
        f" pending {chain.get('chain_pending')}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
