"""A throwaway database holding the bench's national data set (bench.generate) at some scale, for the tests
of the read path; dropped afterwards. PostgreSQL (unreachable: a failure in CI, a skip elsewhere, as
tests/conftest.py does) or an SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import generate

PG_ADMIN_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PG_REQUIRED = os.environ.get("CI") == "true" or os.environ.get("HUB_TEST_POSTGRES") == "required"


@contextlib.contextmanager
def bench_database(
    scale: float, seed: int, prefix: str = "hub_bench_data", grow: float = 1.0, hold: tuple[str, ...] = ()
) -> Iterator[str]:
    """The URL of a fresh database loaded with the bench data set at `scale` (grown `grow` times around the
    `hold` provinces, as `bench.generate --grow --hold` does)."""
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(generate.create_database(url))
    except Exception as exc:
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL is required (CI) but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    try:
        generate.generate(url, scale=scale, seed=seed, create=False, log=lambda *_: None, grow=grow, hold=hold)
        yield url
    finally:
        asyncio.run(generate.drop_database(url))


@contextlib.contextmanager
def sqlite_bench_database(scale: float, seed: int, folder: Path) -> Iterator[str]:
    """The URL of a fresh SQLite file, migrated and loaded with the same data set as `bench_database`."""
    from sqlalchemy import create_engine

    path = folder / f"bench_{uuid.uuid4().hex[:10]}.db"
    url = f"sqlite+aiosqlite:///{path}"
    generate.migrate(url)
    data = generate.build(scale, seed)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            for name in generate.LOAD_ORDER:
                columns, rows = generate.records(name, data.rows[name])
                if rows:
                    connection.execute(
                        generate.TABLES[name].insert(), [dict(zip(columns, r, strict=True)) for r in rows]
                    )
        yield url
    finally:
        engine.dispose()
        path.unlink(missing_ok=True)
