"""The hub's tables, by concept. Importing this module registers them all on `SQLModel.metadata`."""

from hub.models.audit import AuditEntry, AuditScope
from hub.models.documents import TrustedDocument
from hub.models.events import Delivery, DeliveryAttempt, DomainEvent, Webhook
from hub.models.geography import County, CountyEvaluation, Province, School, ServiceUnit
from hub.models.people import Application, Volunteer
from hub.models.program import (
    AllowanceStandard,
    LocalProject,
    MilestoneDate,
    ProgramYear,
    ProvinceScale,
    Quota,
    QuotaMove,
    Training,
)
from hub.models.service import (
    Assessment,
    InsurancePolicy,
    MonthlyReport,
    Post,
    SafetyIncident,
    ServiceAgreement,
)
from hub.models.tokens import RevokedToken

__all__ = [
    "AllowanceStandard",
    "Application",
    "Assessment",
    "AuditEntry",
    "AuditScope",
    "County",
    "Delivery",
    "DeliveryAttempt",
    "DomainEvent",
    "CountyEvaluation",
    "InsurancePolicy",
    "LocalProject",
    "MilestoneDate",
    "MonthlyReport",
    "Post",
    "ProgramYear",
    "Province",
    "ProvinceScale",
    "Quota",
    "QuotaMove",
    "RevokedToken",
    "SafetyIncident",
    "School",
    "ServiceAgreement",
    "ServiceUnit",
    "Training",
    "TrustedDocument",
    "Volunteer",
    "Webhook",
]
