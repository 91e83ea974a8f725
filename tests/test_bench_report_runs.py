"""bench/report.py keeps running (issue 17): on a tiny data set its reads and growth steps run the driver, and the
table puts every figure beside its goal. Not a timing test — on this data the goals need not be met; the figures
only have to be there and be computed from the steps' own JSON. The growth step runs on a nation grown around
province 62 (bench.generate --grow 5 --hold 62), whose pages answer exactly as at the small size, and on the
plain database again (the old --scale5-database-url)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import bench_database as databases
from tests.test_bench_scripts_run import ROOT, TINY, bench_database  # noqa: F401  (a fixture)


def test_the_report_runs_every_step_and_tables_each_goal(bench_database: str, tmp_path: Path) -> None:  # noqa: F811
    loaded = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--scale", TINY, "--database-url", bench_database, "--existing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    out = tmp_path / "report"
    with databases.bench_database(float(TINY), seed=7, prefix="hub_report_grown", grow=5, hold=("62",)) as grown:
        ran = _report(bench_database, grown, out)
    assert ran.returncode in (0, 1), ran.stdout[-3000:] + ran.stderr[-3000:]
    table = (out / "table.md").read_text(encoding="utf-8")
    reads = json.loads((out / "reads.json").read_text(encoding="utf-8"))
    q1 = reads["timing"]["hub"]["q1_province_dashboard"]["req_per_s"]
    q1_limit = reads["timing"]["limit"]["q1_province_dashboard"]["req_per_s"]
    assert f"| reads | Q1 req/s ÷ limit | {q1:.1f} ÷ {q1_limit:.1f} = {q1 / q1_limit:.2f}× | ≥ 0.6× |" in table
    assert "| reads | Q2 SQL statements per request | 1 | 1 | yes |" in table
    for query in ("q1_province_dashboard", "q2_volunteer_page", "province_inbox"):
        # the grown nation: the same answer as at the small size, so the row is about the nation
        assert f"| growth | {query} req/s, nation ×5, 62 held ÷ scale 0.005 |" in table
        grown_row = next(line for line in table.splitlines() if f"{query} req/s, nation ×5" in line)
        assert "; the same answer (" in grown_row, grown_row
        # the plain database again, as the small one: the same answer too (the same data)
        plain_row = next(line for line in table.splitlines() if f"{query} req/s, scale 0.005 ÷" in line)
        assert "; the same answer (" in plain_row, plain_row
    small, large = reads["answers"]["hub"], json.loads((out / "growth.json").read_text(encoding="utf-8"))
    assert large["answers"]["hub"]["q1_province_dashboard"] == small["q1_province_dashboard"]
    funding = next(line for line in table.splitlines() if "funding report p50, nation ×5, 62 held" in line)
    agreements = [int(n.replace(",", "")) for n in funding.split(" for ")[1].split(" agreements")[0].split(" → ")]
    assert agreements[1] > 4 * agreements[0], funding  # "linear" is in the agreements the report reads
    assert f"≤ {agreements[1] / agreements[0]:.2f}× (linear)" in funding
    assert "| writes | every accepted request stored once, as the limit stores it | yes | yes | yes |" in table
    assert "| writes | audit chain intact after the burst | yes | yes | yes |" in table
    assert "| writes | hub (1 process) ÷ write limit |" in table and "| writes | hub 2 processes ÷ 1 process |" in table
    assert "| writes | ceiling of 2 processes on this machine (all CPU per request) |" in table
    assert "| files | sqlite export of 60 rows |" in table and "| files | postgres import of 60 rows |" in table
    assert "not measured" not in table.split("| writes |")[0]  # every read and growth figure came from the run


def test_the_ceiling_is_the_cores_over_all_the_cpu_a_request_costs() -> None:
    from bench.report import machine_ceiling

    cpu = {"server_ms_per_req": 3.0, "postgres_ms_per_req": 1.5, "client_ms_per_req": 0.5, "machine_busy": 0.9}
    assert machine_ceiling(cpu, 2) == {"cores": 2, "ms_per_req": 5.0, "req_per_s": 400.0}
    assert machine_ceiling({"server_ms_per_req": 3.0}, 2) is None  # a figure missing: no ceiling claimed


def _report(database: str, grown: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.report",
            "--database-url",
            database,
            "--grown-database-url",
            grown,
            "--scale5-database-url",
            database,
            "--servers",
            "hub,limit",
            "--requests",
            "4",
            "--concurrency",
            "2",
            "--warmup",
            "1",
            "--burst-requests",
            "6",
            "--burst-rounds",
            "1",
            "--file-rows",
            "60",
            "--memory-rows",
            "0",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )
