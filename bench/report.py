"""Every bench of issue 17 in one run, and one table of its goals: each figure beside its target.

Runs, one after the other on this machine (nothing else should run meanwhile):
1. reads — `bench.run` on the scale-1 database: every query against the hub, and against the limit, PostGraphile and
   a baseline checkout where they answer it;
2. growth — `bench.run` with the hub alone on a bigger nation for the queries whose cost must not depend on national
   size (Q1, Q2, the inbox) and the funding report (at most linear in the data it reads): on `--grown-database-url`
   (`bench.generate --scale 1 --grow 5 --hold 62`: the scale-1 data set, and the nation around province 62 grown to
   100,000 volunteers, so the pages' answers stay the same and only the nation grows), and/or on
   `--scale5-database-url` (`--scale 5`: every province ×5, Gansu's own pages too — their answers grow with it);
   each page's answer at both sizes is compared, and a row whose answer is not the same says so and fails;
3. writes — `bench.burst` (submitApplication: the hub with one and two processes, the write limit);
4. files — `bench.files` (20,000 rows exported and imported on SQLite and PostgreSQL, 100,000 exported).
Each step's own output and JSON land in `--out`; the table is printed at the end and written to
`--out/table.md`. A step that fails is reported in the table, the others still run.

    python -m bench.report --database-url …/xibu_bench --grown-database-url …/xibu_bench_g5 \\
        --baseline /path/to/checkout --baseline-database-url …/xibu_bench_base --out /tmp/bench-report
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GROWTH_QUERIES = ("q1_province_dashboard", "q2_volunteer_page", "province_inbox", "funding_report")
PAGES = GROWTH_QUERIES[:3]  # the same answer whatever the nation's size, so the same cost
SAME = 0.85  # "the same req/s within noise" on this shared two-core machine


@dataclass(frozen=True)
class Row:
    """One line of the table: what is measured, the figure, the goal and whether it is met."""

    area: str
    measure: str
    figure: str
    target: str
    met: bool | None  # None: nothing to compare (the step did not run)

    def markdown(self) -> str:
        verdict = {True: "yes", False: "**no**", None: "—"}[self.met]
        return f"| {self.area} | {self.measure} | {self.figure} | {self.target} | {verdict} |"


def run_step(name: str, argv: list[str], out: Path) -> dict[str, Any] | None:
    """One bench script as a subprocess, its output teed to `out/NAME.log`; its JSON, or None if it failed."""
    target = out / f"{name}.json"
    target.unlink(missing_ok=True)
    command = [sys.executable, "-m", *argv, "--json", str(target)]
    print(f"== {name}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    with (out / f"{name}.log").open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert process.stdout is not None
        for line in process.stdout:
            print(f"   {line}", end="", flush=True)
            log.write(line)
        status = process.wait()
    print(f"== {name}: exit {status} after {time.perf_counter() - started:.0f} s", flush=True)
    if not target.exists():
        return None
    return json.loads(target.read_text(encoding="utf-8"))


def _timing(results: dict[str, Any] | None, server: str, query: str) -> dict[str, Any] | None:
    return ((results or {}).get("timing") or {}).get(server, {}).get(query)


def _x(value: float) -> str:
    return f"{value:.2f}×"


def read_rows(reads: dict[str, Any] | None) -> list[Row]:
    """Each read query against its limit, PostGraphile's tail and the baseline; one statement each."""
    rows: list[Row] = []
    statements = (reads or {}).get("statements", {})
    goals = {
        "q1_province_dashboard": ("Q1", 0.6, 2.0),
        "q2_volunteer_page": ("Q2", 0.6, 1.0),
        "post_structure_west": ("post structure", 0.5, None),
        "funding_report": ("funding report", 0.5, None),
    }
    for query, (label, of_limit, of_baseline) in goals.items():
        hub, limit = _timing(reads, "hub", query), _timing(reads, "limit", query)
        if hub is None:
            rows.append(Row("reads", f"{label} req/s ÷ limit", "not measured", f"≥ {of_limit}×", None))
            continue
        if limit is not None and limit["req_per_s"]:
            ratio = hub["req_per_s"] / limit["req_per_s"]
            figure = f"{hub['req_per_s']:.1f} ÷ {limit['req_per_s']:.1f} = {_x(ratio)}"
            rows.append(Row("reads", f"{label} req/s ÷ limit", figure, f"≥ {of_limit}×", ratio >= of_limit))
        else:
            rows.append(Row("reads", f"{label} req/s ÷ limit", "no limit answer", f"≥ {of_limit}×", False))
        count = statements.get(query, {}).get("statements")
        rows.append(Row("reads", f"{label} SQL statements per request", str(count), "1", count == 1))
        graphile = _timing(reads, "postgraphile", query)
        if graphile is not None:
            figure = f"{hub['p99_ms']:.0f} vs {graphile['p99_ms']:.0f} ms"
            rows.append(
                Row("reads", f"{label} p99, hub vs PostGraphile", figure, "≤", hub["p99_ms"] <= graphile["p99_ms"])
            )
        base = _timing(reads, "baseline", query)
        if of_baseline is not None and base is not None and base["req_per_s"]:
            ratio = hub["req_per_s"] / base["req_per_s"]
            target = f"≥ {of_baseline:g}×" if of_baseline > 1 else "within noise (≥ 0.95×)"
            met = ratio >= (of_baseline if of_baseline > 1 else 0.95)
            figure = f"{hub['req_per_s']:.1f} ÷ {base['req_per_s']:.1f} = {_x(ratio)}"
            rows.append(Row("reads", f"{label} req/s ÷ baseline (8e5465b)", figure, target, met))
    return rows


