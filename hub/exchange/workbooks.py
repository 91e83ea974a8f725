"""Writing .xlsx files row by row (xlsxwriter's constant-memory mode: each row goes to a temporary file as
it is written) into a temporary file, so that a large export never holds its rows in memory, and the
templates of the importable kinds."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterable, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from xlsxwriter import Workbook

from hub.exchange.cells import csv_text, would_be_formula
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


def _writer(heading: Heading, formats: Formats) -> Callable[[Any, int, int, Any], None]:
    """How a value of this column is written: text as text (never a formula), numbers as numbers, dates as
    dates, money (Decimal) as a number of two decimals, each with the column's number format."""
    plain = formats(heading.number_format)
    money = formats(heading.number_format or MONEY)
    day = formats(heading.number_format or DATE)

    def write(sheet: Any, row: int, column: int, value: Any) -> None:
        if isinstance(value, str) and value:
            write_text(sheet, row, column, value, formats, heading.number_format)
        elif value is None or value == "":  # an empty cell, as openpyxl wrote it
            if plain is not None:
                sheet.write_blank(row, column, None, plain)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value, plain)
        elif isinstance(value, Decimal):
            sheet.write_number(row, column, float(value.quantize(CENTS)), money)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, column, value, plain)
        elif isinstance(value, date):
            sheet.write_datetime(row, column, value, day)
        else:
            sheet.write(row, column, value, plain)

    return write


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
            for index, heading in enumerate(headings):
                sheet.set_column(index, index, heading.width)
                write_text(sheet, 0, index, heading.header, formats, bold=True)
            sheet.freeze_panes(1, 0)
            writers = [_writer(heading, formats) for heading in headings]
            written = 0
            async for values in rows:
                written += 1
                for column, (write, value) in enumerate(zip(writers, values, strict=True)):
                    write(sheet, written, column, value)
            sheet.autofilter(0, 0, written, len(headings) - 1)
            if finish:
                finish(workbook, sheet, written)
            workbook.close()
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
