"""What a school office (高校项目办) may do and read: only its own students (R1, R21)."""

from __future__ import annotations

from hub import models as m
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.i18n import N_
from hub.permissions import ReadScope, Rule, Target
from hub.scopes import audit_of

SCHOOL = OfficeLevel.SCHOOL


def own_student(actor: Actor, target: Target) -> bool:
    return target.get("school_code") == actor.code


RULES = [
    Rule("signOffApplication", SCHOOL, own_student, describes=N_("applications of the school's own students")),
    Rule("registerVolunteers", SCHOOL, own_student, describes=N_("the school's own students")),
]

SCOPES = [
    ReadScope("Volunteer", SCHOOL, lambda a: m.Volunteer.school_code == a.code),
    ReadScope("Application", SCHOOL, lambda a: m.Application.school_code == a.code),
    ReadScope("AuditEntry", SCHOOL, lambda a: audit_of("SCHOOL", a.code)),
]
