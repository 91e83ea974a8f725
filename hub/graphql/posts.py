"""Posts (岗位) and the post structure report of R14 (hub/models/program.py's posts), each field declared once."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy import Text, case, cast, exists, func, literal, literal_column, select, union_all
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from hub import models as m
from hub import posts
from hub.dialects import EMPTY_LIST, json_list, ratio_number
from hub.enums import PostCategory, PostStatus, SpecialProject, UnitLevel
from hub.graphql import aggregates
from hub.graphql.context import Info
from hub.graphql.fields import (
    Node,
    built_by_parent,
    column,
    executor_only,
    one,
    planned,
    record,
    related,
    view,
    year_argument,
)
from hub.graphql.geography import County, Province, ServiceUnit
from hub.graphql.planner import BUILT_BY_PARENT, Details, Unplannable, Walk, named
from hub.ids import int_key
from hub.posts import held_places
from hub.reference import load_provinces
from hub.rules import structure
from hub.rules.structure import special_project

TOWNSHIP_OR_BELOW = (UnitLevel.TOWNSHIP.value, UnitLevel.VILLAGE.value)


def _filled(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return held_places(row.c.id)


def _township_or_below(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    unit = m.ServiceUnit.__table__.alias()
    condition = (unit.c.id == row.c.unit_id) & unit.c.level.in_(TOWNSHIP_OR_BELOW)
    return exists(select(unit.c.id).where(condition).correlate_except(unit))


@strawberry.federation.type(keys=["id"])
@record(m.Post)
class Post(Node):
    year: str = column()
    title: str = column()
    category: PostCategory = column()
    headcount: int = column()
    status: PostStatus = column()
    unit: ServiceUnit = one(m.ServiceUnit, "unit_id")
    county: County = one(m.County, "county_code")

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Post | None:
        """Federation: a Post entity by its global id, for any authenticated caller."""
        info.context.require_actor("Post")
        key = int_key(id, "Post")
        return None if key is None else view(m.Post, await info.context.loaders.one(m.Post).load(key))

    @executor_only("R14's special projects are a Python rule of the county and category (hub.rules.structure)")
    def special_project(self) -> SpecialProject:
        return special_project(self.row.county_code, PostCategory(self.row.category))

    @planned(_filled)
    async def filled(self, info: Info) -> int:
        """R26: places of a post taken by volunteers in service on it."""
        return await aggregates.filled(info, self.row.id)

    @planned(_township_or_below)
    async def township_or_below(self, info: Info) -> bool:
        unit = await info.context.loaders.one(m.ServiceUnit).load(self.row.unit_id)
        return unit.level in TOWNSHIP_OR_BELOW


@strawberry.type
class PostStructure:
    """R14's report of one province and year: built in Python by hub.graphql.reports, in SQL by the
    compiler of `Query.postStructure` (`post_structure_sql`)."""

    year: str = built_by_parent()
    province_code: strawberry.Private[str]
    total_headcount: int = built_by_parent()
    township_share: float = built_by_parent()
    education_share: float = built_by_parent()
    youth_work_share: float = built_by_parent()
    compliant: bool = built_by_parent()
    violations: list[str] = built_by_parent()

    @strawberry.field(metadata={BUILT_BY_PARENT: True})
    async def province(self, info: Info) -> Province:
        return view(m.Province, await info.context.loaders.one(m.Province).load(self.province_code))


# --- R14 in SQL: what counts comes from hub.posts.structure_lines, the ratios and their texts from
# hub.rules.structure; the comparisons and the percentages are spelled again below, and
# tests/test_post_structure_is_planned.py holds them to the executor's on both engines. -----------------

SHARES = {
    "townshipShare": (structure.TOWNSHIP, "township"),
    "educationShare": (structure.RURAL_EDUCATION, "education"),
    "youthWorkShare": (structure.YOUTH_WORK, "youth_work"),
}
_SHARE, _COUNTY = "\x00share\x00", "\x00county\x00"  # where SQL writes into a message


@functools.cache
def _province_codes() -> frozenset[str]:
    return frozenset(p["code"] for p in load_provinces())


def _text(value: str) -> Any:
    return cast(literal(value), Text)


def _spliced(message: str, values: dict[str, Any]) -> Any:
    """SQL: `message` (written in the request's language with the markers of `values`) with each marker
    replaced by its SQL text."""
    parts = re.split("(" + "|".join(re.escape(marker) for marker in values) + ")", message)
    pieces = [values[part] if part in values else _text(part) for part in parts if part]
    out = pieces[0]
    for piece in pieces[1:]:
        out = out.op("||")(piece)
    return out


def _percent_sql(part: Any, total: Any, at_least: bool) -> Any:
    """SQL of hub.rules.structure._percent: basis points, floored below a minimum, ceiled above a maximum."""
    scaled = part * 10000
    points = scaled // total if at_least else (scaled + total - 1) // total
    hundredths = cast(100 + points - (points // 100) * 100, Text)
    return cast(points // 100, Text).op("||")(_text(".")).op("||")(func.substr(hundredths, 2)).op("||")(_text("%"))


def _violated_sql(ratio: structure.Ratio, part: Any, total: Any) -> Any:
    """SQL of Ratio.violated on part/total (total > 0), in whole numbers: exact, as the Fraction is."""
    share, limit = part * ratio.limit.denominator, total * ratio.limit.numerator
    return share < limit if ratio.at_least else share > limit


def _violation_sql(ratio: structure.Ratio, part: Any, total: Any, county: Any, warning: str | None) -> Any:
    message = ratio.message(_SHARE, _COUNTY)
    if warning is not None:
        message = posts.warned(message, warning)
    return _spliced(message, {_SHARE: _percent_sql(part, total, ratio.at_least), _COUNTY: county})


def _written_in(statement: Any) -> Any:
    """`statement` with its values (the year, the provinces, statuses and levels) written into the SQL
    instead of bound: PostgreSQL's generic plan of a prepared statement, which it settles on after five runs,
    cannot see bound values and guessed one post for the year — then probed the counties once per post."""

    def literal_value(element: Any, **_kw: Any) -> Any:
        if isinstance(element, BindParameter) and not element.literal_execute:
            written = element._clone()
            written.literal_execute = True
            return written
        return None

    return visitors.replacement_traverse(statement, {}, literal_value)


def _report_sql(walk: Walk, year: str) -> tuple[Any, Any]:
    """(the sums of each province asked for in `year`, their violations with their order): CTEs shared by
    every `postStructure` of the operation, so the 13 western provinces cost one pass, as in the executor."""
    key = ("postStructure", year)
    if key in walk.memo:
        return walk.memo[key]
    suffix = len(walk.memo)  # several years in one document: a CTE name each
    codes = sorted({a["province_code"] for a in walk.root_arguments("postStructure") if a.get("year") == year})
    lines = _written_in(posts.structure_lines(year, codes)).cte(f"structure_lines_{suffix}")
    province = m.Province.__table__.alias("structure_province")

    def total(condition: Any = None) -> Any:
        counted = lines.c.headcount if condition is None else case((condition, lines.c.headcount), else_=0)
        return func.coalesce(func.sum(counted), 0)

    sums: Any = (
        select(
            province.c.code.label("province"),
            total().label("total"),
            total(lines.c.township == 1).label("township"),
            total(lines.c.category == PostCategory.RURAL_EDUCATION.value).label("education"),
            total(lines.c.category == PostCategory.YOUTH_WORK.value).label("youth_work"),
        )
        .select_from(province.outerjoin(lines, lines.c.province == province.c.code))
        .where(province.c.code.in_(codes))
        .group_by(province.c.code)
    )
    sums = _written_in(sums).cte(f"structure_sums_{suffix}")
    new_counties: Any = (
        select(lines.c.province, lines.c.county, total().label("total"), total(lines.c.township == 1).label("township"))
        .where(lines.c.new_county == 1)
        .group_by(lines.c.province, lines.c.county)
    )
    new_counties = _written_in(new_counties).cte(f"structure_new_counties_{suffix}")
    plan_year = walk.hub.settings.plan_year
    warning = plan_year if structure.in_transition(plan_year, year) else None
    found = [
        select(
            sums.c.province,
            literal_column(str(order)).label("rank"),
            _text("").label("county"),
            _violation_sql(ratio, sums.c[column], sums.c.total, _text(""), warning).label("text"),
        ).where(sums.c.total > 0, _violated_sql(ratio, sums.c[column], sums.c.total))
        for order, (ratio, column) in enumerate(SHARES.values())
    ]
    ratio = structure.NEW_COUNTY_TOWNSHIP
    found.append(
        select(
            new_counties.c.province,
            literal_column(str(len(found))),
            new_counties.c.county,
            _violation_sql(ratio, new_counties.c.township, new_counties.c.total, new_counties.c.county, None),
        ).where(new_counties.c.total > 0, _violated_sql(ratio, new_counties.c.township, new_counties.c.total))
    )
    violations = _written_in(union_all(*found)).cte(f"structure_violations_{suffix}")
    walk.memo[key] = sums, violations
    return sums, violations


def post_structure_sql(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """SQL of `Query.postStructure`: the report object of one province (null for one the database lacks)."""
    walk.need_actor()
    year = year_argument(args.get("year"))
    code = args.get("province_code")
    if code not in _province_codes():  # the executor's error for a province that does not exist
        raise Unplannable("not a province")
    sums, violations = _report_sql(walk, year)
    mine = violations.alias()
    listed = select(json_list(mine.c.text, mine.c.rank, mine.c.county)).where(mine.c.province == sums.c.province)
    any_violation = exists(select(violations.c.rank).where(violations.c.province == sums.c.province))

    def share(column: str) -> Callable[[Details], Any]:
        return lambda _d: ratio_number(sums.c[column], sums.c.total)

    body = walk.embedded(
        named(definition),
        details,
        {
            "year": lambda _d: _text(year),
            "province": lambda group: related(
                walk, m.Province, "code", sums.c.province, group, named(definition).fields["province"]
            ),
            "totalHeadcount": lambda _d: sums.c.total,
            **{name: share(column) for name, (_ratio, column) in SHARES.items()},
            "compliant": lambda _d: ~any_violation,
            "violations": lambda _d: func.coalesce(listed.correlate(sums).scalar_subquery(), EMPTY_LIST),
        },
    )
    return select(body).where(sums.c.province == code).scalar_subquery()
