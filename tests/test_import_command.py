"""`hub import`: the template of each kind, an import as an office named on the command line, progress lines on
stderr, the report on stdout, a refused file exiting non-zero with every problem listed and nothing written."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hub.cli import main
from hub.exchange.tables import TABLES
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import SECRET
from tests.exchange import csv_bytes, sheet_rows
from tests.seed import seed_reference


def _env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HUB_JWT_SECRET", SECRET)
    monkeypatch.setenv("HUB_TODAY", settings.today.isoformat())  # type: ignore[union-attr]


def _sql(settings: Settings, statement: str) -> list[tuple[object, ...]]:
    from sqlalchemy import text

    async def run() -> list[tuple[object, ...]]:
        hub = Hub(settings)
        try:
            async with hub.engine.begin() as connection:
                return [tuple(r) for r in (await connection.execute(text(statement))).all()]
        finally:
            await hub.dispose()

    return asyncio.run(run())


@pytest.mark.parametrize("kind", list(TABLES))
def test_templates_have_the_headers_of_their_kind(kind: str, tmp_path: Path) -> None:
    target = tmp_path / f"{kind}.xlsx"
    main(["import", "--template", kind, "-o", str(target)])
    rows = sheet_rows(target.read_bytes())
    assert rows[0] == TABLES[kind].headers and len(rows) == 2
    csv_target = tmp_path / f"{kind}.csv"
    main(["import", "--template", kind, "-o", str(csv_target)])
    assert csv_target.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(TABLES[kind].headers)


def test_the_counties_template_imports_as_it_is(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, settings)
    template = tmp_path / "counties.xlsx"
    main(["import", "--template", "counties", "-o", str(template)])
    main(["--lang", "en", "import", "counties", str(template), "--level", "national", "--dry-run"])
    assert "1 counties rows checked (dry run, nothing written)" in capsys.readouterr().out
    assert _sql(settings, "SELECT count(*) FROM counties") == [(0,)]
    main(["--lang", "en", "import", "counties", str(template), "--level", "national", "--sub", "ops-cli"])
    captured = capsys.readouterr()
    assert "1 counties rows imported" in captured.out
    assert "written 1/1 rows (100%)" in captured.err
    assert _sql(settings, "SELECT code, name, key_assistance, remote FROM counties") == [
        ("621121", "通渭县", "NATIONAL_KEY", True)
    ]
    assert _sql(settings, "SELECT actor_subject FROM audit_entries") == [("ops-cli",)]


def test_a_refused_file_exits_with_every_problem(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, settings)
    asyncio.run(_seed(settings))
    file = tmp_path / "高校.csv"
    headers = ["学校代码", "学校名称", "所在省份代码"]
    file.write_bytes(
        csv_bytes([headers, ["10694", "西藏大学", "54"], ["1069", "短码", "54"], ["10695", "某大学", "99"]], "gbk")
    )
    with pytest.raises(SystemExit) as exit:
        main(["import", "schools", str(file), "--level", "national"])
    assert exit.value.code == 1
    captured = capsys.readouterr()
    assert "整个文件未导入：共 2 个问题，未写入任何数据" in captured.err  # Chinese by default
    assert "第 3 行，学校代码" in captured.out and "第 4 行，所在省份代码" in captured.out
    with pytest.raises(SystemExit):
        main(["--lang", "en", "import", "schools", str(file), "--level", "national"])
    captured = capsys.readouterr()
    assert "refused whole: 2 problem(s), nothing written" in captured.err
    assert "line 3, 学校代码" in captured.out
    assert _sql(settings, "SELECT count(*) FROM schools WHERE code = '10694'") == [(0,)]
    from hub.auth import make_token

    token = make_token(Settings(jwt_secret=SECRET), "county", "ops-county", "621121")
    file.write_bytes(csv_bytes([headers, ["10694", "西藏大学", "54"]], "utf-8"))
    with pytest.raises(SystemExit):
        main(["import", "schools", str(file), "--token", token])
    assert "[FORBIDDEN]" in capsys.readouterr().out


async def _seed(settings: Settings) -> None:
    hub = Hub(settings)
    try:
        await seed_reference(hub)
    finally:
        await hub.dispose()
