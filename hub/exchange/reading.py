"""Reading an office's file: .xlsx or .csv in UTF-8 (with or without BOM) or GBK, as offices' Excel saves
it. Rows come back with their line numbers (the header is line 1), blank lines skipped.

An .xlsx is read by calamine (python-calamine: Rust, ~10× openpyxl, the GIL released while it parses) into
the cells openpyxl gave: text, int for whole numbers, float, bool, datetime for dates, None for an empty
cell. calamine lays the sheet out densely from its top-left cell to its bottom-right one, so a sheet whose
cells claim a far corner (A1 and XFD1048576: two cells, billions of places) is measured first from the
sheet's XML (`sheet_extent`), and one that is sparse, beyond the row and column limits, or not measured,
is read by openpyxl's streaming reader instead, which refuses it row by row as before.

Nothing is read past a limit (Settings.file_limits, docs/exchange.md): the file's size; for an .xlsx, each
member's packed and unpacked size and their ratio, from the zip's directory before anything is unpacked
(a zip bomb is refused without inflating a byte); rows and columns of the sheet and the length of a cell
while reading. A refusal names the limit and the figure found. Reading is CPU work: the importer runs it
in a worker thread, and `cancel` (set when the request's deadline passes) stops it between rows."""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.exchange.cells import csv_untext
from hub.i18n import _
from hub.settings import FileLimits

CHECK_EVERY = 500  # rows between two looks at `cancel` and progress


class UnreadableFile(ValueError):
    """The file is not a spreadsheet this hub reads, or is over a limit (the whole import is refused)."""


class Cancelled(Exception):
    """The reading was stopped from outside (the request's deadline passed)."""


@dataclass(frozen=True)
class Line:
    number: int
    cells: tuple[Any, ...]


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    lines: list[Line]


def read(
    data: bytes,
    filename: str,
    limits: FileLimits | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sheet:
    """The header and the non-blank lines of the file's first sheet, within `limits`."""
    limits = limits or FileLimits()
    name = filename.lower()
    if len(data) > limits.max_bytes:
        raise UnreadableFile(_("the file is {size:,} bytes; at most {limit:,}", size=len(data), limit=limits.max_bytes))
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data, limits)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _csv_rows(data, limits)
    else:
        raise UnreadableFile(_("{name}: only .xlsx and .csv files are read", name=filename))
    header = next(rows, None)
    if header is None:
        raise UnreadableFile(_("{name}: the file is empty", name=filename))
    _check_width(1, header, limits)
    headers = [_header(cell) for cell in header]
    lines = []
    for number, cells in enumerate(rows, start=2):
        if number % CHECK_EVERY == 0:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            if progress:
                progress(number - 1)
        if number - 1 > limits.max_rows:
            raise UnreadableFile(_("the sheet has more than {limit:,} rows", limit=limits.max_rows))
        _check_width(number, cells, limits)
        if any(c is not None and str(c).strip() for c in cells):
            lines.append(Line(number, tuple(cells)))
    if progress:
        progress(len(lines))
    return Sheet(headers, lines)


def _check_width(number: int, cells: list[Any], limits: FileLimits) -> None:
    if len(cells) > limits.max_columns:
        # trailing empty cells (a sheet formatted far to the right) do not count
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if len(cells) > limits.max_columns:
            raise UnreadableFile(
                _(
                    "line {line} has {count:,} columns; at most {limit:,}",
                    line=number,
                    count=len(cells),
                    limit=limits.max_columns,
                )
            )
    for cell in cells:
        if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
            raise UnreadableFile(
                _(
                    "line {line} has a cell of {count:,} characters; at most {limit:,}",
                    line=number,
                    count=len(cell),
                    limit=limits.max_cell_chars,
                )
            )


def _header(cell: Any) -> str:
    return "" if cell is None else "".join(str(cell).split())  # "县 名称" and "县名称\n" name one column


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or, failing that, GBK (read as GB18030, its superset)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableFile(_("the CSV file is neither UTF-8 nor GBK text")) from None


