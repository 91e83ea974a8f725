"""The database: one async engine per process, sessions, and the transaction every mutation runs in."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

WRITE_OPTION = "hub_write"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, pool_size: int = 16) -> AsyncEngine:
    """An engine for `url`. SQLite gets foreign keys switched on and a busy timeout for concurrent writers."""
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, poolclass=NullPool)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Transactions are begun explicitly below, as BEGIN IMMEDIATE: two writers then queue on
            # the busy timeout instead of one failing when both try to upgrade a read lock.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
            write = connection.get_execution_options().get(WRITE_OPTION, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    # pre-ping: a pooled connection the server dropped (a restart, a failover) is replaced at checkout,
    # so the hub recovers by itself when the database returns (docs/security.md).
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine, write: bool = False) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads, or (`write=True`) for mutations: on SQLite those begin IMMEDIATE, taking the
    write lock up front so that concurrent writers queue instead of failing on a lock upgrade."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False)
