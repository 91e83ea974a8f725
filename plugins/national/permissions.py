"""What the national office (全国项目办) may do and read: the whole country (R1, R2a: personal data masked)."""

from __future__ import annotations

from sqlalchemy import true

from hub.enums import OfficeLevel
from hub.i18n import N_
from hub.permissions import ReadScope, Rule

NATIONAL = OfficeLevel.NATIONAL

RULES = [
    Rule(action, NATIONAL, describes=N_("the whole country"))
    for action in (
        "setProgramYear",
        "openProgramYear",
        "confirmProgramYearDrafts",
        "upsertCounties",
        "upsertSchools",
        "setProvinceScale",
        "setQuota",
        "reallocateQuota",
        "approveTraining",
        "fileServiceCounty",
        "approvePosts",
        "decideLocalProject",
    )
]

SCOPES = [
    ReadScope(entity, NATIONAL, lambda _a: true())
    for entity in (
        "Volunteer",
        "Application",
        "ServiceAgreement",
        "Assessment",
        "MonthlyReport",
        "SafetyIncident",
        "AuditEntry",
        "Funding",
    )
]
