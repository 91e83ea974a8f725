"""R6, R19: a volunteer's registration — the one path of the volunteer's own registerVolunteer and of a
school office's roster import (registerVolunteers) — and what the core lets a volunteer do and read: its
permission rules and read scopes (the offices' come from their plugins)."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import select, union

from hub import models as m
from hub.audit import touched_by
from hub.db import insert_rows
from hub.dialects import is_one_of
from hub.enums import OfficeLevel, UserErrorCode
from hub.errors import DomainRefusal, Problem
from hub.i18n import N_, _
from hub.ids import to_global_id
from hub.mutation import Unit
from hub.permissions import ReadScope, Rule
from hub.rules.idnumbers import InvalidIdNumber, is_mobile, normalize_id_number, parse_id_number
from hub.rules.text import name_problem


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
    ReadScope("AuditEntry", VOLUNTEER, lambda a: touched_by("VOLUNTEER", a.subject)),
]


class Registration(NamedTuple):
    """One volunteer to register: the input, the account it registers under, and where its fields are in
    the request (the input itself, or one row of a batch) for the userErrors. A tuple: a roster makes
    thousands."""

    input: Any  # registerVolunteer's input (hub.graphql.volunteer.RegisterVolunteerInput), or a roster's row
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
