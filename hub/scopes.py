"""SQL building blocks for read scopes: the rows tied to a province, a county or a school.

Plugins compose their `ReadScope`s from these so that every level's filter means the same thing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from hub import models as m
from hub.audit import touched_by


def schools_of_province(province: str) -> Any:
    return select(m.School.code).where(m.School.province_code == province)


def counties_of_province(province: str) -> Any:
    return select(m.County.code).where(m.County.province_code == province)


def volunteers_where(condition: Any) -> Any:
    """Volunteer ids having an application that meets `condition`."""
    return select(m.Application.volunteer_id).where(condition)


def volunteers_of_province(province: str) -> Any:
    """Volunteers of the province's schools (recruiting) or serving in it (serving)."""
    return select(m.Volunteer.id).where(
        or_(
            m.Volunteer.school_code.in_(schools_of_province(province)),
            m.Volunteer.id.in_(volunteers_where(m.Application.serving_province_code == province)),
        )
    )


def volunteers_of_county(county: str) -> Any:
    return volunteers_where(m.Application.county_code == county)


def audit_of(level: str, code: str) -> Any:
    return touched_by(level, code)
