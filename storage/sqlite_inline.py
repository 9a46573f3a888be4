"""SQLite connections whose calls run on the event loop instead of a worker thread.

SQLAlchemy's ``sqlite+aiosqlite`` dialect hands every driver call (cursor, execute, fetch,
close, commit) to aiosqlite's per-connection thread and waits for a wake-up from it. On a
local database file those calls take microseconds, much less than the hand-off itself: a
question through the bot made about 120 such thread round trips, and profiling put them at a
quarter of the bot's CPU time (``bench/telegram.py``). Here the same aiosqlite connection
object runs each call directly in the calling coroutine; SQLAlchemy's dialect, pool and
statement cache are unchanged (aiosqlite's thread is still used, only to open and close).

What this trades, and how the trade is kept safe:

* A lock held by another connection must never be waited for *inside* a call: the loop
  would stop, and if the holder is a coroutine of this very process it could never finish
  (deadlock). So these connections use ``busy_timeout = 0`` and a call that meets
  ``SQLITE_BUSY`` is retried after an ``asyncio.sleep`` (2 ms doubling to 100 ms) until
  :data:`BUSY_WAIT_SECONDS` have passed, the same wait the threaded driver had; the calls
  that still go to aiosqlite's thread (big values and their commit) are retried the same
  way. Retrying is sound: a statement that got ``SQLITE_BUSY`` changed nothing.
  ``SQLITE_BUSY_SNAPSHOT`` (a reader that may not become a writer) is raised at once, as
  SQLite does.
* Long statements block the loop for their duration. The hot paths are single-row reads
  and writes; reports and retention over big tables run from the CLI, in their own process.
* WAL with ``synchronous=NORMAL`` does not sync on commit, only at checkpoints (milliseconds,
  every thousand pages).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.engine import URL

#: How long a call waits in total for another connection's write lock before it fails.
BUSY_WAIT_SECONDS = 5.0
_FIRST_RETRY_SECONDS = 0.002
_LONGEST_RETRY_SECONDS = 0.1

T = TypeVar("T")


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs its SQLite calls in the calling coroutine."""

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        if _carries_large_value(args):
            # Writing megabytes (a big mail's raw bytes) takes a quarter second: in the
            # thread, so no single input holds the loop (issue 16).
            self._wrote_large_value = True
            return await self._in_thread(fn, *args, **kwargs)
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
        return await _when_unlocked(lambda: _called(fn, *args, **kwargs))

    async def _in_thread(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn`` in aiosqlite's thread, retried like an inline call while the database is
        locked (busy_timeout is 0 there too: without this, a big write that met another
        connection's lock failed at once)."""

        async def attempt() -> T:
            result: T = await super(InlineConnection, self)._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]
            return result

        return await _when_unlocked(attempt)

    #: The open transaction wrote a large value: its commit goes to the thread too.
    _wrote_large_value = False

    async def commit(self) -> None:
        """Commit a transaction that wrote a large value in aiosqlite's thread: its commit
        (and the WAL checkpoint it may run) took half a second on the loop for a big mail
        (issue 16). Other commits stay on the loop: a thread hand-off on every transaction
        cost a tenth of the bot's throughput."""
        if self._wrote_large_value:
            self._wrote_large_value = False
            await self._in_thread(self._conn.commit)
            return
        await self._execute(self._conn.commit)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


async def _called(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return fn(*args, **kwargs)


async def _when_unlocked(attempt: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``attempt()`` until it does not meet another connection's write lock, sleeping 2 ms
    doubling to 100 ms between tries, for at most :data:`BUSY_WAIT_SECONDS`. Retrying is
    sound: a statement that got ``SQLITE_BUSY`` changed nothing."""
    loop = asyncio.get_running_loop()
    waited_until = loop.time() + BUSY_WAIT_SECONDS
    delay = _FIRST_RETRY_SECONDS
    while True:
        try:
            return await attempt()
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or loop.time() >= waited_until:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, _LONGEST_RETRY_SECONDS)


#: A statement binding a value this large runs in aiosqlite's thread, not on the loop.
LARGE_VALUE_BYTES = 256 * 1024


def _carries_large_value(args: tuple[Any, ...]) -> bool:
    """Whether ``cursor.execute(sql, parameters)`` / ``executemany`` arguments bind a big
    bytes or text value (parameters nested at most two deep: rows of ``executemany``)."""
    for parameters in args[1:2]:
        rows = parameters if isinstance(parameters, list) else [parameters]
        for row in rows:
            values = row.values() if isinstance(row, dict) else row
            if isinstance(values, (tuple, list)) or isinstance(row, dict):
                for value in values:
                    if isinstance(value, memoryview):  # how SQLAlchemy binds LargeBinary
                        if value.nbytes > LARGE_VALUE_BYTES:
                            return True
                    elif isinstance(value, (bytes, str)) and len(value) > LARGE_VALUE_BYTES:
                        return True
    return False


def inline_creator(url: URL) -> Callable[[], Coroutine[Any, Any, InlineConnection]]:
    """An ``async_creator`` for :func:`sqlalchemy.ext.asyncio.create_async_engine`.

    The connection is opened with what the dialect would pass to ``sqlite3.connect`` for
    ``url``; it is used from the loop's thread, not the one that opened it, hence
    ``check_same_thread=False``.
    """
    args, kwargs = url.get_dialect()().create_connect_args(url)
    connect = partial(sqlite3.connect, *args, **{**kwargs, "check_same_thread": False})

    async def creator() -> InlineConnection:
        connection = InlineConnection(connect, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
        await connection  # starts aiosqlite's thread, which opens (and later closes) the file
        return connection

    return creator
