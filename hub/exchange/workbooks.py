"""Writing .xlsx files row by row (openpyxl's write-only mode) into a temporary file, so that a large
export never holds its rows in memory, and the templates of the importable kinds."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterable, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hub.exchange.cells import csv_text, text_cell
from hub.exchange.tables import TABLES

MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"
TEXT = "@"
SPOOL = 8 * 1024 * 1024  # a file in memory up to this size, on disk beyond it


@dataclass(frozen=True)
class Heading:
    """A column of an export: its Chinese header, width, and number format (None: as the value comes)."""

    header: str
    width: int = 14
    number_format: str | None = None


@dataclass(frozen=True)
class Export:
    """One download: its sheet title, columns, the query parameters it needs, and its rows."""

    title: str
    headings: list[Heading]
    required: tuple[str, ...]
    rows: Callable[[Any, Any, dict[str, str]], AsyncIterable[list[Any]]]


def _cell(sheet: Any, value: Any, heading: Heading) -> WriteOnlyCell:
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("0.01"))
    cell = text_cell(sheet, value) if isinstance(value, str) else WriteOnlyCell(sheet, value=value)
    if heading.number_format:
        cell.number_format = heading.number_format
    elif isinstance(value, Decimal):
        cell.number_format = MONEY
    elif isinstance(value, date):
        cell.number_format = DATE
    return cell


async def write_xlsx(
    title: str,
    headings: list[Heading],
    rows: AsyncIterable[list[Any]],
    finish: Callable[[Any, Any, int], None] | None = None,
) -> BinaryIO:
    """A workbook of one sheet, written as `rows` arrive; the open file, positioned at its start. The header
    row is frozen and filtered, columns have their widths; `finish(workbook, sheet, rows)` may add to it
    (the templates' drop-down lists and instructions)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, heading in enumerate(headings):
        sheet.column_dimensions[_letter(index)].width = heading.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    try:
        async for row in rows:
            sheet.append([_cell(sheet, value, heading) for value, heading in zip(row, headings, strict=True)])
            written += 1
    except BaseException:
        sheet.close()  # finish and drop the half-written sheet's temporary file
        raise
    sheet.auto_filter.ref = f"A1:{_letter(len(headings) - 1)}{written + 1}"
    if finish:
        finish(workbook, sheet, written)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)
    workbook.save(out)
    out.seek(0)
    return out


def chunks(handle: BinaryIO, size: int = 64 * 1024) -> Iterator[bytes]:
    """The file in pieces, closed at the end (a StreamingResponse's body)."""
    try:
        while piece := handle.read(size):
            yield piece
    finally:
        handle.close()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def table_headings(kind: str) -> list[Heading]:
    """The import columns of `kind`: codes and names as text (codes keep their leading zeros), counts as numbers."""
    return [Heading(c.header, max(12, 2 * len(c.header) + 4), c.number_format) for c in TABLES[kind].columns]


TEMPLATE_ROWS = 20000  # the rows of a template the drop-down lists cover


def _template_extras(kind: str) -> Callable[[Any, Any, int], None]:
    """The template's drop-down list on every enumerated column and a sheet of instructions."""
    from openpyxl.worksheet.datavalidation import DataValidation

    table = TABLES[kind]

    def finish(workbook: Any, sheet: Any, _rows: int) -> None:
        for index, column in enumerate(table.columns):
            if not column.choices:
                continue
            letter = _letter(index)
            listed = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=column.optional,
                showErrorMessage=True,
                errorTitle=column.header,
                error="、".join(column.choices),
            )
            listed.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.data_validations.append(listed)
        notes = workbook.create_sheet(INSTRUCTIONS[:31])
        notes.column_dimensions["A"].width = 20
        notes.column_dimensions["B"].width = 80
        for line in instructions(kind):
            notes.append(line)

    return finish


INSTRUCTIONS = "填写说明"


def instructions(kind: str) -> list[list[str]]:
    """The template's instructions: one line per column (what it takes), then how the file is imported."""
    table = TABLES[kind]
    lines = [["列", "填写要求"]]
    for column in table.columns:
        need = "可不填" if column.optional else "必填"
        what = f"从下拉列表中选择：{'、'.join(column.choices)}" if column.choices else f"例如：{column.example}"
        lines.append([column.header, f"{need}；{what}"])
    lines += [
        [],
        ["导入", "第一行为表头，不要改动；每行一条记录。"],
        ["检查", "整个文件一次检查，所有问题一并列出；全部无误才写入，否则一行也不写入。"],
        ["代码", "代码类的列按文本填写，前导零保留。"],
    ]
    return lines


async def template(kind: str, filename: str) -> bytes:
    """The file an office fills in for `kind`: the headers and one example row (xlsx, or CSV in UTF-8)."""
    table = TABLES[kind]
    example = [c.show(c.parse(c.example)) for c in table.columns]
    if filename.lower().endswith(".csv"):
        import csv
        import io

        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(table.headers)
        writer.writerow([csv_text(cell) for cell in example])
        return text.getvalue().encode("utf-8-sig")

    async def one() -> Any:
        yield example

    handle = await write_xlsx(table.title, table_headings(kind), one(), _template_extras(kind))
    with handle:
        return handle.read()
