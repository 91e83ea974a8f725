"""Year rollover (R7, R8, R39): the national office opens a program year from the previous one — its
milestone pattern (the same days, a year later), the serving provinces' scales and the provinces' allowance
standards, copied for the offices to adjust with setProgramYear, setProvinceScale and setAllowanceStandard.

A copied scale is never below the volunteers already counting for the new year (R8; renewals signed
before the year is opened count for it, hub.counting); such a scale is raised to that count and the audit
entry says so."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import select

from hub import counting
from hub import models as m
from hub.enums import Milestone, UserErrorCode
from hub.errors import UserError, refuse
from hub.graphql.program import MilestoneDate, ProgramYear
from hub.i18n import _
from hub.ids import to_global_id
from hub.mutation import Unit, mutation
from hub.rules.years import is_year_code, parse_year, year_code


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
        standards, for the offices to adjust; a year that exists already is INVALID_STATE."""

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
        gap = parse_year(code) - parse_year(source)
        unit.session.add(m.ProgramYear(code=code))
        await unit.session.flush()
        milestones = {milestone: shifted(day, gap) for milestone, day in timeline.items()}
        for milestone, closes_on in milestones.items():
            unit.session.add(m.MilestoneDate(year=code, milestone=milestone.value, closes_on=closes_on))

        scales: dict[str, dict[str, int]] = {}
        rows = (await unit.session.execute(select(m.ProvinceScale).where(m.ProvinceScale.year == source))).scalars()
        for row in list(rows):
            counted = await counting.count(unit.session, code, row.province_code)
            scale = max(row.scale, counted)
            unit.session.add(m.ProvinceScale(year=code, province_code=row.province_code, scale=scale))
            scales[row.province_code] = {"from": row.scale, "to": scale}
        standards = list(
            (await unit.session.execute(select(m.AllowanceStandard).where(m.AllowanceStandard.year == source)))
            .scalars()
            .all()
        )
        for s in standards:
            unit.session.add(
                m.AllowanceStandard(
                    year=code,
                    province_code=s.province_code,
                    county_code=s.county_code,
                    monthly_allowance=s.monthly_allowance,
                    hardship_allowance=s.hardship_allowance,
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
                milestones=[MilestoneDate(milestone=Milestone(mi), closes_on=d) for mi, d in dates],
            ),
            from_year=source,
            scales_copied=len(scales),
            standards_copied=len(standards),
            user_errors=[],
        )
