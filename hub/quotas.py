"""R15–R18, R25: the recruitment-quota matrix in the database — what a cell has used, and the one check
every path that consumes quota calls, under a row lock so that parallel requests never overdraw it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import models as m
from hub.enums import ApplicationStatus, UserErrorCode
from hub.errors import refuse
from hub.i18n import _
from hub.ids import to_global_id
from hub.scales import serving_provinces


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


async def matrix(
    session: AsyncSession, year: str, recruiting: str | None = None, serving: str | None = None
) -> list[tuple[m.Quota, int]]:
    """The quota cells of `year` (of one recruiting or serving province when given), each with what it has
    used: two statements, the use counted in one grouped query."""
    cells = select(m.Quota).where(m.Quota.year == year)
    counted = (
        select(m.Application.quota_recruiting_code, m.Application.serving_province_code, func.count())
        .where(m.Application.year == year, uses_quota())
        .group_by(m.Application.quota_recruiting_code, m.Application.serving_province_code)
    )
    if recruiting is not None:
        cells = cells.where(m.Quota.recruiting_province_code == recruiting)
        counted = counted.where(m.Application.quota_recruiting_code == recruiting)
    if serving is not None:
        cells = cells.where(m.Quota.serving_province_code == serving)
        counted = counted.where(m.Application.serving_province_code == serving)
    cells = cells.order_by(m.Quota.recruiting_province_code, m.Quota.serving_province_code)
    rows = list((await session.execute(cells)).scalars())
    counts = {(r, s): n for r, s, n in (await session.execute(counted))}
    return [(q, counts.get((q.recruiting_province_code, q.serving_province_code), 0)) for q in rows]


async def ensure_free_place(session: AsyncSession, year: str, recruiting: str, serving: str, *field: str) -> m.Quota:
    """R18: lock the cell and refuse with QUOTA_EXCEEDED (at the input `field`) when every unit is used."""
    cell = await lock_cell(session, year, recruiting, serving)
    quota = cell.quota if cell is not None else 0
    taken = await used(session, year, recruiting, serving)
    if cell is None or taken >= quota:
        raise refuse(
            UserErrorCode.QUOTA_EXCEEDED,
            _(
                "the quota {recruiting}→{serving} for {year} is used up ({taken} of {quota})",
                recruiting=recruiting,
                serving=serving,
                year=year,
                taken=taken,
                quota=quota,
            ),
            *field,
        )
    return cell


def cell_id(cell: m.Quota) -> str:
    """The id an audit entry names a quota cell by (cells are no Node: year, recruiting, serving)."""
    return to_global_id("Quota", f"{cell.year}:{cell.recruiting_province_code}:{cell.serving_province_code}")


async def move(
    unit: Any,
    year: str,
    amount: int,
    source: tuple[str, str],
    target: tuple[str, str],
    fields: tuple[str, str, str],
    reallocation: bool,
) -> tuple[m.Quota, m.Quota]:
    """R16/R17: move `amount` units from the `source` cell to the `target` cell (recruiting, serving),
    never more than the source's unused quota, and record the move (with both sides) and its audit.
    Both cells are locked, always in the same order. `fields` names the caller's inputs for the source's
    serving, the target's recruiting and the target's serving province, so each refusal points at the
    input at fault; `reallocation` tells the national office's R17 moves from a province's own (R16)."""
    session: AsyncSession = unit.session
    source_field, target_recruiting_field, target_serving_field = fields
    if amount <= 0:
        raise refuse(UserErrorCode.INVALID_INPUT, "move a positive amount", "input", "amount")
    if source == target:
        raise refuse(UserErrorCode.INVALID_INPUT, "the source and the target cell are the same")
    serving = set(await serving_provinces(session, year))
    if target[1] not in serving:
        raise refuse(
            UserErrorCode.INVALID_INPUT,
            _("{province} is not a serving province in {year}", province=target[1], year=year),
            "input",
            target_serving_field,
        )
    if await session.get(m.Province, target[0]) is None:
        raise refuse(
            UserErrorCode.NOT_FOUND,
            _("no province has the code {code!r}", code=target[0]),
            "input",
            target_recruiting_field,
        )
    cells: dict[tuple[str, str], m.Quota | None] = {}
    for key in sorted({source, target}):
        cells[key] = await lock_cell(session, year, *key)
    from_cell = cells[source]
    if from_cell is None:
        raise refuse(
            UserErrorCode.NOT_FOUND,
            _("there is no quota {recruiting}→{serving} in {year}", recruiting=source[0], serving=source[1], year=year),
            "input",
            source_field,
        )
    free = from_cell.quota - await used(session, year, *source)
    if amount > free:
        raise refuse(
            UserErrorCode.QUOTA_EXCEEDED,
            _(
                "the quota {recruiting}→{serving} has {free} unused places, fewer than {amount}",
                recruiting=source[0],
                serving=source[1],
                free=free,
                amount=amount,
            ),
            "input",
            "amount",
        )
    to_cell = cells[target] or m.Quota(
        year=year, recruiting_province_code=target[0], serving_province_code=target[1], quota=0
    )
    from_cell.quota -= amount
    to_cell.quota += amount
    session.add_all([from_cell, to_cell])
    session.add(
        m.QuotaMove(
            year=year,
            from_recruiting_code=source[0],
            from_serving_code=source[1],
            to_recruiting_code=target[0],
            to_serving_code=target[1],
            amount=amount,
            reallocation=reallocation,
            moved_at=unit.hub.clock.now(),
        )
    )
    await session.flush()
    for cell, sign in ((from_cell, -1), (to_cell, 1)):
        unit.record(
            cell_id(cell),
            {"quota": {"change": sign * amount, "to": cell.quota}},
            province=cell.recruiting_province_code,
        )
        unit.record(cell_id(cell), province=cell.serving_province_code)
    return from_cell, to_cell


async def moved_by(session: AsyncSession, year: str, recruiting: str) -> int:
    """R16: the units a recruiting province has moved itself this year."""
    query = select(func.coalesce(func.sum(m.QuotaMove.amount), 0)).where(
        m.QuotaMove.year == year,
        m.QuotaMove.from_recruiting_code == recruiting,
        m.QuotaMove.reallocation.is_(False),
    )
    return (await session.execute(query)).scalar_one()


async def total(session: AsyncSession, year: str, recruiting: str) -> int:
    query = select(func.coalesce(func.sum(m.Quota.quota), 0)).where(
        m.Quota.year == year, m.Quota.recruiting_province_code == recruiting
    )
    return (await session.execute(query)).scalar_one()
