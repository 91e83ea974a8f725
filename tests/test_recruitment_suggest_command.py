"""`hub recruitment suggest`: the suggestions in Chinese on stdout and in a workbook (招募建议表), then
--apply signs each through signRecruitmentAgreement as the office (audited, one entry each); a second run
has nothing left to suggest. The office is named on the command line as for `hub import`."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from hub.cli import main
from hub.runtime import Hub
from tests.test_import_command import _env, _sql
from tests.test_recruitment_suggestions import SIGNING_DAY, _season

ARGS = ["recruitment", "suggest", "--year", "2027-2028", "--province", "62", "--level", "provincial", "--code", "62"]


def _seed(settings) -> None:  # type: ignore[no-untyped-def]
    async def run() -> None:
        hub = Hub(settings)
        try:
            await _season(hub)
        finally:
            await hub.dispose()

    asyncio.run(run())


def test_suggest_writes_the_workbook_and_applies(settings, monkeypatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = replace(settings, today=SIGNING_DAY)
    _env(monkeypatch, settings)
    _seed(settings)
    target = tmp_path / "招募建议.xlsx"

    with pytest.raises(SystemExit) as exit_:
        main([*ARGS, "--xlsx", str(target)])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "2027-2028 甘肃省（62）招募建议：" in out
    assert "第一志愿 4 人，第二志愿 1 人，第三志愿 0 人，调剂 1 人，未安排 2 人" in out, out
    assert f"已写入 {target}" in out

    book = load_workbook(target)
    sheet = [[c.value for c in row] for row in book["招募建议"].iter_rows()]
    assert sheet[0][:3] == ["序号", "姓名", "学校"] and sheet[0][9] == "建议服务省份"
    assert [row[0] for row in sheet[1:]] == list(range(1, 9))
    assert sum(1 for row in sheet[1:] if row[9]) == 6
    assert {row[11] for row in sheet[1:] if not row[9]} == {"未服从调剂，三个志愿均无余额"}
    counts = dict(book["按志愿统计"].iter_rows(min_row=2, values_only=True))
    assert counts == {"第一志愿": 4, "第二志愿": 1, "第三志愿": 0, "调剂": 1, "未安排": 2}

    with pytest.raises(SystemExit) as exit_:
        main([*ARGS, "--apply"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.count("已签：") == 6 and "签订 6 份，未签 0 份" in out
    assert _sql(settings, "SELECT count(*) FROM audit_entries WHERE operation = 'signRecruitmentAgreement'") == [(6,)]

    with pytest.raises(SystemExit) as exit_:
        main(ARGS)
    assert exit_.value.code == 0
    assert "第一志愿 0 人，第二志愿 0 人，第三志愿 0 人，调剂 0 人，未安排 2 人" in capsys.readouterr().out


def test_another_office_is_refused(settings, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = replace(settings, today=SIGNING_DAY)
    _env(monkeypatch, settings)
    _seed(settings)
    with pytest.raises(SystemExit) as exit_:
        main([*ARGS[:-1], "53"])
    assert exit_.value.code == 1
    assert "无法生成招募建议（FORBIDDEN）" in capsys.readouterr().err
