"""The volunteer's own mutations, which live in the core: register (R6, R19), apply (R7, R20), withdraw."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select

from hub import applications
from hub import models as m
from hub.db import insert_rows
from hub.enums import ApplicationStatus, Degree, Milestone, UserErrorCode
from hub.errors import refuse
from hub.graphql.applications import Application
from hub.graphql.payloads import ApplicationPayload, RegisterVolunteerPayload
from hub.graphql.people import Volunteer
from hub.i18n import _
from hub.ids import to_global_id
from hub.mutation import Unit, mutation
from hub.rules.lifecycle import ensure_transition
from hub.scales import serving_provinces
from hub.volunteers import Registration, register


@strawberry.input
class RegisterVolunteerInput:
    name: str
    id_number: str
    phone: str
    school_code: str
    degree: Degree
    has_work_experience: bool
    graduate_teaching_group: bool | None = None
    volunteer_experience: str | None = None


@strawberry.input
class SubmitApplicationInput:
    year: str
    preferred_province_codes: list[str]
    accepts_adjustment: bool


@strawberry.input
class WithdrawApplicationInput:
    application_id: strawberry.ID
    reason: str


async def _registered(unit: Unit) -> Any:
    """The caller's volunteer: id, school and the school's province (one statement, no ORM object)."""
    query = (
        select(m.Volunteer.id, m.Volunteer.school_code, m.School.province_code)
        .join(m.School, m.School.code == m.Volunteer.school_code)
        .where(m.Volunteer.subject == unit.actor.subject)
    )
    volunteer = (await unit.session.execute(query)).first()
    if volunteer is None:
        raise refuse(UserErrorCode.INELIGIBLE, "register as a volunteer (registerVolunteer) before applying")
    return volunteer


@strawberry.type
class VolunteerMutation:
    @mutation
    async def register_volunteer(unit: Unit, input: RegisterVolunteerInput) -> RegisterVolunteerPayload:
        """R6, R19: a volunteer's account registers once, with a valid identity number and mobile."""
        unit.authorize()
        (volunteer,) = await register(unit, [Registration(input, unit.actor.subject)])
        return RegisterVolunteerPayload(volunteer=Volunteer.of(volunteer), user_errors=[])

    @mutation
    async def submit_application(unit: Unit, input: SubmitApplicationInput) -> ApplicationPayload:
        """R7, R20: three distinct serving provinces of the year, before registration closes; one active
        application per volunteer per year."""
        unit.authorize()
        volunteer = await _registered(unit)
        await unit.ensure_open(input.year, Milestone.REGISTRATION_CLOSES)
        codes = [c.strip() for c in input.preferred_province_codes]
        if len(codes) != 3 or len(set(codes)) != 3:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("name exactly three distinct serving provinces"),
                "input",
                "preferredProvinceCodes",
            )
        serving = await serving_provinces(unit.session, input.year, codes)
        not_serving = [c for c in codes if c not in serving]
        if not_serving:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("not serving provinces in {year}: {codes}", year=input.year, codes=", ".join(not_serving)),
                "input",
                "preferredProvinceCodes",
            )
        active = (
            await unit.session.execute(
                select(m.Application.id).where(
                    m.Application.year == input.year, m.Application.active_volunteer_id == volunteer.id
                )
            )
        ).first()
        if active is not None:
            raise refuse(
                UserErrorCode.DUPLICATE, _("you already have an active application for {year}", year=input.year)
            )
        # A plain insert (the row comes back with its id), not an ORM object and its flush: the registration
        # burst's hot path (issue 17); the same row, text-checked as a flush checks it.
        (application,) = await insert_rows(
            unit.session,
            m.Application,
            [
                {
                    "year": input.year,
                    "volunteer_id": volunteer.id,
                    "active_volunteer_id": volunteer.id,
                    "school_code": volunteer.school_code,
                    "recruiting_province_code": volunteer.province_code,
                    "preference_1": codes[0],
                    "preference_2": codes[1],
                    "preference_3": codes[2],
                    "accepts_adjustment": input.accepts_adjustment,
                    "status": ApplicationStatus.SUBMITTED.value,
                    "submitted_at": unit.hub.clock.now(),
                }
            ],
            key="volunteer_id",  # unique among the one row: how insert_rows matches RETURNING
        )
        unit.record(
            to_global_id("Application", application.id),
            {"status": "SUBMITTED", "preferences": codes, "acceptsAdjustment": input.accepts_adjustment},
            volunteer=unit.actor.subject,
            school=volunteer.school_code,
            province=volunteer.province_code,
        )
        return ApplicationPayload(application=Application.of(application), user_errors=[])

    @mutation
    async def withdraw_application(unit: Unit, input: WithdrawApplicationInput) -> ApplicationPayload:
        """A volunteer withdraws their own application, with a reason, before service starts (R25)."""
        application = await unit.fetch(m.Application, input.application_id, "input", "applicationId")
        volunteer = await unit.session.get(m.Volunteer, application.volunteer_id)
        unit.authorize(applications.target(application, volunteer.subject))
        reason = input.reason.strip()
        if not reason:
            raise refuse(UserErrorCode.INVALID_INPUT, "give a reason for withdrawing", "input", "reason")
        ensure_transition(application.status, ApplicationStatus.WITHDRAWN)
        application.active_volunteer_id = None  # R20: the year is open for a new application
        application.withdrawn_reason = reason
        await applications.advance(unit, application, ApplicationStatus.WITHDRAWN, {"reason": reason})
        return ApplicationPayload(application=Application.of(application), user_errors=[])
