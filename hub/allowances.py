"""R39: the living-allowance standards in force — the one read of them that rules use (the funding report's
local allowance, R40). A draft standard (copied by openProgramYear, not yet confirmed) counts for nothing."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import models as m


async def in_force(
    session: AsyncSession, year: str, provinces: Iterable[str] | None = None
) -> list[m.AllowanceStandard]:
    """The standards of `year` (province and county rows; only those of `provinces` when given), drafts
    skipped, in the order they were set."""
    query = select(m.AllowanceStandard).where(m.AllowanceStandard.year == year, m.AllowanceStandard.draft.is_(False))
    if provinces is not None:
        query = query.where(m.AllowanceStandard.province_code.in_(list(provinces)))
    return list((await session.execute(query.order_by(m.AllowanceStandard.id))).scalars())
