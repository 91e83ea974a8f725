"""The program year and its money (hub/models/program.py): years and milestones, quotas, allowance
standards, funding, local projects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from hub import models as m
from hub.enums import FundingZone, LocalProjectStatus, Milestone
from hub.graphql.context import Info
from hub.graphql.fields import Node, built_by_parent, column, executor_only_type, one, record, view
from hub.graphql.geography import County, Province, province_by
from hub.graphql.planner import BUILT_BY_PARENT

DRAFT = (
    "Copied by openProgramYear and not yet confirmed by the national office (confirmProgramYearDrafts): "
    "shown, but no rule counts it."
)


@strawberry.type
@executor_only_type("a program year's milestones are read once per page; built in Python from two rows")
class MilestoneDate:
    milestone: Milestone
    closes_on: date
    draft: bool = strawberry.field(default=False, description=DRAFT)


@strawberry.type
@executor_only_type("a program year is assembled in Python from its milestone rows")
class ProgramYear(Node):
    code: str
    milestones: list[MilestoneDate]

    @strawberry.field(description="Every province's scale of the year (R8), drafts included, by province code.")
    async def scales(self, info: Info) -> list[ProvinceScale]:
        info.context.require_actor("ProgramYear.scales")
        rows = await info.context.loaders.many(m.ProvinceScale, "year", "province_code").load(self.code)
        return [ProvinceScale(province_code=r.province_code, scale=r.scale, draft=r.draft) for r in rows]


@strawberry.type(description="A serving province's implementation scale in one year (R8).")
@executor_only_type("a program year's scales are read once per page; built in Python from their rows")
class ProvinceScale:
    province_code: strawberry.Private[str]
    scale: int
    draft: bool = strawberry.field(description=DRAFT)
    province: Province = province_by("province_code")


@strawberry.type
@executor_only_type("a standard is also the answer of setAllowanceStandard, built in Python from its row")
class AllowanceStandard:
    year: str
    province_code: strawberry.Private[str]
    county_code: strawberry.Private[str | None]
    monthly_allowance: Decimal
    hardship_allowance: Decimal
    draft: bool = strawberry.field(default=False, description=DRAFT)
    province: Province = province_by("province_code")

    @classmethod
    def of(cls, row: m.AllowanceStandard) -> AllowanceStandard:
        return cls(
            year=row.year,
            province_code=row.province_code,
            county_code=row.county_code,
            monthly_allowance=row.monthly_allowance,
            hardship_allowance=row.hardship_allowance,
            draft=row.draft,
        )

    @strawberry.field
    async def county(self, info: Info) -> County | None:
        if self.county_code is None:
            return None
        return view(m.County, await info.context.loaders.one(m.County).load(self.county_code))


@strawberry.type
@executor_only_type("R15–R18: a quota cell's use is counted in Python from one grouped query (hub.quotas)")
class Quota:
    year: str
    recruiting_province_code: strawberry.Private[str]
    serving_province_code: strawberry.Private[str]
    quota: int
    used: int
    recruiting_province: Province = province_by("recruiting_province_code")
    serving_province: Province = province_by("serving_province_code")


@strawberry.type
class ZoneFunding:
    """Built by the funding report: in Python by its resolver, in SQL by its compiler (hub.graphql.funding)."""

    zone: FundingZone = built_by_parent()
    volunteer_months: int = built_by_parent()
    central_subsidy: Decimal = built_by_parent()


@strawberry.type
class ProvinceFunding:
    """Built by the funding report: in Python by its resolver, in SQL by its compiler (hub.graphql.funding)."""

    year: str = built_by_parent()
    province_code: strawberry.Private[str]
    in_post: int = built_by_parent()
    by_zone: list[ZoneFunding] = built_by_parent()
    central_subsidy: Decimal = built_by_parent()
    local_allowance: Decimal = built_by_parent()
    uninsured: int = built_by_parent()
    province: Province = province_by("province_code", metadata={BUILT_BY_PARENT: True})


@strawberry.type
@record(m.LocalProject)
class LocalProject(Node):
    year: str = column()
    name: str = column()
    scale: int = column()
    budget: Decimal = column()
    status: LocalProjectStatus = column()
    province: Province = one(m.Province, "province_code")
