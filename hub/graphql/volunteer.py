"""The volunteer's own mutations, which live in the core: register (R6, R19), apply (R7, R20), withdraw."""

from __future__ import annotations

from typing import Any, NamedTuple

import strawberry
from sqlalchemy import select, union

from hub import applications
from hub import models as m
from hub.audit import touched_by
from hub.db import insert_rows
from hub.dialects import is_one_of
from hub.enums import ApplicationStatus, Degree, Milestone, OfficeLevel, UserErrorCode
from hub.errors import DomainRefusal, Problem, refuse
from hub.graphql.applications import Application
from hub.graphql.payloads import ApplicationPayload, RegisterVolunteerPayload
from hub.graphql.people import Volunteer
from hub.i18n import N_, _
from hub.ids import to_global_id
from hub.mutation import Unit, mutation
from hub.permissions import ReadScope, Rule
from hub.rules.idnumbers import InvalidIdNumber, is_mobile, normalize_id_number, parse_id_number
from hub.rules.lifecycle import ensure_transition
from hub.rules.text import name_problem
from hub.scales import serving_provinces


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


def _own(actor, target) -> bool:  # type: ignore[no-untyped-def]
    return target.get("volunteer_subject") == actor.subject


VOLUNTEER = OfficeLevel.VOLUNTEER
CORE_RULES = [
    Rule("registerVolunteer", VOLUNTEER, describes=N_("one's own registration")),
    Rule("submitApplication", VOLUNTEER, describes=N_("one's own application")),
    Rule("withdrawApplication", VOLUNTEER, _own, describes=N_("one's own application")),
]


def _mine(entity_volunteer_column):  # type: ignore[no-untyped-def]
    def where(actor):  # type: ignore[no-untyped-def]
        return entity_volunteer_column.in_(select(m.Volunteer.id).where(m.Volunteer.subject == actor.subject))

    return where


CORE_SCOPES = [
    ReadScope("Volunteer", VOLUNTEER, lambda a: m.Volunteer.subject == a.subject),
    ReadScope("Application", VOLUNTEER, _mine(m.Application.volunteer_id)),
    ReadScope("ServiceAgreement", VOLUNTEER, _mine(m.ServiceAgreement.volunteer_id)),
    ReadScope("Assessment", VOLUNTEER, _mine(m.Assessment.volunteer_id)),
    ReadScope("AuditEntry", VOLUNTEER, lambda a: _audit_touching("VOLUNTEER", a.subject)),
]


def _audit_touching(level: str, code: str):  # type: ignore[no-untyped-def]
    return touched_by(level, code)


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


class Registration(NamedTuple):
    """One volunteer to register: the input, the account it registers under, and where its fields are in
    the request (the input itself, or one row of a batch) for the userErrors. A tuple: a roster makes
    thousands."""

    input: RegisterVolunteerInput
    subject: str
    at: tuple[str, ...] = ("input",)


async def register(unit: Unit, registrations: list[Registration]) -> list[Any]:
    """R6, R19: volunteers registered, each under its account, checked and written with their audit records;
    all or none, every problem of every one reported. The volunteer's own registerVolunteer (one) and a school
    office's registerVolunteers (a roster import, thousands) both come here: the lookups are one query each
    for the whole batch, a batch is checked against itself as against the database, and it is written as one
    insert of plain rows (`insert_rows`: no ORM object per volunteer, the same text check). The volunteers come
    back as those rows (their columns as attributes), registered at one instant."""
    today, now = unit.hub.clock.today(), unit.hub.clock.now()
    ids = [normalize_id_number(r.input.id_number) for r in registrations]
    subjects = [r.subject for r in registrations]
    school_codes = {r.input.school_code for r in registrations}
    schools = {
        s.code: s
        for s in (await unit.session.execute(select(m.School).where(m.School.code.in_(school_codes)))).scalars()
    }
    taken_subjects, taken_ids = set(), set()
    dialect = unit.session.get_bind().dialect
    step = max(len(registrations), 1) if dialect.name == "postgresql" else 1000  # one array each; else bounded IN lists
    for start in range(0, len(registrations), step):
        # two halves, each through its own unique index: an OR of two IN lists of 1,000 lets PostgreSQL
        # choose a sequential scan once the table holds ~100,000 volunteers (0.05 -> 0.40 s for a roster)
        taken = union(
            select(m.Volunteer.subject, m.Volunteer.id_number).where(
                is_one_of(m.Volunteer.subject, subjects[start : start + step], dialect)
            ),
            select(m.Volunteer.subject, m.Volunteer.id_number).where(
                is_one_of(m.Volunteer.id_number, ids[start : start + step], dialect)
            ),
        )
        rows = await unit.session.execute(taken)
        for subject, number in rows:
            taken_subjects.add(subject)
            taken_ids.add(number)
    problems: list[Problem] = []
    volunteers: list[dict[str, Any]] = []
    for registration, id_number in zip(registrations, ids, strict=True):
        input, subject, at = registration.input, registration.subject, registration.at
        account = (*at, "subject") if len(at) > 1 else None
        name = input.name.strip()
        invalid_name = name_problem(name)
        if invalid_name:
            problems.append(Problem(UserErrorCode.INVALID_INPUT, invalid_name, (*at, "name")))
        facts = None
        try:
            facts = parse_id_number(id_number, today)
        except InvalidIdNumber as exc:
            problems.append(
                Problem(UserErrorCode.INVALID_INPUT, _("idNumber: {reason}", reason=exc), (*at, "idNumber"))
            )
        if not is_mobile(input.phone):
            problems.append(
                Problem(
                    UserErrorCode.INVALID_INPUT,
                    _("phone: an 11-digit mainland mobile number is needed"),
                    (*at, "phone"),
                )
            )
        school = schools.get(input.school_code)
        if school is None:
            problems.append(
                Problem(
                    UserErrorCode.NOT_FOUND,
                    _("no school has the code {code!r}", code=input.school_code),
                    (*at, "schoolCode"),
                )
            )
        if subject in taken_subjects:
            problems.append(
                Problem(UserErrorCode.DUPLICATE, "this account has already registered a volunteer", account)
            )
        if id_number in taken_ids:
            problems.append(
                Problem(UserErrorCode.DUPLICATE, "this identity number is already registered", (*at, "idNumber"))
            )
        taken_subjects.add(subject)
        taken_ids.add(id_number)
        if problems or facts is None or school is None:
            continue
        volunteers.append(
            {
                "subject": subject,
                "name": name,
                "id_number": id_number,
                "phone": input.phone.strip(),
                "gender": facts.gender.value,
                "birth_date": facts.birth_date,
                "school_code": school.code,
                "degree": input.degree.value,
                "graduate_teaching_group": bool(input.graduate_teaching_group),
                "has_work_experience": input.has_work_experience,
                "volunteer_experience": (input.volunteer_experience or None),
                "registered_at": now,
                "certificate_number": None,
                "completed_on": None,
                "appraisal": None,
            }
        )
    if problems:
        raise DomainRefusal(problems)
    saved = await insert_rows(unit.session, m.Volunteer, volunteers, key="subject")
    for volunteer in saved:
        school = schools[volunteer.school_code]
        unit.record(
            to_global_id("Volunteer", volunteer.id),
            {"name": volunteer.name, "schoolCode": school.code},
            volunteer=volunteer.subject,
            school=school.code,
            province=school.province_code,
        )
    return saved
