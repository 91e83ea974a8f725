"""bench/files.py keeps running (issues 15 and 17): on a few rows, on SQLite and PostgreSQL, the export comes
back with every row, the import writes every row, and the memory figures are there. Not a timing test: the
figures only have to be there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_REQUIRED = os.environ.get("CI") == "true" or os.environ.get("HUB_TEST_POSTGRES") == "required"


def test_the_files_bench_runs_on_a_few_rows(tmp_path: Path) -> None:
    results_file = tmp_path / "files.json"
    engines = "sqlite,postgres" if PG_REQUIRED or _postgres_reachable() else "sqlite"
    run = subprocess.run(
        [sys.executable, "-m", "bench.files", "--engines", engines, "--rows", "30", "--import-rows", "25"]
        + ["--memory-rows", "60", "--json", str(results_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads(results_file.read_text(encoding="utf-8"))
    assert set(results) == {*engines.split(","), "load_average"}
    for engine in engines.split(","):
        figures = results[engine]
        assert figures["export"]["rows"] == 30 and figures["export"]["seconds"] > 0
        assert figures["import"]["rows"] == 25 and figures["import"]["seconds"] > 0
        assert figures["memory_60"]["peak_mib"] > 0 and figures["memory_30"]["bytes"] > 0
    assert "| export | 30 |" in run.stdout and "÷ 3 s target" in run.stdout


def _postgres_reachable() -> bool:
    import asyncio

    from bench import generate
    from bench.files import PG_ADMIN_URL

    async def ping() -> None:
        import asyncpg

        connection = await asyncpg.connect(generate.asyncpg_dsn(PG_ADMIN_URL), timeout=5)
        await connection.close()

    try:
        asyncio.run(ping())
    except Exception:
        return False
    return True
