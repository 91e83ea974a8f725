"""Files built to cost the hub memory or time are refused before the work, each refusal naming its limit and
the figure found: an .xlsx that unpacks far beyond its size (a zip bomb), a part over the unpacked limit, a
sheet too long or too wide, a cell too long (also in CSV, where the csv module would raise), too many
columns. Unknown columns are named as ignored; a report lists the first problems and counts them all."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest

from hub.exchange.imports import import_file
from hub.exchange.reading import UnreadableFile, read
from hub.settings import FileLimits
from tests.conftest import Client
from tests.exchange import NATIONAL_OFFICE, csv_bytes, where, xlsx

SCHOOL_HEADERS = ["学校代码", "学校名称", "所在省份代码"]


def zip_bomb(rows: int) -> bytes:
    """A real workbook whose sheet is `rows` identical rows: megabytes of XML that deflate to kilobytes."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([SCHOOL_HEADERS])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                row = b'<row><c t="inlineStr"><is><t>10730</t></is></c></row>'
                head, _sep, tail = data.partition(b"</sheetData>")
                head = head.replace(b"<sheetData/>", b"<sheetData>")
                data = head + row * rows + b"</sheetData>" + tail
            target.writestr(item.filename, data)
    return out.getvalue()


def refusal(data: bytes, name: str, limits: FileLimits) -> str:
    with pytest.raises(UnreadableFile) as refused:
        read(data, name, limits)
    return str(refused.value)


def test_a_zip_bomb_is_refused_from_the_zip_directory_alone() -> None:
    bomb = zip_bomb(200_000)  # ~11 MB of sheet XML in ~50 kB
    message = refusal(bomb, "bomb.xlsx", FileLimits())
    assert "xl/worksheets/sheet1.xml" in message and "100" in message  # the part, its ratio, the limit
    message = refusal(bomb, "bomb.xlsx", FileLimits(max_ratio=100_000, max_member_bytes=1_000_000))
    unpacked = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml").file_size
    assert "1,000,000" in message and f"{unpacked:,}" in message  # the limit and the size found


def test_sheets_too_long_or_too_wide_and_cells_too_long_are_refused_with_their_figures() -> None:
    limits = FileLimits(max_rows=3, max_columns=5, max_cell_chars=10)
    rows = [SCHOOL_HEADERS, *[["10730", "兰州大学", "62"]] * 4]
    assert "3" in refusal(xlsx(rows), "a.xlsx", limits)
    assert "3" in refusal(csv_bytes(rows, "utf-8"), "a.csv", limits)
    wide = [SCHOOL_HEADERS + [f"x{i}" for i in range(10)], ["10730", "兰州大学", "62"]]
    assert "13" in refusal(xlsx(wide), "a.xlsx", limits) and "5" in refusal(xlsx(wide), "a.xlsx", limits)
    assert "13" in refusal(csv_bytes(wide, "utf-8"), "a.csv", limits)
    long = [SCHOOL_HEADERS, ["10730", "兰" * 11, "62"]]
    assert "11" in refusal(xlsx(long), "a.xlsx", limits)
    message = refusal(csv_bytes(long, "utf-8"), "a.csv", limits)
    assert "line 2" in message or "第 2 行" in message
    assert "10" in message
    # blank cells far to the right are not columns
    assert read(xlsx([SCHOOL_HEADERS + [None] * 20]), "a.xlsx", limits).headers[:3] == SCHOOL_HEADERS


def test_a_cell_of_fifty_megabytes_in_a_csv_is_a_refusal_not_a_traceback() -> None:
    data = ",".join(SCHOOL_HEADERS).encode() + b"\n10730," + b"x" * 50_000_000 + b",62\n"
    message = refusal(data, "big.csv", FileLimits())
    assert "32,767" in message


def test_a_csv_of_a_hundred_thousand_columns_is_refused() -> None:
    data = (",".join(SCHOOL_HEADERS + [f"c{i}" for i in range(100_000)]) + "\n").encode()
    message = refusal(data, "wide.csv", FileLimits())
    assert "100,003" in message and "100" in message


async def test_unknown_columns_are_named_as_ignored_and_reports_are_capped(client: Client) -> None:
    client.hub.settings = replace(client.hub.settings, file_limits=FileLimits(max_problems=5))
    rows = [[*SCHOOL_HEADERS, "备注"], *[[f"1{n:04d}", "", "62", "x"] for n in range(12)]]
    report = await import_file(client.hub, NATIONAL_OFFICE, "schools", xlsx(rows), "s.xlsx", dry_run=True)
    assert report.ignored_columns == ["备注"]
    assert report.problem_count == 12 and [p[0] for p in where(report)] == [2, 3, 4, 5, 6]
