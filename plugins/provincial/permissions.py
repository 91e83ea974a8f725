"""What a provincial office (省级项目办) may read: as recruiting province its schools' applicants, as
serving province the volunteers serving in it (R2, R2a); and what it may do in each role (R16, R22–R25)."""

from __future__ import annotations

from sqlalchemy import or_

from hub import models as m
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.i18n import N_
from hub.permissions import ReadScope, Rule, Target
from hub.scopes import audit_of, counties_of_province, volunteers_of_province

PROVINCIAL = OfficeLevel.PROVINCIAL


def recruiting(actor: Actor, target: Target) -> bool:
    """As recruiting province: applicants of the province's schools (and its own quota cells)."""
    return target.get("recruiting_province") == actor.code


def serving(actor: Actor, target: Target) -> bool:
    """As serving province: trainings, replacements, its counties, posts and placed volunteers."""
    return target.get("serving_province") == actor.code


RULES = [
    *(
        Rule(action, PROVINCIAL, recruiting, describes=N_("applicants of the province's own schools"))
        for action in ("recordSelection", "recordPhysicalExam", "publicize", "signRecruitmentAgreement")
    ),
    Rule("moveQuota", PROVINCIAL, recruiting, describes=N_("the province's own recruitment quota")),
    Rule("suggestRecruitment", PROVINCIAL, recruiting, describes=N_("the province's own applicants and quota")),
    *(
        Rule(action, PROVINCIAL, serving, describes=N_("the province as serving province"))
        for action in (
            "scheduleTraining",
            "recordAttendance",
            "recruitReplacement",
            "decideServiceCounty",
            "confirmPosts",
            "assignCounty",
            "changePost",
            "recordCountyEvaluation",
            "approveAssessments",
            "setAllowanceStandard",
            "submitLocalProject",
        )
    ),
]

SCOPES = [
    ReadScope("Volunteer", PROVINCIAL, lambda a: m.Volunteer.id.in_(volunteers_of_province(a.code))),
    ReadScope(
        "Application",
        PROVINCIAL,
        lambda a: or_(m.Application.recruiting_province_code == a.code, m.Application.serving_province_code == a.code),
    ),
    ReadScope(
        "ServiceAgreement",
        PROVINCIAL,
        lambda a: m.ServiceAgreement.county_code.in_(counties_of_province(a.code)),
    ),
    ReadScope("Assessment", PROVINCIAL, lambda a: m.Assessment.volunteer_id.in_(volunteers_of_province(a.code))),
    ReadScope("MonthlyReport", PROVINCIAL, lambda a: m.MonthlyReport.county_code.in_(counties_of_province(a.code))),
    ReadScope("SafetyIncident", PROVINCIAL, lambda a: m.SafetyIncident.county_code.in_(counties_of_province(a.code))),
    ReadScope("AuditEntry", PROVINCIAL, lambda a: audit_of("PROVINCIAL", a.code)),
    ReadScope("Funding", PROVINCIAL, lambda a: m.Province.code == a.code),
]
