"""Year rollover (R7, R8, R39): the national office opens a program year from the previous one — its
milestone pattern (the same days, a year later), the serving provinces' scales and the provinces' allowance
standards — as drafts. A draft is shown (`draft: true` on MilestoneDate, ProvinceScale, AllowanceStandard)
but counts for no rule (hub.runtime.timeline, hub.scales.in_force, hub.allowances.in_force skip it) until it
is confirmed: one by one when an office sets it again (setProgramYear, setProvinceScale,
setAllowanceStandard), or all that are left at once with confirmProgramYearDrafts.

A copied scale is never below the volunteers already counting for the new year (R8; renewals signed
before the year is opened or its drafts confirmed count for it, hub.counting); such a scale is raised to
that count, at opening and again at confirmation, and the audit entry says so."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from sqlalchemy import select

from hub import allowances, counting
from hub import models as m
from hub.enums import Milestone, UserErrorCode
from hub.errors import UserError, refuse
from hub.graphql.program import MilestoneDate, ProgramYear
from hub.i18n import _
from hub.ids import to_global_id
from hub.mutation import Unit, mutation
from hub.rules.years import is_year_code, parse_year, year_code
from hub.scales import in_force as scales_in_force


@strawberry.input
class OpenProgramYearInput:
    code: str
    from_year: str | None = strawberry.field(default=None, description="The year copied; by default the one before.")


@strawberry.type(description="The year opened and what was copied into it from `fromYear`.")
class OpenProgramYearPayload:
    program_year: ProgramYear | None
    from_year: str | None
    scales_copied: int | None = strawberry.field(description="Null when refused.")
    standards_copied: int | None = strawberry.field(description="Null when refused.")
    user_errors: list[UserError]


@strawberry.input
class ConfirmProgramYearDraftsInput:
    year: str


@strawberry.type(description="The year whose drafts were confirmed, and how many of each kind.")
class ConfirmProgramYearDraftsPayload:
    program_year: ProgramYear | None
    milestones_confirmed: int | None = strawberry.field(description="Null when refused.")
    scales_confirmed: int | None = strawberry.field(description="Null when refused.")
    standards_confirmed: int | None = strawberry.field(description="Null when refused.")
    user_errors: list[UserError]


DRAFTED = (m.MilestoneDate, m.ProvinceScale, m.AllowanceStandard)


async def _drafts(unit: Unit, year: str, lock: bool = False) -> dict[type, list[Any]]:
    """The draft rows of `year`, by table (only the tables that have some), locked when asked."""
    found: dict[type, list[Any]] = {}
    for model in DRAFTED:
        query = select(model).where(model.year == year, model.draft.is_(True))  # type: ignore[attr-defined]
        rows = list((await unit.session.execute(query.with_for_update() if lock else query)).scalars())
        if rows:
            found[model] = rows
    return found


def shifted(day: date, years: int) -> date:
    """The same day `years` later; February 29 becomes February 28 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@strawberry.type
