"""What every mutation on an application shares: the facts its permission rules look at, and its audit
record with every jurisdiction it touches (school, recruiting and serving province, county, volunteer); and the
volunteer's own: submitting an application (R7, R20) and withdrawing it (R25)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import String, bindparam, exists, select

from hub import models as m
from hub.db import insert_rows
from hub.enums import ApplicationStatus, Milestone, UserErrorCode
from hub.errors import DomainRefusal, Problem, refuse
from hub.i18n import _
from hub.ids import to_global_id
from hub.mutation import Unit
from hub.rules.deadlines import ensure_open
from hub.rules.lifecycle import ensure_transition
from hub.scales import serving_sql


def target(app: m.Application, subject: str | None = None) -> dict[str, Any]:
    """The facts a permission rule decides on for an application."""
    return {
        "school_code": app.school_code,
        "recruiting_province": app.recruiting_province_code,
        "serving_province": app.serving_province_code,
        "county": app.county_code,
        "volunteer_subject": subject,
    }


async def record(unit: Unit, app: m.Application, changes: dict[str, Any]) -> str:
    """Audit a change of `app` (flushed) under every jurisdiction it touches; returns its global id."""
    unit.session.add(app)
    await unit.session.flush()
    volunteer = await unit.session.get(m.Volunteer, app.volunteer_id)
    gid = to_global_id("Application", app.id)
    unit.record(
        gid,
        changes,
        school=app.school_code,
        province=app.recruiting_province_code,
        volunteer=volunteer.subject if volunteer else None,
    )
    unit.record(gid, province=app.serving_province_code, county=app.county_code)
    return gid


def moved(previous: str, status: Any) -> dict[str, str]:
    """The audit form of a status change."""
    return {"from": previous, "to": getattr(status, "value", status)}


async def in_service(session: Any, volunteer_id: int) -> m.Application | None:
    """The volunteer's application that is IN_SERVICE (locked), if any: it names their county and province."""
    query = (
        select(m.Application)
        .where(m.Application.volunteer_id == volunteer_id, m.Application.status == ApplicationStatus.IN_SERVICE.value)
        .order_by(m.Application.id.desc())
        .with_for_update()
    )
    return (await session.execute(query)).scalars().first()


async def batch(
    unit: Unit,
    ids: list[str],
    status: Any,
    *,
    authorize: bool = True,
    check: Callable[[m.Application, tuple[str, ...]], None] | None = None,
) -> tuple[list[m.Application], list[Problem]]:
    """The applications of a batch mutation (input.applicationIds), each locked, authorized (unless the
    caller authorized on something else) and able to move to `status`. All or none: the problems of every
    bad one come back with its index in the field path, for the caller to raise with any of its own."""
    if not ids or len(set(ids)) != len(ids):
        raise refuse(UserErrorCode.INVALID_INPUT, "name each application once, at least one", "input", "applicationIds")
    apps: list[m.Application] = []
    problems: list[Problem] = []
    for index, gid in enumerate(ids):
        path = ("input", "applicationIds", str(index))
        try:
            app = await unit.fetch(m.Application, gid, *path)
            if authorize:
                unit.authorize(target(app))
            if check is not None:
                check(app, path)
            ensure_transition(app.status, status, *path)
            apps.append(app)
        except DomainRefusal as refusal:
            problems.extend(refusal.problems)
    return apps, problems


async def advance(unit: Unit, app: m.Application, status: Any, changes: dict[str, Any] | None = None) -> str:
    """Move `app` to `status` (already checked by ensure_transition) and audit it with `changes`."""
    change = moved(app.status, status)
    app.status = status.value
    return await record(unit, app, {"status": change, **(changes or {})})


def _facts_statement(with_codes: bool) -> Any:
    """What submitApplication decides on, in one statement (one round trip, issue 17's burst): the caller's
    volunteer (id, school, the school's province; no row when not registered), whether the year exists, its
    registration deadline in force (Hub.timeline's read for that one milestone: a draft date is no date),
    with `with_codes` whether each of the three named provinces serves (scales.serving_sql), and whether the
    volunteer already has an active application for the year (R20). Built once per shape, bound per call."""
    # Core tables, not ORM entities: the same SQL without the ORM's compile step at each execution.
    volunteers, schools, dates, years, applications = (
        model.__table__  # type: ignore[attr-defined]
        for model in (m.Volunteer, m.School, m.MilestoneDate, m.ProgramYear, m.Application)
    )
    year = bindparam("year", type_=String)
    deadline = (
        select(dates.c.closes_on)
        .where(
            dates.c.year == year,
            dates.c.milestone == Milestone.REGISTRATION_CLOSES.value,
            dates.c.draft.is_(False),
        )
        .scalar_subquery()
    )
    active = select(applications.c.id).where(
        applications.c.year == year, applications.c.active_volunteer_id == volunteers.c.id
    )
    codes = [bindparam(f"code_{i}", type_=String) for i in range(3)] if with_codes else []
    return (
        select(
            volunteers.c.id,
            volunteers.c.school_code,
            schools.c.province_code,
            exists(select(years.c.code).where(years.c.code == year)).label("year_exists"),
            deadline.label("closes_on"),
            exists(active).label("active"),
            *(serving_sql(year, code).label(f"serves_{i}") for i, code in enumerate(codes)),
        )
        .join(schools, schools.c.code == volunteers.c.school_code)
        .where(volunteers.c.subject == bindparam("subject", type_=String))
    )


