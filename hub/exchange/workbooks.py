"""Writing .xlsx files row by row (xlsxwriter's constant-memory mode: each row goes to a temporary file as
it is written) into a temporary file, so that a large export never holds its rows in memory, and the
templates of the importable kinds."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterable, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from xlsxwriter import Workbook

from hub.exchange import sheetrows
from hub.exchange.cells import FORMULA_STARTS, csv_text, would_be_formula
from hub.exchange.tables import TABLES

MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"
TEXT = "@"
SPOOL = 8 * 1024 * 1024  # a file in memory up to this size, on disk beyond it
CENTS = Decimal("0.01")


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


class Formats:
    """The workbook's cell formats, one per (number format, bold, quote prefix), made when first used."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.made: dict[tuple[str | None, bool, bool], Any] = {}

    def __call__(self, number_format: str | None, bold: bool = False, quoted: bool = False) -> Any:
        key = (number_format, bold, quoted)
        made = self.made.get(key)
        if made is None and key != (None, False, False):
            properties: dict[str, Any] = {"bold": bold, "quote_prefix": quoted}
            if number_format:
                properties["num_format"] = number_format
            made = self.made[key] = self.workbook.add_format(properties)
        return made


def write_text(
    sheet: Any,
    row: int,
    column: int,
    value: str,
    formats: Formats,
    number_format: str | None = None,
    bold: bool = False,
) -> None:
    """`value` as a text cell whatever it starts with: a would-be formula gets Excel's quote prefix
    (hub/exchange/cells.py), so it is shown and read back as the text itself."""
    sheet.write_string(row, column, value, formats(number_format, bold, would_be_formula(value)))


class _Columns:
    """How each column's values are written: text as text (never a formula: a would-be formula gets the quote
    prefix), numbers as numbers, dates as dates, money (Decimal) as a number of two decimals, each with the
    column's number format. Text, the common case, takes the short way (an export writes millions of cells)."""

    def __init__(self, sheet: Any, headings: list[Heading], formats: Formats) -> None:
        self.sheet = sheet
        self.width = len(headings)
        self.text = [formats(h.number_format) for h in headings]
        self.quoted = [formats(h.number_format, quoted=True) for h in headings]
        self.money = [formats(h.number_format or MONEY) for h in headings]
        self.day = [formats(h.number_format or DATE) for h in headings]

    def write(self, row: int, values: list[Any]) -> None:
        if len(values) != self.width:
            raise ValueError(f"a row of {len(values)} values for {self.width} columns")
        sheet, text, quoted = self.sheet, self.text, self.quoted
        # xlsxwriter's write_* without their decorator (which only turns "A1" notation into numbers): the
        # same checks and storage, a call less per cell
        write_string = sheet._write_string
        for column, value in enumerate(values):
            if value.__class__ is str and value:
                formats = quoted if value.startswith(FORMULA_STARTS) else text
                write_string(row, column, value, formats[column])
            elif value is None or value == "":  # an empty cell, as openpyxl wrote it
                if text[column] is not None:
                    sheet._write_blank(row, column, None, text[column])
            elif isinstance(value, str):  # a str subclass (a str enum): its text
                plain = str(value)
                write_string(row, column, plain, (quoted if plain.startswith(FORMULA_STARTS) else text)[column])
            elif isinstance(value, bool):
                sheet._write_boolean(row, column, value, text[column])
            elif isinstance(value, Decimal):
                sheet._write_number(row, column, float(value.quantize(CENTS)), self.money[column])
            elif isinstance(value, (int, float)):
                sheet._write_number(row, column, value, text[column])
            elif isinstance(value, date):
                sheet._write_datetime(row, column, value, self.day[column])
            else:
                sheet.write(row, column, value, text[column])


async def write_xlsx(
    title: str,
    headings: list[Heading],
    rows: AsyncIterable[list[Any]],
    finish: Callable[[Any, Any, int], None] | None = None,
) -> BinaryIO:
    """A workbook of one sheet, written as `rows` arrive; the open file, positioned at its start. The header
    row is frozen and filtered, columns have their widths; `finish(workbook, sheet, rows)` may add to it
    (the templates' drop-down lists and instructions)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)
    with tempfile.TemporaryDirectory(prefix="hub-xlsx-") as scratch:
        workbook = Workbook(out, {"constant_memory": True, "tmpdir": scratch})
        try:
            formats = Formats(workbook)
            sheet = workbook.add_worksheet(title[:31])
            sheetrows.install(sheet)
            for index, heading in enumerate(headings):
                sheet.set_column(index, index, heading.width)
                write_text(sheet, 0, index, heading.header, formats, bold=True)
            sheet.freeze_panes(1, 0)
            columns = _Columns(sheet, headings, formats)
            written = 0
            async for values in rows:
                written += 1
                columns.write(written, values)
            sheet.autofilter(0, 0, written, len(headings) - 1)
            if finish:
                finish(workbook, sheet, written)
            # assembling and compressing the file takes a while for a large sheet (~0.3 s at 20,000 rows):
            # off the event loop, as the import's parsing is
            await asyncio.to_thread(workbook.close)
        except BaseException:
            _discard(workbook)
            out.close()
            raise
    out.seek(0)
    return out


def _discard(workbook: Any) -> None:
    """Close the row files of a workbook that will not be saved (their folder is removed after)."""
    for sheet in workbook.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        if handle is not None and not handle.closed:
            handle.close()


def chunks(handle: BinaryIO, size: int = 64 * 1024) -> Iterator[bytes]:
    """The file in pieces, closed at the end (a StreamingResponse's body)."""
    try:
        while piece := handle.read(size):
            yield piece
    finally:
        handle.close()


def table_headings(kind: str) -> list[Heading]:
    """The import columns of `kind`: codes and names as text (codes keep their leading zeros), counts as numbers."""
    return [Heading(c.header, max(12, 2 * len(c.header) + 4), c.number_format) for c in TABLES[kind].columns]


TEMPLATE_ROWS = 20000  # the rows of a template the drop-down lists cover


def _template_extras(kind: str) -> Callable[[Any, Any, int], None]:
    """The template's drop-down list on every enumerated column and a sheet of instructions."""
    table = TABLES[kind]

    def finish(workbook: Any, sheet: Any, _rows: int) -> None:
        for index, column in enumerate(table.columns):
            if not column.choices:
                continue
            sheet.data_validation(
                1,
                index,
                TEMPLATE_ROWS,
                index,
                {
                    "validate": "list",
                    "source": list(column.choices),
                    "ignore_blank": column.optional,
                    "show_error": True,
                    "error_title": column.header,
                    "error_message": "、".join(column.choices),
                },
            )
        notes = workbook.add_worksheet(INSTRUCTIONS[:31])
        notes.set_column(0, 0, 20)
        notes.set_column(1, 1, 80)
        formats = Formats(workbook)
        for row, line in enumerate(instructions(kind)):
            for column, value in enumerate(line):
                write_text(notes, row, column, value, formats)

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
