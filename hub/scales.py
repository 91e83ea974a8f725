"""R2, R8: serving provinces (a scale above zero for the year) and what their scale has assigned."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import models as m
from hub.enums import ApplicationStatus

# R8: volunteers "assigned, dispatched or in service" count against the scale.
ASSIGNED_STATUSES = (
    ApplicationStatus.TRAINED.value,
    ApplicationStatus.DISPATCHED.value,
    ApplicationStatus.IN_SERVICE.value,
)


async def serving_provinces(session: AsyncSession, year: str, among: Iterable[str] | None = None) -> dict[str, int]:
    """Province code → scale, for the provinces serving in `year` (optionally only those in `among`)."""
    query = select(m.ProvinceScale.province_code, m.ProvinceScale.scale).where(
        m.ProvinceScale.year == year, m.ProvinceScale.scale > 0
    )
    if among is not None:
        query = query.where(m.ProvinceScale.province_code.in_(list(among)))
    return dict((await session.execute(query)).all())


async def assigned(session: AsyncSession, year: str, province: str) -> int:
    """R8: volunteers of `year` assigned to a county of `province` and not withdrawn or terminated."""
    query = select(func.count()).where(
        m.Application.year == year,
        m.Application.serving_province_code == province,
        m.Application.county_code.is_not(None),
        m.Application.status.in_(ASSIGNED_STATUSES),
    )
    return (await session.execute(query)).scalar_one()
