"""R2, R8: serving provinces (a scale above zero for the year) and what their scale has assigned."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import counting
from hub import models as m


async def serving_provinces(session: AsyncSession, year: str, among: Iterable[str] | None = None) -> dict[str, int]:
    """Province code → scale, for the provinces serving in `year` (optionally only those in `among`)."""
    query = select(m.ProvinceScale.province_code, m.ProvinceScale.scale).where(
        m.ProvinceScale.year == year, m.ProvinceScale.scale > 0
    )
    if among is not None:
        query = query.where(m.ProvinceScale.province_code.in_(list(among)))
    return dict((await session.execute(query)).all())


async def assigned(session: AsyncSession, year: str, province: str) -> int:
    """R8: the volunteers counting against `province`'s scale for `year` — assigned, dispatched or in post,
    renewals into `year` included (hub.counting, the one definition)."""
    return await counting.count(session, year, province)
