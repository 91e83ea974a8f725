"""`UserError` and the mutation payloads of the contract, shared by the core and the office plugins."""

from __future__ import annotations

from functools import cache
from typing import Any

import strawberry
from strawberry.types.base import StrawberryList, StrawberryOptional

from hub.enums import UserErrorCode
from hub.errors import Problem
from hub.graphql.applications import Application, Training
from hub.graphql.geography import County, Province, School, ServiceUnit
from hub.graphql.people import Volunteer
from hub.graphql.posts import Post
from hub.graphql.program import AllowanceStandard, LocalProject, ProgramYear, Quota
from hub.graphql.service import Assessment, MonthlyReport, ServiceAgreement
from hub.i18n import spoken


@strawberry.type
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path of the input field at fault, e.g. ["input", "idNumber"]; null when not tied to one field.'
    )
    message: str
    code: UserErrorCode


def user_errors(problems: list[Problem]) -> list[UserError]:
    """The problems as the payload's userErrors, their messages in the caller's language (hub.i18n)."""
    return [
        UserError(field=list(p.field) if p.field else None, message=spoken(p.message), code=p.code) for p in problems
    ]


def refusal(payload: type, problems: list[Problem]) -> Any:
    """The payload a refused mutation returns: each list empty, each object null, its userErrors filled."""
    empty = {name: [] if is_list else None for name, is_list in _objects(payload)}
    return payload(**empty, user_errors=user_errors(problems))


@cache
def _objects(payload: type) -> tuple[tuple[str, bool], ...]:
    """(name, is a list) of each field of `payload` besides userErrors; a field that can be neither empty nor
    null has no refused value, and says so."""
    objects = []
    for f in payload.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if f.python_name == "user_errors":
            continue
        if not isinstance(f.type, StrawberryList | StrawberryOptional):
            raise TypeError(f"{payload.__name__}.{f.python_name} is neither a list nor nullable: no refused value")
        objects.append((f.python_name, isinstance(f.type, StrawberryList)))
    return tuple(objects)


@strawberry.type
class ProgramYearPayload:
    program_year: ProgramYear | None
    user_errors: list[UserError]


@strawberry.type
class UpsertCountiesPayload:
    counties: list[County]
    user_errors: list[UserError]


@strawberry.type
class UpsertSchoolsPayload:
    schools: list[School]
    user_errors: list[UserError]


@strawberry.type
class RegisterVolunteerPayload:
    volunteer: Volunteer | None
    user_errors: list[UserError]


@strawberry.type
class ApplicationPayload:
    application: Application | None
    user_errors: list[UserError]


@strawberry.type
class ApplicationsPayload:
    applications: list[Application]
    user_errors: list[UserError]


@strawberry.type
class ProvinceScalePayload:
    province: Province | None
    user_errors: list[UserError]


@strawberry.type
class QuotaPayload:
    quotas: list[Quota]
    user_errors: list[UserError]


@strawberry.type
class CountyPayload:
    county: County | None
    user_errors: list[UserError]


@strawberry.type
class ServiceUnitPayload:
    service_unit: ServiceUnit | None
    user_errors: list[UserError]


@strawberry.type
class PostPayload:
    post: Post | None
    user_errors: list[UserError]


@strawberry.type
class PostsPayload:
    posts: list[Post]
    user_errors: list[UserError]


@strawberry.type
class TrainingPayload:
    training: Training | None
    user_errors: list[UserError]


@strawberry.type
class ServiceAgreementPayload:
    agreement: ServiceAgreement | None
    user_errors: list[UserError]


@strawberry.type
class MonthlyReportPayload:
    report: MonthlyReport | None
    user_errors: list[UserError]


@strawberry.type
class AssessmentPayload:
    assessment: Assessment | None
    user_errors: list[UserError]


@strawberry.type
class AssessmentsPayload:
    assessments: list[Assessment]
    user_errors: list[UserError]


@strawberry.type
class VolunteerPayload:
    volunteer: Volunteer | None
    user_errors: list[UserError]


@strawberry.type
class AllowanceStandardPayload:
    standard: AllowanceStandard | None
    user_errors: list[UserError]


@strawberry.type
class LocalProjectPayload:
    local_project: LocalProject | None
    user_errors: list[UserError]


# Every payload is part of the schema even while no enabled plugin returns it, so that front ends
# (and the contract check) see one stable set of payload types whatever plugins an office runs.
PAYLOAD_TYPES: list[type] = [
    ProgramYearPayload,
    UpsertCountiesPayload,
    UpsertSchoolsPayload,
    RegisterVolunteerPayload,
    ApplicationPayload,
    ApplicationsPayload,
    ProvinceScalePayload,
    QuotaPayload,
    CountyPayload,
    ServiceUnitPayload,
    PostPayload,
    PostsPayload,
    TrainingPayload,
    ServiceAgreementPayload,
    MonthlyReportPayload,
    AssessmentPayload,
    AssessmentsPayload,
    VolunteerPayload,
    AllowanceStandardPayload,
    LocalProjectPayload,
]
