"""The national office in placement: filing approved new service counties (R9), approving posts under
the post-structure rules (R14), and deciding provinces' local projects (R41)."""

from __future__ import annotations

import strawberry

from hub import models as m
from hub import posts
from hub.enums import CountyStatus, Decision, LocalProjectStatus, PostStatus, UserErrorCode, labelled
from hub.errors import DomainRefusal, Problem, refuse
from hub.graphql.geography import County
from hub.graphql.inputs import PostsDecisionInput
from hub.graphql.payloads import CountyPayload, LocalProjectPayload, PostsPayload
from hub.graphql.posts import Post
from hub.graphql.program import LocalProject
from hub.i18n import _
from hub.mutation import Unit, mutation
from hub.rules.years import next_year, year_of


@strawberry.input
class FileServiceCountyInput:
    county_code: str


@strawberry.type
class NationalPlacementMutation:
    @mutation
    async def file_service_county(unit: Unit, input: FileServiceCountyInput) -> CountyPayload:
        """R9: file (备案) a county the province approved; it becomes ACTIVE, its first service year the next
        program year (volunteers arrive in August)."""
        unit.authorize()
        county = await unit.session.get(m.County, input.county_code, with_for_update=True)
        if county is None:
            raise refuse(
                UserErrorCode.NOT_FOUND,
                _("no county has the code {code!r}", code=input.county_code),
                "input",
                "countyCode",
            )
        if county.status != CountyStatus.PROVINCE_APPROVED.value:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _(
                    "the county is {status}; the province approves it before it is filed",
                    status=labelled(CountyStatus, county.status),
                ),
                "input",
                "countyCode",
            )
        county.status = CountyStatus.ACTIVE.value
        county.first_service_year = next_year(year_of(unit.hub.clock.today()))
        unit.session.add(county)
        await unit.session.flush()
        unit.record(
            County.of(county).id,
            {
                "status": {"from": "PROVINCE_APPROVED", "to": "ACTIVE"},
                "firstServiceYear": county.first_service_year,
            },
            county=county.code,
            province=county.province_code,
        )
        return CountyPayload(county=County.of(county), user_errors=[])

    @mutation
    async def approve_posts(unit: Unit, input: PostsDecisionInput) -> PostsPayload:
        """R12, R14: approve (or reject) confirmed posts; an approval that would leave a province's structure
        in breach is refused with STRUCTURE_VIOLATION naming the ratio and the figure."""
        rows = await posts.decide(
            unit, input.post_ids, input.decision, input.reason, PostStatus.PROVINCE_CONFIRMED, PostStatus.APPROVED
        )
        if input.decision is Decision.APPROVE:
            problems = []
            for year, province in sorted({(p.year, p.county_code[:2]) for p in rows}):
                result = await posts.structure(unit.session, year, province, unit.hub.settings.plan_year)
                problems += [
                    Problem(
                        UserErrorCode.STRUCTURE_VIOLATION,
                        _("province {province}, {year}: {violation}", province=province, year=year, violation=v),
                        ("input", "postIds"),
                    )
                    for v in result.blocking
                ]
            if problems:
                raise DomainRefusal(problems)
        return PostsPayload(posts=[Post.of(p) for p in rows], user_errors=[])


@strawberry.input
class LocalProjectDecisionInput:
    local_project_id: strawberry.ID
    decision: Decision
    reason: str | None = None


@strawberry.type
class NationalLocalProjectMutation:
    @mutation
    async def decide_local_project(unit: Unit, input: LocalProjectDecisionInput) -> LocalProjectPayload:
        """R41: the national office approves or rejects a province's local project plan."""
        unit.authorize()
        project = await unit.fetch(m.LocalProject, input.local_project_id, "input", "localProjectId")
        reason = posts.rejection_reason(input.decision, input.reason)
        if project.status != LocalProjectStatus.SUBMITTED.value:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the project is already {status}", status=labelled(LocalProjectStatus, project.status)),
                "input",
                "localProjectId",
            )
        target = LocalProjectStatus.APPROVED if input.decision is Decision.APPROVE else LocalProjectStatus.REJECTED
        project.status, project.decision_reason = target.value, reason
        unit.session.add(project)
        await unit.session.flush()
        unit.record(
            input.local_project_id,
            {"status": {"from": "SUBMITTED", "to": target.value}, "reason": reason},
            province=project.province_code,
        )
        return LocalProjectPayload(local_project=LocalProject.of(project), user_errors=[])
