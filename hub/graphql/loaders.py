"""Per-request DataLoaders: every relation is one batched query per level, never one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from hub.models import key_column

BATCH = 2000  # keys per IN (...) list, well under SQLite's bound-parameter limit


class Loaders:
    """The DataLoaders of one request, created on first use and cached by what they load."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def one(self, model: type, column: str | None = None) -> DataLoader[Any, Any]:
        """Load rows of `model` by a unique column (the primary key by default); None when absent."""
        column = column or key_column(model).key
        return self._cached(("one", model, column), lambda: self._make_one(model, column))

    def many(self, model: type, column: str, order_by: str | None = None) -> DataLoader[Any, list[Any]]:
        """Load, per key, the list of `model` rows whose `column` equals it (ordered by `order_by` or the key)."""
        order = order_by or key_column(model).key
        return self._cached(("many", model, column, order), lambda: self._make_many(model, column, order))

    def custom(self, key: Hashable, batch: Callable[[AsyncSession, list[Any]], Awaitable[Sequence[Any]]]) -> Any:
        """A loader for anything else (aggregates, nested pages): `batch(session, keys)` answers in key order."""

        async def load(keys: list[Any]) -> Sequence[Any]:
            async with self.sessionmaker() as session:
                return await batch(session, keys)

        return self._cached(("custom", key), lambda: DataLoader(load_fn=load))

    def _cached(self, key: Hashable, make: Callable[[], DataLoader[Any, Any]]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = make()
        return loader

    def _make_one(self, model: type, column: str) -> DataLoader[Any, Any]:
        async def load(keys: list[Any]) -> list[Any]:
            col = getattr(model, column)
            found: dict[Any, Any] = {}
            async with self.sessionmaker() as session:
                for chunk in _chunks(list(set(keys))):
                    for row in (await session.execute(select(model).where(col.in_(chunk)))).scalars():
                        found[getattr(row, column)] = row
            return [found.get(k) for k in keys]

        return DataLoader(load_fn=load)

    def _make_many(self, model: type, column: str, order: str) -> DataLoader[Any, list[Any]]:
        async def load(keys: list[Any]) -> list[list[Any]]:
            col = getattr(model, column)
            grouped: dict[Any, list[Any]] = defaultdict(list)
            async with self.sessionmaker() as session:
                for chunk in _chunks(list(set(keys))):
                    query = select(model).where(col.in_(chunk)).order_by(getattr(model, order))
                    for row in (await session.execute(query)).scalars():
                        grouped[getattr(row, column)].append(row)
            return [grouped.get(k, []) for k in keys]

        return DataLoader(load_fn=load)


def _chunks(keys: list[Any]) -> list[list[Any]]:
    return [keys[i : i + BATCH] for i in range(0, len(keys), BATCH)] or [[]]
