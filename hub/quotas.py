"""R15–R18, R25: the recruitment-quota matrix in the database — what a cell has used, and the one check
every path that consumes quota calls, under a row lock so that parallel requests never overdraw it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import models as m
from hub.enums import ApplicationStatus, UserErrorCode
from hub.errors import refuse


def uses_quota() -> Any:
    """SQL: the application holds a recruitment agreement and has not withdrawn (R18; a replacement then
    takes the unit over, R25)."""
    return m.Application.confirmation_number.is_not(None) & (m.Application.status != ApplicationStatus.WITHDRAWN.value)


async def lock_cell(session: AsyncSession, year: str, recruiting: str, serving: str) -> m.Quota | None:
    """The quota cell, locked for this transaction (SELECT … FOR UPDATE; SQLite's write lock is already held)."""
    query = (
        select(m.Quota)
        .where(
            m.Quota.year == year,
            m.Quota.recruiting_province_code == recruiting,
            m.Quota.serving_province_code == serving,
        )
        .with_for_update()
    )
    return (await session.execute(query)).scalar_one_or_none()


async def used(session: AsyncSession, year: str, recruiting: str, serving: str) -> int:
    query = select(func.count()).where(
        m.Application.year == year,
        m.Application.quota_recruiting_code == recruiting,
        m.Application.serving_province_code == serving,
        uses_quota(),
    )
    return (await session.execute(query)).scalar_one()


async def ensure_free_place(session: AsyncSession, year: str, recruiting: str, serving: str) -> m.Quota:
    """R18: lock the cell and refuse with QUOTA_EXCEEDED when every unit is used."""
    cell = await lock_cell(session, year, recruiting, serving)
    quota = cell.quota if cell is not None else 0
    taken = await used(session, year, recruiting, serving)
    if cell is None or taken >= quota:
        raise refuse(
            UserErrorCode.QUOTA_EXCEEDED,
            f"the quota {recruiting}→{serving} for {year} is used up ({taken} of {quota})",
            "input",
            "servingProvinceCode",
        )
    return cell
