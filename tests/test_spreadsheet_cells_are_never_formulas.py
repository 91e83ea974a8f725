"""Text that would be a formula (leading =, +, -, @, tab, CR) is written to a spreadsheet as text and reads back
exactly as it was; numbers are numbers, the header is frozen and filtered, templates have drop-down lists."""

from __future__ import annotations

import csv
import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from hub.exchange.cells import csv_text, csv_untext
from hub.exchange.imports import import_file
from hub.exchange.workbooks import template
from tests.conftest import Client
from tests.exchange import NATIONAL_OFFICE, download, office, xlsx
from tests.seed import YEAR, seed_reference

NATIONAL = {"level": "national", "sub": "ops-national"}
COUNTY_HEADERS = ["县级行政区划代码", "县名称", "帮扶类别", "是否边远"]
HOSTILE = ['=HYPERLINK("http://example.com","点此")', "+1+1", "-2+3", "@SUM(A1)", "=1+1", "'=已有撇号"]


def _formulas(data: bytes) -> list[str]:
    """The <f> elements of every sheet of an .xlsx."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [n for n in archive.namelist() if n.startswith("xl/worksheets/") and b"<f>" in archive.read(n)]


async def test_hostile_county_names_are_exported_as_text_and_import_back_exactly(client: Client) -> None:
    await seed_reference(client.hub)
    rows = [[str(621130 + i), name, "脱贫县", "否"] for i, name in enumerate(HOSTILE)]
    imported = await import_file(client.hub, NATIONAL_OFFICE, "counties", xlsx([COUNTY_HEADERS, *rows]), "c.xlsx")
    assert imported.ok, imported.problems
    before = [tuple(r) for r in await client.sql("SELECT code, name FROM counties ORDER BY code")]
    response = await download(client, "/exports/counties.xlsx", **NATIONAL)
    assert response.status_code == 200
    assert _formulas(response.content) == []
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {row[1].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for name in HOSTILE:
        assert cells[name].data_type == "s"
    assert cells[HOSTILE[0]].quotePrefix
    await client.sql("UPDATE counties SET name = 'x'")
    report = await import_file(client.hub, NATIONAL_OFFICE, "counties", response.content, "counties.xlsx")
    assert report.ok, report.problems
    assert [tuple(r) for r in await client.sql("SELECT code, name FROM counties ORDER BY code")] == before


@given(st.text(alphabet=st.sampled_from("=+-@\t\r'a中 "), max_size=6))
def test_csv_cells_round_trip_whatever_they_start_with(value: str) -> None:
    written = csv_text(value)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_untext(written) == value


async def test_a_hostile_csv_cell_imports_as_the_text_it_stood_for(client: Client) -> None:
    text = io.StringIO()
    csv.writer(text).writerows([["学校代码", "学校名称", "所在省份代码"], ["10730", csv_text("=兰州大学"), "62"]])
    await seed_reference(client.hub)
    report = await import_file(client.hub, NATIONAL_OFFICE, "schools", text.getvalue().encode(), "s.csv")
    assert report.ok, report.problems
    assert (await client.sql("SELECT name FROM schools WHERE code = '10730'"))[0][0] == "=兰州大学"


async def test_exports_type_their_cells_and_freeze_and_filter_the_header(client: Client) -> None:
    await seed_reference(client.hub)
    county = office("county", "621121")
    from hub import models as m

    async with client.hub.write_sessionmaker() as session, session.begin():
        session.add(m.ServiceUnit(county_code="621121", name="鸡川镇中心小学", level="TOWNSHIP"))
    data = xlsx([["项目年度", "县级行政区划代码", "服务单位", "岗位名称", "岗位类别", "需求人数"]])
    data = xlsx(
        [
            ["项目年度", "县级行政区划代码", "服务单位", "岗位名称", "岗位类别", "需求人数"],
            [YEAR, "621121", "鸡川镇中心小学", "-语文教师", "乡村教育", 3],
        ]
    )
    assert (await import_file(client.hub, county, "posts", data, "p.xlsx")).ok
    response = await download(
        client, f"/exports/posts.xlsx?year={YEAR}&county=621121", level="county", code="621121", sub="c"
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    row = [c for c in next(sheet.iter_rows(min_row=2))]
    assert row[3].value == "-语文教师" and row[3].data_type == "s"
    assert row[5].value == 3 and row[5].data_type == "n"  # 需求人数 is a number
    assert row[1].value == "621121" and row[1].number_format == "@"  # codes are text
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F2"


async def test_templates_list_every_enumerated_column_and_explain_themselves() -> None:
    workbook = load_workbook(io.BytesIO(await template("volunteers", "v.xlsx")))
    sheet, notes = workbook.worksheets
    listed = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert listed == {"F2": '"本科,硕士研究生,博士研究生"', "G2": '"是,否"', "H2": '"是,否"'}
    assert notes.title == "填写说明"
    assert any(row[0] == "学历" for row in notes.iter_rows(values_only=True))
