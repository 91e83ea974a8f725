"""The county office during service: monthly reports and incidents (R28, R29), assessment proposals (R30),
insurance policies (R39) and completion with its service certificate (R31)."""

from __future__ import annotations

import re
import secrets
from datetime import date

import strawberry
from sqlalchemy import delete, select

from hub import applications
from hub import models as m
from hub.enums import ApplicationStatus as S
from hub.enums import AssessmentGrade, AssessmentStatus, IncidentSeverity, InsuranceKind, UserErrorCode, label
from hub.errors import DomainRefusal, Problem, refuse
from hub.graphql.payloads import AssessmentPayload, MonthlyReportPayload, VolunteerPayload
from hub.graphql.people import Volunteer
from hub.graphql.service import Assessment, MonthlyReport
from hub.i18n import _
from hub.ids import int_key, to_global_id
from hub.mutation import Unit, mutation
from hub.rules.lifecycle import ensure_transition
from hub.rules.years import is_year_code

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@strawberry.input
class IncidentInput:
    occurred_on: date
    severity: IncidentSeverity
    description: str
    volunteer_id: strawberry.ID | None = None


@strawberry.input
class FileMonthlyReportInput:
    county_code: str
    month: str
    in_post: int
    absent: int
    incidents: list[IncidentInput] | None = None


@strawberry.input
class ProposeAssessmentInput:
    volunteer_id: strawberry.ID
    year: str
    grade: AssessmentGrade


@strawberry.input
class RecordInsuranceInput:
    volunteer_id: strawberry.ID
    kind: InsuranceKind
    policy_number: str
    valid_from: date
    valid_until: date


@strawberry.input
class CompleteServiceInput:
    volunteer_id: strawberry.ID
    appraisal: str


async def serving_volunteer(unit: Unit, volunteer_gid: str) -> tuple[m.Volunteer, m.Application]:
    """The volunteer and their in-service application, authorized for the county they serve in."""
    volunteer = await unit.fetch(m.Volunteer, volunteer_gid, "input", "volunteerId")
    app = await applications.in_service(unit.session, volunteer.id)
    if app is None:
        placed = (
            (
                await unit.session.execute(
                    select(m.Application.county_code)
                    .where(m.Application.volunteer_id == volunteer.id, m.Application.county_code.is_not(None))
                    .order_by(m.Application.id.desc())
                )
            )
            .scalars()
            .first()
        )
        unit.authorize({"county": placed})
        raise refuse(UserErrorCode.INELIGIBLE, _("the volunteer is not in service"), "input", "volunteerId")
    unit.authorize({"county": app.county_code})
    return volunteer, app


def certificate_number(today: date) -> str:
    """R31: a unique service certificate number, not guessable from another one."""
    return f"XBZ{today.year}-{secrets.token_hex(6).upper()}"


def _month_problems(input: FileMonthlyReportInput, today: date) -> list[Problem]:
    problems = []
    match = MONTH.fullmatch(input.month)
    if not match:
        problems.append(Problem(UserErrorCode.INVALID_INPUT, _("a month reads like 2027-09"), ("input", "month")))
    elif (int(match[1]), int(match[2])) > (today.year, today.month):
        problems.append(
            Problem(UserErrorCode.INVALID_INPUT, _("a month is reported once it has begun"), ("input", "month"))
        )
    if input.in_post < 0:
        problems.append(
            Problem(UserErrorCode.INVALID_INPUT, _("the in-post count cannot be negative"), ("input", "inPost"))
        )
    if input.absent < 0 or input.absent > max(input.in_post, 0):
        problems.append(
            Problem(UserErrorCode.INVALID_INPUT, _("absences are between 0 and the in-post count"), ("input", "absent"))
        )
    for index, incident in enumerate(input.incidents or []):
        path = ("input", "incidents", str(index))
        if match and incident.occurred_on.strftime("%Y-%m") != input.month:
            problems.append(
                Problem(
                    UserErrorCode.INVALID_INPUT,
                    _("incident {index} did not occur in {month}", index=index, month=input.month),
                    (*path, "occurredOn"),
                )
            )
        if not incident.description.strip():
            problems.append(
                Problem(
                    UserErrorCode.INVALID_INPUT,
                    _("incident {index} needs a description", index=index),
                    (*path, "description"),
                )
            )
    return problems


