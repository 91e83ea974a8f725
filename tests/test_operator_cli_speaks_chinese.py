"""The operator's commands (`hub` db, token and token revoke, audit, events, documents ...) speak Chinese by
default — help texts, argparse's own usage errors, results and mistakes alike, from the message catalogue —
and English with `--lang en` or HUB_LANG=en."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.cli import main


def _hub(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `hub ARGV` in this process: its exit status, stdout and stderr."""
    try:
        main(argv)
        status = 0
    except SystemExit as exit:
        status = int(exit.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def hub_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A migrated SQLite hub, the environment naming no language (LANG=C): Chinese is the default."""
    database = tmp_path / "ops.db"
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.delenv("HUB_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    status, out, err = _hub(["db", "upgrade"], capsys)
    assert status == 0, err
    assert "正在将" in out and out.rstrip().endswith("完成")
    return database


def test_help_and_usage_errors_are_chinese(hub_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = _hub(["--help"], capsys)
    assert status == 0
    assert out.startswith("用法：hub") and "选项" in out and "显示此帮助信息并退出" in out
    assert "数据库迁移" in out and "审计日志的哈希链及其签名检查点" in out and "退出状态：" in out
    status, out, _err = _hub(["events", "list", "--help"], capsys)
    assert status == 0 and "最多列出的事件数（默认 50）" in out
    status, _out, err = _hub(["events", "bogus"], capsys)
    assert status == 2 and "hub events：错误：" in err and "无效的选项：'bogus'" in err
    status, _out, err = _hub(["audit"], capsys)
    assert status == 2 and "缺少以下参数：action" in err
    status, _out, err = _hub(["--lang", "en", "audit"], capsys)
    assert status == 2 and "the following arguments are required: action" in err
    status, out, _err = _hub(["--lang", "en", "--help"], capsys)
    assert out.startswith("usage: hub") and "database migrations" in out and "exit status:" in out


def test_commands_report_in_chinese(hub_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _hub(["audit", "verify"], capsys)
    assert status == 0, err
    assert out.startswith("审计记录链完好：共 0 条记录，链头")
    assert _hub(["audit", "seal"], capsys)[1] == "已封存 0 条记录\n"
    status, out, err = _hub(["events", "list"], capsys)
    assert status == 0 and err == "0 个事件\n"
    assert _hub(["events", "retry"], capsys)[1] == "0 个投递重新进入待投递状态\n"
    status, out, err = _hub(["token", "revoke", "jti-of-a-lost-laptop", "--reason", "笔记本电脑丢失"], capsys)
    assert (status, out) == (0, "令牌 jti-of-a-lost-laptop 已吊销\n"), err
    assert _hub(["token", "revoke", "jti-of-a-lost-laptop"], capsys)[1] == "令牌 jti-of-a-lost-laptop 此前已被吊销\n"


def test_mistakes_are_one_chinese_line(hub_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _hub(["token"], capsys) == (2, "", "hub：token 需要 --level 和 --sub\n")
    status, _out, err = _hub(["token", "revoke"], capsys)
    assert status == 2 and err.startswith("hub：token revoke 需要令牌的 jti")
    status, _out, err = _hub(["audit", "keygen"], capsys)
    assert status == 2 and err == "hub：audit keygen 需要用 --output 文件 指定私钥文件\n"
    status, _out, err = _hub(["audit", "checkpoint"], capsys)
    assert status == 2 and "需要 HUB_AUDIT_SIGNING_KEY" in err


def test_english_on_request(hub_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = _hub(["--lang", "en", "audit", "verify"], capsys)
    assert status == 0 and out.startswith("audit trail intact: 0 entries, head"), err
    monkeypatch.setenv("HUB_LANG", "en")
    assert _hub(["token"], capsys) == (2, "", "hub: token needs --level and --sub\n")
    assert _hub(["--lang", "zh", "token"], capsys)[2] == "hub：token 需要 --level 和 --sub\n"  # --lang wins
