"""The core's `Query`: every read field of the contract, filtered by jurisdiction in SQL."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, func, select, true

from hub import models as m
from hub.counting import of_year
from hub.enums import (
    ApplicationStatus,
    AssessmentGrade,
    AssessmentStatus,
    CountyStatus,
    PostCategory,
    PostStatus,
)
from hub.enums import Region as RegionEnum
from hub.errors import bad_input, forbidden
from hub.graphql import reports
from hub.graphql.connections import Connection, fetch_page, to_connection
from hub.graphql.context import Info
from hub.graphql.ids import from_global_id
from hub.graphql.types import (
    NODE_TYPES,
    Actor,
    AllowanceStandard,
    Application,
    Assessment,
    AuditEntry,
    CertificateCheck,
    County,
    LocalProject,
    MilestoneDate,
    Node,
    Plugin,
    Post,
    PostStructure,
    ProgramYear,
    Province,
    ProvinceFunding,
    Quota,
    School,
    Training,
)
from hub.rules.years import is_year_code


def _year(year: str) -> str:
    if not is_year_code(year):
        raise bad_input(f"a program year reads like 2021-2022, not {year!r}")
    return year


async def _all(info: Info, query: Any) -> list[Any]:
    async with info.context.hub.sessionmaker() as session:
        return list((await session.execute(query)).scalars())


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, key = from_global_id(id)
        entry = NODE_TYPES.get(type_name)
        if entry is None:
            return None
        if type_name == "Province":
            info.context.check_public()
        else:
            info.context.require_actor("node")
        gql_type, model, entity, numeric = entry
        if numeric and not key.isdigit():
            return None
        row = await info.context.loaders.one(model).load(int(key) if numeric else key)
        if row is None:
            return None
        if entity is not None:
            actor = info.context.require_actor("node")
            pk = next(iter(model.__table__.primary_key.columns))
            visible = info.context.hub.permissions.visible(actor, entity)
            found = await _all(info, select(pk).where(pk == getattr(row, pk.key), visible))
            if not found:
                raise forbidden(f"this {type_name} is outside your jurisdiction")
        return gql_type.of(row)

    @strawberry.field
    def me(self, info: Info) -> Actor | None:
        actor = info.context.require_actor("me")
        return Actor(level=actor.level, code=actor.code, subject=actor.subject)

    @strawberry.field
    def plugins(self, info: Info) -> list[Plugin]:
        info.context.require_actor("plugins")
        return [Plugin(name=p.name, level=p.level, version=p.version) for p in info.context.hub.plugins.infos()]

    @strawberry.field
    async def program_year(self, info: Info, code: str) -> ProgramYear | None:
        info.context.check_public()
        from hub.graphql.ids import to_global_id

        row = await info.context.loaders.one(m.ProgramYear).load(code)
        if row is None:
            return None
        dates = await info.context.loaders.many(m.MilestoneDate, "year", "closes_on").load(code)
        return ProgramYear(
            id=to_global_id("ProgramYear", code),
            code=code,
            milestones=[MilestoneDate(milestone=d.milestone, closes_on=d.closes_on) for d in dates],
        )

    @strawberry.field
    async def provinces(self, info: Info, region: RegionEnum | None = None) -> list[Province]:
        info.context.check_public()
        query = select(m.Province).order_by(m.Province.code)
        if region is not None:
            query = query.where(m.Province.region == region.value)
        return [Province.of(r) for r in await _all(info, query)]

    @strawberry.field
    async def province(self, info: Info, code: str) -> Province | None:
        info.context.check_public()
        row = await info.context.loaders.one(m.Province).load(code)
        return None if row is None else Province.of(row)

    @strawberry.field
    async def county(self, info: Info, code: str) -> County | None:
        info.context.require_actor("county")
        row = await info.context.loaders.one(m.County).load(code)
        return None if row is None else County.of(row)

    @strawberry.field
    async def school(self, info: Info, code: str) -> School | None:
        info.context.require_actor("school")
        row = await info.context.loaders.one(m.School).load(code)
        return None if row is None else School.of(row)

    @strawberry.field
    async def counties(
        self,
        info: Info,
        province_code: str | None = None,
        status: CountyStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[County]:
        info.context.require_actor("counties")
        where = true()
        if province_code is not None:
            where = and_(where, m.County.province_code == province_code)
        if status is not None:
            where = and_(where, m.County.status == status.value)
        async with info.context.hub.sessionmaker() as session:
            page = await fetch_page(session, m.County, where, first, after)
        return to_connection(page, County.of, lambda r: r.code)

    @strawberry.field
    async def posts(
        self,
        info: Info,
        year: str,
        province_code: str | None = None,
        county_code: str | None = None,
        status: PostStatus | None = None,
        category: PostCategory | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Post]:
        info.context.require_actor("posts")
        where = m.Post.year == _year(year)
        if province_code is not None:
            where = and_(
                where,
                m.Post.county_code.in_(select(m.County.code).where(m.County.province_code == province_code)),
            )
        if county_code is not None:
            where = and_(where, m.Post.county_code == county_code)
        if status is not None:
            where = and_(where, m.Post.status == status.value)
        if category is not None:
            where = and_(where, m.Post.category == category.value)
        async with info.context.hub.sessionmaker() as session:
            page = await fetch_page(session, m.Post, where, first, after)
        return to_connection(page, Post.of, lambda r: r.id)

    @strawberry.field
    async def post_structure(self, info: Info, year: str, province_code: str) -> PostStructure:
        info.context.require_actor("postStructure")
        return await reports.post_structure(info, _year(year), province_code)

    @strawberry.field
    async def applications(
        self,
        info: Info,
        year: str,
        school_code: str | None = None,
        recruiting_province_code: str | None = None,
        serving_province_code: str | None = None,
        county_code: str | None = None,
        status: ApplicationStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        in_post: Annotated[
            bool | None,
            strawberry.argument(
                description="true: the applications in post in `year`, renewed into it from an earlier year "
                "included (hub.counting); false: the year's applications not in post in it."
            ),
        ] = None,
    ) -> Connection[Application]:
        actor = info.context.require_scope("Application", "applications")
        where = and_(of_year(_year(year), in_post), info.context.hub.permissions.visible(actor, "Application"))
        filters = {
            m.Application.school_code: school_code,
            m.Application.recruiting_province_code: recruiting_province_code,
            m.Application.serving_province_code: serving_province_code,
            m.Application.county_code: county_code,
            m.Application.status: status.value if status else None,
        }
        for column, value in filters.items():
            if value is not None:
                where = and_(where, column == value)
        async with info.context.hub.sessionmaker() as session:
            page = await fetch_page(session, m.Application, where, first, after)
        return to_connection(page, Application.of, lambda r: r.id)

    @strawberry.field
    async def quotas(
        self,
        info: Info,
        year: str,
        recruiting_province_code: str | None = None,
        serving_province_code: str | None = None,
    ) -> list[Quota]:
        info.context.require_actor("quotas")
        return await reports.quotas(info, _year(year), recruiting_province_code, serving_province_code)

    @strawberry.field
    async def trainings(self, info: Info, year: str, serving_province_code: str | None = None) -> list[Training]:
        info.context.require_actor("trainings")
        query = select(m.Training).where(m.Training.year == _year(year)).order_by(m.Training.id)
        if serving_province_code is not None:
            query = query.where(m.Training.serving_province_code == serving_province_code)
        return [Training.of(r) for r in await _all(info, query)]

    @strawberry.field
    async def funding_report(self, info: Info, year: str, province_code: str | None = None) -> list[ProvinceFunding]:
        actor = info.context.require_scope("Funding", "fundingReport")
        return await reports.funding_report(info, actor, _year(year), province_code)

    @strawberry.field
    async def local_projects(self, info: Info, year: str, province_code: str | None = None) -> list[LocalProject]:
        info.context.require_actor("localProjects")
        query = select(m.LocalProject).where(m.LocalProject.year == _year(year)).order_by(m.LocalProject.id)
        if province_code is not None:
            query = query.where(m.LocalProject.province_code == province_code)
        return [LocalProject.of(r) for r in await _all(info, query)]

    @strawberry.field(description="Approved EXCELLENT assessments of a year: the commendation list (R30).")
    async def commendations(self, info: Info, year: str, province_code: str | None = None) -> list[Assessment]:
        info.context.require_actor("commendations")
        query = (
            select(m.Assessment)
            .where(
                m.Assessment.year == _year(year),
                m.Assessment.grade == AssessmentGrade.EXCELLENT.value,
                m.Assessment.status == AssessmentStatus.APPROVED.value,
            )
            .order_by(m.Assessment.id)
        )
        if province_code is not None:
            serving = select(m.Application.volunteer_id).where(m.Application.serving_province_code == province_code)
            query = query.where(m.Assessment.volunteer_id.in_(serving))
        return [Assessment.of(r) for r in await _all(info, query)]

    @strawberry.field(description="Public: no token needed. Null when no certificate has that number.")
    async def verify_certificate(self, info: Info, number: str) -> CertificateCheck | None:
        info.context.check_public()
        return await reports.verify_certificate(info, number)

    @strawberry.field
    async def allowance_standards(self, info: Info, year: str, province_code: str) -> list[AllowanceStandard]:
        info.context.require_actor("allowanceStandards")
        query = (
            select(m.AllowanceStandard)
            .where(m.AllowanceStandard.year == _year(year), m.AllowanceStandard.province_code == province_code)
            .order_by(m.AllowanceStandard.id)
        )
        return [
            AllowanceStandard(
                year=r.year,
                province_code=r.province_code,
                county_code=r.county_code,
                monthly_allowance=r.monthly_allowance,
                hardship_allowance=r.hardship_allowance,
            )
            for r in await _all(info, query)
        ]

    @strawberry.field
    async def audit_log(
        self,
        info: Info,
        target_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        actor = info.context.require_scope("AuditEntry", "auditLog")
        where = info.context.hub.permissions.visible(actor, "AuditEntry")
        if target_id is not None:
            # Matched on the JSON text: portable across SQLite and PostgreSQL, exact thanks to the quotes.
            where = and_(where, func.cast(m.AuditEntry.target_ids, _text()).contains(f'"{target_id}"'))
        async with info.context.hub.sessionmaker() as session:
            page = await fetch_page(session, m.AuditEntry, where, first, after)
        return to_connection(page, AuditEntry.of, lambda r: r.id)


def _text() -> Any:
    from sqlalchemy import Text

    return Text()


__all__ = ["Query", "RegionEnum"]
