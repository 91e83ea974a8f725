"""Reading an office's file: .xlsx (openpyxl, read-only so a large file is never held whole) or .csv in
UTF-8 (with or without BOM) or GBK, as offices' Excel saves it. Rows come back with their line numbers
(the header is line 1), blank lines skipped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.exchange.cells import csv_untext


class UnreadableFile(ValueError):
    """The file is not a spreadsheet this hub reads (the whole import is refused, with this reason)."""


@dataclass(frozen=True)
class Line:
    number: int
    cells: tuple[Any, ...]


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    lines: list[Line]


def read(data: bytes, filename: str) -> Sheet:
    """The header and the non-blank lines of the file's first sheet."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _csv_rows(data)
    else:
        raise UnreadableFile(f"{filename}: only .xlsx and .csv files are read")
    header = next(rows, None)
    if header is None:
        raise UnreadableFile(f"{filename}: the file is empty")
    headers = [_header(cell) for cell in header]
    lines = [
        Line(number, tuple(cells))
        for number, cells in enumerate(rows, start=2)
        if any(c is not None and str(c).strip() for c in cells)
    ]
    return Sheet(headers, lines)


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
        raise UnreadableFile("the CSV file is neither UTF-8 nor GBK text") from None


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    for row in csv.reader(io.StringIO(decode(data), newline="")):
        yield [csv_untext(cell) for cell in row]


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise UnreadableFile(f"not an .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()
