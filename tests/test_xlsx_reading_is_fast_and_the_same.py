""".xlsx files are read by calamine (issue 17: a 20,000-row import in seconds) into exactly the cells openpyxl's
streaming reader gave — text, whole numbers as int, floats, booleans, dates as datetimes, empty cells None,
blank lines counted in the line numbers — and a sheet whose few cells claim a far corner (which calamine
would lay out densely: billions of places) is measured first and read by openpyxl instead, refused by the
row limit as before, never taking the process down."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook

from hub.exchange import reading
from hub.exchange.reading import UnreadableFile, read, sheet_extent
from hub.settings import FileLimits


def _workbook(fill) -> bytes:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    fill(workbook.active)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _both(data: bytes) -> tuple[list[list[object]], list[list[object]]]:
    def trimmed(rows):  # type: ignore[no-untyped-def]
        out = []
        for row in rows:
            row = list(row)
            while row and row[-1] is None:
                row.pop()
            out.append(row)
        return out

    return trimmed(reading._calamine_rows(data)), trimmed(reading._openpyxl_rows(data))


def test_calamine_gives_the_cells_openpyxl_gave() -> None:
    def fill(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet.append(["学校代码", "学校名称", "人数", "比例", "是否", "日期"])
        sheet.append(["010730", "=兰州大学", 3, 2.5, True, date(2024, 5, 6)])
        sheet["F2"].number_format = "yyyy-mm-dd"
        sheet["A2"].data_type = "s"
        sheet["B2"].data_type = "s"  # a text a clerk typed as '=兰州大学
        sheet["C5"] = "第五行"  # lines 3 and 4 are blank
        sheet["A6"] = 621121
        sheet["B6"] = datetime(2024, 5, 6, 10, 30)
        sheet["B6"].number_format = "yyyy-mm-dd hh:mm"

    data = _workbook(fill)
    fast, streamed = _both(data)
    assert fast == streamed
    assert fast[1] == ["010730", "=兰州大学", 3, 2.5, True, datetime(2024, 5, 6)]
    assert type(fast[1][2]) is int and type(fast[5][0]) is int
    sheet = read(data, "a.xlsx")
    assert [line.number for line in sheet.lines] == [2, 5, 6]


def test_a_far_corner_is_measured_before_calamine_lays_it_out() -> None:
    def fill(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet["A1"] = "学校代码"
        sheet["XFD1048576"] = "x"

    data = _workbook(fill)
    assert sheet_extent(data)[:2] == (1_048_576, 16_384)
    try:
        read(data, "far.xlsx")
    except UnreadableFile as refused:
        assert "200,000" in str(refused)
    else:
        raise AssertionError("a sheet of a million rows was read")


def test_a_sparse_sheet_within_the_limits_is_read_by_openpyxl(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def fill(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet["A1"] = "学校代码"
        sheet["CV150000"] = "x"  # 15 million places for two cells

    def refuse(_data: bytes) -> None:
        raise AssertionError("calamine was asked to lay out a sparse sheet")

    monkeypatch.setattr(reading, "_calamine_rows", refuse)
    sheet = read(_workbook(fill), "sparse.xlsx", FileLimits())
    assert sheet.headers[0] == "学校代码" and [line.number for line in sheet.lines] == [150_000]


def test_formatting_far_to_the_right_is_not_a_column() -> None:
    def fill(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet.append(["学校代码", "学校名称", "所在省份代码"])
        sheet.append(["10730", "兰州大学", "62"])
        sheet["ZZ2"].number_format = "0.00"  # an empty, formatted cell: <c r="ZZ2" s="1"/>

    sheet = read(_workbook(fill), "formatted.xlsx", FileLimits(max_columns=5))
    assert sheet.headers[:3] == ["学校代码", "学校名称", "所在省份代码"]
    assert [cell for cell in sheet.lines[0].cells if cell is not None] == ["10730", "兰州大学", "62"]


def test_a_sheet_written_with_a_namespace_prefix_is_read_by_openpyxl() -> None:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_workbook(lambda sheet: sheet.append(["学校代码", "学校名称"]))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            xml = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = xml.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>")
                xml = xml.replace(
                    b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                )
            target.writestr(item.filename, xml)
    assert sheet_extent(out.getvalue()) is None
