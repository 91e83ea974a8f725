"""What a county office (县级项目办) may do and read: only inside its own county (R1, R2a, R9, R12, R26, R27)."""

from __future__ import annotations

from hub import models as m
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.i18n import N_
from hub.permissions import ReadScope, Rule, Target
from hub.scopes import audit_of, volunteers_of_county

COUNTY = OfficeLevel.COUNTY


def own_county(actor: Actor, target: Target) -> bool:
    return target.get("county") == actor.code


RULES = [
    Rule(action, COUNTY, own_county, describes=N_("the county office's own county"))
    for action in (
        "applyServiceCounty",
        "createServiceUnit",
        "declarePost",
        "declarePosts",
        "receiveVolunteers",
        "signServiceAgreement",
        "renewServiceAgreement",
        "fileMonthlyReport",
        "proposeAssessment",
        "recordInsurance",
        "completeService",
    )
]

SCOPES = [
    ReadScope("Volunteer", COUNTY, lambda a: m.Volunteer.id.in_(volunteers_of_county(a.code))),
    ReadScope("Application", COUNTY, lambda a: m.Application.county_code == a.code),
    ReadScope("ServiceAgreement", COUNTY, lambda a: m.ServiceAgreement.county_code == a.code),
    ReadScope("Assessment", COUNTY, lambda a: m.Assessment.volunteer_id.in_(volunteers_of_county(a.code))),
    ReadScope("MonthlyReport", COUNTY, lambda a: m.MonthlyReport.county_code == a.code),
    ReadScope("SafetyIncident", COUNTY, lambda a: m.SafetyIncident.county_code == a.code),
    ReadScope("AuditEntry", COUNTY, lambda a: audit_of("COUNTY", a.code)),
]
