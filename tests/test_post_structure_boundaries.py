"""R14 at its exact boundaries, read through postStructure and enforced by approvePosts, and R13's special
projects. Shares are taken on the headcount of the year's posts of the province that are not REJECTED:
township-and-below ≥ 90%, RURAL_EDUCATION ≥ 25%, YOUTH_WORK ≤ 10%, and ≥ 95% township-and-below in a
county's first service year. Exactly on a limit complies; a violation names the ratio and the figure.
During the two-year transition from the plan's year (2021-2022: years 2021-2022 and 2022-2023) a ratio
violation is a warning on the report, not a refusal — the new-county rule still refuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hub import models as m
from hub.ids import to_global_id
from tests.conftest import Client
from tests.permission_tables import PLACEMENT_TABLES, snapshot
from tests.placement import APPROVE_POSTS, DECLARE_POST, NATIONAL, YEAR, county_actor
from tests.season import must, payload
from tests.seed import seed_reference

STRUCTURE = """query($year: String!, $province: String!) { postStructure(year: $year, provinceCode: $province) {
  year province { code } totalHeadcount townshipShare educationShare youthWorkShare compliant violations } }"""
POSTS = """query($year: String!) { posts(year: $year, first: 100) { edges { node {
  county { code } category specialProject townshipOrBelow status } } } }"""

Line = tuple[str, str, int]  # unit level, category, headcount


async def add_posts(
    client: Client, county: str, lines: list[Line], status: str = "PROVINCE_CONFIRMED", year: str = YEAR
) -> list[str]:
    """One unit and one post per line in `county`, written straight to the database; the posts' global ids."""
    ids = []
    async with client.hub.write_sessionmaker() as session, session.begin():
        for level, category, headcount in lines:
            unit = m.ServiceUnit(county_code=county, name=f"{county}-{year}-{len(ids)}-{status}-{level}", level=level)
            session.add(unit)
            await session.flush()
            post = m.Post(
                year=year,
                unit_id=unit.id,
                county_code=county,
                title=f"{category}-{headcount}",
                category=category,
                headcount=headcount,
                status=status,
            )
            session.add(post)
            await session.flush()
            ids.append(to_global_id("Post", post.id))
    return ids


async def structure(client: Client, year: str = YEAR, province: str = "62") -> dict[str, Any]:
    return (await client.ok(STRUCTURE, {"year": year, "province": province}, **NATIONAL))["postStructure"]


async def approve(client: Client, post_ids: list[str]) -> dict[str, Any]:
    """approvePosts for the batch; a refusal must write nothing."""
    before = await snapshot(client, PLACEMENT_TABLES)
    result = payload(
        await client.ok(APPROVE_POSTS, {"input": {"postIds": post_ids, "decision": "APPROVE"}}, **NATIONAL)
    )
    if result["userErrors"]:
        assert result["posts"] == [], result
        assert await snapshot(client, PLACEMENT_TABLES) == before, "a refused approval wrote something"
    else:
        assert [p["status"] for p in result["posts"]] == ["APPROVED"] * len(post_ids), result
    return result


def named(violation: str, ratio: str, figure: str) -> bool:
    """Whether a violation names its ratio (by its Chinese label, the default language, or its name) and the
    figure (e.g. "89.9" also matches "89.90%")."""
    label = {"township": "乡镇及以下", "rural_education": "乡村教育", "youth_work": "基层青年工作"}[ratio.lower()]
    return (ratio.lower() in violation.lower() or label in violation) and figure in violation


@dataclass(frozen=True)
class Boundary:
    name: str
    lines: list[Line]
    shares: tuple[float, float, float]  # township, education, youth work
    violations: list[tuple[str, str]]  # (ratio, figure) of each violation, in any order


