"""Migrations: empty → head → base → head on SQLite and PostgreSQL, and the models match the migrations
(autogenerate finds nothing), so a model change without its revision fails CI."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from hub import migrate
from hub.db import is_sqlite
from hub.plugins import HubPlugins
from hub.settings import Settings
from tests.conftest import PG_ADMIN_URL, _admin, _with_database


def _diff(url: str) -> list:
    import hub.models  # noqa: F401

    HubPlugins().tables()

    async def run() -> list:
        engine = create_async_engine(url)
        async with engine.connect() as connection:

            def compare(sync_connection):  # type: ignore[no-untyped-def]
                context = MigrationContext.configure(
                    sync_connection, opts={"compare_type": True, "render_as_batch": is_sqlite(url)}
                )
                return compare_metadata(context, SQLModel.metadata)

            result = await connection.run_sync(compare)
        await engine.dispose()
        return result

    return asyncio.run(run())


def _count_provinces(url: str) -> int:
    async def run() -> int:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM provinces"))).scalar_one()
        await engine.dispose()
        return count

    return asyncio.run(run())


def _round_trip(url: str) -> None:
    settings, plugins = Settings(database_url=url), HubPlugins()
    migrate.upgrade(settings, plugins)
    assert _count_provinces(url) == 32  # R3: shipped as data
    migrate.downgrade(settings, plugins, "base")
    migrate.upgrade(settings, plugins)
    assert _count_provinces(url) == 32
    assert _diff(url) == []


def test_sqlite_upgrade_downgrade_upgrade_and_no_drift(tmp_path: Path) -> None:
    _round_trip(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


def test_postgres_upgrade_downgrade_upgrade_and_no_drift(postgres_url: str) -> None:
    name = f"hub_mig_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        _round_trip(_with_database(PG_ADMIN_URL, name))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_a_model_change_without_a_revision_is_found(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"
    migrate.upgrade(Settings(database_url=url), HubPlugins())
    from sqlalchemy import Column, String

    table = SQLModel.metadata.tables["counties"]
    extra = Column("drift_probe", String(5))
    table.append_column(extra)
    try:
        assert any("drift_probe" in str(d) for d in _diff(url))
    finally:
        table._columns.remove(extra)  # leave the shared metadata as it was
    assert _diff(url) == []


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
