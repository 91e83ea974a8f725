"""The hub's tables, by concept. Importing this module registers them all on `SQLModel.metadata`."""

from typing import Any

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


def key_column(model: type) -> Any:
    """The primary-key column of a table model; a composite key is refused (nothing pages or loads by one)."""
    keys = model.__table__.primary_key.columns  # type: ignore[attr-defined]
    if len(keys) != 1:
        raise TypeError(f"{model.__name__} has a composite key; page or load it with a query of its own")
    return next(iter(keys))
