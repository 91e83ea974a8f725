"""The mutation payloads of the contract, shared by the core and the office plugins (their `UserError` and
the refused payload are hub.errors')."""

from __future__ import annotations

import strawberry

from hub.errors import UserError
from hub.graphql.applications import Application, Training
from hub.graphql.geography import County, Province, School, ServiceUnit
from hub.graphql.people import Volunteer
from hub.graphql.posts import Post
from hub.graphql.program import AllowanceStandard, LocalProject, ProgramYear, Quota
from hub.graphql.service import Assessment, MonthlyReport, ServiceAgreement


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
