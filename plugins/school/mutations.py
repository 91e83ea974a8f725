"""The school office's mutation: sign-off of its students' applications (R21), by its milestone (R7)."""

from __future__ import annotations

import strawberry

from hub import models as m
from hub.enums import ApplicationStatus, Decision, Milestone, UserErrorCode
from hub.errors import refuse
from hub.graphql.context import Info
from hub.graphql.ids import int_key
from hub.graphql.payloads import ApplicationPayload, refused_with
from hub.graphql.types import Application
from hub.mutation import Unit, perform
from hub.rules.lifecycle import ensure_transition


@strawberry.input
class SignOffApplicationInput:
    application_id: strawberry.ID
    decision: Decision
    reason: str | None = None


@strawberry.type
class SchoolMutation:
    @strawberry.mutation
    async def sign_off_application(self, info: Info, input: SignOffApplicationInput) -> ApplicationPayload:
        """R21: approve, or reject with a reason; recorded with who and when."""

        async def work(unit: Unit) -> ApplicationPayload:
            key = int_key(input.application_id, "Application")
            application = None if key is None else await unit.session.get(m.Application, key, with_for_update=True)
            if application is None:
                raise refuse(UserErrorCode.NOT_FOUND, "no such application", "input", "applicationId")
            unit.authorize({"school_code": application.school_code})
            await unit.ensure_open(application.year, Milestone.SCHOOL_SIGN_OFF_CLOSES)
            reason = (input.reason or "").strip() or None
            if input.decision is Decision.REJECT and reason is None:
                raise refuse(UserErrorCode.INVALID_INPUT, "a rejection needs a reason", "input", "reason")
            target = (
                ApplicationStatus.SCHOOL_APPROVED
                if input.decision is Decision.APPROVE
                else ApplicationStatus.SCHOOL_REJECTED
            )
            ensure_transition(application.status, target)
            previous = application.status
            application.status = target.value
            application.sign_off_decision = input.decision.value
            application.sign_off_reason = reason
            application.sign_off_by = unit.actor.subject
            application.sign_off_at = unit.hub.clock.now()
            unit.session.add(application)
            volunteer = await unit.session.get(m.Volunteer, application.volunteer_id)
            unit.record(
                input.application_id,
                {
                    "status": {"from": previous, "to": target.value},
                    "decision": input.decision.value,
                    "reason": reason,
                },
                school=application.school_code,
                province=application.recruiting_province_code,
                volunteer=volunteer.subject,
            )
            return ApplicationPayload(application=Application.of(application), user_errors=[])

        return await perform(
            info.context.hub,
            info.context.actor,
            info.context.auth_error,
            "signOffApplication",
            work,
            refused_with(ApplicationPayload, application=None),
        )
