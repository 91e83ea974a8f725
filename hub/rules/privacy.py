"""R2a: who may see a volunteer's personal data in full (PIPL's minimum necessary)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from hub.auth import Actor
from hub.enums import OfficeLevel


@dataclass(frozen=True)
class VolunteerTies:
    """The offices a volunteer is tied to, read from the volunteer and their applications."""

    subject: str
    school_code: str
    recruiting_provinces: frozenset[str]
    serving_provinces: frozenset[str]
    counties: frozenset[str]

    @classmethod
    def of(cls, subject: str, school_code: str, school_province: str, applications: Iterable[object]) -> VolunteerTies:
        apps = list(applications)
        return cls(
            subject=subject,
            school_code=school_code,
            recruiting_provinces=frozenset({school_province, *(a.recruiting_province_code for a in apps)}),
            serving_provinces=frozenset(a.serving_province_code for a in apps if a.serving_province_code),
            counties=frozenset(a.county_code for a in apps if a.county_code),
        )


@dataclass(frozen=True)
class Entitlement:
    id_number: bool = False
    phone: bool = False
    health: bool = False


FULL = Entitlement(True, True, True)
NOTHING = Entitlement()


def entitlement(actor: Actor | None, ties: VolunteerTies) -> Entitlement:
    """What of a volunteer's personal data `actor` may see in full (R2a's table, row by row)."""
    if actor is None:
        return NOTHING
    if actor.level is OfficeLevel.VOLUNTEER:
        return FULL if actor.subject == ties.subject else NOTHING
    if actor.level is OfficeLevel.PROVINCIAL:
        if actor.code in ties.recruiting_provinces or actor.code in ties.serving_provinces:
            return FULL
        return NOTHING
    if actor.level is OfficeLevel.COUNTY:
        assigned = actor.code in ties.counties
        return Entitlement(id_number=assigned, phone=assigned, health=False)
    if actor.level is OfficeLevel.SCHOOL:
        return Entitlement(phone=actor.code == ties.school_code)
    return NOTHING  # the national office reads personal data masked


def entitled_sql(actor: Actor | None, kind: str, volunteer: Any) -> ColumnElement[bool]:
    """`entitlement` as a SQL condition on a volunteers row (`volunteer.c`), for the read planner: the
    same table, row by row, over the same ties (the volunteer's school and every application of theirs).
    `kind` is "id_number", "phone" or "health". tests/test_read_planner_agrees_with_executor.py keeps the
    two forms equal for every level."""
    from sqlalchemy import exists, false, or_, select

    from hub import models as m

    if actor is None:
        return false()
    applications = m.Application.__table__.alias()

    def applied(*condition: Any) -> ColumnElement[bool]:
        query = select(applications.c.id).where(applications.c.volunteer_id == volunteer.c.id, *condition)
        return exists(query.correlate_except(applications))

    if actor.level is OfficeLevel.VOLUNTEER:
        return volunteer.c.subject == actor.subject
    if actor.level is OfficeLevel.PROVINCIAL:
        schools = m.School.__table__.alias()
        own_school = exists(
            select(schools.c.code)
            .where(schools.c.code == volunteer.c.school_code, schools.c.province_code == actor.code)
            .correlate_except(schools)
        )
        return or_(
            own_school,
            applied(
                or_(
                    applications.c.recruiting_province_code == actor.code,
                    applications.c.serving_province_code == actor.code,
                )
            ),
        )
    if actor.level is OfficeLevel.COUNTY:
        return false() if kind == "health" else applied(applications.c.county_code == actor.code)
    if actor.level is OfficeLevel.SCHOOL:
        return volunteer.c.school_code == actor.code if kind == "phone" else false()
    return false()


# What a reader who is not entitled sees instead of a value, in Python and in SQL side by side: the ID
# number masked as hub.rules.idnumbers.mask_id_number does (620***********1234), the phone not at all.
MASKED_KINDS = ("id_number", "phone")
ID_NUMBER_LENGTH = 18  # GB 11643, and the column's max_length


def shown(actor: Actor | None, ties: VolunteerTies, kind: str, value: str | None) -> str | None:
    """A personal value of `kind` as `actor` may read it: in full when entitled (R2a), masked otherwise."""
    return value if getattr(entitlement(actor, ties), kind) else masked(kind, value)


def masked(kind: str, value: str | None) -> str | None:
    """The value of `kind` as an unentitled reader sees it."""
    from hub.rules.idnumbers import mask_id_number

    if kind == "id_number":
        return None if value is None else mask_id_number(value)
    return None


def masked_sql(kind: str, value: Any) -> ColumnElement[Any]:
    """`masked` as an SQL expression over the column `value`, in words PostgreSQL and SQLite share."""
    from sqlalchemy import case, func, literal_column, null

    if kind != "id_number":
        return null()
    stars = literal_column("'" + "*" * ID_NUMBER_LENGTH + "'")
    length = func.length(value)
    ends = func.substr(value, 1, 3).op("||")(func.substr(stars, 1, length - 7)).op("||")(func.substr(value, length - 3))
    return case((length <= 7, func.substr(stars, 1, length)), else_=ends)
