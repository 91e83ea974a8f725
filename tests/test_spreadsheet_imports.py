"""Imports of office spreadsheets (counties, schools, posts, volunteers) run the schema's own batch mutations:
every row is checked by the mutation's rules and permission, a bad file is refused whole with each problem at
its line and column, a dry run writes nothing, and CSV comes in UTF-8 or GBK."""

from __future__ import annotations

from hub import models as m
from hub.exchange.imports import import_file
from tests.conftest import Client
from tests.exchange import NATIONAL_OFFICE, csv_bytes, office, where, xlsx
from tests.seed import YEAR, id_number, seed_reference

COUNTY_HEADERS = ["县级行政区划代码", "县名称", "帮扶类别", "是否边远"]
SCHOOL_HEADERS = ["学校代码", "学校名称", "所在省份代码"]
POST_HEADERS = ["项目年度", "县级行政区划代码", "服务单位", "岗位名称", "岗位类别", "需求人数"]
VOLUNTEER_HEADERS = ["登录账号", "姓名", "身份证号码", "手机号码", "学校代码", "学历", "有无工作经历"]


async def count(client: Client, table: str) -> int:
    return (await client.sql(f"SELECT count(*) FROM {table}"))[0][0]


async def test_counties_import_from_xlsx_with_chinese_labels(client: Client) -> None:
    data = xlsx(
        [
            COUNTY_HEADERS,
            [621122, "陇西县", "国家乡村振兴重点帮扶县", "是"],
            ["653121", "疏附县", "当地乡村振兴重点帮扶县", "否"],
            [None, None, None, None],
            ["411523", "新县", "POVERTY_EXITED", None],
        ]
    )
    report = await import_file(client.hub, NATIONAL_OFFICE, "counties", data, "县.xlsx")
    assert report.ok, report.problems
    assert (report.rows, report.written) == (3, 3)
    rows = await client.sql("SELECT code, name, key_assistance, remote FROM counties ORDER BY code")
    assert [tuple(r) for r in rows] == [
        ("411523", "新县", "POVERTY_EXITED", False),
        ("621122", "陇西县", "NATIONAL_KEY", True),
        ("653121", "疏附县", "LOCAL_KEY", False),
    ]
    audited = await client.sql("SELECT count(*) FROM audit_entries WHERE operation = 'upsertCounties'")
    assert audited[0][0] == 1


async def test_a_bad_file_is_refused_whole_with_every_problem_at_its_line_and_column(client: Client) -> None:
    data = xlsx(
        [
            COUNTY_HEADERS,
            ["621122", "陇西县", "国家乡村振兴重点帮扶县", "是"],
            ["62112", "短码县", "脱贫县", "否"],
            ["621123", "", "脱贫县", "否"],
            ["621124", "某县", "重点县", "也许"],
            ["621122", "陇西县", "脱贫县", "否"],
            ["991234", "无省县", "脱贫县", "否"],
        ]
    )
    report = await import_file(client.hub, NATIONAL_OFFICE, "counties", data, "县.xlsx")
    # one pass: the cells' problems and the rules of upsertCounties together, at the file's lines (header 1);
    # line 5's bad category is given a stand-in so that its other rules still run
    assert where(report) == [
        (3, "县级行政区划代码", "INVALID_INPUT"),
        (4, "县名称", "INVALID_INPUT"),
        (5, "帮扶类别", "INVALID_INPUT"),
        (5, "是否边远", "INVALID_INPUT"),
        (6, "县级行政区划代码", "DUPLICATE"),
        (7, "县级行政区划代码", "NOT_FOUND"),
    ]
    assert "重点县" in report.problems[2].message
    assert not any(p.message.startswith("row ") for p in report.problems)
    assert await count(client, "counties") == 0
    assert await count(client, "audit_entries") == 0


def sheet_of(data: bytes) -> list[list[object]]:
    from tests.exchange import sheet_rows

    return sheet_rows(data)


async def test_missing_columns_are_named(client: Client) -> None:
    report = await import_file(
        client.hub, NATIONAL_OFFICE, "schools", xlsx([["学校代码", "名称"], ["10730", "x"]]), "a.xlsx"
    )
    assert where(report) == [(1, "学校名称", "INVALID_INPUT"), (1, "所在省份代码", "INVALID_INPUT")]
    report = await import_file(client.hub, NATIONAL_OFFICE, "schools", b"PK\x03\x04 not really", "a.xlsx")
    assert where(report) == [(None, None, "INVALID_INPUT")]


