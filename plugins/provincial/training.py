"""The provincial office as serving province before dispatch: training arrangements (R24), attendance,
and replacement of volunteers who withdrew after recruitment (R25)."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import select

from hub import applications, quotas
from hub import models as m
from hub.enums import ApplicationStatus as S
from hub.enums import Milestone, TrainingStatus, UserErrorCode
from hub.errors import DomainRefusal, refuse
from hub.graphql.applications import Application, Training
from hub.graphql.payloads import ApplicationPayload, ApplicationsPayload, TrainingPayload
from hub.i18n import _
from hub.mutation import Unit, mutation
from hub.rules.lifecycle import ensure_transition
from hub.scales import serving_provinces
from plugins.provincial.recruitment import confirmation_number, may_serve

MIN_TRAINING_DAYS = 4  # R24: at least four days, the first and the last counted


@strawberry.input
class ScheduleTrainingInput:
    year: str
    serving_province_code: str
    location: str
    starts_on: date
    ends_on: date


@strawberry.input
class RecordAttendanceInput:
    training_id: strawberry.ID
    application_ids: list[strawberry.ID]


@strawberry.input
class RecruitReplacementInput:
    withdrawn_application_id: strawberry.ID
    replacement_application_id: strawberry.ID


@strawberry.type
class ServingMutation:
    @mutation
    async def schedule_training(unit: Unit, input: ScheduleTrainingInput) -> TrainingPayload:
        """R24: the serving province fixes its training (place, dates, ≥ 4 days) by the milestone."""
        serving = input.serving_province_code.strip()
        unit.authorize({"serving_province": serving})
        await unit.ensure_open(input.year, Milestone.TRAINING_ARRANGED)
        if serving not in await serving_provinces(unit.session, input.year, [serving]):
            raise refuse(
                UserErrorCode.INELIGIBLE,
                _("{province} is not a serving province in {year}", province=serving, year=input.year),
                "input",
                "servingProvinceCode",
            )
        if not input.location.strip():
            raise refuse(UserErrorCode.INVALID_INPUT, _("name the training's location"), "input", "location")
        days = (input.ends_on - input.starts_on).days + 1
        if days < MIN_TRAINING_DAYS:
            raise refuse(
                UserErrorCode.INVALID_INPUT,
                _("a training lasts at least {minimum} days, this one {days}", minimum=MIN_TRAINING_DAYS, days=days),
                "input",
                "endsOn",
            )
        training = m.Training(
            year=input.year,
            serving_province_code=serving,
            location=input.location.strip(),
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            status=TrainingStatus.PROPOSED.value,
        )
        unit.session.add(training)
        await unit.session.flush()
        view = Training.of(training)
        unit.record(
            view.id,
            {
                "location": training.location,
                "startsOn": input.starts_on,
                "endsOn": input.ends_on,
                "status": "PROPOSED",
            },
            province=serving,
        )
        return TrainingPayload(training=view, user_errors=[])

    @mutation
    async def record_attendance(unit: Unit, input: RecordAttendanceInput) -> ApplicationsPayload:
        """R24: recruited volunteers who attended an approved training become TRAINED; all or none."""
        training = await unit.fetch(m.Training, input.training_id, "input", "trainingId")
        unit.authorize({"serving_province": training.serving_province_code})
        if training.status != TrainingStatus.APPROVED.value:
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("attendance is recorded only for an approved training"),
                "input",
                "trainingId",
            )

        def recruited_here(app: m.Application, path: tuple[str, ...]) -> None:
            if app.year != training.year or app.serving_province_code != training.serving_province_code:
                raise refuse(
                    UserErrorCode.INELIGIBLE,
                    _(
                        "application {index} is not recruited for {province} in {year}",
                        index=path[-1],
                        province=training.serving_province_code,
                        year=training.year,
                    ),
                    *path,
                )

        # Authorized on the training above: a stranger's application is INELIGIBLE, not FORBIDDEN.
        apps, problems = await applications.batch(
            unit, input.application_ids, S.TRAINED, authorize=False, check=recruited_here
        )
        if problems:
            raise DomainRefusal(problems)
        for app in apps:
            app.training_id = training.id
            await applications.advance(unit, app, S.TRAINED, {"trainingId": input.training_id})
        return ApplicationsPayload(applications=[Application.of(a) for a in apps], user_errors=[])

    @mutation
    async def recruit_replacement(unit: Unit, input: RecruitReplacementInput) -> ApplicationPayload:
        """R25: before dispatch, replace a volunteer who withdrew after recruitment with an applicant who
        passed selection and the exam; the replacement takes over the withdrawn volunteer's unit of quota."""
        withdrawn = await unit.fetch(m.Application, input.withdrawn_application_id, "input", "withdrawnApplicationId")
        unit.authorize({"serving_province": withdrawn.serving_province_code})
        if (
            withdrawn.status != S.WITHDRAWN.value
            or withdrawn.confirmation_number is None
            or withdrawn.county_code is not None
        ):
            raise refuse(
                UserErrorCode.INVALID_STATE,
                _("only a volunteer who withdrew after recruitment and before dispatch is replaced"),
                "input",
                "withdrawnApplicationId",
            )
        taken = (
            await unit.session.execute(select(m.Application.id).where(m.Application.replacement_for_id == withdrawn.id))
        ).first()
        if taken is not None:
            raise refuse(
                UserErrorCode.DUPLICATE,
                _("this volunteer has already been replaced"),
                "input",
                "withdrawnApplicationId",
            )
        replacement = await unit.fetch(
            m.Application, input.replacement_application_id, "input", "replacementApplicationId"
        )
        serving = withdrawn.serving_province_code
        if replacement.year != withdrawn.year:
            raise refuse(
                UserErrorCode.INELIGIBLE,
                _("the replacement applied for {year}, not {expected}", year=replacement.year, expected=withdrawn.year),
                "input",
                "replacementApplicationId",
            )
        ensure_transition(
            replacement.status, S.RECRUITED, "input", "replacementApplicationId", via="recruitReplacement"
        )
        if not may_serve(replacement, serving):
            raise refuse(
                UserErrorCode.INELIGIBLE,
                _("the replacement did not choose {province} and did not accept adjustment", province=serving),
                "input",
                "replacementApplicationId",
            )
        cell_recruiting = withdrawn.quota_recruiting_code or withdrawn.recruiting_province_code
        await quotas.ensure_free_place(
            unit.session, withdrawn.year, cell_recruiting, serving, "input", "withdrawnApplicationId"
        )
        change = applications.moved(replacement.status, S.RECRUITED)
        replacement.status = S.RECRUITED.value
        replacement.recruited_at = unit.hub.clock.now()
        replacement.serving_province_code = serving
        replacement.quota_recruiting_code = cell_recruiting
        replacement.replacement_for_id = withdrawn.id
        replacement.confirmation_number = confirmation_number(
            replacement.year, replacement.recruiting_province_code, serving
        )
        await applications.record(
            unit,
            replacement,
            {
                "status": change,
                "replacementFor": input.withdrawn_application_id,
                "confirmationNumber": replacement.confirmation_number,
            },
        )
        await applications.record(unit, withdrawn, {"replacedBy": input.replacement_application_id})
        return ApplicationPayload(application=Application.of(replacement), user_errors=[])
