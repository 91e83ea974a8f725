"""importTable: front ends send the file (base64) and get the command's report: the same rows checked by the
same batch mutations, as the caller, with problems at their lines and columns."""

from __future__ import annotations

import base64

from tests.conftest import Client, error_codes
from tests.exchange import csv_bytes, xlsx
from tests.seed import id_number, seed_reference

IMPORT = """mutation($input: ImportTableInput!) { importTable(input: $input) {
  kind rows written dryRun problems { line column code message } } }"""
HEADERS = ["登录账号", "姓名", "身份证号码", "手机号码", "学校代码", "学历", "有无工作经历", "志愿服务经历"]
LZU = {"level": "school", "code": "10730", "sub": "ops-lzu"}


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_a_school_imports_its_roster_through_graphql(client: Client) -> None:
    await seed_reference(client.hub)
    roster = [
        HEADERS,
        ["lzu-1", "王芳", id_number(1), "13900000001", "10730", "本科", "否", "社区服务"],
        ["lzu-2", "李强", id_number(2), "13900000002", "10730", "博士研究生", "是", None],
    ]
    file = {"kind": "VOLUNTEERS", "fileName": "名单.xlsx", "contentBase64": encoded(xlsx(roster))}
    rehearsal = (await client.ok(IMPORT, {"input": {**file, "dryRun": True}}, **LZU))["importTable"]
    assert rehearsal == {"kind": "VOLUNTEERS", "rows": 2, "written": 0, "dryRun": True, "problems": []}
    assert (await client.sql("SELECT count(*) FROM volunteers"))[0][0] == 0
    done = (await client.ok(IMPORT, {"input": file}, **LZU))["importTable"]
    assert (done["rows"], done["written"], done["problems"]) == (2, 2, [])
    saved = await client.sql("SELECT subject, degree, volunteer_experience FROM volunteers ORDER BY subject")
    assert [tuple(r) for r in saved] == [("lzu-1", "BACHELOR", "社区服务"), ("lzu-2", "DOCTOR", None)]
    audit = await client.sql("SELECT actor_subject FROM audit_entries WHERE operation = 'registerVolunteers'")
    assert [r[0] for r in audit] == ["ops-lzu"]


async def test_problems_come_back_at_their_line_and_column(client: Client) -> None:
    await seed_reference(client.hub)
    gbk = csv_bytes(
        [HEADERS, ["lzu-1", "王芳", id_number(1)[:-1] + "Y", "13900000001", "10730", "学士", "否", ""]], "gbk"
    )
    file = {"kind": "VOLUNTEERS", "fileName": "名单.csv", "contentBase64": encoded(gbk)}
    result = (await client.ok(IMPORT, {"input": file}, **LZU))["importTable"]
    # one pass: the bad degree and, with a stand-in degree, the rule of the identity number's check character
    assert [(p["line"], p["column"], p["code"]) for p in result["problems"]] == [
        (2, "身份证号码", "INVALID_INPUT"),
        (2, "学历", "INVALID_INPUT"),
    ]
    fixed = gbk.replace("学士".encode("gbk"), "本科".encode("gbk"))
    result = (await client.ok(IMPORT, {"input": {**file, "contentBase64": encoded(fixed)}}, **LZU))["importTable"]
    assert [(p["line"], p["column"], p["code"]) for p in result["problems"]] == [(2, "身份证号码", "INVALID_INPUT")]
    assert result["written"] == 0
    bad = (await client.ok(IMPORT, {"input": {**file, "contentBase64": "%%%"}}, **LZU))["importTable"]
    assert [p["code"] for p in bad["problems"]] == ["INVALID_INPUT"]


async def test_the_caller_needs_a_token_and_the_permission_of_the_batch_mutation(client: Client) -> None:
    await seed_reference(client.hub)
    file = {
        "kind": "SCHOOLS",
        "fileName": "s.csv",
        "contentBase64": encoded(
            csv_bytes([["学校代码", "学校名称", "所在省份代码"], ["10694", "西藏大学", "54"]], "utf-8")
        ),
    }
    assert error_codes(await client.gql(IMPORT, {"input": file})) == ["UNAUTHENTICATED"]
    refused = (await client.ok(IMPORT, {"input": file}, **LZU))["importTable"]
    assert [p["code"] for p in refused["problems"]] == ["FORBIDDEN"]
    accepted = (await client.ok(IMPORT, {"input": file}, level="national", sub="ops-national"))["importTable"]
    assert accepted["written"] == 1
