"""The provincial office as serving province in placement: new service counties (R9), post confirmation
(R12), assignment within scale to counties that accept volunteers (R8, R10, R11), post changes within the
province (R26) and the yearly county evaluation (R11)."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from hub import applications, posts, scales
from hub import models as m
from hub.counties import acceptance as county_acceptance
from hub.enums import ApplicationStatus as S
from hub.enums import CountyStatus, Decision, PostStatus, UserErrorCode, label, labelled
from hub.errors import refuse
from hub.graphql.applications import Application
from hub.graphql.geography import County
from hub.graphql.inputs import PostsDecisionInput
from hub.graphql.payloads import (
    ApplicationPayload,
    CountyPayload,
    PostsPayload,
    ServiceAgreementPayload,
)
from hub.graphql.posts import Post
from hub.graphql.service import ServiceAgreement
from hub.i18n import _
from hub.ids import to_global_id
from hub.mutation import Unit, mutation
from hub.rules.years import is_year_code


@strawberry.input
class CountyDecisionInput:
    county_code: str
    decision: Decision
    reason: str | None = None


@strawberry.input
class AssignCountyInput:
    application_id: strawberry.ID
    county_code: str


@strawberry.input
class ChangePostInput:
    agreement_id: strawberry.ID
    post_id: strawberry.ID
    reason: str


@strawberry.input
class CountyEvaluationInput:
    county_code: str
    year: str
    passed: bool
    remarks: str | None = None


@strawberry.type
class PlacementMutation:
    @mutation
    async def decide_service_county(unit: Unit, input: CountyDecisionInput) -> CountyPayload:
        """R9: the provincial office approves or rejects a county's application; the national office files it."""
        county = await unit.session.get(m.County, input.county_code, with_for_update=True)
        if county is None:
            raise refuse(
                UserErrorCode.NOT_FOUND,
                _("no county has the code {code!r}", code=input.county_code),
                "input",
                "countyCode",
            )
        unit.authorize({"serving_province": county.province_code, "county": county.code})
        reason = posts.rejection_reason(input.decision, input.reason)
        if county.status != CountyStatus.APPLIED.value:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _(
                    "the county is {status}, not {expected}",
                    status=labelled(CountyStatus, county.status),
                    expected=label(CountyStatus.APPLIED),
                ),
                "input",
                "countyCode",
            )
        target = CountyStatus.PROVINCE_APPROVED if input.decision is Decision.APPROVE else CountyStatus.REJECTED
        unit.record(
            County.of(county).id,
            {"status": {"from": county.status, "to": target.value}, "reason": reason},
            county=county.code,
            province=county.province_code,
        )
        county.status = target.value
        unit.session.add(county)
        await unit.session.flush()
        return CountyPayload(county=County.of(county), user_errors=[])

    @mutation
    async def confirm_posts(unit: Unit, input: PostsDecisionInput) -> PostsPayload:
        """R12: the provincial office confirms (or rejects) posts its counties declared."""
        rows = await posts.decide(
            unit, input.post_ids, input.decision, input.reason, PostStatus.DECLARED, PostStatus.PROVINCE_CONFIRMED
        )
        return PostsPayload(posts=[Post.of(p) for p in rows], user_errors=[])

    @mutation
    async def assign_county(unit: Unit, input: AssignCountyInput) -> ApplicationPayload:
        """R26, R8, R10, R11: assign a trained volunteer to a county of the serving province that accepts
        volunteers that year, within the province's scale."""
        app = await unit.fetch(m.Application, input.application_id, "input", "applicationId")
        unit.authorize(applications.target(app))
        if app.status != S.TRAINED.value or app.county_code is not None:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _(
                    "only a trained volunteer not yet assigned is assigned (this one is {status}, assigned)",
                    status=labelled(S, app.status),
                )
                if app.county_code
                else _(
                    "only a trained volunteer not yet assigned is assigned (this one is {status})",
                    status=labelled(S, app.status),
                ),
                "input",
                "applicationId",
            )
        county = await unit.session.get(m.County, input.county_code.strip())
        if county is None:
            raise refuse(
                UserErrorCode.NOT_FOUND,
                _("no county has the code {code!r}", code=input.county_code),
                "input",
                "countyCode",
            )
        if county.province_code != app.serving_province_code:
            raise refuse(
                UserErrorCode.CROSS_PROVINCE,
                _(
                    "county {county} is not in the serving province {province}",
                    county=county.code,
                    province=app.serving_province_code,
                ),
                "input",
                "countyCode",
            )
        acceptance = await county_acceptance(unit.session, county, app.year)
        if acceptance is not None:
            code, why = acceptance
            raise refuse(code, why, "input", "countyCode")
        in_force = await scales.in_force(unit.session, app.year, [county.province_code], lock=True)
        scale = in_force.get(county.province_code)  # a draft scale is none (openProgramYear)
        taken = await scales.assigned(unit.session, app.year, county.province_code)
        if scale is None or taken >= scale.scale:
            raise refuse(
                UserErrorCode.SCALE_EXCEEDED,
                _(
                    "the scale of {province} for {year} is reached ({taken} of {scale})",
                    province=county.province_code,
                    year=app.year,
                    taken=taken,
                    scale=scale.scale if scale else 0,
                ),
                "input",
                "countyCode",
            )
        app.county_code = county.code
        await applications.record(unit, app, {"county": county.code})
        return ApplicationPayload(application=Application.of(app), user_errors=[])

    @mutation
    async def change_post(unit: Unit, input: ChangePostInput) -> ServiceAgreementPayload:
        """R26: on request, move a volunteer's current agreement to an approved post with a free place in the
        same province (another province is CROSS_PROVINCE); no milestone applies."""
        agreement = await unit.fetch(m.ServiceAgreement, input.agreement_id, "input", "agreementId")
        app = await unit.session.get(m.Application, agreement.application_id, with_for_update=True)
        unit.authorize(applications.target(app))
        if not input.reason.strip():
            raise refuse(
                UserErrorCode.INVALID_INPUT, _("a post change is made on request: give the reason"), "input", "reason"
            )
        if app.status != S.IN_SERVICE.value:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the volunteer is {status}, not in service", status=labelled(S, app.status)),
                "input",
                "agreementId",
            )
        target = await unit.fetch(m.Post, input.post_id, "input", "postId")
        if target.county_code[:2] != app.serving_province_code:
            raise refuse(
                UserErrorCode.CROSS_PROVINCE,
                _(
                    "the post is in province {province}; a post changes only within {serving}",
                    province=target.county_code[:2],
                    serving=app.serving_province_code,
                ),
                "input",
                "postId",
            )
        # The agreement in force and any renewal after it move together: the volunteer holds one place,
        # that of their latest agreement (hub.posts.holding).
        moving = list(
            (
                await unit.session.execute(
                    select(m.ServiceAgreement)
                    .where(
                        m.ServiceAgreement.application_id == app.id,
                        m.ServiceAgreement.ends_on >= unit.hub.clock.today(),
                    )
                    .with_for_update()
                )
            ).scalars()
        )
        if agreement not in moving:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the agreement ended on {date}; change the post of the one in force", date=agreement.ends_on),
                "input",
                "agreementId",
            )
        if target.id == agreement.post_id:
            raise refuse(UserErrorCode.INVALID_INPUT, _("the volunteer already holds this post"), "input", "postId")
        await posts.ensure_free_place(unit.session, target.id, "input", "postId")
        changes = {
            "post": {"from": to_global_id("Post", agreement.post_id), "to": input.post_id},
            "reason": input.reason.strip(),
        }
        previous_county = agreement.county_code
        for row in moving:
            row.post_id, row.unit_id, row.county_code = target.id, target.unit_id, target.county_code
            unit.session.add(row)
            unit.record(
                to_global_id("ServiceAgreement", row.id),
                changes,
                county=previous_county,
                province=app.serving_province_code,
            )
            unit.record(to_global_id("ServiceAgreement", row.id), county=target.county_code)
        app.county_code = target.county_code
        view = ServiceAgreement.of(agreement)
        await applications.record(unit, app, {"county": {"from": previous_county, "to": target.county_code}})
        return ServiceAgreementPayload(agreement=view, user_errors=[])

    @mutation
    async def record_county_evaluation(unit: Unit, input: CountyEvaluationInput) -> CountyPayload:
        """R11: the yearly evaluation of a service county; a failed one disqualifies it from the next year."""
        county = await unit.session.get(m.County, input.county_code, with_for_update=True)
        if county is None:
            raise refuse(
                UserErrorCode.NOT_FOUND,
                _("no county has the code {code!r}", code=input.county_code),
                "input",
                "countyCode",
            )
        unit.authorize({"serving_province": county.province_code, "county": county.code})
        if not is_year_code(input.year):
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("a program year reads like 2021-2022, not {year!r}", year=input.year),
                "input",
                "year",
            )
        await unit.require_year(input.year)
        if county.status not in (CountyStatus.ACTIVE.value, CountyStatus.DISQUALIFIED.value):
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the county is {status}, not a service county", status=labelled(CountyStatus, county.status)),
                "input",
                "countyCode",
            )
        done = (
            await unit.session.execute(
                select(m.CountyEvaluation.id).where(
                    m.CountyEvaluation.county_code == county.code, m.CountyEvaluation.year == input.year
                )
            )
        ).first()
        if done is not None:
            raise refuse(
                UserErrorCode.DUPLICATE,
                _("county {county} is already evaluated for {year}", county=county.code, year=input.year),
                "input",
                "year",
            )
        unit.session.add(
            m.CountyEvaluation(
                county_code=county.code,
                year=input.year,
                passed=input.passed,
                remarks=(input.remarks or "").strip() or None,
                recorded_at=unit.hub.clock.now(),
            )
        )
        changes: dict = {"year": input.year, "passed": input.passed, "remarks": input.remarks}
        if not input.passed and county.status != CountyStatus.DISQUALIFIED.value:
            changes["status"] = {"from": county.status, "to": CountyStatus.DISQUALIFIED.value}
            county.status = CountyStatus.DISQUALIFIED.value
            unit.session.add(county)
        await unit.session.flush()
        unit.record(County.of(county).id, changes, county=county.code, province=county.province_code)
        return CountyPayload(county=County.of(county), user_errors=[])
