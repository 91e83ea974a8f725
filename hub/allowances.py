"""R39: the living-allowance standards in force — the one read of them that rules use (the funding report's
local allowance, R40). A draft standard (copied by openProgramYear, not yet confirmed) counts for nothing."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import models as m


async def in_force(session: AsyncSession, year: str, provinces: Iterable[str]) -> list[m.AllowanceStandard]:
    """The standards of `year` set for `provinces` (province and county rows), drafts skipped."""
    query = select(m.AllowanceStandard).where(
        m.AllowanceStandard.year == year,
        m.AllowanceStandard.province_code.in_(list(provinces)),
        m.AllowanceStandard.draft.is_(False),
    )
    return list((await session.execute(query.order_by(m.AllowanceStandard.id))).scalars())
