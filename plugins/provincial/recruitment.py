"""The provincial office as recruiting province (its schools' applicants): selection, physical exam,
public notice, recruitment agreement within quota (R18, R22, R23), and its own quota moves (R16)."""

from __future__ import annotations

import secrets
from datetime import date

import strawberry
from sqlalchemy import select

from hub import applications, quotas
from hub import models as m
from hub.enums import ApplicationStatus as S
from hub.enums import Milestone, UserErrorCode
from hub.errors import DomainRefusal, Problem, refuse
from hub.graphql.applications import Application
from hub.graphql.payloads import ApplicationPayload, ApplicationsPayload, QuotaPayload
from hub.graphql.reports import quota_views
from hub.i18n import _
from hub.mutation import Unit, mutation
from hub.rules.lifecycle import ensure_transition
from hub.scales import serving_provinces


@strawberry.input
class RecordSelectionInput:
    application_id: strawberry.ID
    psychological_passed: bool
    selected: bool
    written_score: float | None = None
    interview_score: float | None = None


@strawberry.input
class RecordPhysicalExamInput:
    application_id: strawberry.ID
    passed: bool
    examined_on: date


@strawberry.input
class PublicizeInput:
    application_ids: list[strawberry.ID]
    starts_on: date
    ends_on: date


@strawberry.input
class SignRecruitmentAgreementInput:
    application_id: strawberry.ID
    serving_province_code: str


@strawberry.input
class MoveQuotaInput:
    year: str
    recruiting_province_code: str
    from_serving_province_code: str
    to_serving_province_code: str
    amount: int


def confirmation_number(year: str, recruiting: str, serving: str) -> str:
    """R23: the confirmation notice (确认通知书) number — unique, and not guessable from another one."""
    return f"XB{year[:4]}-{recruiting}{serving}-{secrets.token_hex(5).upper()}"


def _score(value: float | None, name: str) -> None:
    if value is not None and not 0 <= value <= 100:
        raise refuse(UserErrorCode.INVALID_INPUT, _("{field} is a score from 0 to 100", field=name), "input", name)


def may_serve(app: m.Application, serving: str) -> bool:
    """R23, R25: the serving province is one of the three preferences, or the applicant accepts adjustment."""
    return app.accepts_adjustment or serving in (app.preference_1, app.preference_2, app.preference_3)


