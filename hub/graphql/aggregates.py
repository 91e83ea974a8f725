"""Figures computed in SQL for whole batches: scales, volunteers in post, filled places, bans.

Each is loaded through a per-request DataLoader keyed by what the field needs, so a list of N
provinces, counties or posts costs one statement per figure, not N.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from hub import counting
from hub import models as m
from hub.counties import major_incidents
from hub.enums import AssessmentGrade, AssessmentStatus, LocalProjectStatus
from hub.errors import bad_input
from hub.i18n import _
from hub.posts import holding
from hub.rules import counties
from hub.rules.benefits import ServiceRecord
from hub.rules.benefits import benefits as compute_benefits
from hub.rules.years import is_year_code
from hub.scales import in_force as scale_rows


def year_input(year: str) -> str:
    """A year argument that is no program year is the caller's mistake (BAD_USER_INPUT), not a crash."""
    if not is_year_code(year):
        raise bad_input(_("a program year reads like 2021-2022, not {year!r}", year=year))
    return year


async def scales(info: Any, year: str) -> dict[str, int]:
    """R8: province code → the scale in force for `year` (a draft copied by openProgramYear is none)."""

    async def batch(session: Any, years: list[str]) -> list[dict[str, int]]:
        out = []
        for y in years:
            out.append({code: row.scale for code, row in (await scale_rows(session, y)).items()})
        return out

    return await info.context.loaders.custom("scales", batch).load(year)


async def in_post_by_province(info: Any, year: str) -> dict[str, int]:
    year_input(year)

    async def batch(session: Any, years: list[str]) -> list[dict[str, int]]:
        out = []
        for y in years:
            query = (
                select(m.Application.serving_province_code, func.count())
                .where(counting.in_post(y))
                .group_by(m.Application.serving_province_code)
            )
            out.append(dict((await session.execute(query)).all()))
        return out

    return await info.context.loaders.custom("in_post_by_province", batch).load(year)


async def banned_years(info: Any, county_code: str) -> set[str]:
    """R10/R29: the years a county is banned for, from its major incidents."""

    async def batch(session: Any, codes: list[str]) -> list[set[str]]:
        days: dict[str, list[Any]] = defaultdict(list)
        for code, day in (await session.execute(major_incidents(codes))).all():
            days[code].append(day)
        return [counties.banned_years(days.get(c, [])) for c in codes]

    return await info.context.loaders.custom("banned_years", batch).load(county_code)


async def accepts_volunteers(info: Any, county: m.County, year: str) -> bool:
    year_input(year)
    evaluations = await info.context.loaders.many(m.CountyEvaluation, "county_code").load(county.code)
    failed = [e.year for e in evaluations if not e.passed]
    banned = await banned_years(info, county.code)
    return counties.refusal(county.status, banned, failed, year, county.first_service_year) is None


async def filled(info: Any, post_id: int) -> int:
    """R26: places of a post taken by volunteers in service on it."""

    async def batch(session: Any, ids: list[int]) -> list[int]:
        counts = dict((await session.execute(holding(ids))).all())
        return [counts.get(i, 0) for i in ids]

    return await info.context.loaders.custom("filled", batch).load(post_id)


async def service_record(info: Any, volunteer: m.Volunteer) -> ServiceRecord:
    """R32–R37: the facts benefits are computed from, read from the volunteer's record."""
    loaders = info.context.loaders
    agreements = await loaders.many(m.ServiceAgreement, "volunteer_id").load(volunteer.id)
    assessments = await loaders.many(m.Assessment, "volunteer_id").load(volunteer.id)
    approved = [a for a in assessments if a.status == AssessmentStatus.APPROVED.value]
    posts = await loaders.one(m.Post).load_many([a.post_id for a in agreements])
    project_ids = {p.local_project_id for p in posts if p is not None and p.local_project_id is not None}
    local_approved = None
    if project_ids:
        projects = await loaders.one(m.LocalProject).load_many(sorted(project_ids))
        local_approved = all(p is not None and p.status == LocalProjectStatus.APPROVED.value for p in projects)
    starts = [a.reported_on or a.starts_on for a in agreements]
    return ServiceRecord(
        reported_on=min(starts) if starts else None,
        completed_on=volunteer.completed_on,
        years_served=len({a.term_year for a in agreements})
        if volunteer.completed_on
        else len([a for a in agreements if a.ends_on <= info.context.hub.clock.today()]),
        passed_assessments=bool(approved) and all(a.grade != AssessmentGrade.INCOMPETENT.value for a in approved),
        has_work_experience=volunteer.has_work_experience,
        graduate_teaching_group=volunteer.graduate_teaching_group,
        local_project_approved=local_approved,
    )


async def benefits(info: Any, volunteer: m.Volunteer) -> list[Any]:
    """R32–R37, computed from the record on every read, never stored (hub.rules.benefits' findings)."""
    return compute_benefits(await service_record(info, volunteer), info.context.hub.clock.today())


async def visible_applications(info: Any, volunteer_id: int) -> list[m.Application]:
    """A volunteer's applications that the caller's read scope includes (a county sees the ones placed
    with it, not the volunteer's other years)."""
    visible = info.context.hub.permissions.visible(info.context.actor, "Application")

    async def batch(session: Any, ids: list[int]) -> list[list[m.Application]]:
        query = select(m.Application).where(m.Application.volunteer_id.in_(ids), visible).order_by(m.Application.id)
        grouped: dict[int, list[m.Application]] = defaultdict(list)
        for row in (await session.execute(query)).scalars():
            grouped[row.volunteer_id].append(row)
        return [grouped.get(i, []) for i in ids]

    return await info.context.loaders.custom("visible_applications", batch).load(volunteer_id)
