"""The audit log as read (hub/models/audit.py; R42): one entry per accepted mutation."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from hub import models as m
from hub.enums import OfficeLevel
from hub.graphql.fields import Node, column, record


@strawberry.type
@record(m.AuditEntry, scope="AuditEntry")
class AuditEntry(Node):
    at: datetime = column()
    actor_level: OfficeLevel = column()
    actor_code: str | None = column()
    actor_subject: str = column()
    operation: str = column()
    target_ids: list[strawberry.ID] = column()
    changes: JSON = column()
