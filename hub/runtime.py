"""The hub of one process: settings, clock, plugins, permissions, schema, database — built once."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hub import models as m
from hub.clock import Clock
from hub.db import make_engine, make_sessionmaker, single_statements
from hub.enums import Milestone
from hub.events.graphql import WEBHOOK_RULES
from hub.graphql.planner import PlanCache
from hub.observability import tracer_provider_from_env
from hub.outbox import Wakeups, notify_on
from hub.permissions import Permissions
from hub.persisted import PersistedDocuments
from hub.plugins import HubPlugins
from hub.replica import ReadRouting
from hub.schema import compose
from hub.settings import Settings
from hub.volunteers import CORE_RULES, CORE_SCOPES


def core_permissions() -> Permissions:
    permissions = Permissions()
    permissions.add_rules(CORE_RULES, "core")
    permissions.add_rules(WEBHOOK_RULES, "core")  # issue 16: each office manages its own endpoints
    permissions.add_scopes(CORE_SCOPES, "core")
    return permissions


class Hub:
    """Everything a request needs that outlives it."""

    def __init__(self, settings: Settings, plugins: HubPlugins | None = None) -> None:
        self.settings = settings
        self.clock = Clock(settings.today)
        self.plugins = plugins or HubPlugins(settings.plugins)
        self.plugins.tables()
        self.permissions = self.plugins.permissions(core_permissions())
        self.schema = compose(self.plugins)
        self.engine = make_engine(settings.database_url, settings.pool_size, settings.pgbouncer)
        replica = settings.database_replica_url
        replica_engine = make_engine(replica, settings.pool_size, settings.pgbouncer) if replica else None
        reads = single_statements(replica_engine, settings.pgbouncer) if replica_engine is not None else None
        self.reads = ReadRouting(single_statements(self.engine, settings.pgbouncer), reads, settings.replica_max_lag)
        # The hub's own small pool, beside the requests': the token guard's refresh (revocations, hub/tokenguard.py)
        # and the outbox's wake-ups never wait for, nor count among, the statements of the requests.
        self.guard_engine = make_engine(settings.database_url, 4, settings.pgbouncer)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.write_sessionmaker = make_sessionmaker(self.engine, write=True)
        # The read planner answers what it covers in one statement, on PostgreSQL and SQLite alike.
        self.read_planner = settings.read_planner
        self.plans = PlanCache()
        # OpenTelemetry: None (no tracing) unless an OTLP endpoint is configured; tests put an SDK provider here.
        self.tracer_provider = tracer_provider_from_env()
        self.documents = PersistedDocuments(self.sessionmaker, settings.trusted_documents, settings.apq)
        # PostgreSQL: the NOTIFY that wakes other processes' workers and subscribers, after commits (hub/outbox.py),
        # on the side pool: in a burst it must not queue behind the mutations it announces for a connection
        self.wakeups = Wakeups(notify_on(self.guard_engine))

    def after_commit(self, events: list[Any]) -> None:
        """What follows a commit that wrote `events` (hub.mutation.Event): the wake-up of every process's
        listeners, then each event to the plugins' `hub_after_commit` (a listener's failure is logged there).
        A commit without events (an import of no rows) wakes nobody."""
        if events:
            self.wakeups.committed()
        for event in events:
            self.plugins.emit(event)

    async def timeline(self, session: AsyncSession, year: str) -> dict[Milestone, date] | None:
        """R7: the milestones of `year` in force (with extensions); None when the year does not exist. The one
        read of milestone dates that rules use: a draft date (copied by openProgramYear, not yet confirmed)
        is no date, so a dated mutation of that milestone is INVALID_STATE until the national office confirms it."""
        in_force = (m.MilestoneDate.year == m.ProgramYear.code) & m.MilestoneDate.draft.is_(False)
        query = (
            select(m.MilestoneDate.milestone, m.MilestoneDate.closes_on)
            .select_from(m.ProgramYear)
            .outerjoin(m.MilestoneDate, in_force)
            .where(m.ProgramYear.code == year)
        )
        rows = (await session.execute(query)).all()  # one statement: no row, no year
        if not rows:
            return None
        return {Milestone(milestone): closes_on for milestone, closes_on in rows if milestone is not None}

    def read_connection(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        """A connection for a planned read: the replica's when configured and fresh enough (hub/replica.py)."""
        return self.reads.connection()

    async def dispose(self) -> None:
        await self.wakeups.flush()
        await self.engine.dispose()
        await self.guard_engine.dispose()
        await self.reads.dispose()
