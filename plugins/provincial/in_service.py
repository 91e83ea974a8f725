"""The provincial office during service: approving assessments within the 20% excellent cap (R30),
allowance standards (R39) and its local projects (R41)."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from sqlalchemy import func, select

from hub import counting
from hub import models as m
from hub.enums import AssessmentGrade, AssessmentStatus, LocalProjectStatus, UserErrorCode, labelled
from hub.errors import DomainRefusal, Problem, refuse
from hub.graphql.payloads import AllowanceStandardPayload, AssessmentsPayload, LocalProjectPayload
from hub.graphql.program import AllowanceStandard, LocalProject
from hub.graphql.service import Assessment
from hub.i18n import N_, _
from hub.ids import to_global_id
from hub.mutation import Unit, mutation
from hub.rules.years import is_year_code

EXCELLENT_SHARE = Decimal("0.2")  # R30: approved EXCELLENT ≤ 20% of the province's volunteers in post


@strawberry.input
class ApproveAssessmentsInput:
    assessment_ids: list[strawberry.ID]


@strawberry.input
class SetAllowanceStandardInput:
    year: str
    province_code: str
    monthly_allowance: Decimal
    county_code: str | None = None
    hardship_allowance: Decimal | None = None


@strawberry.input
class SubmitLocalProjectInput:
    year: str
    province_code: str
    name: str
    scale: int
    budget: Decimal


async def _serving_province(session: object, volunteer_id: int, year: str) -> str | None:
    """The province the volunteer serves in during `year` (their in-post application's serving province)."""
    query = select(m.Application.serving_province_code).where(
        m.Application.volunteer_id == volunteer_id, counting.in_post(year)
    )
    return (await session.execute(query)).scalars().first()  # type: ignore[attr-defined]


def excellent_cap(in_post: int) -> int:
    """R30: the most EXCELLENT grades a province may approve: 20% of its volunteers in post, rounded down."""
    return int(Decimal(in_post) * EXCELLENT_SHARE)


@strawberry.type
class InServiceMutation:
    @mutation
    async def approve_assessments(unit: Unit, input: ApproveAssessmentsInput) -> AssessmentsPayload:
        """R30: approve proposed grades; approved EXCELLENT never exceed 20% of the province's volunteers in
        post, also under parallel approvals (the province's scale row is the lock)."""
        if not input.assessment_ids or len(set(input.assessment_ids)) != len(input.assessment_ids):
            raise refuse(
                UserErrorCode.INVALID_INPUT, _("name each assessment once, at least one"), "input", "assessmentIds"
            )
        rows, places, problems = [], {}, []
        for index, gid in enumerate(input.assessment_ids):
            path = ("input", "assessmentIds", str(index))
            try:
                row = await unit.fetch(m.Assessment, gid, *path)
                province = await _serving_province(unit.session, row.volunteer_id, row.year)
                unit.authorize({"serving_province": province})
                if row.status != AssessmentStatus.PROPOSED.value:
                    raise refuse(
                        UserErrorCode.INVALID_STATE,
                        _(
                            "assessment {index} is already {status}",
                            index=index,
                            status=labelled(AssessmentStatus, row.status),
                        ),
                        *path,
                    )
                rows.append(row)
                places[row.id] = (row.year, province)
            except DomainRefusal as refusal:
                problems.extend(refusal.problems)
        if problems:
            raise DomainRefusal(problems)
        for year, province in sorted(set(places.values())):
            # A lock that serialises R30's count per province and year, not a read of the scale: taken on
            # the row whether it is in force or a draft (hub.scales.in_force is the read).
            await unit.session.execute(
                select(m.ProvinceScale)
                .where(m.ProvinceScale.year == year, m.ProvinceScale.province_code == province)
                .with_for_update()
            )
            adding = sum(
                1 for r in rows if places[r.id] == (year, province) and r.grade == AssessmentGrade.EXCELLENT.value
            )
            if not adding:
                continue
            in_post = (
                await unit.session.execute(
                    select(func.count()).where(m.Application.serving_province_code == province, counting.in_post(year))
                )
            ).scalar_one()
            approved = (
                await unit.session.execute(
                    select(func.count())
                    .select_from(m.Assessment)
                    .where(
                        m.Assessment.year == year,
                        m.Assessment.grade == AssessmentGrade.EXCELLENT.value,
                        m.Assessment.status == AssessmentStatus.APPROVED.value,
                        m.Assessment.volunteer_id.in_(
                            select(m.Application.volunteer_id).where(
                                m.Application.serving_province_code == province, counting.in_post(year)
                            )
                        ),
                    )
                )
            ).scalar_one()
            cap = excellent_cap(in_post)
            if approved + adding > cap:
                problems.append(
                    Problem(
                        UserErrorCode.EXCELLENT_CAP,
                        _(
                            "{province} {year}: {approved} EXCELLENT approved and {adding} more would "
                            "pass 20% of {in_post} volunteers in post ({cap})",
                            province=province,
                            year=year,
                            approved=approved,
                            adding=adding,
                            in_post=in_post,
                            cap=cap,
                        ),
                        ("input", "assessmentIds"),
                    )
                )
        if problems:
            raise DomainRefusal(problems)
        for row in rows:
            row.status = AssessmentStatus.APPROVED.value
            unit.session.add(row)
            year, province = places[row.id]
            unit.record(
                to_global_id("Assessment", row.id),
                {"status": {"from": "PROPOSED", "to": "APPROVED"}, "grade": row.grade},
                province=province,
            )
        await unit.session.flush()
        return AssessmentsPayload(assessments=[Assessment.of(r) for r in rows], user_errors=[])

    @mutation
    async def set_allowance_standard(unit: Unit, input: SetAllowanceStandardInput) -> AllowanceStandardPayload:
        """R39: the monthly living allowance of the province's volunteers for a year, optionally for one
        county, with a hardship allowance for remote counties. Setting a draft standard (copied by
        openProgramYear) confirms it."""
        unit.authorize({"serving_province": input.province_code})
        await unit.require_year(input.year)
        hardship = input.hardship_allowance if input.hardship_allowance is not None else Decimal("0")
        problems = [
            Problem(UserErrorCode.INVALID_INPUT, _(message), ("input", name))
            for name, amount, message in (
                ("monthlyAllowance", input.monthly_allowance, N_("the monthly allowance cannot be negative")),
                ("hardshipAllowance", hardship, N_("the hardship allowance cannot be negative")),
            )
            if amount < 0
        ]
        if problems:
            raise DomainRefusal(problems)
        if input.county_code is not None:
            county = await unit.session.get(m.County, input.county_code)
            if county is None:
                raise refuse(
                    UserErrorCode.NOT_FOUND,
                    _("no county has the code {code!r}", code=input.county_code),
                    "input",
                    "countyCode",
                )
            if county.province_code != input.province_code:
                raise refuse(
                    UserErrorCode.CROSS_PROVINCE,
                    _("county {county} is not in {province}", county=county.code, province=input.province_code),
                    "input",
                    "countyCode",
                )
        county_match = (
            m.AllowanceStandard.county_code.is_(None)
            if input.county_code is None
            else m.AllowanceStandard.county_code == input.county_code
        )
        row = (
            await unit.session.execute(
                select(m.AllowanceStandard)
                .where(
                    m.AllowanceStandard.year == input.year,
                    m.AllowanceStandard.province_code == input.province_code,
                    county_match,
                )
                .with_for_update()
            )
        ).scalar()
        previous = None if row is None else [str(row.monthly_allowance), str(row.hardship_allowance)]
        row = row or m.AllowanceStandard(
            year=input.year,
            province_code=input.province_code,
            county_code=input.county_code,
            monthly_allowance=Decimal("0"),
        )
        confirmed = {"confirmed": True} if row.draft else {}  # a standard copied by openProgramYear, set now
        row.monthly_allowance, row.hardship_allowance, row.draft = input.monthly_allowance, hardship, False
        unit.session.add(row)
        await unit.session.flush()
        unit.record(
            to_global_id("AllowanceStandard", row.id),
            {
                "from": previous,
                "to": [str(input.monthly_allowance), str(hardship)],
                "county": input.county_code,
                **confirmed,
            },
            province=input.province_code,
            county=input.county_code,
        )
        return AllowanceStandardPayload(
            standard=AllowanceStandard.of(row),
            user_errors=[],
        )

    @mutation
    async def submit_local_project(unit: Unit, input: SubmitLocalProjectInput) -> LocalProjectPayload:
        """R41: the province submits a local project's annual plan (name, scale, budget) to the national office."""
        unit.authorize({"serving_province": input.province_code, "recruiting_province": input.province_code})
        if not is_year_code(input.year):
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("a program year reads like 2021-2022, not {year!r}", year=input.year),
                "input",
                "year",
            )
        await unit.require_year(input.year)
        name = input.name.strip()
        problems = []
        if not name:
            problems.append(Problem(UserErrorCode.INVALID_INPUT, _("the project needs a name"), ("input", "name")))
        if input.scale < 1:
            problems.append(
                Problem(UserErrorCode.INVALID_INPUT, _("a project places at least one volunteer"), ("input", "scale"))
            )
        if input.budget <= 0:
            problems.append(
                Problem(UserErrorCode.INVALID_INPUT, _("the budget is a positive amount"), ("input", "budget"))
            )
        if problems:
            raise DomainRefusal(problems)
        clash = (
            await unit.session.execute(
                select(m.LocalProject.id).where(
                    m.LocalProject.year == input.year,
                    m.LocalProject.province_code == input.province_code,
                    m.LocalProject.name == name,
                )
            )
        ).first()
        if clash is not None:
            raise refuse(
                UserErrorCode.DUPLICATE,
                _(
                    "{province} already submitted '{name}' for {year}",
                    province=input.province_code,
                    name=name,
                    year=input.year,
                ),
                "input",
                "name",
            )
        row = m.LocalProject(
            year=input.year,
            province_code=input.province_code,
            name=name,
            scale=input.scale,
            budget=input.budget,
            status=LocalProjectStatus.SUBMITTED.value,
        )
        unit.session.add(row)
        await unit.session.flush()
        view = LocalProject.of(row)
        unit.record(
            view.id,
            {"name": name, "scale": input.scale, "budget": input.budget, "status": "SUBMITTED"},
            province=input.province_code,
        )
        return LocalProjectPayload(local_project=view, user_errors=[])