@strawberry.type
class CountyServiceMutation:
    @mutation
    async def file_monthly_report(unit: Unit, input: FileMonthlyReportInput) -> MonthlyReportPayload:
        """R28, R29: one report per county per month, correctable until the next month's report exists;
        a MAJOR incident bans the county for the next program year (R10)."""
        unit.authorize({"county": input.county_code})
        county = await unit.session.get(m.County, input.county_code, with_for_update=True)
        if county is None:
            raise refuse(
                UserErrorCode.NOT_FOUND,
                _("no county has the code {code!r}", code=input.county_code),
                "input",
                "countyCode",
            )
        problems = _month_problems(input, unit.hub.clock.today())
        volunteer_ids: list[int | None] = []
        for index, incident in enumerate(input.incidents or []):
            key = None if incident.volunteer_id is None else int_key(incident.volunteer_id, "Volunteer")
            if incident.volunteer_id is not None and (key is None or await unit.session.get(m.Volunteer, key) is None):
                problems.append(
                    Problem(
                        UserErrorCode.NOT_FOUND,
                        _("incident {index}: no such volunteer", index=index),
                        ("input", "incidents", str(index), "volunteerId"),
                    )
                )
            volunteer_ids.append(key)
        if problems:
            raise DomainRefusal(problems)
        later = (
            await unit.session.execute(
                select(m.MonthlyReport.id).where(
                    m.MonthlyReport.county_code == county.code, m.MonthlyReport.month > input.month
                )
            )
        ).first()
        report = (
            await unit.session.execute(
                select(m.MonthlyReport).where(
                    m.MonthlyReport.county_code == county.code, m.MonthlyReport.month == input.month
                )
            )
        ).scalar()
        if report is not None and later is not None:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the {month} report can no longer be corrected: a later month's report exists", month=input.month),
                "input",
                "month",
            )
        corrected = report is not None
        report = report or m.MonthlyReport(
            county_code=county.code, month=input.month, in_post=0, absent=0, filed_at=unit.hub.clock.now()
        )
        report.in_post, report.absent, report.filed_at = input.in_post, input.absent, unit.hub.clock.now()
        unit.session.add(report)
        await unit.session.flush()
        if corrected:
            await unit.session.execute(delete(m.SafetyIncident).where(m.SafetyIncident.report_id == report.id))
        for incident, volunteer_id in zip(input.incidents or [], volunteer_ids, strict=True):
            unit.session.add(
                m.SafetyIncident(
                    county_code=county.code,
                    report_id=report.id,
                    volunteer_id=volunteer_id,
                    occurred_on=incident.occurred_on,
                    severity=incident.severity.value,
                    description=incident.description.strip(),
                )
            )
        await unit.session.flush()
        view = MonthlyReport.of(report)
        unit.record(
            view.id,
            {
                "month": input.month,
                "inPost": input.in_post,
                "absent": input.absent,
                "incidents": [i.severity.value for i in input.incidents or []],
                "corrected": corrected,
            },
            county=county.code,
            province=county.province_code,
        )
        return MonthlyReportPayload(report=view, user_errors=[])

    @mutation
    async def propose_assessment(unit: Unit, input: ProposeAssessmentInput) -> AssessmentPayload:
        """R30: the county proposes the year's grade of a volunteer in post; changeable until approved."""
        volunteer, app = await serving_volunteer(unit, input.volunteer_id)
        if not is_year_code(input.year):
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("a program year reads like 2021-2022, not {year!r}", year=input.year),
                "input",
                "year",
            )
        await unit.require_year(input.year)
        row = (
            await unit.session.execute(
                select(m.Assessment)
                .where(m.Assessment.volunteer_id == volunteer.id, m.Assessment.year == input.year)
                .with_for_update()
            )
        ).scalar()
        if row is not None and row.status == AssessmentStatus.APPROVED.value:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the {year} assessment is already approved", year=input.year),
                "input",
                "year",
            )
        previous = row.grade if row else None
        row = row or m.Assessment(year=input.year, volunteer_id=volunteer.id, grade=input.grade.value)
        row.grade = input.grade.value
        unit.session.add(row)
        await unit.session.flush()
        view = Assessment.of(row)
        unit.record(
            view.id,
            {"grade": {"from": previous, "to": input.grade.value}},
            county=app.county_code,
            province=app.serving_province_code,
            volunteer=volunteer.subject,
        )
        return AssessmentPayload(assessment=view, user_errors=[])

    @mutation
    async def record_insurance(unit: Unit, input: RecordInsuranceInput) -> VolunteerPayload:
        """R39: a commercial policy (major illness or accident) bought for a volunteer in the county."""
        volunteer, app = await serving_volunteer(unit, input.volunteer_id)
        number = input.policy_number.strip()
        if not number:
            raise refuse(UserErrorCode.INVALID_INPUT, _("the policy needs its number"), "input", "policyNumber")
        if input.valid_until < input.valid_from:
            raise refuse(UserErrorCode.INVALID_INPUT, _("the policy ends before it starts"), "input", "validUntil")
        clash = (
            await unit.session.execute(
                select(m.InsurancePolicy.id).where(
                    m.InsurancePolicy.kind == input.kind.value, m.InsurancePolicy.policy_number == number
                )
            )
        ).first()
        if clash is not None:
            raise refuse(
                UserErrorCode.DUPLICATE,
                _("a {kind} policy {number} is already recorded", kind=label(input.kind), number=number),
                "input",
                "policyNumber",
            )
        unit.session.add(
            m.InsurancePolicy(
                volunteer_id=volunteer.id,
                kind=input.kind.value,
                policy_number=number,
                valid_from=input.valid_from,
                valid_until=input.valid_until,
            )
        )
        await unit.session.flush()
        unit.record(
            to_global_id("Volunteer", volunteer.id),
            {
                "insurance": {
                    "kind": input.kind.value,
                    "policyNumber": number,
                    "validFrom": input.valid_from,
                    "validUntil": input.valid_until,
                }
            },
            county=app.county_code,
            province=app.serving_province_code,
            volunteer=volunteer.subject,
        )
        return VolunteerPayload(volunteer=Volunteer.of(volunteer), user_errors=[])

    @mutation
    async def complete_service(unit: Unit, input: CompleteServiceInput) -> VolunteerPayload:
        """R31: at the end of the term, the completion appraisal (服务鉴定) and a unique service certificate."""
        volunteer, app = await serving_volunteer(unit, input.volunteer_id)
        appraisal = input.appraisal.strip()
        if not appraisal:
            raise refuse(UserErrorCode.INVALID_INPUT, _("the completion appraisal is empty"), "input", "appraisal")
        last = (
            await unit.session.execute(
                select(m.ServiceAgreement)
                .where(m.ServiceAgreement.application_id == app.id)
                .order_by(m.ServiceAgreement.term_year.desc())
            )
        ).scalar()
        today = unit.hub.clock.today()
        if last is None or today < last.ends_on:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("the term ends on {date}; completion is recorded at its end", date=last.ends_on if last else "?"),
                "input",
                "volunteerId",
            )
        ensure_transition(app.status, S.COMPLETED, "input", "volunteerId")
        volunteer.appraisal = appraisal
        volunteer.completed_on = last.ends_on
        volunteer.certificate_number = certificate_number(today)
        unit.session.add(volunteer)
        await applications.advance(unit, app, S.COMPLETED)
        unit.record(
            to_global_id("Volunteer", volunteer.id),
            {"certificateNumber": volunteer.certificate_number, "completedOn": last.ends_on},
            county=app.county_code,
            province=app.serving_province_code,
            volunteer=volunteer.subject,
        )
        return VolunteerPayload(volunteer=Volunteer.of(volunteer), user_errors=[])
