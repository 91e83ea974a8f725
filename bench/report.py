"""Every bench of issue 17 in one run, and one table of its goals: each figure beside its target.

Runs, one after the other on this machine (nothing else should run meanwhile):
1. reads — `bench.run` on the scale-1 database: every query against the hub, and against the limit, PostGraphile and
   a baseline checkout where they answer it;
2. growth — `bench.run` with the hub alone on a scale-5 database (100,000 volunteers) for the queries whose cost
   must not depend on national size (Q1, Q2, the inbox) and the funding report (at most linear);
3. writes — `bench.burst` (submitApplication: the hub with one and two processes, the write limit);
4. files — `bench.files` (20,000 rows exported and imported on SQLite and PostgreSQL, 100,000 exported).
Each step's own output and JSON land in `--out`; the table is printed at the end and written to
`--out/table.md`. A step that fails is reported in the table, the others still run.

    python -m bench.report --database-url …/xibu_bench --scale5-database-url …/xibu_bench_s5 \\
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
SCALE_FACTOR = 5  # --scale 5 against --scale 1: five times the volunteers, applications and posts


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


def growth_rows(reads: dict[str, Any] | None, scaled: dict[str, Any] | None) -> list[Row]:
    """Pages cost the same at five times the data; the funding report grows at most linearly."""
    rows: list[Row] = []
    for query in GROWTH_QUERIES:
        small, large = _timing(reads, "hub", query), _timing(scaled, "hub", query)
        if small is None or large is None or not small["req_per_s"]:
            rows.append(Row("growth", f"{query} at scale 5 ÷ scale 1", "not measured", "", None))
            continue
        if query == "funding_report":
            ratio = large["p50_ms"] / small["p50_ms"]
            figure = f"p50 {large['p50_ms']:.0f} ÷ {small['p50_ms']:.0f} ms = {_x(ratio)}"
            rows.append(
                Row(
                    "growth",
                    "funding report p50, scale 5 ÷ 1",
                    figure,
                    f"≤ {SCALE_FACTOR}× (linear)",
                    ratio <= SCALE_FACTOR,
                )
            )
        else:
            ratio = large["req_per_s"] / small["req_per_s"]
            figure = f"{large['req_per_s']:.1f} ÷ {small['req_per_s']:.1f} = {_x(ratio)}"
            rows.append(
                Row("growth", f"{query} req/s, scale 5 ÷ 1", figure, "same within noise (≥ 0.85×)", ratio >= 0.85)
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
    parser.add_argument("--scale5-database-url", default="", help="a scale-5 bench database (growth; skipped if none)")
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
    if "growth" not in skip and args.scale5_database_url:
        queries = ",".join(GROWTH_QUERIES)
        results["growth"] = run_step(
            "growth",
            [
                "bench.run",
                "--database-url",
                args.scale5_database_url,
                "--servers",
                "hub",
                "--queries",
                queries,
                *common,
            ],
            args.out,
        )
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
        *growth_rows(results.get("reads"), results.get("growth")),
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
