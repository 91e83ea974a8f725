"""The county office receives the volunteers assigned to it and signs the tripartite service agreement
(三方服务协议) for an approved post with a free place (R26), renewed yearly up to three terms (R27)."""

from __future__ import annotations

from datetime import date, timedelta

import strawberry

from hub import applications, posts
from hub import models as m
from hub.enums import ApplicationStatus as S
from hub.enums import Milestone, UserErrorCode
from hub.errors import DomainRefusal, refuse
from hub.graphql.applications import Application
from hub.graphql.payloads import ApplicationsPayload, ServiceAgreementPayload
from hub.graphql.service import ServiceAgreement
from hub.i18n import _
from hub.mutation import Unit, mutation
from hub.rules.benefits import add_years
from hub.rules.lifecycle import ensure_transition

MAX_TERMS = 3  # R27: a service term of one to three years, one agreement a year


@strawberry.input
class ReceiveVolunteersInput:
    application_ids: list[strawberry.ID]


@strawberry.input
class SignServiceAgreementInput:
    application_id: strawberry.ID
    post_id: strawberry.ID
    starts_on: date
    ends_on: date


@strawberry.input
class RenewServiceAgreementInput:
    agreement_id: strawberry.ID


def one_year_from(starts_on: date) -> date:
    """The last day of a one-year agreement starting on `starts_on`."""
    return add_years(starts_on, 1) - timedelta(days=1)


@strawberry.type
class CountyPlacementMutation:
    @mutation
    async def receive_volunteers(unit: Unit, input: ReceiveVolunteersInput) -> ApplicationsPayload:
        """R26: the county receives trained volunteers the province assigned to it (DISPATCHED); all or none."""
        apps, problems = await applications.batch(unit, input.application_ids, S.DISPATCHED)
        if problems:
            raise DomainRefusal(problems)
        for app in apps:
            await applications.advance(unit, app, S.DISPATCHED)
        return ApplicationsPayload(applications=[Application.of(a) for a in apps], user_errors=[])

    @mutation
    async def sign_service_agreement(unit: Unit, input: SignServiceAgreementInput) -> ServiceAgreementPayload:
        """R26, R7: the one-year tripartite agreement for an approved post of the county with a free place,
        by the milestone; the volunteer is then IN_SERVICE."""
        app = await unit.fetch(m.Application, input.application_id, "input", "applicationId")
        unit.authorize(applications.target(app))
        await unit.ensure_open(app.year, Milestone.SERVICE_AGREEMENTS_SIGNED)
        ensure_transition(app.status, S.IN_SERVICE, "input", "applicationId")
        if not input.starts_on <= input.ends_on <= one_year_from(input.starts_on):
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("an agreement runs for at most one year, ending after it starts"),
                "input",
                "endsOn",
            )
        post = await unit.fetch(m.Post, input.post_id, "input", "postId")
        if post.county_code != app.county_code or post.year != app.year:
            raise refuse(
                UserErrorCode.INELIGIBLE,
                _("the post is not one of county {county} for {year}", county=app.county_code, year=app.year),
                "input",
                "postId",
            )
        await posts.ensure_free_place(unit.session, post.id, "input", "postId")
        agreement = m.ServiceAgreement(
            application_id=app.id,
            volunteer_id=app.volunteer_id,
            post_id=post.id,
            county_code=post.county_code,
            unit_id=post.unit_id,
            term_year=1,
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            signed_at=unit.hub.clock.now(),
            reported_on=input.starts_on,
        )
        unit.session.add(agreement)
        await applications.advance(unit, app, S.IN_SERVICE)
        view = ServiceAgreement.of(agreement)
        unit.record(
            view.id,
            {"postId": input.post_id, "termYear": 1, "startsOn": input.starts_on, "endsOn": input.ends_on},
            county=post.county_code,
            province=app.serving_province_code,
        )
        return ServiceAgreementPayload(agreement=view, user_errors=[])

    @mutation
    async def renew_service_agreement(unit: Unit, input: RenewServiceAgreementInput) -> ServiceAgreementPayload:
        """R27: the next one-year agreement, starting the day after the current one ends, signed before it
        ends; at most three terms. Bans and disqualification do not stop renewals."""
        current = await unit.fetch(m.ServiceAgreement, input.agreement_id, "input", "agreementId")
        app = await unit.session.get(m.Application, current.application_id, with_for_update=True)
        unit.authorize({**applications.target(app), "county": current.county_code})
        # the latest agreement, kept on the application row just locked (hub.agreements)
        if current.term_year != app.latest_term_year or app.status != S.IN_SERVICE.value:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("only the current agreement of a volunteer in service is renewed"),
                "input",
                "agreementId",
            )
        if current.term_year >= MAX_TERMS:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the service term is at most {limit} years", limit=MAX_TERMS),
                "input",
                "agreementId",
            )
        if unit.hub.clock.today() > current.ends_on:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the agreement ended on {date}; renew before it ends", date=current.ends_on),
                "input",
                "agreementId",
            )
        starts = current.ends_on + timedelta(days=1)
        renewal = m.ServiceAgreement(
            application_id=app.id,
            volunteer_id=app.volunteer_id,
            post_id=current.post_id,
            county_code=current.county_code,
            unit_id=current.unit_id,
            term_year=current.term_year + 1,
            starts_on=starts,
            ends_on=one_year_from(starts),
            signed_at=unit.hub.clock.now(),
            reported_on=current.reported_on,
        )
        unit.session.add(renewal)
        await unit.session.flush()
        view = ServiceAgreement.of(renewal)
        unit.record(
            view.id,
            {
                "termYear": renewal.term_year,
                "startsOn": renewal.starts_on,
                "endsOn": renewal.ends_on,
                "renews": input.agreement_id,
            },
            county=current.county_code,
            province=app.serving_province_code,
        )
        await applications.record(unit, app, {"renewedTo": renewal.term_year})
        return ServiceAgreementPayload(agreement=view, user_errors=[])
