"""The problem report as the clerk's own file: a copy of the imported sheet (.xlsx) with a 问题 column beside
each bad row, so the office fixes the rows where they are and imports the corrected file again.

The copy holds the problems the report lists (the first `HUB_IMPORT_MAX_PROBLEMS` by line); a problem of the
whole file (a missing column, a refusal) goes beside the header."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from hub.exchange.imports import ImportReport
from hub.exchange.reading import read
from hub.exchange.workbooks import Heading, write_xlsx
from hub.i18n import _
from hub.settings import FileLimits

PROBLEM_HEADER = "问题"


async def annotated_copy(data: bytes, filename: str, report: ImportReport, limits: FileLimits) -> bytes:
    """The imported sheet with a 问题 column listing each line's problems (an .xlsx, whatever came in)."""
    sheet = await asyncio.to_thread(read, data, filename, limits)
    by_line: dict[int, list[str]] = defaultdict(list)
    for problem in report.problems:
        where = f"{problem.column}：" if problem.column else ""
        by_line[problem.line or 1].append(f"{where}{problem.message}")
    width = max([len(sheet.headers), *(len(line.cells) for line in sheet.lines)])
    headings = [Heading(h or "", max(10, 2 * len(h or "") + 4), "@") for h in sheet.headers]
    headings += [Heading("", 10, "@")] * (width - len(headings))
    note = "；".join(by_line.get(1, []))  # problems of the whole file go in the 问题 header itself
    if report.problem_count > len(report.problems):
        shown, count = len(report.problems), report.problem_count
        note = "；".join(
            p for p in (note, _("the first {shown:,} of {count:,} problems are marked", shown=shown, count=count)) if p
        )
    headings.append(Heading(f"{PROBLEM_HEADER}：{note}" if note else PROBLEM_HEADER, 60))

    async def rows() -> AsyncIterator[list[Any]]:
        for line in sheet.lines:
            cells = list(line.cells) + [None] * (width - len(line.cells))
            yield cells + ["；".join(by_line.get(line.number, []))]

    handle = await write_xlsx(_("problems"), headings, rows())
    with handle:
        return handle.read()
