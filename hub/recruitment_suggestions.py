"""`hub recruitment suggest`: a recruiting province's recruitment suggestions (招募建议) from a shell — the
lines on stdout, optionally the workbook (招募建议表, --xlsx) and, with --apply, each suggestion signed
through `signRecruitmentAgreement` as the office, so every rule still decides (a refused one is reported
and the rest go on). The command asks the composed schema exactly what a front end would
(`suggestRecruitment`, offered by the provincial plugin), as the office its token or --level/--code names."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hub.i18n import N_, _

SUGGEST = """query($year: String!, $province: String!) {
  suggestRecruitment(year: $year, recruitingProvinceCode: $province) {
    year recruitingProvince { code name }
    assignments { application { ...applicant } servingProvince { code name } preferenceRank }
    unplaced { application { ...applicant } reason }
    byRank { first second third adjusted unplaced } } }
fragment applicant on Application {
  id acceptsAdjustment volunteer { name } school { name } preferences { name }
  selection { writtenScore interviewScore } }"""
SIGN = """mutation($input: SignRecruitmentAgreementInput!) { signRecruitmentAgreement(input: $input) {
  application { id recruitmentAgreement { confirmationNumber } } userErrors { code message } } }"""

RANKS = {1: N_("first preference"), 2: N_("second preference"), 3: N_("third preference"), None: N_("adjustment")}
REASONS = {
    "PREFERENCES_FULL": N_("did not accept adjustment; none of the three preferences has a place left"),
    "QUOTA_FULL": N_("every place was suggested to others"),
}
HEADERS = [
    ("序号", 6),
    ("姓名", 10),
    ("学校", 18),
    ("笔试成绩", 10),
    ("面试成绩", 10),
    ("第一志愿", 12),
    ("第二志愿", 12),
    ("第三志愿", 12),
    ("服从调剂", 10),
    ("建议服务省份", 14),
    ("志愿顺序", 10),
    ("说明", 30),
    ("报名编号", 34),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=["suggest"], help=_("suggest: the exact suggestions of a recruiting province")
    )
    parser.add_argument("--year", required=True, help=_("program year, e.g. 2027-2028"))
    parser.add_argument("--province", required=True, help=_("the recruiting province's code, e.g. 62"))
    parser.add_argument("--xlsx", default=None, help=_("also write the suggestions to this .xlsx file"))
    parser.add_argument("--apply", action="store_true", help=_("sign a recruitment agreement for each suggestion"))
    parser.add_argument("--token", default=os.environ.get("HUB_TOKEN"), help=_("the provincial office's token"))
    parser.add_argument("--level", default=None, help=_("instead of a token: the office level (with --code)"))
    parser.add_argument("--code", default=None, help=_("the office's code, with --level"))
    parser.add_argument("--sub", default=None, help=_("the subject recorded in the audit log (default: the user)"))


def run(args: argparse.Namespace, settings: Any, plugins_of: Callable[[Any], Any]) -> None:
    from hub.commands.exchange import _actor

    actor = _actor(args, settings)
    sys.exit(asyncio.run(_run(settings, plugins_of(settings), actor, args)))


async def _run(settings: Any, plugins: Any, actor: Any, args: argparse.Namespace) -> int:
    from hub.exchange.calls import Refused, ask
    from hub.runtime import Hub

    hub = Hub(settings, plugins)
    try:
        try:
            answer = (await ask(hub, actor, SUGGEST, {"year": args.year, "province": args.province}))[
                "suggestRecruitment"
            ]
        except Refused as refused:
            print(
                _(
                    "hub: cannot make the recruitment suggestions ({code}): {reason}",
                    code=refused.code,
                    reason=refused.message,
                ),
                file=sys.stderr,
            )
            return 1
        for line in summary(answer):
            print(line)
        if args.xlsx:
            write_workbook(answer, args.xlsx)
            print(_("wrote {file}", file=args.xlsx))
        if args.apply:
            return await _apply(hub, actor, answer)
        return 0
    finally:
        await hub.dispose()


def summary(answer: dict[str, Any]) -> list[str]:
    """The command's report: the counts by rank, then one line per suggestion."""
    counts = answer["byRank"]
    province = answer["recruitingProvince"]
    lines = [
        _(
            "{year} recruitment suggestions of {province} ({code}):",
            year=answer["year"],
            province=province["name"],
            code=province["code"],
        ),
        "  "
        + _(
            "first preference {first}, second preference {second}, third preference {third}, "
            "adjustment {adjusted}, unplaced {unplaced}",
            **counts,
        ),
    ]
    for a in answer["assignments"]:
        lines.append(
            "  "
            + _(
                "{name}\t→ {province} ({rank})\t{id}",
                name=a["application"]["volunteer"]["name"],
                province=a["servingProvince"]["name"],
                rank=_(RANKS[a["preferenceRank"]]),
                id=a["application"]["id"],
            )
        )
    for u in answer["unplaced"]:
        lines.append(
            "  "
            + _(
                "{name}\tunplaced: {reason}\t{id}",
                name=u["application"]["volunteer"]["name"],
                reason=_(REASONS[u["reason"]]),
                id=u["application"]["id"],
            )
        )
    return lines


