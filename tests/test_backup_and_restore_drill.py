"""The backup drill of docs/operations.md, as it is written there: `pg_dump --format=custom` of a live hub
database, `pg_restore` into a new database, then the restored hub answers exactly as the original did,
its audit chain verifies with the same head (`hub audit verify`), and `hub db upgrade` finds nothing to do."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from hub.app import create_app
from hub.runtime import Hub
from tests.conftest import PG_ADMIN_URL, Client, _admin, _with_database
from tests.test_audit_trail_is_tamper_evident import five_entries, hub_audit_verify

pytestmark = pytest.mark.postgres_only

QUERY = """{ provinces { code name } applications(year: "2027-2028", first: 50) { totalCount
  edges { node { id status volunteer { name idNumber } } } } }"""


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg", "postgresql")


def _run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, env={**os.environ, **env} if env else None
    )


async def test_dump_restore_and_verify(client: Client, tmp_path: Path) -> None:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore (postgresql-client) are needed for the drill")
    await five_entries(client)
    national = client.token("national", sub="drill")
    before = await client.gql(QUERY, token=national)
    source = client.hub.settings.database_url
    dump = tmp_path / "hub.dump"
    dumped = await asyncio.to_thread(_run, ["pg_dump", "--format=custom", f"--file={dump}", _libpq(source)])
    assert dumped.returncode == 0, dumped.stderr

    name = f"hub_restored_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    restored_url = _with_database(PG_ADMIN_URL, name)
    try:
        restored = await asyncio.to_thread(
            _run, ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(restored_url)}", str(dump)]
        )
        assert restored.returncode == 0, restored.stderr

        original_chain = await asyncio.to_thread(hub_audit_verify, source)
        restored_chain = await asyncio.to_thread(hub_audit_verify, restored_url)
        assert restored_chain.returncode == 0, restored_chain.stderr
        assert restored_chain.stdout == original_chain.stdout  # "审计记录链完好：共 N 条记录，链头 H"
        assert "完好：共 5 条记录" in restored_chain.stdout

        hub = Hub(replace(client.hub.settings, database_url=restored_url))
        try:
            versions = "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version"
            async with hub.engine.connect() as connection:
                head = (await connection.execute(text(versions))).scalar_one()
            command = [sys.executable, "-c", "from hub.cli import main; main()", "db", "upgrade"]
            upgrade = await asyncio.to_thread(_run, command, HUB_DATABASE_URL=restored_url, HUB_LANG="en")
            assert upgrade.returncode == 0 and upgrade.stdout.strip().endswith("done"), upgrade.stderr
            async with hub.engine.connect() as connection:
                assert (await connection.execute(text(versions))).scalar_one() == head
            transport = httpx.ASGITransport(app=create_app(hub=hub))
            async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
                after = await Client(http, hub).gql(QUERY, token=national)
        finally:
            await hub.dispose()
        assert after == before and before["data"]["applications"]["totalCount"] > 0
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