T, V, C = "TOWNSHIP", "VILLAGE", "COUNTY"
EDU, BUILD, HEALTH, YOUTH, GOV = (
    "RURAL_EDUCATION",
    "RURAL_CONSTRUCTION",
    "RURAL_HEALTH",
    "YOUTH_WORK",
    "RURAL_GOVERNANCE",
)

BOUNDARIES = [
    Boundary("township exactly 90%", [(T, EDU, 500), (V, BUILD, 400), (C, GOV, 100)], (0.9, 0.5, 0.0), []),
    Boundary("township 899/1000", [(V, EDU, 899), (C, BUILD, 101)], (0.899, 0.899, 0.0), [("township", "89.9")]),
    Boundary("township 17/19", [(T, EDU, 17), (C, GOV, 2)], (17 / 19, 17 / 19, 0.0), [("township", "89.47")]),
    Boundary("education exactly 25%", [(T, EDU, 250), (T, BUILD, 750)], (1.0, 0.25, 0.0), []),
    Boundary("education 249/1000", [(T, EDU, 249), (V, HEALTH, 751)], (1.0, 0.249, 0.0), [("RURAL_EDUCATION", "24.9")]),
    Boundary(
        "education 1/5 of a small province", [(T, EDU, 1), (T, BUILD, 4)], (1.0, 0.2, 0.0), [("RURAL_EDUCATION", "20")]
    ),
    Boundary("youth work exactly 10%", [(T, EDU, 900), (V, YOUTH, 100)], (1.0, 0.9, 0.1), []),
    Boundary("youth work 101/1000", [(T, EDU, 899), (V, YOUTH, 101)], (1.0, 0.899, 0.101), [("YOUTH_WORK", "10.1")]),
    Boundary(
        "all three at once",
        [(T, YOUTH, 3), (T, BUILD, 14), (C, EDU, 3)],
        (0.85, 0.15, 0.15),
        [("township", "85"), ("RURAL_EDUCATION", "15"), ("YOUTH_WORK", "15")],
    ),
]


@pytest.mark.parametrize("case", BOUNDARIES, ids=lambda b: b.name)
async def test_the_province_ratios_at_their_boundaries(client: Client, case: Boundary) -> None:
    await seed_reference(client.hub)
    half = len(case.lines) // 2  # the posts are spread over two counties of the province
    post_ids = await add_posts(client, "620321", case.lines[:half]) + await add_posts(
        client, "621121", case.lines[half:]
    )
    read = await structure(client)
    assert read["year"] == YEAR and read["province"] == {"code": "62"}
    assert read["totalHeadcount"] == sum(h for _l, _c, h in case.lines)
    assert (read["townshipShare"], read["educationShare"], read["youthWorkShare"]) == pytest.approx(case.shares)
    assert read["compliant"] is (not case.violations), read
    assert len(read["violations"]) == len(case.violations), read["violations"]
    for ratio, figure in case.violations:
        assert any(named(v, ratio, figure) for v in read["violations"]), (ratio, figure, read["violations"])

    result = await approve(client, post_ids)
    errors = result["userErrors"]
    if not case.violations:
        assert errors == []
        assert (await structure(client))["compliant"] is True
        return
    assert {e["code"] for e in errors} == {"STRUCTURE_VIOLATION"}, errors
    assert {tuple(e["field"] or ()) for e in errors} == {("input", "postIds")}, errors
    for ratio, figure in case.violations:
        assert any(named(e["message"], ratio, figure) for e in errors), (ratio, figure, errors)


NEW_COUNTY = [
    # (name, first service year of 621121, its lines, violates)
    ("first year exactly 95%", YEAR, [(T, EDU, 60), (V, BUILD, 35), (C, GOV, 5)], False),
    ("first year 949/1000", YEAR, [(T, EDU, 600), (V, BUILD, 349), (C, GOV, 51)], True),
    ("first year 18/19", YEAR, [(T, EDU, 18), (C, GOV, 1)], True),
    ("second year 949/1000", "2026-2027", [(T, EDU, 600), (V, BUILD, 349), (C, GOV, 51)], False),
]