@strawberry.type
class RecruitingMutation:
    @mutation
    async def record_selection(unit: Unit, input: RecordSelectionInput) -> ApplicationPayload:
        """R22: document review, written test, interview and psychological test, by the selection milestone."""
        app = await unit.fetch(m.Application, input.application_id, "input", "applicationId")
        unit.authorize(applications.target(app))
        await unit.ensure_open(app.year, Milestone.SELECTION_COMPLETES)
        _score(input.written_score, "writtenScore")
        _score(input.interview_score, "interviewScore")
        if input.selected and not input.psychological_passed:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("an applicant who failed the psychological test cannot be selected"),
                "input",
                "selected",
            )
        status = S.SELECTED if input.selected else S.NOT_SELECTED
        ensure_transition(app.status, status)
        change = applications.moved(app.status, status)
        app.status = status.value
        app.written_score, app.interview_score = input.written_score, input.interview_score
        app.psychological_passed, app.selected = input.psychological_passed, input.selected
        await applications.record(
            unit,
            app,
            {
                "status": change,
                "selected": input.selected,
                "writtenScore": input.written_score,
                "interviewScore": input.interview_score,
                "psychologicalPassed": input.psychological_passed,
            },
        )
        return ApplicationPayload(application=Application.of(app), user_errors=[])

    @mutation
    async def record_physical_exam(unit: Unit, input: RecordPhysicalExamInput) -> ApplicationPayload:
        """R22: the collective physical exam of a selected applicant, by its milestone."""
        app = await unit.fetch(m.Application, input.application_id, "input", "applicationId")
        unit.authorize(applications.target(app))
        await unit.ensure_open(app.year, Milestone.PHYSICAL_EXAMS_COMPLETE)
        if input.examined_on > unit.hub.clock.today():
            raise refuse(
                UserErrorCode.INVALID_INPUT, _("an exam cannot be recorded before it happens"), "input", "examinedOn"
            )
        status = S.EXAM_PASSED if input.passed else S.EXAM_FAILED
        ensure_transition(app.status, status)
        app.exam_passed, app.examined_on = input.passed, input.examined_on
        # Health data: the audit entry says that an exam was recorded and its outcome status, no more.
        await applications.advance(unit, app, status, {"examinedOn": input.examined_on})
        return ApplicationPayload(application=Application.of(app), user_errors=[])

    @mutation
    async def publicize(unit: Unit, input: PublicizeInput) -> ApplicationsPayload:
        """R22: the public notice (公示) of applicants who passed the exam; all of the batch or none of it."""
        apps, problems = await applications.batch(unit, input.application_ids, S.PUBLICIZED)
        if input.ends_on < input.starts_on:
            problems.append(
                Problem(UserErrorCode.INVALID_INPUT, _("the notice ends before it starts"), ("input", "endsOn"))
            )
        if problems:
            raise DomainRefusal(problems)
        for app in apps:
            app.notice_starts_on, app.notice_ends_on = input.starts_on, input.ends_on
            await applications.advance(unit, app, S.PUBLICIZED, {"notice": [input.starts_on, input.ends_on]})
        return ApplicationsPayload(applications=[Application.of(a) for a in apps], user_errors=[])

    @mutation
    async def sign_recruitment_agreement(unit: Unit, input: SignRecruitmentAgreementInput) -> ApplicationPayload:
        """R23, R18: the recruitment agreement (招募协议书) from the day after the notice ends, within quota;
        a confirmation notice number is issued with it."""
        app = await unit.fetch(m.Application, input.application_id, "input", "applicationId")
        unit.authorize(applications.target(app))
        await unit.ensure_open(app.year, Milestone.RECRUITMENT_AGREEMENTS_SIGNED)
        ensure_transition(app.status, S.RECRUITED)
        today = unit.hub.clock.today()
        if app.notice_ends_on is None or today <= app.notice_ends_on:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the public notice runs until {date}; sign from the day after", date=app.notice_ends_on),
            )
        serving = input.serving_province_code.strip()
        if serving not in await serving_provinces(unit.session, app.year, [serving]):
            raise refuse(
                UserErrorCode.INELIGIBLE,
                _("{province} is not a serving province in {year}", province=serving, year=app.year),
                "input",
                "servingProvinceCode",
            )
        if not may_serve(app, serving):
            raise refuse(
                UserErrorCode.INELIGIBLE,
                _(
                    "{province} is not among the applicant's preferences and the applicant did not accept adjustment",
                    province=serving,
                ),
                "input",
                "servingProvinceCode",
            )
        await quotas.ensure_free_place(
            unit.session, app.year, app.recruiting_province_code, serving, "input", "servingProvinceCode"
        )
        change = applications.moved(app.status, S.RECRUITED)
        app.status = S.RECRUITED.value
        app.recruited_at = unit.hub.clock.now()
        app.serving_province_code = serving
        app.quota_recruiting_code = app.recruiting_province_code
        app.confirmation_number = confirmation_number(app.year, app.recruiting_province_code, serving)
        await applications.record(
            unit, app, {"status": change, "servingProvince": serving, "confirmationNumber": app.confirmation_number}
        )
        return ApplicationPayload(application=Application.of(app), user_errors=[])

    @mutation
    async def move_quota(unit: Unit, input: MoveQuotaInput) -> QuotaPayload:
        """R16: a recruiting province moves quota between its serving provinces, keeping its total; all its
        moves of the year together stay within 10% of that total, until the recruitment milestone."""
        recruiting = input.recruiting_province_code.strip()
        unit.authorize({"recruiting_province": recruiting})
        await unit.ensure_open(input.year, Milestone.RECRUITMENT_AGREEMENTS_SIGNED)
        # Lock every cell of the province first: parallel moves then see each other's totals.
        await unit.session.execute(
            select(m.Quota)
            .where(m.Quota.year == input.year, m.Quota.recruiting_province_code == recruiting)
            .with_for_update()
        )
        total = await quotas.total(unit.session, input.year, recruiting)
        moved = await quotas.moved_by(unit.session, input.year, recruiting)
        if input.amount > 0 and (moved + input.amount) * 10 > total:
            raise refuse(
                UserErrorCode.QUOTA_ADJUSTMENT_LIMIT,
                _(
                    "{province} has moved {moved} of its {total} places in {year}; moving "
                    "{amount} more would pass 10% of its total",
                    province=recruiting,
                    moved=moved,
                    total=total,
                    year=input.year,
                    amount=input.amount,
                ),
                "input",
                "amount",
            )
        source, target = await quotas.move(
            unit,
            input.year,
            input.amount,
            (recruiting, input.from_serving_province_code.strip()),
            (recruiting, input.to_serving_province_code.strip()),
            ("fromServingProvinceCode", "recruitingProvinceCode", "toServingProvinceCode"),
            reallocation=False,
        )
        return QuotaPayload(quotas=await quota_views(unit.session, [source, target]), user_errors=[])
