"""The mutation payloads of the contract, shared by the core and the office plugins: each is one object (or
list) and the `userErrors` every payload carries (hub.errors' `UserError`; the refused payload is hub.errors')."""

from __future__ import annotations

from typing import Any

import strawberry

from hub.errors import UserError
from hub.graphql.applications import Application, Training
from hub.graphql.geography import County, Province, School, ServiceUnit
from hub.graphql.people import Volunteer
from hub.graphql.posts import Post
from hub.graphql.program import AllowanceStandard, LocalProject, ProgramYear, Quota
from hub.graphql.service import Assessment, MonthlyReport, ServiceAgreement

# Every payload is part of the schema even while no enabled plugin returns it, so that front ends
# (and the contract check) see one stable set of payload types whatever plugins an office runs.
PAYLOAD_TYPES: list[type] = []


def _payload(name: str, field: str, of: Any) -> Any:
    """The contract's payload type `name`: `field` of type `of`, then `userErrors`; listed in PAYLOAD_TYPES."""
    annotations = {field: of, "user_errors": list[UserError]}
    made = strawberry.type(type(name, (), {"__annotations__": annotations, "__module__": __name__}))
    PAYLOAD_TYPES.append(made)
    return made


ProgramYearPayload = _payload("ProgramYearPayload", "program_year", ProgramYear | None)
UpsertCountiesPayload = _payload("UpsertCountiesPayload", "counties", list[County])
UpsertSchoolsPayload = _payload("UpsertSchoolsPayload", "schools", list[School])
RegisterVolunteerPayload = _payload("RegisterVolunteerPayload", "volunteer", Volunteer | None)
ApplicationPayload = _payload("ApplicationPayload", "application", Application | None)
ApplicationsPayload = _payload("ApplicationsPayload", "applications", list[Application])
ProvinceScalePayload = _payload("ProvinceScalePayload", "province", Province | None)
QuotaPayload = _payload("QuotaPayload", "quotas", list[Quota])
CountyPayload = _payload("CountyPayload", "county", County | None)
ServiceUnitPayload = _payload("ServiceUnitPayload", "service_unit", ServiceUnit | None)
PostPayload = _payload("PostPayload", "post", Post | None)
PostsPayload = _payload("PostsPayload", "posts", list[Post])
TrainingPayload = _payload("TrainingPayload", "training", Training | None)
ServiceAgreementPayload = _payload("ServiceAgreementPayload", "agreement", ServiceAgreement | None)
MonthlyReportPayload = _payload("MonthlyReportPayload", "report", MonthlyReport | None)
AssessmentPayload = _payload("AssessmentPayload", "assessment", Assessment | None)
AssessmentsPayload = _payload("AssessmentsPayload", "assessments", list[Assessment])
VolunteerPayload = _payload("VolunteerPayload", "volunteer", Volunteer | None)
AllowanceStandardPayload = _payload("AllowanceStandardPayload", "standard", AllowanceStandard | None)
LocalProjectPayload = _payload("LocalProjectPayload", "local_project", LocalProject | None)
