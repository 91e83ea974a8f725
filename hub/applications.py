"""What every mutation on an application shares: the facts its permission rules look at, and its audit
record with every jurisdiction it touches (school, recruiting and serving province, county, volunteer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from hub import models as m
from hub.enums import ApplicationStatus, UserErrorCode
from hub.errors import DomainRefusal, Problem, refuse
from hub.ids import to_global_id
from hub.mutation import Unit
from hub.rules.lifecycle import ensure_transition


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
