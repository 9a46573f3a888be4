"""Engine and session set-up for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_inline import inline_creator


def _prepare_sqlite_file(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (CLI, reports) work while the bot writes; NORMAL is durable in WAL mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Calls run on the event loop (storage.sqlite_inline): a lock is waited for by retrying
    # asynchronously there, never by SQLite's busy handler blocking the loop.
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.close()


#: How long opening a PostgreSQL connection may take: a server that does not answer (a host
#: down, not just the database stopped) fails a round quickly, and the round is retried.
CONNECT_TIMEOUT_SECONDS = 10


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine for ``database_url``; SQLite files get their directory and WAL mode."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        engine = create_async_engine(url, async_creator=inline_creator(url))
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # pre_ping: connections cut by a database restart are replaced instead of failing a round.
    return create_async_engine(
        url, pool_pre_ping=True, connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
