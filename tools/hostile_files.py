"""Figures of docs/exchange.md ("Hostile files"): the memory and time the hub spends refusing files built to
exhaust it, measured in a fresh process each (peak RSS from wait4, seconds to the refusal).

    python tools/hostile_files.py [--workdir DIR]

Cases: an .xlsx whose 815 KB unpack to a ~200 MiB sheet (1.3 million rows), a CSV with one 50 MB cell, a
CSV with 100,000 columns — each through `hub import … --dry-run` and through the importTable mutation
(an in-process ASGI client, the hub's own process), plus a small valid file as the baseline."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from openpyxl import Workbook

HEADERS = ["学校代码", "学校名称", "所在省份代码"]


def zip_bomb(path: Path, rows: int = 1_300_000) -> None:
    workbook = Workbook()
    workbook.active.append(HEADERS)
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(plain)
    row = b'<row><c t="inlineStr"><is><t>10730</t></is></c><c t="inlineStr"><is><t>x</t></is></c></row>' + b" " * 60
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, _sep, tail = data.partition(b"</sheetData>")
                data = head.replace(b"<sheetData/>", b"<sheetData>") + row * rows + b"</sheetData>" + tail
            target.writestr(item.filename, data)


def cases(workdir: Path) -> dict[str, Path]:
    files = {
        "baseline (3 rows, .csv)": workdir / "small.csv",
        "zip bomb (.xlsx)": workdir / "bomb.xlsx",
        "one 50 MB cell (.csv)": workdir / "cell.csv",
        "100,000 columns (.csv)": workdir / "wide.csv",
    }
    files["baseline (3 rows, .csv)"].write_text("学校代码,学校名称,所在省份代码\n10730,兰州大学,62\n", encoding="utf-8")
    zip_bomb(files["zip bomb (.xlsx)"])
    big = "学校代码,学校名称,所在省份代码\n10730,".encode() + b"x" * 50_000_000 + b",62\n"
    files["one 50 MB cell (.csv)"].write_bytes(big)
    files["100,000 columns (.csv)"].write_text(",".join(HEADERS + [f"c{i}" for i in range(100_000)]) + "\n")
    return files


GRAPHQL = """
import asyncio, base64, sys, time, httpx
from hub.app import create_app
from hub.auth import make_token
from hub.settings import Settings
settings = Settings.from_env()
async def main():
    data = base64.b64encode(open(sys.argv[1], "rb").read()).decode()
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub", timeout=600) as http:
        token = make_token(settings, "national", "ops-figures", None)
        query = "mutation($i: ImportTableInput!) { importTable(input: $i) { problemCount problems { message } } }"
        i = {"kind": "SCHOOLS", "fileName": sys.argv[1], "contentBase64": data, "dryRun": True}
        started = time.monotonic()
        r = await http.post("/graphql", json={"query": query, "variables": {"i": i}},
                            headers={"authorization": "Bearer " + token})
        print(f"answered in {time.monotonic() - started:.2f} s:", r.status_code, r.text[:300])
asyncio.run(main())
"""


CLI = "import sys; from hub.cli import main; main(sys.argv[1:])"
PEAK = """
import atexit, sys
def peak():  # VmHWM: this process's own high-water mark (ru_maxrss would carry the forking parent's over exec)
    kb = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(f"PEAK {kb}", file=sys.stderr)
atexit.register(peak)
sys.argv = sys.argv[1:]
exec(sys.argv[0])
"""


def measure(code: str, argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak RSS (MiB, the process's own, measured inside it) and the last line of output of
    `code` run with `argv` in a fresh Python process."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", PEAK, code, *argv], env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip() and not line.startswith("PEAK")]
    return seconds, int(peak[-1].split()[1]) / 1024 if peak else float("nan"), (lines[-1] if lines else "")[:160]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="hub-hostile-"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "hub.db"
    env = {**os.environ, "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{database}", "HUB_LANG": "en"}
    subprocess.run(["hub", "db", "upgrade"], env=env, check=True, capture_output=True)
    for name, path in cases(workdir).items():
        size = path.stat().st_size
        cli = measure(CLI, ["import", "schools", str(path), "--level", "national", "--dry-run"], env)
        api = measure(GRAPHQL, [str(path)], env)
        print(f"{name}: {size:,} bytes")
        print(f"  hub import --dry-run: {cli[0]:.2f} s, peak RSS {cli[1]:.0f} MiB: {cli[2]}")
        print(f"  importTable:          {api[0]:.2f} s, peak RSS {api[1]:.0f} MiB: {api[2]}")


if __name__ == "__main__":
    main()