@pytest.mark.parametrize("name, first_year, lines, violates", NEW_COUNTY, ids=[c[0] for c in NEW_COUNTY])
async def test_a_new_service_county_in_its_first_year(
    client: Client, name: str, first_year: str, lines: list[Line], violates: bool
) -> None:
    await seed_reference(client.hub)
    await client.sql("UPDATE counties SET first_service_year = :year WHERE code = '621121'", year=first_year)
    post_ids = await add_posts(client, "621121", lines)
    # an established county of the province at 90% needs no 95%
    post_ids += await add_posts(client, "620321", [(T, EDU, 9), (C, EDU, 1)])
    read = await structure(client)
    assert read["townshipShare"] >= 0.9  # the province as a whole complies
    assert read["compliant"] is not violates, read
    result = await approve(client, post_ids)
    if not violates:
        assert read["violations"] == [] and result["userErrors"] == []
        return
    figure = "94.9" if lines[0][2] == 600 else "94.73"
    [violation] = read["violations"]
    assert "621121" in violation and named(violation, "township", figure) and "95%" in violation, violation
    [error] = result["userErrors"]
    assert error["code"] == "STRUCTURE_VIOLATION" and error["field"] == ["input", "postIds"], error
    assert "621121" in error["message"] and named(error["message"], "township", figure), error


TRANSITION = [
    # (year, whether it is in the two-year transition from the plan year 2021-2022)
    ("2021-2022", True),
    ("2022-2023", True),
    ("2023-2024", False),
]


@pytest.mark.parametrize("year, in_transition", TRANSITION, ids=[t[0] for t in TRANSITION])
async def test_ratio_violations_are_warnings_during_the_transition_only(
    client: Client, year: str, in_transition: bool
) -> None:
    await seed_reference(client.hub)
    await client.sql("INSERT INTO program_years (code) VALUES (:year)", year=year)
    post_ids = await add_posts(client, "620321", [(V, EDU, 899), (C, BUILD, 101)], year=year)
    read = await structure(client, year)
    [violation] = read["violations"]
    assert named(violation, "township", "89.9"), violation
    assert ("过渡期" in violation) is in_transition, violation  # "warning (two-year transition …)" in English
    result = await approve(client, post_ids)
    if in_transition:
        assert result["userErrors"] == []
        [still] = (await structure(client, year))["violations"]
        assert "过渡期" in still and named(still, "township", "89.9"), still
    else:
        [error] = result["userErrors"]
        assert error["code"] == "STRUCTURE_VIOLATION" and named(error["message"], "township", "89.9"), error


@pytest.mark.parametrize("year", ["2021-2022", "2022-2023"])
async def test_the_new_county_rule_refuses_during_the_transition(client: Client, year: str) -> None:
    await seed_reference(client.hub)
    await client.sql("INSERT INTO program_years (code) VALUES (:year)", year=year)
    await client.sql("UPDATE counties SET first_service_year = :year WHERE code = '621121'", year=year)
    post_ids = await add_posts(client, "621121", [(T, EDU, 600), (V, BUILD, 349), (C, GOV, 51)], year=year)
    read = await structure(client, year)
    assert read["compliant"] is False
    [violation] = read["violations"]
    assert "621121" in violation and named(violation, "township", "94.9"), violation
    [error] = (await approve(client, post_ids))["userErrors"]
    assert error["code"] == "STRUCTURE_VIOLATION" and "621121" in error["message"], error
    assert named(error["message"], "township", "94.9"), error


