"""In service (hub/models/service.py): agreements, monthly reports and incidents, assessments — each field
declared once."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub import models as m
from hub.enums import AssessmentGrade, AssessmentStatus, IncidentSeverity
from hub.graphql.fields import Node, column, many, one, record
from hub.graphql.geography import County, ServiceUnit
from hub.graphql.people import Volunteer
from hub.graphql.posts import Post


@strawberry.type
@record(m.ServiceAgreement, scope="ServiceAgreement")
class ServiceAgreement(Node):
    term_year: int = column()
    starts_on: date = column()
    ends_on: date = column()
    signed_at: datetime = column()
    volunteer: Volunteer = one(m.Volunteer, "volunteer_id")
    post: Post = one(m.Post, "post_id")
    county: County = one(m.County, "county_code")
    unit: ServiceUnit = one(m.ServiceUnit, "unit_id")


@strawberry.type
@record(m.SafetyIncident, scope="SafetyIncident")
class SafetyIncident(Node):
    occurred_on: date = column()
    severity: IncidentSeverity = column()
    description: str = column()
    county: County = one(m.County, "county_code")
    volunteer: Volunteer | None = one(m.Volunteer, "volunteer_id")


@strawberry.type
@record(m.MonthlyReport, scope="MonthlyReport")
class MonthlyReport(Node):
    month: str = column()
    in_post: int = column()
    absent: int = column()
    filed_at: datetime = column()
    county: County = one(m.County, "county_code")
    incidents: list[SafetyIncident] = many(m.SafetyIncident, "report_id")


@strawberry.type
@record(m.Assessment, scope="Assessment")
class Assessment(Node):
    year: str = column()
    grade: AssessmentGrade = column()
    status: AssessmentStatus = column()
    volunteer: Volunteer = one(m.Volunteer, "volunteer_id")
