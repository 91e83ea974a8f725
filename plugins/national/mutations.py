"""The national office's mutations: the program year and its timeline (R7)."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import select

from hub import models as m
from hub.enums import Milestone, UserErrorCode
from hub.errors import refuse
from hub.graphql.context import Info
from hub.graphql.ids import to_global_id
from hub.graphql.payloads import ProgramYearPayload, refused_with
from hub.graphql.types import MilestoneDate, ProgramYear
from hub.mutation import Unit, perform
from hub.rules.deadlines import default_milestones
from hub.rules.years import is_year_code


@strawberry.input
class MilestoneDateInput:
    milestone: Milestone
    closes_on: date


@strawberry.input
class ProgramYearInput:
    code: str
    milestones: list[MilestoneDateInput]


@strawberry.type
class NationalMutation:
    @strawberry.mutation
    async def set_program_year(self, info: Info, input: ProgramYearInput) -> ProgramYearPayload:
        """R7: create a year (milestones not given take the plan's defaults) or move its milestones;
        a milestone moved later is recorded as an extension."""

        async def work(unit: Unit) -> ProgramYearPayload:
            unit.authorize()
            code = input.code.strip()
            if not is_year_code(code):
                raise refuse(
                    UserErrorCode.INVALID_INPUT,
                    f"a program year reads like 2021-2022, not {code!r}",
                    "input",
                    "code",
                )
            given = [d.milestone for d in input.milestones]
            repeated = sorted({mi.value for mi in given if given.count(mi) > 1})
            if repeated:
                raise refuse(
                    UserErrorCode.INVALID_INPUT,
                    f"milestones given twice: {', '.join(repeated)}",
                    "input",
                    "milestones",
                )
            year = await unit.session.get(m.ProgramYear, code, with_for_update=True)
            created = year is None
            if created:
                unit.session.add(m.ProgramYear(code=code))
                await unit.session.flush()
            stored = {
                Milestone(r.milestone): r
                for r in (
                    await unit.session.execute(select(m.MilestoneDate).where(m.MilestoneDate.year == code))
                ).scalars()
            }
            wanted = {
                **(default_milestones(code) if created else {}),
                **{d.milestone: d.closes_on for d in input.milestones},
            }
            changes = {}
            for milestone, closes_on in wanted.items():
                row = stored.get(milestone)
                if row is None:
                    row = m.MilestoneDate(year=code, milestone=milestone.value, closes_on=closes_on)
                    changes[milestone.value] = {"to": closes_on}
                elif row.closes_on != closes_on:
                    changes[milestone.value] = {
                        "from": row.closes_on,
                        "to": closes_on,
                        "extension": closes_on > row.closes_on,
                    }
                    row.extended = row.extended or closes_on > row.closes_on
                    row.closes_on = closes_on
                unit.session.add(row)
                stored[milestone] = row
            await unit.session.flush()
            year_id = to_global_id("ProgramYear", code)
            unit.record(year_id, {"created": created, "milestones": changes})
            dates = sorted(stored.values(), key=lambda r: r.closes_on)
            return ProgramYearPayload(
                program_year=ProgramYear(
                    id=year_id,
                    code=code,
                    milestones=[MilestoneDate(milestone=Milestone(r.milestone), closes_on=r.closes_on) for r in dates],
                ),
                user_errors=[],
            )

        return await perform(
            info.context.hub,
            info.context.actor,
            info.context.auth_error,
            "setProgramYear",
            work,
            refused_with(ProgramYearPayload, program_year=None),
        )
