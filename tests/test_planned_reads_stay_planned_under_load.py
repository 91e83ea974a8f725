"""Issue 17: concurrent planned reads are answered by their plan, through PgBouncer in transaction mode too (CI
runs every PostgreSQL test through one). asyncpg prepares a statement and runs it in two exchanges; without a
transaction around them PgBouncer may give the second to another server connection, where the statement does
not exist. The planner then logged the failure and the executor answered, so every answer stayed right and only
the log (and the statement count) showed that most planned reads of a concurrent load had not been planned."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.conftest import Client
from tests.seed import seed_reference

QUERY = "query Provinces { provinces { code name } }"


@pytest.mark.postgres_only
async def test_concurrent_planned_reads_are_answered_by_their_plan(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_reference(client.hub)
    caplog.set_level(logging.ERROR, logger="hub.graphql.planner")
    for _wave in range(5):
        answers = await asyncio.gather(*(client.ok(QUERY, level="national") for _ in range(12)))
        assert all(answer["provinces"] for answer in answers)
    failed = [r for r in caplog.records if "planned statement failed" in r.getMessage()]
    assert not failed, f"{len(failed)} planned reads failed: {failed[0].exc_info[1] if failed else ''}"
