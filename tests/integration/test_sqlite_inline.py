"""SQLite calls run on the event loop; locks are waited for without stopping it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_inline
from storage.database import create_engine
from storage.sqlite_inline import InlineConnection


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)"))
    yield engine
    await engine.dispose()


class Ticker:
    """Counts loop turns while a test waits: a blocked loop does not tick."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.ticks += 1
            await asyncio.sleep(0.005)

    def __enter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def test_calls_run_on_the_loop_thread(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, InlineConnection)
        driver._conn.create_function("thread_id", 0, threading.get_ident)
        thread_id = (await connection.execute(text("SELECT thread_id()"))).scalar_one()
    assert thread_id == threading.get_ident()


async def test_busy_timeout_is_off_so_sqlite_never_sleeps_in_the_loop(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
    assert timeout == 0


async def test_writer_waits_for_a_writer_of_the_same_process(engine: AsyncEngine) -> None:
    """Two pooled connections of this process: the second writer waits asynchronously while
    the first, still holding the write lock, goes on and commits (no deadlock)."""
    holder_has_lock = asyncio.Event()

    async def hold_then_commit() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO item (name) VALUES ('first')"))
            holder_has_lock.set()
            await asyncio.sleep(0.3)  # keeps the write lock across awaits

    async def write_second() -> float:
        await holder_has_lock.wait()
        started = time.perf_counter()
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO item (name) VALUES ('second')"))
        return time.perf_counter() - started

    with Ticker() as ticker:
        _, waited = await asyncio.wait_for(asyncio.gather(hold_then_commit(), write_second()), 10)
    assert waited >= 0.2
    assert ticker.ticks >= 20  # the loop ran while the second writer waited
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM item ORDER BY id"))).scalars()
        assert list(names) == ["first", "second"]


@asynccontextmanager
async def _locked_by_another_process(database: str) -> AsyncIterator[None]:
    """A CLI command (a plain sqlite3 connection in a thread) holds the write lock for 0.3 s
    once the block starts, inserting the row 'cli'; leaving the block waits for its commit."""
    locked = threading.Event()

    def hold_lock() -> None:
        other = sqlite3.connect(database)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO item (name) VALUES ('cli')")
        locked.set()
        time.sleep(0.3)
        other.commit()
        other.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    await asyncio.to_thread(locked.wait)
    try:
        yield
    finally:
        await asyncio.to_thread(holder.join)


async def test_writer_waits_for_another_process_lock(engine: AsyncEngine) -> None:
    """A CLI command (here a plain sqlite3 connection in a thread) holding the write lock."""
    database = engine.url.database
    assert database is not None
    async with _locked_by_another_process(database):
        with Ticker() as ticker:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO item (name) VALUES ('bot')"))
    assert ticker.ticks >= 20
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM item ORDER BY id"))).scalars()
        assert list(names) == ["cli", "bot"]


async def test_a_big_value_waits_for_another_process_lock_too(engine: AsyncEngine) -> None:
    """A big write goes to aiosqlite's thread (busy_timeout 0 there as well): it must wait
    for the lock like any other call, not fail at once (a big mail stored while another
    writer committed failed as "database is locked")."""
    database = engine.url.database
    assert database is not None
    big = "x" * (sqlite_inline.LARGE_VALUE_BYTES + 1)
    async with _locked_by_another_process(database), engine.begin() as connection:
        await connection.execute(text("INSERT INTO item (name) VALUES (:name)"), {"name": big})
    async with engine.connect() as connection:
        lengths = await connection.execute(text("SELECT length(name) FROM item ORDER BY id"))
        assert list(lengths.scalars()) == [3, len(big)]


async def test_lock_held_too_long_fails_the_call(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_inline, "BUSY_WAIT_SECONDS", 0.2)
    database = engine.url.database
    assert database is not None
    other = sqlite3.connect(database)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        with pytest.raises(OperationalError, match="locked"):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO item (name) VALUES ('late')"))
        assert 0.2 <= time.perf_counter() - started < 2
    finally:
        other.rollback()
        other.close()
    async with engine.begin() as connection:  # the pool's connection is usable afterwards
        await connection.execute(text("INSERT INTO item (name) VALUES ('after')"))
