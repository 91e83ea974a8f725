"""Provinces, counties, service units and schools (hub/models/geography.py), each field declared once."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, func, select, true

from hub import models as m
from hub.counting import in_post, volunteers_served_in_county
from hub.enums import CountyStatus, FundingZone, KeyAssistance, PostStatus, Region, UnitLevel
from hub.graphql import aggregates
from hub.graphql.connections import Connection
from hub.graphql.context import Info
from hub.graphql.fields import (
    Node,
    column,
    connection,
    executor_only,
    listed,
    many,
    one,
    planned,
    record,
    view,
    year_argument,
)
from hub.graphql.planner import Details, Walk
from hub.rules.funding import funding_zone

# Types of modules above this one, by name: strawberry resolves them lazily, so there is no import cycle.
PostRef = Annotated["Post", strawberry.lazy("hub.graphql.posts")]  # noqa: F821
VolunteerRef = Annotated["Volunteer", strawberry.lazy("hub.graphql.people")]  # noqa: F821


def _province_scale(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    alias = m.ProvinceScale.__table__.alias()
    # the scale in force, as hub.scales.in_force reads it: a draft copied by openProgramYear is none
    condition = and_(alias.c.year == args["year"], alias.c.province_code == row.c.code, alias.c.draft.is_(False))
    return select(alias.c.scale).where(condition).correlate_except(alias).scalar_subquery()


def _province_in_post(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    year = year_argument(args["year"])
    return (
        select(func.count())
        .select_from(m.Application.__table__)
        .where(m.Application.serving_province_code == row.c.code, in_post(year))
        .correlate_except(m.Application.__table__)
        .scalar_subquery()
    )


def _province_schools(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    return listed(walk, m.School, lambda t: t.c.province_code == row.c.code, details, definition)


async def province_of(info: Info, code: str) -> Province | None:
    """The province of a code through the request's loader (None for a code no province has)."""
    return view(m.Province, await info.context.loaders.one(m.Province).load(code))


def province_by(code: str, **field: Any) -> Any:
    """The province of an object built in Python (a report, a quota cell) whose `code` attribute holds its code."""

    async def resolve(self: Any, info: Info) -> Province:
        return await province_of(info, getattr(self, code))

    return strawberry.field(resolver=resolve, **field)


@strawberry.federation.type(keys=["code"])
@record(m.Province)
class Province(Node):
    code: str = column()
    name: str = column()
    region: Region = column()

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> Province | None:
        """Federation: a Province entity by its code (public reference data)."""
        info.context.check_public()
        return await province_of(info, code)

    @planned(
        _province_scale,
        description="Implementation scale (total volunteers in post) set by the national office, R8; "
        "null while the year's copied scale is a draft (ProgramYear.scales shows it).",
    )
    async def scale(self, info: Info, year: str) -> int | None:
        info.context.require_actor("Province.scale")
        return (await aggregates.scales(info, year)).get(self.row.code)

    @planned(_province_in_post)
    async def in_post(self, info: Info, year: str) -> int:
        info.context.require_actor("Province.inPost")
        return (await aggregates.in_post_by_province(info, year)).get(self.row.code, 0)

    @connection(
        m.County,
        lambda t, a, _: true() if a["status"] is None else t.c.status == a["status"],
        parent=("province_code", "code"),
    )
    async def counties(
        self, info: Info, status: CountyStatus | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[County]: ...

    @planned(_province_schools)
    async def schools(self, info: Info) -> list[School]:
        info.context.require_actor("Province.schools")
        rows = await info.context.loaders.many(m.School, "province_code", "code").load(self.row.code)
        return [School.of(r) for r in rows]  # type: ignore[attr-defined]


@strawberry.federation.type(keys=["code"])
@record(m.County)
class County(Node):
    code: str = column()
    name: str = column()
    key_assistance: KeyAssistance = column()
    remote: bool = column()
    status: CountyStatus = column()
    province: Province = one(m.Province, "province_code")
    service_units: list[ServiceUnit] = many(m.ServiceUnit, "county_code", "code")

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> County | None:
        """Federation: a County entity by its code, for any authenticated caller (reference data)."""
        info.context.require_actor("County")
        return view(m.County, await info.context.loaders.one(m.County).load(code))

    @executor_only("R38's zone is a Python rule of the county's code and region (hub.rules.funding)")
    async def funding_zone(self, info: Info) -> FundingZone:
        province = await info.context.loaders.one(m.Province).load(self.row.province_code)
        return funding_zone(self.row.code, Region(province.region))

    @executor_only("R10/R29: bans are derived in Python from the dates of major incidents (hub.rules.counties)")
    async def banned_years(self, info: Info) -> list[str]:
        return sorted(await aggregates.banned_years(info, self.row.code))

    @executor_only("R9/R10/R29: acceptance combines status, bans and evaluations in Python (hub.rules.counties)")
    async def accepts_volunteers(self, info: Info, year: str) -> bool:
        return await aggregates.accepts_volunteers(info, self.row, year)

    @connection(
        m.Post,
        lambda t, a, _: and_(t.c.year == a["year"], true() if a["status"] is None else t.c.status == a["status"]),
        parent=("county_code", "code"),
        token=False,
    )
    async def posts(
        self,
        info: Info,
        year: str,
        status: PostStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PostRef]: ...

    @connection(
        m.Volunteer,
        lambda t, a, county: t.c.id.in_(volunteers_served_in_county(a["year"], county.code)),
        visible_to="Volunteer",
    )
    async def volunteers(
        self, info: Info, year: str, first: int | None = None, after: str | None = None
    ) -> Connection[VolunteerRef]: ...


@strawberry.type
@record(m.ServiceUnit)
class ServiceUnit(Node):
    name: str = column()
    level: UnitLevel = column()
    county: County = one(m.County, "county_code")


@strawberry.federation.type(keys=["code"])
@record(m.School)
class School(Node):
    code: str = column()
    name: str = column()
    province: Province = one(m.Province, "province_code")

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> School | None:
        """Federation: a School entity by its code, for any authenticated caller."""
        info.context.require_actor("School")
        return view(m.School, await info.context.loaders.one(m.School).load(code))
