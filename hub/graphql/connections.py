"""Relay connections paged in SQL: keyset cursors on the primary key, counts as SQL aggregates.

Nested connections (a county's posts inside a list of counties) are loaded for all parents in one
query with ROW_NUMBER() OVER (PARTITION BY parent), so a page of parents costs one statement.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from hub.errors import bad_input
from hub.i18n import _
from hub.ids import to_global_id
from hub.models import key_column

N = TypeVar("N")
DEFAULT_PAGE = 50
MAX_PAGE = 500


# Every field of these types is built by the planner's compiler of the connection field above them
# (hub.graphql.fields.paged), hence the metadata (hub.graphql.planner.BUILT_BY_PARENT).
BY_PARENT = {"hub.built_by_parent": True}


@strawberry.type
class PageInfo:
    has_next_page: bool = strawberry.field(metadata=BY_PARENT)
    has_previous_page: bool = strawberry.field(metadata=BY_PARENT)
    start_cursor: str | None = strawberry.field(metadata=BY_PARENT)
    end_cursor: str | None = strawberry.field(metadata=BY_PARENT)


@strawberry.type
class Edge(Generic[N]):
    cursor: str = strawberry.field(metadata=BY_PARENT)
    node: N = strawberry.field(metadata=BY_PARENT)


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(metadata=BY_PARENT)
    page_info: PageInfo = strawberry.field(metadata=BY_PARENT)
    total_count: int = strawberry.field(metadata=BY_PARENT)


@dataclass(frozen=True)
class Page:
    """One page of rows with what the connection needs to describe it."""

    rows: list[Any]
    total: int
    has_next: bool
    has_previous: bool
    kind: str = ""


def decode_cursor(cursor: str, model: type, numeric: bool) -> object:
    """The key in a cursor of a `model` list (a cursor is `hub.ids.to_global_id(kind, key)`, so one of another
    list is refused)."""
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except Exception:
        raise bad_input(_("{cursor!r} is not a cursor of this list", cursor=cursor)) from None
    kind, _sep, key = raw.partition(":")
    if kind != model.__name__ or not key or (numeric and not key.isdigit()):
        raise bad_input(_("{cursor!r} is not a cursor of this list", cursor=cursor))
    return int(key) if numeric else key


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise bad_input(_("first must be between 0 and {limit}, not {first}", limit=MAX_PAGE, first=first))
    return first


def _numeric(column: Any) -> bool:
    return column.type.python_type is int


async def fetch_page(
    session: AsyncSession, model: type, where: ColumnElement[bool], first: int | None, after: str | None
) -> Page:
    """A page of `model` rows matching `where`, ordered by primary key, after the cursor."""
    key = key_column(model)
    size = page_size(first)
    total = (await session.execute(select(func.count()).select_from(model).where(where))).scalar_one()
    condition = where
    if after is not None:
        condition = and_(where, key > decode_cursor(after, model, _numeric(key)))
    rows = list((await session.execute(select(model).where(condition).order_by(key).limit(size + 1))).scalars())
    return Page(rows[:size], total, len(rows) > size, after is not None, model.__name__)


async def fetch_nested_pages(
    session: AsyncSession,
    model: type,
    parent: Any,
    parents: Sequence[Any],
    where: ColumnElement[bool] | None,
    first: int | None,
    after: str | None,
) -> list[Page]:
    """The same page of `model` for every parent key: one windowed query and one grouped count."""
    key = key_column(model)
    size = page_size(first)
    keys = list(dict.fromkeys(parents))
    base = and_(parent.in_(keys), where if where is not None else true())
    counts = dict((await session.execute(select(parent, func.count()).where(base).group_by(parent))).all())
    condition = base if after is None else and_(base, key > decode_cursor(after, model, _numeric(key)))
    ranked = (
        select(model, func.row_number().over(partition_by=parent, order_by=key).label("rn")).where(condition).subquery()
    )
    entity = aliased(model, ranked)
    query = select(entity).where(ranked.c.rn <= size + 1).order_by(ranked.c[parent.key], ranked.c[key.key])
    grouped: dict[Any, list[Any]] = {}
    for row in (await session.execute(query)).scalars():
        grouped.setdefault(getattr(row, parent.key), []).append(row)
    pages = {}
    for k in keys:
        rows = grouped.get(k, [])
        pages[k] = Page(rows[:size], counts.get(k, 0), len(rows) > size, after is not None, model.__name__)
    return [pages[k] for k in parents]


def to_connection(page: Page, node: Callable[[Any], N], key: Callable[[Any], object]) -> Connection[N]:
    edges = [Edge(cursor=to_global_id(page.kind, key(row)), node=node(row)) for row in page.rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )
