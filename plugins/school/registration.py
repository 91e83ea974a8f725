"""The school office registers its students in a batch (a roster import): each row checked exactly as a
volunteer's own registerVolunteer is checked (R6, R19), under the account the student will sign in with.

Why the school office: it is the office that knows its students and signs off their applications (R21),
and R2a already lets it see their phones; a school registers only students of its own school (R1)."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from hub.enums import UserErrorCode
from hub.errors import DomainRefusal, Problem, UserError, refuse
from hub.graphql.people import Volunteer
from hub.graphql.volunteer import RegisterVolunteerInput
from hub.i18n import _
from hub.mutation import Unit, mutation
from hub.volunteers import Registration, register

MAX_VOLUNTEERS = 20000  # a batch: a large school's roster in one file


@strawberry.input
class VolunteerRegistrationInput(RegisterVolunteerInput):
    """registerVolunteer's input, with the account a school registers the student under."""

    subject: str = strawberry.field(description="The account (token subject) the student will sign in with.")


@strawberry.input
class RegisterVolunteersInput:
    volunteers: list[VolunteerRegistrationInput]


@strawberry.type
class RegisterVolunteersPayload:
    @strawberry.field
    def volunteers(self) -> list[Volunteer]:  # built when asked for: an import of 20,000 rows reads only the problems
        return [Volunteer.of(v) for v in self.saved]

    user_errors: list[UserError]
    saved: strawberry.Private[list[Any]] = dataclasses.field(default_factory=list)  # the rows written


@strawberry.type
class SchoolRegistrationMutation:
    @mutation
    async def register_volunteers(unit: Unit, input: RegisterVolunteersInput) -> RegisterVolunteersPayload:
        """R6, R19: the school's students registered at once; all or none, every bad row reported with its
        index in the field path (input.volunteers.<index>.<field>)."""
        rows = input.volunteers
        if not rows or len(rows) > MAX_VOLUNTEERS:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("register 1 to {limit} volunteers a batch", limit=MAX_VOLUNTEERS),
                "input",
                "volunteers",
            )
        # R1 first: a roster naming another school's student is refused whole (each school decided once)
        for school in dict.fromkeys(row.school_code.strip() for row in rows):
            unit.authorize({"school_code": school})
        empty = [
            Problem(UserErrorCode.INVALID_INPUT, _("the account is empty"), ("input", "volunteers", str(i), "subject"))
            for i, row in enumerate(rows)
            if not row.subject.strip()
        ]
        if empty:
            raise DomainRefusal(empty)
        saved = await register(
            unit,
            [
                # the row is a RegisterVolunteerInput (its subclass): register reads the fields they share
                Registration(row, row.subject.strip(), ("input", "volunteers", str(index)))
                for index, row in enumerate(rows)
            ],
        )
        return RegisterVolunteersPayload(user_errors=[], saved=saved)
