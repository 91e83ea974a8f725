"""A roster of hundreds goes another way on PostgreSQL than one of a few rows (one array per column and
`= ANY(:array)` lookups instead of statements of bound rows: hub.db.insert_rows, hub.dialects.is_one_of);
what it writes and what it refuses must be the same on both engines, at both sizes."""

from __future__ import annotations

import base64
from datetime import date

from hub.db import COLUMNAR_ROWS
from tests.conftest import Client
from tests.exchange import xlsx
from tests.seed import id_number, seed_reference

IMPORT = """mutation($input: ImportTableInput!) { importTable(input: $input) {
  rows written problemCount problems { line column code } } }"""
HEADERS = ["登录账号", "姓名", "身份证号码", "手机号码", "学校代码", "学历", "有无工作经历", "志愿服务经历"]
LZU = {"level": "school", "code": "10730", "sub": "ops-lzu"}
ROWS = COLUMNAR_ROWS + 50


def roster(count: int, first: int = 0) -> list[list[object]]:
    rows: list[list[object]] = [HEADERS]
    for i in range(first, first + count):
        birth = date(2001 + i % 4, 1 + i % 12, 1 + i % 28)
        rows.append(
            [
                f"lzu-{i}",
                "王芳" if i % 2 else "阿卜杜·艾力",
                id_number(i, birth),
                f"139{i:08d}",
                "10730",
                "本科" if i % 3 else "硕士研究生",
                "是" if i % 2 else "否",
                "社区服务" if i % 5 == 0 else None,
            ]
        )
    return rows


async def send(client: Client, rows: list[list[object]]) -> dict[str, object]:
    file = {"kind": "VOLUNTEERS", "fileName": "名单.xlsx", "contentBase64": base64.b64encode(xlsx(rows)).decode()}
    return (await client.ok(IMPORT, {"input": file}, **LZU))["importTable"]  # type: ignore[no-any-return]


async def test_every_row_of_a_large_roster_is_written_with_its_audit_scopes(client: Client) -> None:
    await seed_reference(client.hub)
    report = await send(client, roster(ROWS))
    assert (report["written"], report["problemCount"]) == (ROWS, 0)
    saved = await client.sql(
        "SELECT subject, name, id_number, phone, gender, birth_date, school_code, degree, graduate_teaching_group,"
        " has_work_experience, volunteer_experience, certificate_number FROM volunteers ORDER BY id"
    )
    expected = []
    for subject, name, number, phone, school, degree, work, experience in roster(ROWS)[1:]:
        expected.append(
            (
                subject,
                name,
                number,
                phone,
                "MALE" if int(str(number)[16]) % 2 else "FEMALE",
                date(int(str(number)[6:10]), int(str(number)[10:12]), int(str(number)[12:14])),
                school,
                "BACHELOR" if degree == "本科" else "MASTER",
                False,
                work == "是",
                experience,
                None,
            )
        )
    assert [tuple(r[:5]) + (_day(r[5]),) + tuple(r[6:]) for r in saved] == expected
    scopes = await client.sql(
        "SELECT level, count(*) FROM audit_scopes JOIN audit_entries ON audit_entries.id = audit_scopes.entry_id"
        " WHERE operation = 'registerVolunteers' GROUP BY level ORDER BY level"
    )
    assert [tuple(r) for r in scopes] == [("PROVINCIAL", 1), ("SCHOOL", 1), ("VOLUNTEER", ROWS)]


async def test_accounts_and_identity_numbers_taken_are_found_among_hundreds(client: Client) -> None:
    await seed_reference(client.hub)
    assert (await send(client, roster(3)))["written"] == 3
    again = roster(ROWS, first=3)
    again[7][0] = "lzu-1"  # an account registered by the first roster
    again[ROWS][2] = id_number(2, date(2003, 3, 3))  # the identity number of lzu-2, registered already
    report = await send(client, again)
    assert report["written"] == 0
    assert [(p["line"], p["column"], p["code"]) for p in report["problems"]] == [  # type: ignore[union-attr]
        (8, "登录账号", "DUPLICATE"),
        (ROWS + 1, "身份证号码", "DUPLICATE"),
    ]
    assert (await client.sql("SELECT count(*) FROM volunteers"))[0][0] == 3


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
