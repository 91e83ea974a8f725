"""R13 special projects and R14 post structure: exact ratios, inclusive boundaries, messages with figures."""

from __future__ import annotations

from fractions import Fraction

import pytest

from hub.enums import PostCategory, SpecialProject
from hub.i18n import speaking
from hub.rules.structure import PostLine, in_transition, post_structure, special_project

EDU = PostCategory.RURAL_EDUCATION
BUILD = PostCategory.RURAL_CONSTRUCTION
YOUTH = PostCategory.YOUTH_WORK


@pytest.fixture(autouse=True)
def english() -> object:
    """The rules' messages as written in the code (the catalogue's Chinese is tested with the app)."""
    with speaking("en"):
        yield


def province(township: int, county_level: int, education: int, youth: int) -> list[PostLine]:
    """A province of `township + county_level` headcount: `education` and `youth` posts at township
    level, the rest RURAL_CONSTRUCTION; needs education + youth <= township."""
    rest = township - education - youth
    assert rest >= 0
    lines = [
        PostLine(education, EDU, True),
        PostLine(youth, YOUTH, True),
        PostLine(rest, BUILD, True),
        PostLine(county_level, BUILD, False),
    ]
    return [line for line in lines if line.headcount]


@pytest.mark.parametrize(
    "county, category, project",
    [
        ("650102", EDU, SpecialProject.SERVE_XINJIANG),
        ("653101", YOUTH, SpecialProject.SERVE_XINJIANG),
        ("660101", BUILD, SpecialProject.SERVE_XINJIANG),
        ("540102", PostCategory.RURAL_HEALTH, SpecialProject.SERVE_TIBET),
        ("620321", EDU, SpecialProject.RURAL_EDUCATION),
        ("520102", PostCategory.RURAL_GOVERNANCE, SpecialProject.RURAL_GOVERNANCE),
        ("450102", YOUTH, SpecialProject.YOUTH_WORK),
    ],
)
def test_special_project(county: str, category: PostCategory, project: SpecialProject) -> None:
    assert special_project(county, category) is project


def test_every_category_outside_xinjiang_and_tibet_has_its_own_project() -> None:
    assert {special_project("620321", c).value for c in PostCategory} == {c.value for c in PostCategory}


def test_exact_boundaries_comply() -> None:
    report = post_structure(province(township=90, county_level=10, education=25, youth=10))
    assert report.total_headcount == 100
    assert report.township_share == Fraction(9, 10)
    assert report.education_share == Fraction(1, 4)
    assert report.youth_work_share == Fraction(1, 10)
    assert report.violations == () and report.compliant


def test_township_just_below_90_percent() -> None:
    report = post_structure(province(township=899, county_level=101, education=250, youth=100))
    assert report.township_share == Fraction(899, 1000)
    assert report.violations == ("township-and-below share 89.90% is below 90%",)
    assert not report.compliant


def test_township_message_example() -> None:
    report = post_structure(province(township=177, county_level=23, education=50, youth=20))
    assert report.violations == ("township-and-below share 88.50% is below 90%",)


def test_a_figure_a_hair_off_the_limit_never_reads_as_the_limit() -> None:
    # 89999/100000 would round to 90.00%; the message truncates towards the missed limit.
    report = post_structure(province(township=89_999, county_level=10_001, education=25_000, youth=10_000))
    assert report.violations == ("township-and-below share 89.99% is below 90%",)
    report = post_structure(province(township=100_000, county_level=0, education=25_000, youth=10_001))
    assert report.violations == ("YOUTH_WORK share 10.01% is above 10%",)


def test_education_just_below_25_percent() -> None:
    report = post_structure(province(township=1000, county_level=0, education=249, youth=0))
    assert report.violations == ("RURAL_EDUCATION share 24.90% is below 25%",)


def test_youth_work_just_above_10_percent() -> None:
    report = post_structure(province(township=1000, county_level=0, education=250, youth=101))
    assert report.violations == ("YOUTH_WORK share 10.10% is above 10%",)


def test_every_violation_is_reported() -> None:
    report = post_structure(province(township=80, county_level=20, education=20, youth=15))
    assert report.violations == (
        "township-and-below share 80.00% is below 90%",
        "RURAL_EDUCATION share 20.00% is below 25%",
        "YOUTH_WORK share 15.00% is above 10%",
    )


def test_zero_headcount_has_zero_shares_and_no_violation() -> None:
    for lines in ([], [PostLine(0, EDU, False)]):
        report = post_structure(lines, {"620321": []})
        assert report.total_headcount == 0
        assert report.township_share == report.education_share == report.youth_work_share == 0
        assert report.compliant


def test_lines_may_be_a_generator() -> None:
    report = post_structure(line for line in province(township=90, county_level=10, education=25, youth=10))
    assert report.total_headcount == 100 and report.compliant


def test_negative_headcount_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        post_structure([PostLine(-1, EDU, True)])


def test_new_service_county_at_95_percent_complies() -> None:
    county = [PostLine(95, EDU, True), PostLine(5, BUILD, False)]
    report = post_structure(county + province(900, 95, 250, 0), {"620321": county})
    assert report.compliant


def test_new_service_county_just_below_95_percent() -> None:
    county = [PostLine(94, EDU, True), PostLine(6, BUILD, False)]
    report = post_structure(province(900, 100, 250, 0), {"620321": county})
    assert report.violations == ("new service county 620321: township-and-below share 94.00% is below 95%",)


def test_new_service_counties_are_reported_in_code_order() -> None:
    bad = [PostLine(949, EDU, True), PostLine(51, BUILD, False)]
    good = [PostLine(20, EDU, True)]
    report = post_structure(
        province(900, 100, 250, 0), {"620522": bad, "620321": iter(bad), "620102": good, "620900": []}
    )
    assert report.violations == (
        "new service county 620321: township-and-below share 94.90% is below 95%",
        "new service county 620522: township-and-below share 94.90% is below 95%",
    )


@pytest.mark.parametrize(
    "year, expected",
    [
        ("2020-2021", True),
        ("2021-2022", True),
        ("2022-2023", True),
        ("2023-2024", False),
        ("2030-2031", False),
    ],
)
def test_two_year_transition_from_the_plan_year(year: str, expected: bool) -> None:
    assert in_transition("2021-2022", year) is expected


def test_transition_length_is_configurable() -> None:
    assert in_transition("2021-2022", "2023-2024", transition_years=3)
    assert not in_transition("2021-2022", "2021-2022", transition_years=0)


def test_transition_rejects_bad_year_codes() -> None:
    with pytest.raises(ValueError):
        in_transition("2021", "2022-2023")
