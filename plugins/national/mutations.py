"""The national office's mutations: the program year and its timeline (R7)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from sqlalchemy import select

from hub import models as m
from hub import quotas
from hub.enums import Milestone, TrainingStatus, UserErrorCode, label, labelled
from hub.errors import refuse
from hub.graphql.applications import Training
from hub.graphql.geography import Province
from hub.graphql.payloads import ProgramYearPayload, ProvinceScalePayload, QuotaPayload, TrainingPayload
from hub.graphql.program import MilestoneDate, ProgramYear
from hub.graphql.reports import quota_views
from hub.i18n import _
from hub.ids import to_global_id
from hub.mutation import Unit, mutation
from hub.rules.deadlines import default_milestones
from hub.rules.years import is_year_code
from hub.scales import assigned, serving_provinces


@strawberry.input
class MilestoneDateInput:
    milestone: Milestone
    closes_on: date


@strawberry.input
class ProgramYearInput:
    code: str
    milestones: list[MilestoneDateInput]


@strawberry.input
class SetProvinceScaleInput:
    year: str
    province_code: str
    scale: int


@strawberry.input
class SetQuotaInput:
    year: str
    recruiting_province_code: str
    serving_province_code: str
    quota: int


@strawberry.input
class ReallocateQuotaInput:
    year: str
    from_recruiting_province_code: str
    from_serving_province_code: str
    to_recruiting_province_code: str
    to_serving_province_code: str
    amount: int


@strawberry.input
class ApproveTrainingInput:
    training_id: strawberry.ID


async def _province(unit: Unit, code: str, *field: str) -> m.Province:
    province = await unit.session.get(m.Province, code)
    if province is None:
        raise refuse(UserErrorCode.NOT_FOUND, _("no province has the code {code!r}", code=code), *field)
    return province


@strawberry.type
class NationalMutation:
    @mutation
    async def set_program_year(unit: Unit, input: ProgramYearInput) -> ProgramYearPayload:
        """R7: create a year (milestones not given take the plan's defaults) or move its milestones;
        a milestone moved later is recorded as an extension."""
        unit.authorize()
        code = input.code.strip()
        if not is_year_code(code):
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("a program year reads like 2021-2022, not {year!r}", year=code),
                "input",
                "code",
            )
        given = [d.milestone for d in input.milestones]
        repeated = sorted({mi.value for mi in given if given.count(mi) > 1})
        if repeated:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("milestones given twice: {milestones}", milestones=", ".join(label(Milestone(v)) for v in repeated)),
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
            for r in (await unit.session.execute(select(m.MilestoneDate).where(m.MilestoneDate.year == code))).scalars()
        }
        wanted = {
            **(default_milestones(code) if created else {}),
            **{d.milestone: d.closes_on for d in input.milestones},
        }
        changes: dict[str, dict[str, Any]] = {}
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
            if row.draft:  # a date copied by openProgramYear, set now: in force from here on
                changes.setdefault(milestone.value, {"to": closes_on})["confirmed"] = True
                row.draft = False
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
                milestones=[
                    MilestoneDate(milestone=Milestone(r.milestone), closes_on=r.closes_on, draft=r.draft) for r in dates
                ],
            ),
            user_errors=[],
        )

    @mutation
    async def set_province_scale(unit: Unit, input: SetProvinceScaleInput) -> ProvinceScalePayload:
        """R8: a serving province's scale for a year; never below the volunteers already assigned. Setting a
        draft scale (copied by openProgramYear) confirms it."""
        unit.authorize()
        await unit.require_year(input.year)
        province = await _province(unit, input.province_code, "input", "provinceCode")
        if input.scale < 0:
            raise refuse(UserErrorCode.INVALID_INPUT, _("a scale cannot be negative"), "input", "scale")
        row = await unit.session.get(m.ProvinceScale, (input.year, province.code), with_for_update=True)
        taken = await assigned(unit.session, input.year, province.code)
        if input.scale < taken:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _(
                    "{taken} volunteers are already assigned in {province} for {year}; the scale cannot go below that",
                    taken=taken,
                    province=province.code,
                    year=input.year,
                ),
                "input",
                "scale",
            )
        previous = row.scale if row else None
        confirmed = row is not None and row.draft
        row = row or m.ProvinceScale(year=input.year, province_code=province.code, scale=0)
        row.scale, row.draft = input.scale, False
        unit.session.add(row)
        await unit.session.flush()
        unit.record(
            Province.of(province).id,
            {
                "year": input.year,
                "scale": {"from": previous, "to": input.scale},
                **({"confirmed": True} if confirmed else {}),
            },
            province=province.code,
        )
        return ProvinceScalePayload(province=Province.of(province), user_errors=[])

    @mutation
    async def set_quota(unit: Unit, input: SetQuotaInput) -> QuotaPayload:
        """R15: one cell of the quota matrix (recruiting × serving), never below what it has used."""
        unit.authorize()
        await unit.require_year(input.year)
        recruiting = await _province(unit, input.recruiting_province_code, "input", "recruitingProvinceCode")
        serving = await _province(unit, input.serving_province_code, "input", "servingProvinceCode")
        if input.quota < 0:
            raise refuse(UserErrorCode.INVALID_INPUT, _("a quota cannot be negative"), "input", "quota")
        if serving.code not in await serving_provinces(unit.session, input.year, [serving.code]):
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _(
                    "{province} is not a serving province in {year}: set its scale first (R2, R8)",
                    province=serving.code,
                    year=input.year,
                ),
                "input",
                "servingProvinceCode",
            )
        cell = await quotas.lock_cell(unit.session, input.year, recruiting.code, serving.code)
        taken = await quotas.used(unit.session, input.year, recruiting.code, serving.code)
        if input.quota < taken:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("{taken} recruitment agreements already use this quota; it cannot go below that", taken=taken),
                "input",
                "quota",
            )
        previous = cell.quota if cell else None
        cell = cell or m.Quota(
            year=input.year, recruiting_province_code=recruiting.code, serving_province_code=serving.code
        )
        cell.quota = input.quota
        unit.session.add(cell)
        await unit.session.flush()
        unit.record(quotas.cell_id(cell), {"quota": {"from": previous, "to": input.quota}}, province=recruiting.code)
        unit.record(quotas.cell_id(cell), province=serving.code)
        return QuotaPayload(quotas=await quota_views(unit.session, [cell]), user_errors=[])

    @mutation
    async def reallocate_quota(unit: Unit, input: ReallocateQuotaInput) -> QuotaPayload:
        """R17: after the recruitment deadline, move unused quota from one cell to any other (名额调剂)."""
        unit.authorize()
        timeline = await unit.require_year(input.year)
        closes = timeline.get(Milestone.RECRUITMENT_AGREEMENTS_SIGNED)
        if closes is None or unit.hub.clock.today() <= closes:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _(
                    "reallocation opens after the recruitment deadline ({date}); before it, "
                    "recruiting provinces move their own quota (moveQuota)",
                    date=closes,
                ),
            )
        source, target = await quotas.move(
            unit,
            input.year,
            input.amount,
            (input.from_recruiting_province_code, input.from_serving_province_code),
            (input.to_recruiting_province_code, input.to_serving_province_code),
            ("fromServingProvinceCode", "toRecruitingProvinceCode", "toServingProvinceCode"),
            reallocation=True,
        )
        return QuotaPayload(quotas=await quota_views(unit.session, [source, target]), user_errors=[])

    @mutation
    async def approve_training(unit: Unit, input: ApproveTrainingInput) -> TrainingPayload:
        """R24: the national office approves a serving province's training; recruiting provinces read it."""
        unit.authorize()
        training = await unit.fetch(m.Training, input.training_id, "input", "trainingId")
        if training.status != TrainingStatus.PROPOSED.value:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the training is already {status}", status=labelled(TrainingStatus, training.status)),
                "input",
                "trainingId",
            )
        training.status = TrainingStatus.APPROVED.value
        unit.session.add(training)
        await unit.session.flush()
        unit.record(
            input.training_id,
            {"status": {"from": "PROPOSED", "to": "APPROVED"}},
            province=training.serving_province_code,
        )
        return TrainingPayload(training=Training.of(training), user_errors=[])
