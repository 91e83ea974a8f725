"""bench/report.py keeps running (issue 17): on a tiny data set its reads and growth steps run the driver, and the
table puts every figure beside its goal. Not a timing test — on this data the goals need not be met; the figures
only have to be there and be computed from the steps' own JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.report",
            "--database-url",
            bench_database,
            "--scale5-database-url",
            bench_database,
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
    assert ran.returncode in (0, 1), ran.stdout[-3000:] + ran.stderr[-3000:]
    table = (out / "table.md").read_text(encoding="utf-8")
    reads = json.loads((out / "reads.json").read_text(encoding="utf-8"))
    q1 = reads["timing"]["hub"]["q1_province_dashboard"]["req_per_s"]
    q1_limit = reads["timing"]["limit"]["q1_province_dashboard"]["req_per_s"]
    assert f"| reads | Q1 req/s ÷ limit | {q1:.1f} ÷ {q1_limit:.1f} = {q1 / q1_limit:.2f}× | ≥ 0.6× |" in table
    assert "| reads | Q2 SQL statements per request | 1 | 1 | yes |" in table
    for query in ("q1_province_dashboard", "q2_volunteer_page", "province_inbox"):
        assert f"| growth | {query} req/s, scale 5 ÷ 1 |" in table
    assert "| growth | funding report p50, scale 5 ÷ 1 |" in table
    assert "| writes | every accepted request stored once, as the limit stores it | yes | yes | yes |" in table
    assert "| writes | audit chain intact after the burst | yes | yes | yes |" in table
    assert "| writes | hub (1 process) ÷ write limit |" in table and "| writes | hub 2 processes ÷ 1 process |" in table
    assert "| files | sqlite export of 60 rows |" in table and "| files | postgres import of 60 rows |" in table
    assert "not measured" not in table.split("| growth |")[0]  # every read figure came from the run