FACTS = {with_codes: _facts_statement(with_codes) for with_codes in (False, True)}


async def _facts(unit: Unit, year: str, codes: list[str]) -> Any:
    """The caller's facts for an application to `year` naming `codes` (FACTS); INELIGIBLE when the caller has
    not registered as a volunteer. Whether each province serves is asked only of three distinct codes: any
    other list is refused before that matters."""
    with_codes = len(codes) == 3 and len(set(codes)) == 3
    parameters = {"year": year, "subject": unit.actor.subject}
    if with_codes:
        parameters.update({f"code_{i}": code for i, code in enumerate(codes)})
    facts = (await unit.session.execute(FACTS[with_codes], parameters)).first()
    if facts is None:
        raise refuse(UserErrorCode.INELIGIBLE, "register as a volunteer (registerVolunteer) before applying")
    return facts


async def submit(unit: Unit, year: str, preferred_province_codes: list[str], accepts_adjustment: bool) -> Any:
    """R7, R20: the caller's application (authorized by the caller) — three distinct serving provinces of the
    year, before registration closes; one active application per volunteer per year. Returns the row written."""
    codes = [c.strip() for c in preferred_province_codes]
    volunteer = await _facts(unit, year, codes)
    if not volunteer.year_exists:
        raise refuse(UserErrorCode.NOT_FOUND, _("there is no program year {year}", year=year), "input", "year")
    timeline = {} if volunteer.closes_on is None else {Milestone.REGISTRATION_CLOSES: volunteer.closes_on}
    ensure_open(timeline, Milestone.REGISTRATION_CLOSES, unit.hub.clock.today(), year)
    if len(codes) != 3 or len(set(codes)) != 3:
        raise refuse(
            UserErrorCode.INVALID_INPUT,
            _("name exactly three distinct serving provinces"),
            "input",
            "preferredProvinceCodes",
        )
    not_serving = [c for i, c in enumerate(codes) if not volunteer._mapping[f"serves_{i}"]]
    if not_serving:
        raise refuse(
            UserErrorCode.INVALID_INPUT,
            _("not serving provinces in {year}: {codes}", year=year, codes=", ".join(not_serving)),
            "input",
            "preferredProvinceCodes",
        )
    if volunteer.active:
        raise refuse(UserErrorCode.DUPLICATE, _("you already have an active application for {year}", year=year))
    # A plain insert (the row comes back with its id), not an ORM object and its flush: the registration
    # burst's hot path (issue 17); the same row, text-checked as a flush checks it.
    (application,) = await insert_rows(
        unit.session,
        m.Application,
        [
            {
                "year": year,
                "volunteer_id": volunteer.id,
                "active_volunteer_id": volunteer.id,
                "school_code": volunteer.school_code,
                "recruiting_province_code": volunteer.province_code,
                "preference_1": codes[0],
                "preference_2": codes[1],
                "preference_3": codes[2],
                "accepts_adjustment": accepts_adjustment,
                "status": ApplicationStatus.SUBMITTED.value,
                "submitted_at": unit.hub.clock.now(),
            }
        ],
        key="volunteer_id",  # unique among the one row: how insert_rows matches RETURNING
    )
    unit.record(
        to_global_id("Application", application.id),
        {"status": "SUBMITTED", "preferences": codes, "acceptsAdjustment": accepts_adjustment},
        volunteer=unit.actor.subject,
        school=volunteer.school_code,
        province=volunteer.province_code,
    )
    return application


async def withdraw(unit: Unit, application_id: str, reason: str) -> m.Application:
    """A volunteer withdraws their own application, with a reason, before service starts (R25)."""
    application = await unit.fetch(m.Application, application_id, "input", "applicationId")
    volunteer = await unit.session.get(m.Volunteer, application.volunteer_id)
    unit.authorize(target(application, volunteer.subject))
    reason = reason.strip()
    if not reason:
        raise refuse(UserErrorCode.INVALID_INPUT, "give a reason for withdrawing", "input", "reason")
    ensure_transition(application.status, ApplicationStatus.WITHDRAWN)
    application.active_volunteer_id = None  # R20: the year is open for a new application
    application.withdrawn_reason = reason
    await advance(unit, application, ApplicationStatus.WITHDRAWN, {"reason": reason})
    return application
