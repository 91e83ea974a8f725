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
    cell = WriteOnlyCell(sheet, value=value)
    if heading.number_format:
        cell.number_format = heading.number_format
    elif isinstance(value, Decimal):
        cell.number_format = MONEY
    elif isinstance(value, date):
        cell.number_format = DATE
    return cell


async def write_xlsx(title: str, headings: list[Heading], rows: AsyncIterable[list[Any]]) -> BinaryIO:
    """A workbook of one sheet, written as `rows` arrive; the open file, positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, heading in enumerate(headings):
        sheet.column_dimensions[_letter(index)].width = heading.width
    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    try:
        async for row in rows:
            sheet.append([_cell(sheet, value, heading) for value, heading in zip(row, headings, strict=True)])
    except BaseException:
        sheet.close()  # finish and drop the half-written sheet's temporary file
        raise
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
    """The import columns of `kind`, all as text (codes keep their leading zeros)."""
    return [Heading(c.header, max(12, 2 * len(c.header) + 4), TEXT) for c in TABLES[kind].columns]


async def template(kind: str, filename: str) -> bytes:
    """The file an office fills in for `kind`: the headers and one example row (xlsx, or CSV in UTF-8)."""
    table = TABLES[kind]
    example = [c.example for c in table.columns]
    if filename.lower().endswith(".csv"):
        import csv
        import io

        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(table.headers)
        writer.writerow(example)
        return text.getvalue().encode("utf-8-sig")

    async def one() -> Any:
        yield example

    handle = await write_xlsx(table.title, table_headings(kind), one())
    with handle:
        return handle.read()
