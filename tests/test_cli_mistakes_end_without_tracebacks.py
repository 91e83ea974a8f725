"""`hub` answers every user mistake with one line and a documented exit status, never a traceback; it never
creates a database outside `hub db upgrade` / `hub serve --demo`; every option has its help. The demo has
a completed volunteer whose certificate verifies."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.cli import EXIT_CODES, build_parser, main
from hub.demo import load_demo
from hub.settings import Settings
from tests.conftest import Client


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit:
        main(argv)
    return int(exit.value.code or 0), capsys.readouterr().err


def test_every_option_of_every_command_has_help() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in [("hub", parser), *commands.choices.items()]:
        for action in command._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
    assert "退出状态" in parser.format_help() and all(str(code) in parser.format_help() for code in EXIT_CODES)


def test_a_missing_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, err = _run(["import", "schools", str(tmp_path / "无此文件.csv"), "--level", "national"], capsys)
    assert status == 2 and "无法读取" in err and "Traceback" not in err
    status, err = _run(["--lang", "en", "import", "schools", str(tmp_path), "--level", "national"], capsys)
    assert status == 2 and "cannot read" in err


def test_no_database_is_created_outside_its_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HUB_DATABASE_URL", raising=False)
    file = tmp_path / "s.csv"
    file.write_text("学校代码,学校名称,所在省份代码\n10730,兰州大学,62\n", encoding="utf-8")
    status, err = _run(["import", "schools", str(file), "--level", "national"], capsys)
    assert status == 2 and "hub db upgrade" in err and "hub.db" in err
    status, err = _run(["audit", "verify"], capsys)
    assert status == 2
    assert not (tmp_path / "hub.db").exists()
    (tmp_path / "hub.db").touch()  # a database that was never migrated
    status, err = _run(["import", "schools", str(file), "--level", "national"], capsys)
    assert status == 2 and "hub db upgrade" in err and "Traceback" not in err


def test_an_unreachable_database_is_one_line_and_status_3(tmp_path: Path) -> None:
    env = {**os.environ, "HUB_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/nothing", "HUB_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", "from hub.cli import main; main()", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "cannot reach the database" in done.stderr and "Traceback" not in done.stderr


VERIFY = "query($n: String!) { verifyCertificate(number: $n) { name } }"


async def test_the_demo_has_a_completed_volunteer_whose_certificate_verifies(
    client: Client, settings: Settings
) -> None:
    summary = await load_demo(settings)
    number = summary.split("certificate ")[1].split()[0]
    checked = (await client.ok(VERIFY, {"n": number}))["verifyCertificate"]
    assert checked == {"name": "孙悦"}
    assert (await client.ok(VERIFY, {"n": "XBZ2000-000000000000"}))["verifyCertificate"] is None
