"""The .xlsx downloads: Chinese headers, dates as dates and money as two-decimal numbers, the token of
/graphql, and exactly what GraphQL shows the same office (read scopes and R2a masking)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hub.rules.idnumbers import mask_id_number
from tests.conftest import Client
from tests.exchange import download, workbook_of
from tests.in_service import FUNDING, SET_ALLOWANCE
from tests.seed import YEAR, id_number, seed_reference, seed_volunteers
from tests.test_in_service_permissions_table import NATIONAL, Placement, county_actor, place, provincial

LZU = {"level": "school", "code": "10730", "sub": "ops-lzu"}
PKU = {"level": "school", "code": "10001", "sub": "ops-pku"}
ROSTER = f"/exports/applications.xlsx?year={YEAR}&school=10730"


def rows(sheet) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


async def test_a_school_roster_shows_phones_to_the_school_and_masks_identity_numbers(client: Client) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 3, "10730")
    await seed_volunteers(client.hub, 1, "10001", start=10)
    sheet = workbook_of(await download(client, ROSTER, **LZU))
    table = rows(sheet)
    assert table[0][:6] == ["姓名", "性别", "出生日期", "身份证号码", "手机号码", "学历"]
    assert [r[0] for r in table[1:]] == ["志愿者1", "志愿者2", "志愿者3"]
    first = table[1]
    assert first[1] == "男" and first[5] == "本科"
    assert first[2] == datetime(2004, 5, 6) and sheet["C2"].number_format == "yyyy-mm-dd"
    assert first[3] == mask_id_number(id_number(1))  # R2a: the school sees the number masked
    assert first[4] == "13900000001"  # and the phone in full
    assert first[6:13] == [
        "甘肃省",
        "云南省",
        "新疆维吾尔自治区",
        "否",
        first[10],
        None,
        "已报名",  # SUBMITTED, by its label
    ]  # not signed off yet
    assert isinstance(first[10], datetime)


async def test_the_recruiting_province_reads_identity_numbers_in_full(client: Client) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 2, "10730")
    table = rows(workbook_of(await download(client, ROSTER, **provincial("62"))))
    assert [r[3] for r in table[1:]] == [id_number(1), id_number(2)]
    national = rows(workbook_of(await download(client, ROSTER, **NATIONAL)))
    assert [(r[3], r[4]) for r in national[1:]] == [(mask_id_number(id_number(n)), None) for n in (1, 2)]


async def test_other_offices_get_no_rows_they_may_not_read(client: Client) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 2, "10730")
    assert len(rows(workbook_of(await download(client, ROSTER, **PKU)))) == 1  # the header only
    assert len(rows(workbook_of(await download(client, ROSTER, **provincial("11"))))) == 1
    assert len(rows(workbook_of(await download(client, ROSTER, **county_actor("621121"))))) == 1


async def test_downloads_need_a_valid_token_and_their_parameters(client: Client) -> None:
    response = await download(client, ROSTER)
    assert (response.status_code, response.json()["code"]) == (401, "UNAUTHENTICATED")
    bad = await client.http.get(ROSTER, headers={"authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    missing = await download(client, f"/exports/applications.xlsx?year={YEAR}", **LZU)
    assert (missing.status_code, missing.json()["code"]) == (400, "BAD_USER_INPUT")
    unknown = await download(client, "/exports/nothing.xlsx", **LZU)
    assert unknown.status_code == 404


async def test_the_in_post_roster_follows_the_county_office_s_entitlement(client: Client) -> None:
    await seed_reference(client.hub)
    await place(client.hub, [Placement("621121"), Placement("621121"), Placement("620321")])
    path = f"/exports/in-post.xlsx?year={YEAR}&county=621121"
    sheet = workbook_of(await download(client, path, **county_actor("621121")))
    table = rows(sheet)
    assert table[0][:6] == ["县级行政区划代码", "服务县", "姓名", "性别", "身份证号码", "手机号码"]
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in table[1:]] == [
        ("621121", "通渭县", "在岗1", id_number(1), "13600000001"),
        ("621121", "通渭县", "在岗2", id_number(2), "13600000002"),
    ]
    assert table[1][9] == "乡村教育" and table[1][10] == 1
    assert isinstance(table[1][11], datetime) and sheet["L2"].number_format == "yyyy-mm-dd"
    other = rows(workbook_of(await download(client, path, **county_actor("620321"))))
    assert len(other) == 1
    province = rows(workbook_of(await download(client, f"/exports/in-post.xlsx?year={YEAR}&province=62", **NATIONAL)))
    assert [(r[2], r[4], r[5]) for r in province[1:]] == [
        (f"在岗{n}", mask_id_number(id_number(n)), None) for n in (1, 2, 3)
    ]
    both = await download(client, f"/exports/in-post.xlsx?year={YEAR}&province=62&county=621121", **NATIONAL)
    assert both.status_code == 400


async def test_the_funding_report_has_the_graphql_figures_as_two_decimal_numbers(client: Client) -> None:
    await seed_reference(client.hub)
    await place(client.hub, [Placement("621121"), Placement("620321")])
    allowance = {"year": YEAR, "provinceCode": "62", "monthlyAllowance": "2000.00", "hardshipAllowance": "333.33"}
    data = await client.ok(SET_ALLOWANCE, {"input": allowance}, **provincial("62"))
    assert not data["setAllowanceStandard"]["userErrors"]
    expected = (await client.ok(FUNDING, {"year": YEAR, "province": "62"}, **provincial("62")))["fundingReport"]
    path = f"/exports/funding.xlsx?year={YEAR}&province=62"
    sheet = workbook_of(await download(client, path, **provincial("62")))
    table = rows(sheet)
    assert table[0] == [
        "省份代码",
        "省份",
        "在岗人数",
        "服务人月",
        "中央财政补助（元）",
        "地方生活补贴（元）",
        "合计（元）",
        "未参保人数",
    ]
    (row,) = table[1:]
    report = expected[0]
    assert row[0] == "62" and row[2] == report["inPost"] == 2
    assert Decimal(str(row[4])) == Decimal(report["centralSubsidy"])
    assert Decimal(str(row[5])) == Decimal(report["localAllowance"])
    assert sheet["E2"].number_format == "#,##0.00" and isinstance(row[4], float | int)
    refused = await download(client, path, **county_actor("621121"))
    graphql = await client.gql(FUNDING, {"year": YEAR, "province": "62"}, **county_actor("621121"))
    assert refused.json()["code"] == graphql["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused.status_code == 403
    yunnan = (await client.ok(FUNDING, {"year": YEAR, "province": "62"}, **provincial("53")))["fundingReport"]
    assert len(rows(workbook_of(await download(client, path, **provincial("53"))))) == 1 + len(yunnan)


async def test_the_post_structure_report(client: Client) -> None:
    await seed_reference(client.hub)
    await place(client.hub, [Placement("621121"), Placement("621121")])
    sheet = workbook_of(await download(client, f"/exports/post-structure.xlsx?year={YEAR}", **NATIONAL))
    table = rows(sheet)
    assert table[0][:4] == ["省份代码", "省份", "岗位人数", "乡镇及以下占比"]
    assert [(r[0], r[2], r[3]) for r in table[1:]] == [("62", 2, 1.0)]
    assert sheet["D2"].number_format == "0.00%"
    own = rows(workbook_of(await download(client, f"/exports/post-structure.xlsx?year={YEAR}", **provincial("62"))))
    assert [(r[0], r[2]) for r in own[1:]] == [("62", 2)]


STRUCTURE = """query($year: String!, $province: String!) { postStructure(year: $year, provinceCode: $province) {
  totalHeadcount } }"""
POSTS = """query($year: String!) { posts(year: $year) { totalCount } }"""


async def test_the_reports_show_each_office_what_their_queries_show_it(client: Client) -> None:
    """Post structure and posts are read by every office (their queries refuse nobody); the export
    follows the query, whatever it decides, and every export needs a token."""
    await seed_reference(client.hub)
    await place(client.hub, [Placement("621121"), Placement("530629")])
    for actor in (county_actor("621121"), LZU, provincial("53")):
        response = await download(client, f"/exports/post-structure.xlsx?year={YEAR}&province=62", **actor)
        graphql = await client.gql(STRUCTURE, {"year": YEAR, "province": "62"}, **actor)
        if graphql.get("errors"):
            assert response.json()["code"] == graphql["errors"][0]["extensions"]["code"], actor
        else:
            table = rows(workbook_of(response))
            assert table[1][2] == graphql["data"]["postStructure"]["totalHeadcount"], actor
    for actor in (county_actor("621121"), county_actor("530629"), provincial("53"), LZU):
        response = await download(client, f"/exports/posts.xlsx?year={YEAR}", **actor)
        graphql = await client.gql(POSTS, {"year": YEAR}, **actor)
        if graphql.get("errors"):
            assert response.json()["code"] == graphql["errors"][0]["extensions"]["code"], actor
        else:
            assert len(rows(workbook_of(response))) == 1 + graphql["data"]["posts"]["totalCount"], actor
    for name in ("counties", "schools", "posts", "applications", "in-post", "post-structure", "funding"):
        response = await client.http.get(f"/exports/{name}.xlsx?year={YEAR}")
        assert response.status_code == 401, name
