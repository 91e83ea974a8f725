"""The problem report is also the clerk's own file: a copy with a 问题 column beside each bad row (importTable
with annotate, `hub import --problems FILE`); fixed, it imports back with that column ignored."""

from __future__ import annotations

import base64
import io

from openpyxl import load_workbook

from tests.conftest import Client
from tests.exchange import xlsx
from tests.seed import id_number, seed_reference
from tests.test_import_through_graphql import HEADERS, LZU

IMPORT = """mutation($input: ImportTableInput!) { importTable(input: $input) {
  written problemCount ignoredColumns annotatedFileBase64 problems { line column } } }"""


async def test_a_refused_file_comes_back_with_its_problems_beside_the_rows(client: Client) -> None:
    await seed_reference(client.hub)
    rows = [
        HEADERS,
        ["lzu-1", "王芳", id_number(1), "13900000001", "10730", "本科", "否", ""],
        ["lzu-2", "李强", id_number(2)[:-1] + "Y", "13900000002", "10730", "学士", "否", ""],
        ["lzu-3", "", id_number(3), "13900000003", "10730", "本科", "否", ""],
    ]
    file = {"kind": "VOLUNTEERS", "fileName": "名单.xlsx", "contentBase64": base64.b64encode(xlsx(rows)).decode()}
    result = (await client.ok(IMPORT, {"input": {**file, "annotate": True}}, **LZU))["importTable"]
    assert result["problemCount"] == 3 and result["written"] == 0
    sheet = load_workbook(io.BytesIO(base64.b64decode(result["annotatedFileBase64"]))).worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][: len(HEADERS)] == HEADERS and table[0][-1] == "问题"
    notes = [row[-1] for row in table[1:]]
    assert notes[0] is None  # the good row
    assert "身份证号码" in notes[1] and "学历" in notes[1]
    assert "姓名" in notes[2]
    fixed = [row[:-1] for row in table]
    fixed[2][2], fixed[2][5], fixed[3][1] = id_number(2), "本科", "赵敏"
    again = [[*row, note] for row, note in zip(fixed, ["问题", *notes], strict=True)]
    retry = {**file, "contentBase64": base64.b64encode(xlsx(again)).decode(), "annotate": True}
    result = (await client.ok(IMPORT, {"input": retry}, **LZU))["importTable"]
    assert (result["problemCount"], result["written"], result["ignoredColumns"]) == (0, 3, ["问题"])
    assert result["annotatedFileBase64"] is None