def _csv_rows(data: bytes, limits: FileLimits) -> Iterator[list[Any]]:
    # The csv module's field limit is the process's; it is set to the cell limit (one more character, so
    # that a cell just over it is measured and named below rather than cut by the csv module).
    csv.field_size_limit(limits.max_cell_chars + 1)
    reader = csv.reader(_lines(decode(data)))
    try:
        for row in reader:
            yield [csv_untext(cell) for cell in row]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(
                _(
                    "line {line} has a cell of more than {limit:,} characters; at most {limit:,}",
                    line=reader.line_num,
                    limit=limits.max_cell_chars,
                )
            ) from None
        raise UnreadableFile(_("line {line} is not CSV: {reason}", line=reader.line_num, reason=exc)) from None


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` one at a time, ends kept (io.StringIO would copy the whole text, four bytes a
    character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def check_archive(data: bytes, limits: FileLimits) -> None:
    """Every member of an .xlsx (a zip) within the packed, unpacked and ratio limits, read from the zip's
    directory before anything is unpacked; zipfile then never inflates a member past its declared size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        raise UnreadableFile(_("not an .xlsx workbook (not a zip archive)")) from None
    with archive:
        for member in archive.infolist():
            if member.file_size > limits.max_member_bytes:
                raise UnreadableFile(
                    _(
                        "the workbook's part {part} unpacks to {size:,} bytes; at most {limit:,}",
                        part=member.filename,
                        size=member.file_size,
                        limit=limits.max_member_bytes,
                    )
                )
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > limits.max_ratio:
                raise UnreadableFile(
                    _(
                        "the workbook's part {part} unpacks {ratio:.0f} times its packed size; at most {limit:,}",
                        part=member.filename,
                        ratio=ratio,
                        limit=limits.max_ratio,
                    )
                )


def _xlsx_rows(data: bytes, limits: FileLimits) -> Iterator[list[Any]]:
    check_archive(data, limits)
    extent = sheet_extent(data)
    if extent is not None:
        rows, columns, cells = extent
        if rows <= limits.max_rows + 1 and columns <= limits.max_columns and rows * columns <= 2 * cells + SLACK:
            return _calamine_rows(data)
    return _openpyxl_rows(data)


SLACK = 1_000_000  # places calamine may lay out beyond twice the cells there are (blank cells of a form)
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]")
_CELL_REFERENCE = re.compile(rb"""\sr=["']([A-Z]{1,3})([0-9]{1,7})["']""")
_ROW_NUMBER = re.compile(rb"""\sr=["']([0-9]{1,7})["']""")


def sheet_extent(data: bytes) -> tuple[int, int, int] | None:
    """An upper bound of the rows and columns calamine would lay out for any sheet of the workbook, and the
    cells the sheets have: from each cell's and row's reference (`r="XFD1048576"`), plus one place per
    cell or row written without one (those follow the previous). Every member holding a <sheetData> is
    measured, wherever the workbook's relations put its sheets; None when a sheet writes its elements with
    a namespace prefix (<x:c>), which this count does not follow."""
    rows = columns = cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            xml = archive.read(member)
            if b"sheetData" not in xml:
                continue
            if _PREFIXED.search(xml):
                return None
            all_rows = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/")
            all_cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/")
            references = _CELL_REFERENCE.findall(xml)
            numbered, unnumbered = [], 0
            if all_cells > len(references):  # a row's number (or its order) places cells without a reference
                numbered = _ROW_NUMBER.findall(xml)
                unnumbered = all_rows - len(numbered)
            widest = max((_column_number(letters) for letters in {c for c, _r in references}), default=0)
            deepest = max((int(n) for n in {*numbered, *(r for _c, r in references)}), default=0)
            rows = max(rows, deepest + unnumbered)
            columns = max(columns, widest + all_cells - len(references))
            cells += all_cells
    return rows, columns, cells


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _first_worksheet(workbook: Any) -> Any:
    from python_calamine import SheetTypeEnum

    for index, sheet in enumerate(workbook.sheets_metadata):
        if sheet.typ == SheetTypeEnum.WorkSheet:
            return workbook.get_sheet_by_index(index)
    raise ValueError("no worksheet")


def _calamine_rows(data: bytes) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_object(io.BytesIO(data)) as workbook:
            table = _first_worksheet(workbook).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own kinds for a file that is no workbook
        raise UnreadableFile(_("not an .xlsx workbook ({reason})", reason=type(exc).__name__)) from None
    return map(_as_openpyxl, table)


WHOLE = 2**53  # floats below this are exact integers


def _as_openpyxl(row: list[Any]) -> list[Any]:
    """calamine's cells as openpyxl gave them: an empty cell None, a whole number an int, a date a datetime."""
    out = []
    for value in row:
        kind = type(value)
        if kind is str:
            out.append(value if value else None)
        elif kind is float:
            out.append(int(value) if value.is_integer() and -WHOLE < value < WHOLE else value)
        elif kind is date:
            out.append(datetime(value.year, value.month, value.day))
        else:
            out.append(value)
    return out


def _openpyxl_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise UnreadableFile(_("not an .xlsx workbook ({reason})", reason=type(exc).__name__)) from None
    try:
        sheet = workbook.worksheets[0]
        # The sheet's stated dimension is not trusted: a claimed A1:XFD1048576 would pad every row.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()
