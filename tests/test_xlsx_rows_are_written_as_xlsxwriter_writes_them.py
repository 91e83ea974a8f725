"""hub/exchange/sheetrows.py writes a constant-memory sheet's rows itself: the workbook must be byte for byte
the one xlsxwriter writes alone, for every kind of cell an export writes (and a few it never does)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook

from hub.exchange import sheetrows
from hub.exchange.workbooks import DATE, MONEY, TEXT, Formats, Heading, _Columns, write_text

HEADINGS = [Heading("文本"), Heading("日期", 12, DATE), Heading("金额", 14, MONEY), Heading("代码", 8, TEXT)]
VALUES: list[Any] = [
    "张三",
    "plain text",
    "",
    None,
    " leading space",
    "trailing\t",
    "a\nb",
    '<b>&amp;"',
    "_x0041_ looks escaped",
    "ctrl\x01char",
    "\ufffe",
    "<r>rich</r>",
    "=SUM(A1:A2)",
    "+86 139",
    "@text",
    "-1",
    "110101200001011234",
    0,
    7,
    -3.25,
    1e20,
    123456789.123456789,
    True,
    False,
    Decimal("1234.5"),
    date(2027, 9, 1),
    datetime(2027, 4, 1, 8, 30),
]


def _sheet_xml(path: Path, fast: bool) -> bytes:
    workbook = Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    formats = Formats(workbook)
    sheet = workbook.add_worksheet("表")
    if fast:
        assert sheetrows.install(sheet)
    for index, heading in enumerate(HEADINGS):
        sheet.set_column(index, index, heading.width)
        write_text(sheet, 0, index, heading.header, formats, bold=True)
    columns = _Columns(sheet, HEADINGS, formats)
    width = len(HEADINGS)
    row = 0
    for start in range(len(VALUES)):  # every value in every column, shifted one column per row
        row += 1
        columns.write(row, [VALUES[(start + column) % len(VALUES)] for column in range(width)])
    sheet.write_formula(row + 1, 0, "=1+1")  # kinds an export never writes go through xlsxwriter too
    sheet.set_row(row + 2, 30)
    sheet.write_string(row + 2, 1, "a row with a height")
    sheet.write_string(row + 4, 5, "a gap of one row, a column further right")
    sheet.autofilter(0, 0, row, width - 1)
    workbook.close()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_the_sheet_xml_is_xlsxwriters_own(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "fast").mkdir()
    plain = _sheet_xml(tmp_path / "plain" / "book.xlsx", fast=False)
    fast = _sheet_xml(tmp_path / "fast" / "book.xlsx", fast=True)
    assert b"inlineStr" in plain and b"<f>1+1</f>" in plain
    assert fast == plain


def test_a_workbook_that_is_not_constant_memory_is_left_alone(tmp_path: Path) -> None:
    workbook = Workbook(str(tmp_path / "book.xlsx"))
    try:
        assert not sheetrows.install(workbook.add_worksheet())
    finally:
        workbook.close()