@dataclass(frozen=True)
class Nation:
    """A bench database's size and how bench.generate made it."""

    volunteers: int
    agreements: int  # what the funding report reads: its "linear" is in these
    made_with: dict[str, Any] | None

    @classmethod
    def of(cls, url: str) -> Nation:
        import asyncio

        import asyncpg

        from bench import generate

        async def count() -> tuple[int, int]:
            connection = await asyncpg.connect(generate.asyncpg_dsn(url), timeout=10)
            try:
                volunteers = await connection.fetchval("SELECT count(*) FROM volunteers")
                agreements = await connection.fetchval("SELECT count(*) FROM service_agreements")
                return int(volunteers), int(agreements)
            finally:
                await connection.close()

        return cls(*asyncio.run(count()), generate.made_with(url))

    def label(self, unsaid: str) -> str:
        """How the nation was made bigger, for the table: `scale 5` or `nation ×5, 62 held` (`unsaid` if the
        database does not say)."""
        how = self.made_with or {}
        if how.get("grow", 1) > 1:
            held = ",".join(how.get("hold") or [])
            return f"nation ×{how['grow']:g}" + (f", {held} held" if held else "")
        return f"scale {how['scale']:g}" if "scale" in how else unsaid


def _cpu(before: dict[str, Any], after: dict[str, Any]) -> str:
    """`; CPU 12.3 → 12.9 ms/req`: the server's and PostgreSQL's CPU per request at both sizes (bench.run), if
    measured — on a shared machine steadier than req/s."""
    figures = []
    for timing in (before, after):
        used = timing.get("cpu") or {}
        if "server_ms_per_req" not in used:
            return ""
        figures.append(used["server_ms_per_req"] + used["postgres_ms_per_req"])
    return f"; CPU {figures[0]:.1f} → {figures[1]:.1f} ms/req"


def _answer(results: dict[str, Any] | None, query: str) -> dict[str, Any]:
    return ((results or {}).get("answers") or {}).get("hub", {}).get(query) or {}


def growth_rows(
    reads: dict[str, Any] | None,
    scaled: dict[str, Any] | None,
    small: Nation | None = None,
    large: Nation | None = None,
    unsaid: str = "scale 5",
) -> list[Row]:
    """Pages cost the same in a bigger nation when their answer is the same; the funding report grows at most
    linearly in the agreements it reads. A page whose answer is not the same at both sizes measures its answer,
    not the nation: its row says so and is not met."""
    label = large.label(unsaid) if large else unsaid
    base = small.label("scale 1") if small else "scale 1"
    data_ratio = large.agreements / small.agreements if small and large and small.agreements else 5.0
    rows: list[Row] = []
    for query in GROWTH_QUERIES:
        before, after = _timing(reads, "hub", query), _timing(scaled, "hub", query)
        if before is None or after is None or not before["req_per_s"]:
            rows.append(Row("growth", f"{query} at {label} ÷ {base}", "not measured", "", None))
            continue
        if query == "funding_report":
            ratio = after["p50_ms"] / before["p50_ms"]
            figure = f"p50 {after['p50_ms']:.0f} ÷ {before['p50_ms']:.0f} ms = {_x(ratio)}"
            if small and large:
                figure += f" for {small.agreements:,} → {large.agreements:,} agreements"
            figure += _cpu(before, after)
            rows.append(
                Row(
                    "growth",
                    f"funding report p50, {label} ÷ {base}",
                    figure,
                    f"≤ {data_ratio:.2f}× (linear)",
                    ratio <= data_ratio,
                )
            )
            continue
        ratio = after["req_per_s"] / before["req_per_s"]
        figure = f"{after['req_per_s']:.1f} ÷ {before['req_per_s']:.1f} = {_x(ratio)}"
        one, other = _answer(reads, query), _answer(scaled, query)
        same = "answer" in one and one.get("answer") == other.get("answer")
        if same:
            figure += f"; the same answer ({one.get('bytes', 0):,} B)"
        else:
            figure += f"; answer not the same ({one.get('bytes', 0):,} → {other.get('bytes', 0):,} B)"
        figure += _cpu(before, after)
        rows.append(
            Row(
                "growth",
                f"{query} req/s, {label} ÷ {base}",
                figure,
                f"same answer, same within noise (≥ {SAME}×)",
                same and ratio >= SAME,
            )
        )
    return rows