def rows(answer: dict[str, Any]) -> list[list[Any]]:
    """The workbook's rows: the suggested first, then the unplaced, numbered."""
    out = []

    def row(application: dict[str, Any], serving: str | None, rank: str | None, note: str) -> list[Any]:
        preferences = [p["name"] for p in application["preferences"]] + [None] * 3
        selection = application["selection"] or {}
        return [
            len(out) + 1,
            application["volunteer"]["name"],
            application["school"]["name"],
            selection.get("writtenScore"),
            selection.get("interviewScore"),
            *preferences[:3],
            "是" if application["acceptsAdjustment"] else "否",
            serving,
            rank,
            note,
            application["id"],
        ]

    for a in answer["assignments"]:
        out.append(row(a["application"], a["servingProvince"]["name"], _(RANKS[a["preferenceRank"]]), ""))
    for u in answer["unplaced"]:
        out.append(row(u["application"], None, None, _(REASONS[u["reason"]])))
    return out


def write_workbook(answer: dict[str, Any], path: str) -> None:
    """招募建议表: one sheet of suggestions, one of counts by rank. Every text cell is a string, never a
    formula (openpyxl would take a text starting with `=` for one)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("招募建议")
    bold = Font(bold=True)
    for index, (_header, width) in enumerate(HEADERS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_cell(sheet, header, bold) for header, _width in HEADERS])
    for values in rows(answer):
        sheet.append([_cell(sheet, value) for value in values])
    counts = workbook.create_sheet("按志愿统计")
    counts.append([_cell(counts, "志愿顺序", bold), _cell(counts, "人数", bold)])
    names = {"first": "第一志愿", "second": "第二志愿", "third": "第三志愿", "adjusted": "调剂", "unplaced": "未安排"}
    for key, label in names.items():
        counts.append([_cell(counts, label), answer["byRank"][key]])
    workbook.save(path)


def _cell(sheet: Any, value: Any, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


async def _apply(hub: Any, actor: Any, answer: dict[str, Any]) -> int:
    """Sign each suggestion as the office, one mutation each (each its own transaction and audit entry)."""
    from hub.exchange.calls import execute

    total, signed, refused = len(answer["assignments"]), 0, 0
    for index, a in enumerate(answer["assignments"], start=1):
        name = a["application"]["volunteer"]["name"]
        variables = {
            "input": {"applicationId": a["application"]["id"], "servingProvinceCode": a["servingProvince"]["code"]}
        }
        result = await execute(hub, actor, SIGN, variables)
        payload = (result.data or {}).get("signRecruitmentAgreement") or {}
        problems = [f"{e['code']} {e['message']}" for e in payload.get("userErrors") or []]
        problems += [e.message for e in result.errors or []]
        if problems:
            refused += 1
            where = a["servingProvince"]["name"]
            print(
                "  "
                + _(
                    "not signed: {name} → {province}: {problems}",
                    name=name,
                    province=where,
                    problems=_("; ").join(problems),
                )
            )
        else:
            signed += 1
            number = payload["application"]["recruitmentAgreement"]["confirmationNumber"]
            where = a["servingProvince"]["name"]
            print(
                "  "
                + _(
                    "signed: {name} → {province}, confirmation notice number {number}",
                    name=name,
                    province=where,
                    number=number,
                )
            )
        print(
            "\r" + _("signing recruitment agreements {index}/{total}", index=index, total=total),
            end="",
            file=sys.stderr,
            flush=True,
        )
    if total:
        print(file=sys.stderr, flush=True)
    print(_("{signed} signed, {refused} not signed", signed=signed, refused=refused))
    return 0 if refused == 0 else 2
