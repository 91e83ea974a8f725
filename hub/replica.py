"""Planned reads on a streaming replica (HUB_DATABASE_REPLICA_URL), everything else on the primary.

The read planner (hub/graphql/planner.py) answers a whole query with one statement; it asks the hub for a
read connection, and gets the replica's when one is configured and close enough behind the primary —
at most HUB_REPLICA_MAX_LAG seconds, measured at most once a second per process — and the primary's
otherwise (no replica, too far behind, not streaming, unreachable). Mutations never reach the planner:
their writes and the reads inside them run on the primary, in their own transaction (hub/mutation.py).

Lag: 0 when the replica has replayed all it received, else the age of the last transaction it replayed
(PostgreSQL's own measure, pg_last_xact_replay_timestamp); a replica whose WAL receiver is not streaming
counts as infinitely behind, since it cannot know what it misses."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections import Counter
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("hub.replica")
LAG = text(
    """
    SELECT CASE
      WHEN NOT pg_is_in_recovery() THEN 0
      WHEN (SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming') = 0 THEN 'Infinity'::float8
      WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
      ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8, 'Infinity'::float8)
    END
    """
)


class ReadRouting:
    """Where a planned read goes; counts of each for /metrics (hub_db_planned_reads_total)."""

    def __init__(
        self, primary: AsyncEngine, replica: AsyncEngine | None, max_lag: float, check_every: float = 1.0
    ) -> None:
        self.primary = primary
        self.replica = replica
        self.max_lag = max_lag
        self.check_every = check_every
        self.last_lag: float | None = None  # seconds, as last measured; inf when unreachable or not streaming
        self._checked_at = -math.inf
        self.reads: Counter[str] = Counter()

    async def lag(self) -> float:
        """The replica's lag in seconds, measured at most every `check_every` seconds."""
        assert self.replica is not None
        now = time.monotonic()
        if self.last_lag is not None and now - self._checked_at < self.check_every:
            return self.last_lag
        try:
            async with self.replica.connect() as connection:
                self.last_lag = float((await connection.execute(LAG)).scalar_one())
        except Exception as exc:  # an unreachable replica: the primary answers until it is back
            log.warning("replica unreachable: %s", type(exc).__name__)
            self.last_lag = math.inf
        self._checked_at = now
        return self.last_lag

    async def target(self) -> str:
        if self.replica is None:
            return "primary"
        lag = await self.lag()
        if lag > self.max_lag:
            log.info("replica %.1f s behind (limit %s s): planned reads go to the primary", lag, self.max_lag)
            return "primary"
        return "replica"

    def connection(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        """A connection for one planned read: the replica's when it is fit, else the primary's (without a
        replica, the primary's connection itself: no generator to step through on every read)."""
        if self.replica is None:
            self.reads["primary"] += 1
            return self.primary.connect()
        return self._routed()

    @contextlib.asynccontextmanager
    async def _routed(self) -> AsyncIterator[AsyncConnection]:
        target = await self.target()
        engine = self.replica if target == "replica" and self.replica is not None else self.primary
        self.reads[target] += 1
        async with engine.connect() as connection:
            yield connection

    async def dispose(self) -> None:
        if self.replica is not None:
            await self.replica.dispose()
