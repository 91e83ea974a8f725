"""Posts (岗位) and the post structure report of R14 (hub/models/program.py's posts), each field declared once."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import exists, select

from hub import models as m
from hub.enums import PostCategory, PostStatus, SpecialProject, UnitLevel
from hub.graphql import aggregates
from hub.graphql.context import Info
from hub.graphql.fields import Node, column, executor_only, executor_only_type, one, planned, record, view
from hub.graphql.geography import County, Province, ServiceUnit
from hub.graphql.planner import Details, Walk
from hub.ids import int_key
from hub.posts import held_places
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
@executor_only_type("R14's ratios are computed in Python from one grouped query (hub.posts, hub.rules.structure)")
class PostStructure:
    year: str
    province_code: strawberry.Private[str]
    total_headcount: int
    township_share: float
    education_share: float
    youth_work_share: float
    compliant: bool
    violations: list[str]

    @strawberry.field
    async def province(self, info: Info) -> Province:
        return view(m.Province, await info.context.loaders.one(m.Province).load(self.province_code))
