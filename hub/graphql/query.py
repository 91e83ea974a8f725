"""The core's `Query`: every read field of the contract, filtered by jurisdiction in SQL; each root field
declared once (hub/graphql/fields.py) with its compiler beside its resolver, or executor-only with why."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Text, and_, cast, func, literal, null, select, true
from sqlalchemy.sql.elements import True_

from hub import models as m
from hub.counting import of_year
from hub.enums import (
    ApplicationStatus,
    AssessmentGrade,
    AssessmentStatus,
    CountyStatus,
    OfficeLevel,
    PostCategory,
    PostStatus,
)
from hub.enums import Region as RegionEnum
from hub.errors import forbidden
from hub.graphql import reports
from hub.graphql.aggregates import year_input
from hub.graphql.applications import Application, Training
from hub.graphql.audit_log import AuditEntry
from hub.graphql.connections import Connection, fetch_page, to_connection
from hub.graphql.context import Info
from hub.graphql.fields import (
    Node,
    built_by_parent,
    connection,
    executor_only,
    executor_only_type,
    listed,
    node_types,
    planned,
    primary_key,
    related,
    view,
)
from hub.graphql.funding import compile_funding_report
from hub.graphql.geography import County, Province, School, province_of
from hub.graphql.people import CertificateCheck, Volunteer
from hub.graphql.planner import Details, Unplannable, Walk, named
from hub.graphql.posts import Post, PostStructure, post_structure_sql
from hub.graphql.program import AllowanceStandard, LocalProject, MilestoneDate, ProgramYear, ProvinceFunding, Quota
from hub.graphql.service import Assessment
from hub.i18n import _
from hub.ids import from_global_id, to_global_id

REPORT = "a report computed by Python rules over grouped queries (hub.graphql.reports)"
SMALL_LIST = "a short reference list read once per page; the executor answers it in one query"


async def _all(info: Info, query: Any) -> list[Any]:
    async with info.context.hub.sessionmaker() as session:
        return list((await session.execute(query)).scalars())


async def _of_year(info: Info, model: Any, year: str, **equal: str | None) -> list[Any]:
    """A short list: the `model` rows of a program year, each given column equal to its value, by key."""
    query = select(model).where(model.year == year_input(year)).order_by(model.id)
    for column, value in equal.items():
        if value is not None:
            query = query.where(getattr(model, column) == value)
    return await _all(info, query)


@strawberry.type
class Actor:
    level: OfficeLevel = built_by_parent()
    code: str | None = built_by_parent(
        description="Province, county or school code; null for the national office and volunteers."
    )
    subject: str = built_by_parent()

    @executor_only("a volunteer reading their own record asks once per session")
    async def volunteer(self, info: Info) -> Volunteer | None:
        if self.level is not OfficeLevel.VOLUNTEER:
            return None
        row = await info.context.loaders.one(m.Volunteer, "subject").load(self.subject)
        return view(m.Volunteer, row)


@strawberry.type
@executor_only_type("the enabled plugins are known in Python, not stored")
class Plugin:
    name: str
    level: OfficeLevel | None
    version: str


def _node(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """`node(id:)` as Query.node answers it: null for an unknown type or key; a row outside the caller's
    read scope is FORBIDDEN there, so such types are planned only for callers whose scope is everything."""
    try:
        type_name, key = from_global_id(args["id"])
    except GraphQLError as refused:
        raise Unplannable(refused.message) from refused
    record = node_types().get(type_name)
    if record is None:
        return null()
    if type_name != "Province":
        walk.need_actor()
    model = record.model  # type: ignore[attr-defined]
    numeric = model.__table__.c[primary_key(model)].type.python_type is int
    if numeric and not key.isdigit():
        return null()
    if record.scope is not None and not isinstance(walk.hub.permissions.visible(walk.actor, record.scope), True_):  # type: ignore[attr-defined]
        raise Unplannable("node of a scoped type")
    alias = model.__table__.alias()
    body = walk.object(walk.schema.get_type(type_name), alias, details)
    pk = primary_key(model)
    return select(body).where(alias.c[pk] == (int(key) if numeric else key)).correlate_except(alias).scalar_subquery()


def _me(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    actor = walk.need_actor()
    values = {"level": actor.level.value, "code": actor.code, "subject": actor.subject}

    def constant(value: str | None) -> Any:
        return lambda _d: null() if value is None else cast(literal(value), Text)

    return walk.embedded(named(definition), details, {k: constant(v) for k, v in values.items()})


def _provinces(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    region = args.get("region")
    return listed(walk, m.Province, lambda t: true() if region is None else t.c.region == region, details, definition)


def _by_code(model: type, public: bool = False) -> Any:
    """`province(code:)` (public), `county(code:)`, `school(code:)`: the row or null."""

    def compile_(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        if not public:
            walk.need_actor()
        return related(walk, model, "code", args["code"], details, definition)

    return compile_


def _equal(t: Any, a: dict[str, Any], **columns: str) -> Any:
    """Each given argument (by Python name) equal to its column; unset arguments do not filter."""
    conditions = [t.c[column] == a[name] for name, column in columns.items() if a.get(name) is not None]
    return and_(true(), *conditions)


@strawberry.type
class Query:
    @planned(_node)
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, key = from_global_id(id)
        record = node_types().get(type_name)
        if record is None:
            return None
        if type_name == "Province":
            info.context.check_public()
        else:
            info.context.require_actor("node")
        model = record.model  # type: ignore[attr-defined]
        pk = model.__table__.c[primary_key(model)]
        numeric = pk.type.python_type is int
        if numeric and not key.isdigit():
            return None
        row = await info.context.loaders.one(model).load(int(key) if numeric else key)
        if row is None:
            return None
        if record.scope is not None:  # type: ignore[attr-defined]
            actor = info.context.require_actor("node")
            visible = info.context.hub.permissions.visible(actor, record.scope)  # type: ignore[attr-defined]
            found = await _all(info, select(pk).where(pk == getattr(row, pk.key), visible))
            if not found:
                raise forbidden(_("this {kind} is outside your jurisdiction", kind=type_name))
        return record.of(row)  # type: ignore[attr-defined]

    @planned(_me)
    def me(self, info: Info) -> Actor | None:
        actor = info.context.require_actor("me")
        return Actor(level=actor.level, code=actor.code, subject=actor.subject)

    @executor_only("the enabled plugins are known in Python, not stored")
    def plugins(self, info: Info) -> list[Plugin]:
        info.context.require_actor("plugins")
        return [Plugin(name=p.name, level=p.level, version=p.version) for p in info.context.hub.plugins.infos()]

    @executor_only("a program year is assembled in Python from its milestone rows")
    async def program_year(self, info: Info, code: str) -> ProgramYear | None:
        info.context.check_public()
        row = await info.context.loaders.one(m.ProgramYear).load(code)
        if row is None:
            return None
        dates = await info.context.loaders.many(m.MilestoneDate, "year", "closes_on").load(code)
        return ProgramYear(
            id=to_global_id("ProgramYear", code),
            code=code,
            milestones=[MilestoneDate(milestone=d.milestone, closes_on=d.closes_on, draft=d.draft) for d in dates],
        )

    @planned(_provinces)
    async def provinces(self, info: Info, region: RegionEnum | None = None) -> list[Province]:
        info.context.check_public()
        query = select(m.Province).order_by(m.Province.code)
        if region is not None:
            query = query.where(m.Province.region == region.value)
        return [view(m.Province, r) for r in await _all(info, query)]

    @planned(_by_code(m.Province, public=True))
    async def province(self, info: Info, code: str) -> Province | None:
        info.context.check_public()
        return await province_of(info, code)

    @planned(_by_code(m.County))
    async def county(self, info: Info, code: str) -> County | None:
        info.context.require_actor("county")
        return view(m.County, await info.context.loaders.one(m.County).load(code))

    @planned(_by_code(m.School))
    async def school(self, info: Info, code: str) -> School | None:
        info.context.require_actor("school")
        return view(m.School, await info.context.loaders.one(m.School).load(code))

    @connection(m.County, lambda t, a, _: _equal(t, a, province_code="province_code", status="status"))
    async def counties(
        self,
        info: Info,
        province_code: str | None = None,
        status: CountyStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[County]: ...

    @connection(
        m.Post,
        lambda t, a, _: and_(
            t.c.year == a["year"],
            _equal(t, a, county_code="county_code", status="status", category="category"),
            true()
            if a.get("province_code") is None
            else t.c.county_code.in_(select(m.County.code).where(m.County.province_code == a["province_code"])),
        ),
        year="year",
    )
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
    ) -> Connection[Post]: ...

    @planned(post_structure_sql)
    async def post_structure(self, info: Info, year: str, province_code: str) -> PostStructure:
        info.context.require_actor("postStructure")
        return await reports.post_structure(info, year_input(year), province_code)

    @connection(
        m.Application,
        lambda t, a, _: and_(
            of_year(a["year"], a.get("in_post"), t.c),
            _equal(
                t,
                a,
                school_code="school_code",
                recruiting_province_code="recruiting_province_code",
                serving_province_code="serving_province_code",
                county_code="county_code",
                status="status",
            ),
        ),
        scope="Application",
        year="year",
    )
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
    ) -> Connection[Application]: ...

    @executor_only(REPORT)
    async def quotas(
        self,
        info: Info,
        year: str,
        recruiting_province_code: str | None = None,
        serving_province_code: str | None = None,
    ) -> list[Quota]:
        info.context.require_actor("quotas")
        return await reports.quotas(info, year_input(year), recruiting_province_code, serving_province_code)

    @executor_only(SMALL_LIST)
    async def trainings(self, info: Info, year: str, serving_province_code: str | None = None) -> list[Training]:
        info.context.require_actor("trainings")
        rows = await _of_year(info, m.Training, year, serving_province_code=serving_province_code)
        return [view(m.Training, r) for r in rows]

    @planned(compile_funding_report)
    async def funding_report(self, info: Info, year: str, province_code: str | None = None) -> list[ProvinceFunding]:
        actor = info.context.require_scope("Funding", "fundingReport")
        return await reports.funding_report(info, actor, year_input(year), province_code)

    @executor_only(SMALL_LIST)
    async def local_projects(self, info: Info, year: str, province_code: str | None = None) -> list[LocalProject]:
        info.context.require_actor("localProjects")
        rows = await _of_year(info, m.LocalProject, year, province_code=province_code)
        return [view(m.LocalProject, r) for r in rows]

    @executor_only(
        "the commendation list is read once a year",
        description="Approved EXCELLENT assessments of a year: the commendation list (R30).",
    )
    async def commendations(self, info: Info, year: str, province_code: str | None = None) -> list[Assessment]:
        info.context.require_actor("commendations")
        query = (
            select(m.Assessment)
            .where(
                m.Assessment.year == year_input(year),
                m.Assessment.grade == AssessmentGrade.EXCELLENT.value,
                m.Assessment.status == AssessmentStatus.APPROVED.value,
            )
            .order_by(m.Assessment.id)
        )
        if province_code is not None:
            serving = select(m.Application.volunteer_id).where(m.Application.serving_province_code == province_code)
            query = query.where(m.Assessment.volunteer_id.in_(serving))
        return [view(m.Assessment, r) for r in await _all(info, query)]

    @executor_only(REPORT, description="Public: no token needed. Null when no certificate has that number.")
    async def verify_certificate(self, info: Info, number: str) -> CertificateCheck | None:
        info.context.check_public()
        return await reports.verify_certificate(info, number)

    @executor_only(SMALL_LIST)
    async def allowance_standards(self, info: Info, year: str, province_code: str) -> list[AllowanceStandard]:
        info.context.require_actor("allowanceStandards")
        rows = await _of_year(info, m.AllowanceStandard, year, province_code=province_code)
        return [AllowanceStandard.of(r) for r in rows]

    @executor_only("an auditor pages the log one screen at a time, matching target ids in JSON text")
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
            where = and_(where, func.cast(m.AuditEntry.target_ids, Text()).contains(f'"{target_id}"'))
        async with info.context.hub.sessionmaker() as session:
            page = await fetch_page(session, m.AuditEntry, where, first, after)
        return to_connection(page, AuditEntry.of, lambda r: r.id)  # type: ignore[attr-defined]


__all__ = ["Actor", "Plugin", "Query", "RegionEnum"]