class RolloverMutation:
    @mutation
    async def open_program_year(unit: Unit, input: OpenProgramYearInput) -> OpenProgramYearPayload:
        """R7, R8, R39: open a program year with the previous year's milestone pattern, scales and allowance
        standards as drafts, for the offices to adjust and the national office to confirm; a year that exists
        already, or a source year with drafts of its own, is INVALID_STATE."""

        unit.authorize()
        code = input.code.strip()
        if not is_year_code(code):
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("a program year reads like 2021-2022, not {year!r}", year=code),
                "input",
                "code",
            )
        source = (input.from_year or year_code(parse_year(code) - 1)).strip()
        if not is_year_code(source) or parse_year(source) >= parse_year(code):
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("copy from a year before {year}, not {source!r}", year=code, source=source),
                "input",
                "fromYear",
            )
        if await unit.session.get(m.ProgramYear, code, with_for_update=True) is not None:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the program year {year} is open already; adjust it with setProgramYear", year=code),
                "input",
                "code",
            )
        timeline = await unit.require_year(source, "input", "fromYear")
        if await _drafts(unit, source):
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the program year {year} still has drafts; confirm them before copying it", year=source),
                "input",
                "fromYear",
            )
        gap = parse_year(code) - parse_year(source)
        unit.session.add(m.ProgramYear(code=code))
        await unit.session.flush()
        milestones = {milestone: shifted(day, gap) for milestone, day in timeline.items()}
        for milestone, closes_on in milestones.items():
            unit.session.add(m.MilestoneDate(year=code, milestone=milestone.value, closes_on=closes_on, draft=True))

        scales: dict[str, dict[str, int]] = {}
        for row in (await scales_in_force(unit.session, source)).values():
            counted = await counting.count(unit.session, code, row.province_code)
            scale = max(row.scale, counted)
            unit.session.add(m.ProvinceScale(year=code, province_code=row.province_code, scale=scale, draft=True))
            scales[row.province_code] = {"from": row.scale, "to": scale}
        standards = await allowances.in_force(unit.session, source)
        for s in standards:
            unit.session.add(
                m.AllowanceStandard(
                    year=code,
                    province_code=s.province_code,
                    county_code=s.county_code,
                    monthly_allowance=s.monthly_allowance,
                    hardship_allowance=s.hardship_allowance,
                    draft=True,
                )
            )
            unit.record(
                to_global_id("ProgramYear", code),
                province=s.province_code,
                county=s.county_code,
            )
        await unit.session.flush()
        year_id = to_global_id("ProgramYear", code)
        unit.record(
            year_id,
            {
                "created": True,
                "from": source,
                "milestones": {mi.value: {"to": d} for mi, d in milestones.items()},
                "scales": scales,
                "standards": len(standards),
            },
        )
        dates = sorted(milestones.items(), key=lambda item: item[1])
        return OpenProgramYearPayload(
            program_year=ProgramYear(
                id=year_id,
                code=code,
                milestones=[MilestoneDate(milestone=Milestone(mi), closes_on=d, draft=True) for mi, d in dates],
            ),
            from_year=source,
            scales_copied=len(scales),
            standards_copied=len(standards),
            user_errors=[],
        )

    @mutation
    async def confirm_program_year_drafts(
        unit: Unit, input: ConfirmProgramYearDraftsInput
    ) -> ConfirmProgramYearDraftsPayload:
        """R7, R8, R39: the national office confirms what openProgramYear copied and no office has set again —
        the year's draft milestones, scales and allowance standards — so that every rule counts them. A draft
        scale below the volunteers already counting for the year is raised to them (R8). A year without
        drafts is INVALID_STATE."""
        unit.authorize()
        year = input.year.strip()
        await unit.require_year(year, "input", "year")
        drafts = await _drafts(unit, year, lock=True)
        if not drafts:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the program year {year} has no drafts to confirm", year=year),
                "input",
                "year",
            )
        scales: dict[str, dict[str, int]] = {}
        for row in drafts.get(m.ProvinceScale, []):
            counted = await counting.count(unit.session, year, row.province_code)
            scales[row.province_code] = {"from": row.scale, "to": max(row.scale, counted)}
            row.scale = max(row.scale, counted)
        for rows in drafts.values():
            for row in rows:
                row.draft = False
                unit.session.add(row)
        for s in drafts.get(m.AllowanceStandard, []):
            unit.record(to_global_id("AllowanceStandard", s.id), province=s.province_code, county=s.county_code)
        await unit.session.flush()
        milestones = drafts.get(m.MilestoneDate, [])
        year_id = to_global_id("ProgramYear", year)
        unit.record(
            year_id,
            {
                "confirmed": {
                    "milestones": sorted(r.milestone for r in milestones),
                    "scales": scales,
                    "standards": len(drafts.get(m.AllowanceStandard, [])),
                }
            },
        )
        timeline = await unit.require_year(year, "input", "year")  # every date is in force now
        dates = sorted(timeline.items(), key=lambda item: item[1])
        return ConfirmProgramYearDraftsPayload(
            program_year=ProgramYear(
                id=year_id,
                code=year,
                milestones=[MilestoneDate(milestone=mi, closes_on=d) for mi, d in dates],
            ),
            milestones_confirmed=len(milestones),
            scales_confirmed=len(scales),
            standards_confirmed=len(drafts.get(m.AllowanceStandard, [])),
            user_errors=[],
        )