async def test_schools_import_from_csv_in_utf8_and_gbk(client: Client) -> None:
    utf8 = csv_bytes([SCHOOL_HEADERS, ["10730", "兰州大学", "62"], ["10673", "云南大学", "53"]], "utf-8-sig")
    gbk = csv_bytes([SCHOOL_HEADERS, ["10001", "北京大学", "11"], ["10694", "西藏大学", "54"]], "gbk")
    assert (await import_file(client.hub, NATIONAL_OFFICE, "schools", utf8, "高校.csv")).ok
    assert (await import_file(client.hub, NATIONAL_OFFICE, "schools", gbk, "高校.csv")).ok
    rows = await client.sql("SELECT code, name, province_code FROM schools ORDER BY code")
    assert [tuple(r) for r in rows] == [
        ("10001", "北京大学", "11"),
        ("10673", "云南大学", "53"),
        ("10694", "西藏大学", "54"),
        ("10730", "兰州大学", "62"),
    ]


async def test_a_dry_run_checks_every_rule_and_writes_nothing(client: Client) -> None:
    good = csv_bytes([SCHOOL_HEADERS, ["10730", "兰州大学", "62"]], "utf-8")
    report = await import_file(client.hub, NATIONAL_OFFICE, "schools", good, "s.csv", dry_run=True)
    assert report.ok and report.dry_run and report.written == 0
    bad = csv_bytes([SCHOOL_HEADERS, ["10730", "兰州大学", "99"]], "utf-8")
    report = await import_file(client.hub, NATIONAL_OFFICE, "schools", bad, "s.csv", dry_run=True)
    assert where(report) == [(2, "所在省份代码", "NOT_FOUND")]
    assert await count(client, "schools") == 0
    assert await count(client, "audit_entries") == 0


async def test_imports_are_authorized_as_the_mutations_are(client: Client) -> None:
    data = csv_bytes([SCHOOL_HEADERS, ["10730", "兰州大学", "62"]], "utf-8")
    report = await import_file(client.hub, office("provincial", "62"), "schools", data, "s.csv")
    assert where(report) == [(None, None, "FORBIDDEN")]
    assert await count(client, "schools") == 0


async def _service_unit(client: Client, county: str, name: str) -> None:
    async with client.hub.write_sessionmaker() as session, session.begin():
        session.add(m.ServiceUnit(county_code=county, name=name, level="TOWNSHIP"))


async def test_posts_import_for_the_county_office(client: Client) -> None:
    await seed_reference(client.hub)
    await _service_unit(client, "621121", "鸡川镇中心小学")
    data = xlsx(
        [
            POST_HEADERS,
            [YEAR, "621121", "鸡川镇中心小学", "语文教师", "乡村教育", 2],
            [YEAR, "621121", "鸡川镇中心小学", "团委干事", "基层青年工作", "1"],
        ]
    )
    report = await import_file(client.hub, office("county", "621121"), "posts", data, "岗位.xlsx")
    assert report.ok, report.problems
    rows = await client.sql("SELECT title, category, headcount, status FROM posts ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("语文教师", "RURAL_EDUCATION", 2, "DECLARED"),
        ("团委干事", "YOUTH_WORK", 1, "DECLARED"),
    ]
    bad_rows = [
        ["2099-2100", "621121", "鸡川镇中心小学", "语文教师", "乡村教育", 2],
        [YEAR, "621121", "鸡川镇中心小学", "", "乡村教育", 0],
        [YEAR, "621121", "没有的单位", "数学", "乡村教育", 1],
        [YEAR, "621121", "鸡川镇中心小学", "数学", "乡村教育", "两"],
    ]
    bad = xlsx([POST_HEADERS, *bad_rows])
    report = await import_file(client.hub, office("county", "621121"), "posts", bad, "岗位.xlsx")
    assert where(report) == [
        (2, "项目年度", "NOT_FOUND"),
        (3, "岗位名称", "INVALID_INPUT"),
        (4, "服务单位", "NOT_FOUND"),
        (5, "需求人数", "INVALID_INPUT"),
    ]
    fixed = [POST_HEADERS, bad_rows[0], [YEAR, "621121", "鸡川镇中心小学", "语文教师", "乡村教育", 0]]
    report = await import_file(client.hub, office("county", "621121"), "posts", xlsx(fixed), "岗位.xlsx")
    # the rules of declarePost, at the file's lines
    assert where(report) == [(2, "项目年度", "NOT_FOUND"), (3, "需求人数", "INVALID_INPUT")]
    other = await import_file(client.hub, office("county", "620321"), "posts", data, "岗位.xlsx")
    assert where(other) == [(None, None, "FORBIDDEN")]
    assert await count(client, "posts") == 2


