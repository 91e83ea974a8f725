"""R13, R14: special projects (专项) of posts, and the post structure (岗位结构) of a province.

The structure is computed on headcount with exact `fractions.Fraction` ratios, so a boundary such as
exactly 90% is never lost to floating point. The caller passes the headcount of the year's posts that
are not `REJECTED`; this module knows no statuses, no database and no GraphQL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from hub.enums import PostCategory, SpecialProject
from hub.i18n import N_, _
from hub.rules.years import parse_year

# R14: the plan's ratios, as exact fractions.
TOWNSHIP_MIN = Fraction(9, 10)
RURAL_EDUCATION_MIN = Fraction(1, 4)
YOUTH_WORK_MAX = Fraction(1, 10)
NEW_COUNTY_TOWNSHIP_MIN = Fraction(95, 100)
TRANSITION_YEARS = 2


@dataclass(frozen=True)
class Ratio:
    """One ratio of R14 as a report names it: its name (a msgid, with `{county}` for a county's ratio), its
    limit and the side of it that complies (`at_least`: the share must not fall below the limit)."""

    name: str
    limit: Fraction
    at_least: bool

    def violated(self, share: Fraction) -> bool:
        return share < self.limit if self.at_least else share > self.limit

    def violation(self, share: Fraction, county: str = "") -> str:
        """The violation a report shows for `share`."""
        return self.message(_percent(share, math.floor if self.at_least else math.ceil), county)

    def message(self, share: str, county: str = "") -> str:
        """The violation's text with the share already written (the read planner writes it in SQL)."""
        ratio = _(self.name, county=county)
        if self.at_least:
            return _("{ratio} {share} is below {limit}", ratio=ratio, share=share, limit=_limit(self.limit))
        return _("{ratio} {share} is above {limit}", ratio=ratio, share=share, limit=_limit(self.limit))


TOWNSHIP = Ratio(N_("township-and-below share"), TOWNSHIP_MIN, at_least=True)
RURAL_EDUCATION = Ratio(N_("RURAL_EDUCATION share"), RURAL_EDUCATION_MIN, at_least=True)
YOUTH_WORK = Ratio(N_("YOUTH_WORK share"), YOUTH_WORK_MAX, at_least=False)
NEW_COUNTY_TOWNSHIP = Ratio(
    N_("new service county {county}: township-and-below share"), NEW_COUNTY_TOWNSHIP_MIN, at_least=True
)

XINJIANG_PROVINCES = frozenset({"65", "66"})  # Xinjiang and the XPCC (新疆生产建设兵团)
TIBET_PROVINCE = "54"


def special_project(county_code: str, category: PostCategory) -> SpecialProject:
    """R13: the special project of a post. Assumption: Xinjiang (65) and XPCC (66) posts belong to
    SERVE_XINJIANG 服务新疆, Tibet (54) posts to SERVE_TIBET 服务西藏, others to their category's project."""
    province = county_code[:2]
    if province in XINJIANG_PROVINCES:
        return SpecialProject.SERVE_XINJIANG
    if province == TIBET_PROVINCE:
        return SpecialProject.SERVE_TIBET
    return SpecialProject(PostCategory(category).value)


@dataclass(frozen=True)
class PostLine:
    """The headcount of one post (or a group of posts) with what R14 needs to know about it."""

    headcount: int
    category: PostCategory
    township_or_below: bool


@dataclass(frozen=True)
class StructureReport:
    """R14: the ratios of a province's posts and every violation, each naming the ratio and the figure."""

    total_headcount: int
    township_share: Fraction
    education_share: Fraction
    youth_work_share: Fraction
    violations: tuple[str, ...]

    @property
    def compliant(self) -> bool:
        return not self.violations


def post_structure(
    lines: Iterable[PostLine],
    first_year_counties_lines: Mapping[str, Iterable[PostLine]] | None = None,
) -> StructureReport:
    """R14: township-and-below ≥ 90%, RURAL_EDUCATION ≥ 25%, YOUTH_WORK ≤ 10% of the headcount, and
    ≥ 95% township-and-below in each new service county (first year), keyed by county code.

    Boundaries are inclusive (exactly 90% complies). With no headcount every share is 0 and nothing
    is violated. A figure in a message is truncated towards the limit it misses (89.999% reads 89.99%,
    10.001% reads 10.01%), so a message never shows the limit itself as the failing figure.
    """
    lines = tuple(lines)
    total = _total(lines)
    township = _share(sum(line.headcount for line in lines if line.township_or_below), total)
    education = _share(_category_headcount(lines, PostCategory.RURAL_EDUCATION), total)
    youth_work = _share(_category_headcount(lines, PostCategory.YOUTH_WORK), total)

    violations: list[str] = []
    if total:
        for ratio, share in ((TOWNSHIP, township), (RURAL_EDUCATION, education), (YOUTH_WORK, youth_work)):
            if ratio.violated(share):
                violations.append(ratio.violation(share))
    for county_code in sorted(first_year_counties_lines or {}):
        county_lines = tuple((first_year_counties_lines or {})[county_code])
        county_total = _total(county_lines)
        if not county_total:
            continue
        county_township = _share(sum(line.headcount for line in county_lines if line.township_or_below), county_total)
        if NEW_COUNTY_TOWNSHIP.violated(county_township):
            violations.append(NEW_COUNTY_TOWNSHIP.violation(county_township, county_code))
    return StructureReport(
        total_headcount=total,
        township_share=township,
        education_share=education,
        youth_work_share=youth_work,
        violations=tuple(violations),
    )


def in_transition(plan_year: str, year: str, transition_years: int = TRANSITION_YEARS) -> bool:
    """R14: existing posts have a two-year transition from the plan's year, during which a structure
    violation is a warning, not a refusal (`2021-2022` plan: true for 2021-2022 and 2022-2023)."""
    return parse_year(year) < parse_year(plan_year) + transition_years


def _total(lines: tuple[PostLine, ...]) -> int:
    for line in lines:
        if line.headcount < 0:
            raise ValueError(f"a headcount cannot be negative, not {line.headcount}")
    return sum(line.headcount for line in lines)


def _category_headcount(lines: tuple[PostLine, ...], category: PostCategory) -> int:
    return sum(line.headcount for line in lines if line.category == category)


def _share(part: int, total: int) -> Fraction:
    return Fraction(part, total) if total else Fraction(0)


def _percent(share: Fraction, rounding: Callable[[Fraction], int]) -> str:
    """A share as a percentage with two decimals, rounded with `rounding` (floor or ceil)."""
    basis_points = rounding(share * 10000)
    return f"{basis_points // 100}.{basis_points % 100:02d}%"


def _limit(limit: Fraction) -> str:
    percent = limit * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return _percent(limit, round)
