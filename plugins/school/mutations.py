"""The school office's mutation: sign-off of its students' applications (R21), by its milestone (R7)."""

from __future__ import annotations

import strawberry

from hub import applications
from hub import models as m
from hub.enums import ApplicationStatus as S
from hub.enums import Decision, Milestone, UserErrorCode
from hub.errors import refuse
from hub.graphql.applications import Application
from hub.graphql.payloads import ApplicationPayload
from hub.i18n import _
from hub.mutation import Unit, mutation
from hub.rules.lifecycle import ensure_transition


@strawberry.input
class SignOffApplicationInput:
    application_id: strawberry.ID
    decision: Decision
    reason: str | None = None


@strawberry.type
class SchoolMutation:
    @mutation
    async def sign_off_application(unit: Unit, input: SignOffApplicationInput) -> ApplicationPayload:
        """R21: approve, or reject with a reason; recorded with who and when."""
        application = await unit.fetch(m.Application, input.application_id, "input", "applicationId")
        unit.authorize(applications.target(application))
        await unit.ensure_open(application.year, Milestone.SCHOOL_SIGN_OFF_CLOSES)
        reason = (input.reason or "").strip() or None
        if input.decision is Decision.REJECT and reason is None:
            raise refuse(UserErrorCode.INVALID_INPUT, _("a rejection needs a reason"), "input", "reason")
        status = S.SCHOOL_APPROVED if input.decision is Decision.APPROVE else S.SCHOOL_REJECTED
        ensure_transition(application.status, status)
        change = applications.moved(application.status, status)
        application.status = status.value
        application.sign_off_decision = input.decision.value
        application.sign_off_reason = reason
        application.sign_off_by = unit.actor.subject
        application.sign_off_at = unit.hub.clock.now()
        await applications.record(
            unit, application, {"status": change, "decision": input.decision.value, "reason": reason}
        )
        return ApplicationPayload(application=Application.of(application), user_errors=[])