def write_rows(burst: dict[str, Any] | None) -> list[Row]:
    """submitApplication (bench.burst, the median round): the hub against the write limit, two processes
    against one; every accepted request stored once, the same rows as the limit's, the audit chain intact."""
    if burst is None:
        return [Row("writes", "submitApplication burst", "not measured", "", None)]
    one, two, limit = burst.get("hub-1"), burst.get("hub-2"), burst.get("limit-1")
    rows = []
    if one and limit and limit.get("req_per_s"):
        ratio = one["req_per_s"] / limit["req_per_s"]
        figure = f"{one['req_per_s']:.1f} ÷ {limit['req_per_s']:.1f} = {_x(ratio)}"
        rows.append(Row("writes", "hub (1 process) ÷ write limit", figure, "≥ 0.4×", ratio >= 0.4))
        cpu = f"{one['cpu']['server_ms_per_req']:g} vs {limit['cpu']['server_ms_per_req']:g} ms"
        rows.append(Row("writes", "server CPU per request, hub vs limit", cpu, "", None))
    if one and two and one.get("req_per_s"):
        ratio = two["req_per_s"] / one["req_per_s"]
        figure = f"{two['req_per_s']:.1f} ÷ {one['req_per_s']:.1f} = {_x(ratio)}"
        rows.append(Row("writes", "hub 2 processes ÷ 1 process", figure, "≥ 1.3×", ratio >= 1.3))
        ceiling = machine_ceiling(two["cpu"], os.cpu_count() or 1)
        if ceiling is not None:
            figure = (
                f"{ceiling['cores']} cores ÷ {ceiling['ms_per_req']:.2f} ms = {ceiling['req_per_s']:.0f} req/s"
                f" = {_x(ceiling['req_per_s'] / one['req_per_s'])} one process; reached"
                f" {two['req_per_s']:.1f} at busy {two['cpu'].get('machine_busy', 0):.2f}"
            )
            rows.append(Row("writes", "ceiling of 2 processes on this machine (all CPU per request)", figure, "", None))
    servers = [v for k, v in burst.items() if k.startswith(("hub-", "limit-")) and isinstance(v, dict)]
    stored = all(v.get("consistent") and v.get("rows_equal_first_server", True) for v in servers)
    rows.append(
        Row(
            "writes",
            "every accepted request stored once, as the limit stores it",
            "yes" if stored else "no",
            "yes",
            stored,
        )
    )
    intact = bool(burst.get("audit_chain", {}).get("chain_intact"))
    rows.append(Row("writes", "audit chain intact after the burst", "yes" if intact else "no", "yes", intact))
    return rows


def machine_ceiling(cpu: dict[str, Any], cores: int) -> dict[str, Any] | None:
    """The most requests per second the machine could answer if every core were busy: its cores ÷ the CPU one
    request costs everywhere on it (the server processes, PostgreSQL's backends, the client). Where the server
    shares the cores with the database and the load, this — not the server — bounds what more processes give."""
    parts = [cpu.get("server_ms_per_req"), cpu.get("postgres_ms_per_req"), cpu.get("client_ms_per_req")]
    if any(not isinstance(part, int | float) for part in parts) or not sum(parts):
        return None
    total = float(sum(parts))
    return {"cores": cores, "ms_per_req": total, "req_per_s": cores * 1000 / total}


def file_rows(files: dict[str, Any] | None) -> list[Row]:
    """20,000 rows exported and imported in ≤ 3 s each; the 100,000-row export's memory."""
    if files is None:
        return [Row("files", "export / import", "not measured", "", None)]
    rows = []
    for engine in ("sqlite", "postgres"):
        figures = files.get(engine, {})
        for step in ("export", "import"):
            if step in figures:
                f = figures[step]
                rows.append(
                    Row(
                        "files",
                        f"{engine} {step} of {f['rows']:,} rows",
                        f"{f['seconds']:.2f} s",
                        "≤ 3 s",
                        f["seconds"] <= 3.0,
                    )
                )
        for key, f in figures.items():
            if key.startswith("memory_"):
                rows.append(
                    Row(
                        "files",
                        f"{engine} export of {f['rows']:,} rows, peak memory",
                        f"{f['peak_mib']:.1f} MiB",
                        "bounded (streamed)",
                        None,
                    )
                )
    return rows


