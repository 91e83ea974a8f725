"""The volunteer's own mutations, which live in the core: register (R6, R19), apply (R7, R20), withdraw."""

from __future__ import annotations

import strawberry

from hub import applications
from hub.enums import Degree
from hub.graphql.applications import Application
from hub.graphql.payloads import ApplicationPayload, RegisterVolunteerPayload
from hub.graphql.people import Volunteer
from hub.mutation import Unit, mutation
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
        application = await applications.submit(
            unit, input.year, input.preferred_province_codes, input.accepts_adjustment
        )
        return ApplicationPayload(application=Application.of(application), user_errors=[])

    @mutation
    async def withdraw_application(unit: Unit, input: WithdrawApplicationInput) -> ApplicationPayload:
        """A volunteer withdraws their own application, with a reason, before service starts (R25)."""
        application = await applications.withdraw(unit, input.application_id, input.reason)
        return ApplicationPayload(application=Application.of(application), user_errors=[])