async def test_volunteers_import_for_the_school_office(client: Client) -> None:
    await seed_reference(client.hub)
    rows = [
        VOLUNTEER_HEADERS,
        ["lzu-1", "王芳", id_number(1), "13900000001", "10730", "本科", "否"],
        ["lzu-2", "李强", id_number(2), "13900000002", "10730", "硕士研究生", "是"],
    ]
    report = await import_file(client.hub, office("school", "10730"), "volunteers", xlsx(rows), "名单.xlsx")
    assert report.ok, report.problems
    saved = await client.sql("SELECT subject, name, degree, has_work_experience FROM volunteers ORDER BY id")
    assert [tuple(r) for r in saved] == [("lzu-1", "王芳", "BACHELOR", False), ("lzu-2", "李强", "MASTER", True)]
    bad = [
        VOLUNTEER_HEADERS,
        ["lzu-3", "赵敏", id_number(3)[:-1] + "X", "13900000003", "10730", "本科", "否"],
        ["lzu-4", "钱多", id_number(4), "1390000", "10730", "本科", "否"],
        ["lzu-1", "孙悟", id_number(1), "13900000005", "10730", "本科", "否"],
    ]
    report = await import_file(client.hub, office("school", "10730"), "volunteers", xlsx(bad), "名单.xlsx")
    assert sorted(where(report), key=str) == sorted(
        [
            (2, "身份证号码", "INVALID_INPUT"),
            (3, "手机号码", "INVALID_INPUT"),
            (4, "登录账号", "DUPLICATE"),
            (4, "身份证号码", "DUPLICATE"),
        ],
        key=str,
    )
    other_school = [VOLUNTEER_HEADERS, ["pku-1", "周一", id_number(9), "13900000009", "10001", "本科", "否"]]
    report = await import_file(client.hub, office("school", "10730"), "volunteers", xlsx(other_school), "x.xlsx")
    assert where(report) == [(None, None, "FORBIDDEN")]
    assert await count(client, "volunteers") == 2


async def test_a_file_larger_than_one_batch_is_written_in_one_transaction_or_not_at_all(
    client: Client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from hub.exchange import imports

    monkeypatch.setattr(imports, "CHUNK", 2)  # five rows: three chunks
    rows = [[f"62{n:04d}", f"县{n}", "脱贫县", "否"] for n in range(1, 6)]
    bad = [COUNTY_HEADERS, *rows[:4], ["99" + "0005", "县5", "脱贫县", "否"]]
    report = await import_file(client.hub, NATIONAL_OFFICE, "counties", xlsx(bad), "县.xlsx")
    assert where(report) == [(6, "县级行政区划代码", "NOT_FOUND")]  # the third chunk's problem
    assert await count(client, "counties") == 0  # the first two chunks were rolled back with the third
    repeated = [COUNTY_HEADERS, *rows[:4], rows[0]]
    report = await import_file(client.hub, NATIONAL_OFFICE, "counties", xlsx(repeated), "县.xlsx")
    assert where(report) == [(6, "县级行政区划代码", "DUPLICATE")]
    assert "第 2 行" in report.problems[0].message
    steps: list[tuple[str, int]] = []
    report = await import_file(
        client.hub,
        NATIONAL_OFFICE,
        "counties",
        xlsx([COUNTY_HEADERS, *rows]),
        "县.xlsx",
        progress=lambda phase, done, total: steps.append((phase, done)) if phase != "read" else None,
    )
    assert report.ok and report.written == 5
    assert steps == [("checked", 2), ("checked", 4), ("checked", 5), ("written", 5)]
    assert await count(client, "counties") == 5
    assert await count(client, "audit_entries") == 3  # one upsertCounties a chunk
