"""The county office's service setup: applying to become a new service county (R9), its service units,
and the posts it declares (R12)."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from hub import models as m
from hub.enums import CountyStatus, KeyAssistance, PostCategory, UnitLevel, UserErrorCode, labelled
from hub.errors import DomainRefusal, Problem, UserError, refuse
from hub.graphql.geography import County, ServiceUnit
from hub.graphql.payloads import CountyPayload, PostPayload, ServiceUnitPayload
from hub.graphql.posts import Post
from hub.i18n import _
from hub.mutation import Unit, mutation

MIN_INTAKE = 20  # R9: a new service county takes in at least 20 volunteers
REAPPLY_FROM = (CountyStatus.NOT_SERVICE.value, CountyStatus.REJECTED.value, CountyStatus.DISQUALIFIED.value)
MAX_POSTS = 20000  # a batch, like the national reference batches
DECLARES_POSTS = (CountyStatus.APPLIED.value, CountyStatus.PROVINCE_APPROVED.value, CountyStatus.ACTIVE.value)


@strawberry.input
class ApplyServiceCountyInput:
    county_code: str
    has_leading_group: bool
    has_project_office: bool
    contact_person: str
    intake_capacity: int
    government_approval_ref: str


@strawberry.input
class CreateServiceUnitInput:
    county_code: str
    name: str
    level: UnitLevel


@strawberry.input
class DeclarePostInput:
    year: str
    unit_id: strawberry.ID
    title: str
    category: PostCategory
    headcount: int


@strawberry.input
class DeclarePostsInput:
    posts: list[DeclarePostInput]


@strawberry.type
class DeclarePostsPayload:
    posts: list[Post]
    user_errors: list[UserError]


async def county_of(unit: Unit, code: str) -> m.County:
    county = (await unit.session.execute(select(m.County).where(m.County.code == code).with_for_update())).scalar()
    if county is None:
        raise refuse(UserErrorCode.NOT_FOUND, _("no county has the code {code!r}", code=code), "input", "countyCode")
    return county


def r9_problems(county: m.County, input: ApplyServiceCountyInput) -> list[Problem]:
    """R9: each unmet condition of a new service county, as its own userError."""
    problems = []

    def fail(message: str, field: str) -> None:
        problems.append(Problem(UserErrorCode.INELIGIBLE, message, ("input", field)))

    if county.key_assistance not in (KeyAssistance.NATIONAL_KEY.value, KeyAssistance.LOCAL_KEY.value):
        fail(_("a new service county must be a national or local key assistance county"), "countyCode")
    if not input.has_leading_group:
        fail(_("the county needs a leading group for the program"), "hasLeadingGroup")
    if not input.has_project_office:
        fail(_("the county needs a project office at the county Youth League committee"), "hasProjectOffice")
    if not input.contact_person.strip():
        fail(_("the project office needs a named contact person"), "contactPerson")
    if input.intake_capacity < MIN_INTAKE:
        fail(
            _(
                "a new service county takes in at least {minimum} volunteers, not {capacity}",
                minimum=MIN_INTAKE,
                capacity=input.intake_capacity,
            ),
            "intakeCapacity",
        )
    if not input.government_approval_ref.strip():
        fail(_("the county government's approval (document number) is missing"), "governmentApprovalRef")
    return problems


@strawberry.type
class CountySetupMutation:
    @mutation
    async def apply_service_county(unit: Unit, input: ApplyServiceCountyInput) -> CountyPayload:
        """R9: the county office applies to become a new service county (新增服务县)."""
        unit.authorize({"county": input.county_code})
        county = await county_of(unit, input.county_code)
        if county.status not in REAPPLY_FROM:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _(
                    "the county is {status}; it applies when it is not (or no longer) a service county",
                    status=labelled(CountyStatus, county.status),
                ),
                "input",
                "countyCode",
            )
        problems = r9_problems(county, input)
        if problems:
            raise DomainRefusal(problems)
        previous = county.status
        county.status = CountyStatus.APPLIED.value
        county.contact_person = input.contact_person.strip()
        county.intake_capacity = input.intake_capacity
        county.government_approval_ref = input.government_approval_ref.strip()
        unit.session.add(county)
        await unit.session.flush()
        unit.record(
            County.of(county).id,
            {
                "status": {"from": previous, "to": county.status},
                "intakeCapacity": input.intake_capacity,
                "governmentApprovalRef": county.government_approval_ref,
            },
            county=county.code,
            province=county.province_code,
        )
        return CountyPayload(county=County.of(county), user_errors=[])

    @mutation
    async def create_service_unit(unit: Unit, input: CreateServiceUnitInput) -> ServiceUnitPayload:
        """R5: a service unit (服务单位) of the county, at county, township or village level."""
        unit.authorize({"county": input.county_code})
        county = await county_of(unit, input.county_code)
        name = input.name.strip()
        if not name:
            raise refuse(UserErrorCode.INVALID_INPUT, _("the unit needs a name"), "input", "name")
        clash = (
            await unit.session.execute(
                select(m.ServiceUnit.id).where(m.ServiceUnit.county_code == county.code, m.ServiceUnit.name == name)
            )
        ).first()
        if clash is not None:
            raise refuse(
                UserErrorCode.DUPLICATE, _("the county already has a unit named {name}", name=name), "input", "name"
            )
        row = m.ServiceUnit(county_code=county.code, name=name, level=input.level.value)
        unit.session.add(row)
        await unit.session.flush()
        view = ServiceUnit.of(row)
        unit.record(
            view.id, {"name": name, "level": input.level.value}, county=county.code, province=county.province_code
        )
        return ServiceUnitPayload(service_unit=view, user_errors=[])

    @mutation
    async def declare_post(unit: Unit, input: DeclarePostInput) -> PostPayload:
        """R12: the county declares a post (unit, title, category, headcount, year) for the province to confirm."""
        return PostPayload(post=Post.of(await declare(unit, input)), user_errors=[])

    @mutation
    async def declare_posts(unit: Unit, input: DeclarePostsInput) -> DeclarePostsPayload:
        """R12: many posts at once (a spreadsheet import), each checked exactly as declarePost checks it; all
        or none, every bad row reported with its index in the field path (input.posts.<index>.<field>)."""
        if not input.posts or len(input.posts) > MAX_POSTS:
            raise refuse(
                UserErrorCode.INVALID_INPUT, _("declare 1 to {limit} posts a batch", limit=MAX_POSTS), "input", "posts"
            )
        saved, problems = [], []
        for index, row in enumerate(input.posts):
            try:
                saved.append(await declare(unit, row, ("input", "posts", str(index))))
            except DomainRefusal as refusal:
                problems.extend(refusal.problems)
        if problems:
            raise DomainRefusal(problems)
        return DeclarePostsPayload(posts=[Post.of(p) for p in saved], user_errors=[])


async def declare(unit: Unit, input: DeclarePostInput, at: tuple[str, ...] = ("input",)) -> m.Post:
    """R12: one declared post, checked and written with its audit record; refusals name the field under `at`
    (the single mutation's input, or one row of a batch)."""
    service_unit = await unit.fetch(m.ServiceUnit, input.unit_id, *at, "unitId")
    unit.authorize({"county": service_unit.county_code})
    await unit.require_year(input.year, *at, "year")
    county = await unit.session.get(m.County, service_unit.county_code)
    if county.status not in DECLARES_POSTS:
        raise refuse(
            UserErrorCode.INELIGIBLE,
            _(
                "the county is {status}, not a service county (or applicant)",
                status=labelled(CountyStatus, county.status),
            ),
            *at,
            "unitId",
        )
    problems = []
    if not input.title.strip():
        problems.append(Problem(UserErrorCode.INVALID_INPUT, _("the post needs a title"), (*at, "title")))
    if input.headcount < 1:
        problems.append(
            Problem(UserErrorCode.INVALID_INPUT, _("a post has a headcount of at least 1"), (*at, "headcount"))
        )
    if problems:
        raise DomainRefusal(problems)
    post = m.Post(
        year=input.year,
        unit_id=service_unit.id,
        county_code=county.code,
        title=input.title.strip(),
        category=input.category.value,
        headcount=input.headcount,
    )
    unit.session.add(post)
    await unit.session.flush()
    unit.record(
        Post.of(post).id,
        {"title": post.title, "category": post.category, "headcount": post.headcount, "status": post.status},
        county=county.code,
        province=county.province_code,
    )
    return post
