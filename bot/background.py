"""A background loop that works in rounds: at once when woken, else every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Rounds:
    """Runs ``work`` until stopped; a round that did something is followed at once by the
    next, an idle one waits for ``wake()`` or ``idle_seconds``."""

    def __init__(self, name: str, work: Callable[[], Awaitable[int]], idle_seconds: float):
        self._name = name
        self._work = work
        self._idle_seconds = idle_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something arrived: look now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set; a failing round is logged and retried.

        While rounds keep failing (the database is down) only the first failure is logged
        with its traceback, the next ones in one line, and the recovery once.
        """
        failures = 0
        while not stop.is_set():
            # Cleared before the work, not after: a wake() during the round means "look again".
            self._wake.clear()
            try:
                done = await self._work()
            except Exception as error:
                if failures == 0:
                    log.exception("%s round failed; retrying shortly", self._name)
                else:
                    log.warning("%s round failed again (%r)", self._name, error)
                failures += 1
                done = 0
            else:
                if failures:
                    log.info("%s: working again after %d failed rounds", self._name, failures)
                failures = 0
            if done:
                continue
            stopping = asyncio.ensure_future(stop.wait())
            woken = asyncio.ensure_future(self._wake.wait())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait(
                    [stopping, woken],
                    timeout=self._idle_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            stopping.cancel()
            woken.cancel()