def table(rows: list[Row]) -> str:
    head = ["| area | measure | figure | target | met |", "|---|---|---:|---|---|"]
    return "\n".join(head + [row.markdown() for row in rows])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a scale-1 bench database (python -m bench.generate)")
    parser.add_argument(
        "--grown-database-url",
        default="",
        help="growth on a bigger nation, the pages' answers held (bench.generate --scale 1 --grow 5 --hold 62)",
    )
    parser.add_argument(
        "--scale5-database-url", default="", help="growth on a plain --scale 5 database (every province ×5)"
    )
    parser.add_argument("--baseline", default="", help="another checkout (with .venv) to time side by side")
    parser.add_argument("--baseline-database-url", default="", help="the bench database the baseline's generate made")
    parser.add_argument("--servers", default="hub,limit,postgraphile", help="servers of the reads step (bench.run)")
    parser.add_argument("--requests", type=int, default=500, help="timed requests per server and query")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrency of the reads (bench.run)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up requests of the reads (bench.run's default)")
    parser.add_argument("--burst-requests", type=int, default=1000, help="applications per burst run")
    parser.add_argument("--burst-rounds", type=int, default=2, help="rounds of the burst (the median is shown)")
    parser.add_argument("--file-rows", type=int, default=20_000, help="rows exported and imported (bench.files)")
    parser.add_argument("--memory-rows", type=int, default=100_000, help="rows of the export's memory figure")
    parser.add_argument("--skip", default="", help="steps to leave out: reads, growth, writes, files")
    parser.add_argument("--out", type=Path, default=Path("bench-report"), help="folder of the steps' logs and JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    args.out.mkdir(parents=True, exist_ok=True)
    servers = args.servers
    if args.baseline and "baseline" not in servers:
        servers += ",baseline"
    results: dict[str, dict[str, Any] | None] = {}
    common = ["--requests", str(args.requests), "--concurrency", str(args.concurrency)]
    if args.warmup is not None:
        common += ["--warmup", str(args.warmup)]
    if "reads" not in skip:
        argv_reads = ["bench.run", "--database-url", args.database_url, "--servers", servers, *common]
        if args.baseline:
            argv_reads += ["--baseline", args.baseline, "--baseline-database-url", args.baseline_database_url]
        results["reads"] = run_step("reads", argv_reads, args.out)
    nations: dict[str, Nation] = {}
    # the step, its database, and what to call it when the database does not say how it was made
    grown = {
        "growth": (args.grown_database_url, "the grown nation"),
        "growth-scale5": (args.scale5_database_url, "scale 5"),
    }
    for step, (url, _unsaid) in grown.items():
        if "growth" in skip or not url:
            continue
        argv_growth = ["bench.run", "--database-url", url, "--servers", "hub", "--queries", ",".join(GROWTH_QUERIES)]
        results[step] = run_step(step, [*argv_growth, *common], args.out)
        nations[step] = Nation.of(url)
    if nations:
        nations["reads"] = Nation.of(args.database_url)
    if "writes" not in skip:
        results["writes"] = run_step(
            "writes",
            [
                "bench.burst",
                "--database-url",
                args.database_url,
                "--workers",
                "1,2",
                "--limit",
                "1",
                "--requests",
                str(args.burst_requests),
                "--rounds",
                str(args.burst_rounds),
            ],
            args.out,
        )
    if "files" not in skip:
        rows_of_files = ["--rows", str(args.file_rows), "--import-rows", str(args.file_rows)]
        results["files"] = run_step(
            "files", ["bench.files", *rows_of_files, "--memory-rows", str(args.memory_rows)], args.out
        )
    rows = [
        *read_rows(results.get("reads")),
        *(
            row
            for step, (_url, unsaid) in grown.items()
            if step in nations
            for row in growth_rows(results.get("reads"), results.get(step), nations["reads"], nations[step], unsaid)
        ),
        *write_rows(results.get("writes")),
        *file_rows(results.get("files")),
    ]
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    text = table(rows) + f"\n\nLoad average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores.\n"
    (args.out / "table.md").write_text(text, encoding="utf-8")
    print("\n" + text)
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