async def test_rejected_posts_are_not_counted(client: Client) -> None:
    await seed_reference(client.hub)
    await add_posts(client, "620321", [(T, EDU, 30), (V, BUILD, 60)], status="APPROVED")
    await add_posts(client, "620321", [(C, YOUTH, 500)], status="REJECTED")
    read = await structure(client)
    assert read["totalHeadcount"] == 90 and read["compliant"] is True, read
    assert (read["townshipShare"], read["educationShare"], read["youthWorkShare"]) == pytest.approx((1.0, 1 / 3, 0.0))

    # declared and confirmed posts count (they are not rejected); other provinces and years do not
    await add_posts(client, "621121", [(C, BUILD, 10)], status="DECLARED")
    await add_posts(client, "530629", [(C, YOUTH, 100)], status="APPROVED")
    await client.sql("INSERT INTO program_years (code) VALUES ('2028-2029')")
    await add_posts(client, "620321", [(C, YOUTH, 100)], status="APPROVED", year="2028-2029")
    read = await structure(client)
    assert read["totalHeadcount"] == 100 and read["townshipShare"] == pytest.approx(0.9), read
    assert read["compliant"] is True, read

    # one more county-level post tips the province under 90%; rejecting it restores compliance
    [tipping] = await add_posts(client, "621121", [(C, GOV, 1)])
    [keeper] = await add_posts(client, "621121", [(T, EDU, 1)])
    [error] = (await approve(client, [tipping, keeper]))["userErrors"]
    assert error["code"] == "STRUCTURE_VIOLATION", error
    rejected = await must(
        client, APPROVE_POSTS, {"postIds": [tipping], "decision": "REJECT", "reason": "县直单位岗位过多"}, NATIONAL
    )
    assert rejected["posts"][0]["status"] == "REJECTED"
    assert (await approve(client, [keeper]))["userErrors"] == []
    read = await structure(client)
    assert read["totalHeadcount"] == 101 and read["compliant"] is True, read
    assert read["townshipShare"] == pytest.approx(91 / 101)


SPECIAL_COUNTIES = [("653101", "喀什市"), ("660101", "兵团一师"), ("540102", "城关区"), ("450102", "兴宁区")]


async def test_the_special_project_of_a_post(client: Client) -> None:
    """R13: Xinjiang (65) and the XPCC (66) serve Xinjiang, Tibet (54) serves Tibet; elsewhere the category's."""
    await seed_reference(client.hub)
    for code, name in SPECIAL_COUNTIES:
        await client.sql(
            "INSERT INTO counties (code, name, province_code, key_assistance, remote, status) "
            "VALUES (:code, :name, :province, 'NATIONAL_KEY', true, 'ACTIVE')",
            code=code,
            name=name,
            province=code[:2],
        )
    categories = [EDU, BUILD, HEALTH, YOUTH, GOV]
    for code in ("653101", "660101", "540102", "450102", "620321"):
        await add_posts(client, code, [(T, category, 1) for category in categories], status="APPROVED")
    edges = (await client.ok(POSTS, {"year": YEAR}, **NATIONAL))["posts"]["edges"]
    projects = {(e["node"]["county"]["code"], e["node"]["category"]): e["node"]["specialProject"] for e in edges}
    assert len(projects) == 25
    for category in categories:
        assert projects[("653101", category)] == "SERVE_XINJIANG"
        assert projects[("660101", category)] == "SERVE_XINJIANG"
        assert projects[("540102", category)] == "SERVE_TIBET"
        assert projects[("450102", category)] == category
        assert projects[("620321", category)] == category

    # the same, on the post as the county office declares it
    await client.sql("INSERT INTO service_units (county_code, name, level) VALUES ('653101', '乃则巴格镇', 'TOWNSHIP')")
    [(unit_id,)] = await client.sql("SELECT id FROM service_units WHERE name = '乃则巴格镇'")
    declared = await must(
        client,
        DECLARE_POST,
        {
            "year": YEAR,
            "unitId": to_global_id("ServiceUnit", unit_id),
            "title": "双语教学",
            "category": EDU,
            "headcount": 2,
        },
        county_actor("653101"),
    )
    assert declared["post"]["specialProject"] == "SERVE_XINJIANG" and declared["post"]["townshipOrBelow"] is True
