"""R2, R8: serving provinces (a scale above zero for the year) and what their scale has assigned.

`in_force` is the one read of the scales that rules use: a draft scale (copied by openProgramYear, not yet
confirmed by the national office) is no scale at all for R2, R8, R15–R18 and the funding report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import counting
from hub import models as m


def _in_force(year: str, among: Iterable[str] | None) -> list[Any]:
    """The conditions of a scale that counts for `year` (drafts skipped), optionally only those in `among`."""
    conditions = [m.ProvinceScale.year == year, m.ProvinceScale.draft.is_(False)]
    if among is not None:
        conditions.append(m.ProvinceScale.province_code.in_(list(among)))
    return conditions


async def in_force(
    session: AsyncSession, year: str, among: Iterable[str] | None = None, *, lock: bool = False
) -> dict[str, m.ProvinceScale]:
    """Province code → its scale row for `year` that counts (drafts skipped), optionally only those in `among`;
    `lock` takes the rows FOR UPDATE (R8: assignment serialises on its province's scale)."""
    query = select(m.ProvinceScale).where(*_in_force(year, among))
    if lock:
        query = query.with_for_update()
    return {row.province_code: row for row in (await session.execute(query)).scalars()}


async def serving_provinces(session: AsyncSession, year: str, among: Iterable[str] | None = None) -> dict[str, int]:
    """Province code → scale, for the provinces serving in `year` (optionally only those in `among`). Two
    columns, no ORM objects: every application (submitApplication) asks."""
    query = select(m.ProvinceScale.province_code, m.ProvinceScale.scale).where(
        *_in_force(year, among), m.ProvinceScale.scale > 0
    )
    return {code: scale for code, scale in (await session.execute(query)).all()}


async def assigned(session: AsyncSession, year: str, province: str) -> int:
    """R8: the volunteers counting against `province`'s scale for `year` — assigned, dispatched or in post,
    renewals into `year` included (hub.counting, the one definition)."""
    return await counting.count(session, year, province)


def serving_sql(year: str, province_code: Any) -> Any:
    """SQL: `province_code` serves in `year` — `serving_provinces` for one province inside a statement (the
    read planner's funding report): a scale that counts (no draft) above zero."""
    scale = m.ProvinceScale.__table__.alias("serving_scale")
    return exists(
        select(scale.c.province_code).where(
            scale.c.year == year,
            scale.c.province_code == province_code,
            scale.c.draft.is_(False),
            scale.c.scale > 0,
        )
    )
