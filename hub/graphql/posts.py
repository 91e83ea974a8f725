"""Posts (岗位) and the post structure report of R14 (hub/models/program.py's posts), each field declared once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy import Text, cast, exists, func, literal, select

from hub import models as m
from hub import posts
from hub.dialects import EMPTY_LIST, json_list, ratio_number
from hub.enums import PostCategory, PostStatus, SpecialProject
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
from hub.graphql.geography import County, Province, ServiceUnit, province_by
from hub.graphql.planner import BUILT_BY_PARENT, Details, Unplannable, Walk, named
from hub.ids import int_key
from hub.posts import TOWNSHIP_OR_BELOW, held_places
from hub.reference import load_provinces
from hub.rules.structure import special_project


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
    province: Province = province_by("province_code", metadata={BUILT_BY_PARENT: True})


SHARES = {"townshipShare": "township", "educationShare": "education", "youthWorkShare": "youth_work"}


@functools.cache
def _province_codes() -> frozenset[str]:
    return frozenset(p["code"] for p in load_provinces())


def _report_sql(walk: Walk, year: str) -> tuple[Any, Any]:
    """hub.posts.structures_sql of every province of the operation's `postStructure`s of `year`: CTEs shared
    by all of them, so the 13 western provinces cost one pass, as in the executor."""
    key = ("postStructure", year)
    if key not in walk.memo:
        codes = sorted({a["province_code"] for a in walk.root_arguments("postStructure") if a.get("year") == year})
        suffix = len(walk.memo)  # several years in one document: a CTE name each
        walk.memo[key] = posts.structures_sql(year, codes, walk.hub.settings.plan_year, suffix)
    return walk.memo[key]


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
            "year": lambda _d: cast(literal(year), Text),
            "province": lambda group: related(
                walk, m.Province, "code", sums.c.province, group, named(definition).fields["province"]
            ),
            "totalHeadcount": lambda _d: sums.c.total,
            **{name: share(column) for name, column in SHARES.items()},
            "compliant": lambda _d: ~any_violation,
            "violations": lambda _d: func.coalesce(listed.correlate(sums).scalar_subquery(), EMPTY_LIST),
        },
    )
    return select(body).where(sums.c.province == code).scalar_subquery()
