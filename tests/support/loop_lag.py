"""A loop-lag probe: a coroutine that measures how late its own sleeps wake up.

While the bot runs in-process on the test's event loop, anything that holds the loop (a
synchronous parse, a CPU-bound regex, a blocking database call) delays every other task; the
probe's sleep overshoot is that delay, as every task felt it. Tests wrap the work they drive:

    async with LoopLagProbe() as probe:
        ...
    probe.assert_below(0.25)
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
import traceback
from types import TracebackType
from typing import Self

#: Worst overshoot the fault and abuse tests allow (issue 16: no input holds the loop).
LIMIT_SECONDS = 0.25


class LoopLagProbe:
    """Sleeps ``interval`` over and over and records the worst overshoot."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.worst = 0.0
        self.samples = 0
        #: Only armed stretches count (e.g. the test body, not the bot's start-up).
        self.armed = True
        #: Where the loop thread was during the longest stall a watchdog thread saw.
        self.worst_stack = ""
        self._task: asyncio.Task[None] | None = None
        self._beat = time.perf_counter()
        self._watchdog: threading.Thread | None = None
        self._stopped = threading.Event()

    async def _run(self) -> None:
        while True:
            started = self._beat = time.perf_counter()
            await asyncio.sleep(self.interval)
            overshoot = time.perf_counter() - started - self.interval
            if self.armed:
                self.samples += 1
                self.worst = max(self.worst, overshoot)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag probe")
        self._stopped.clear()
        self._watchdog = threading.Thread(
            target=self._watch, args=(threading.get_ident(),), name="loop-lag watchdog", daemon=True
        )
        self._watchdog.start()

    def _watch(self, loop_thread: int) -> None:
        """Samples the loop thread's stack while the probe is overdue: the culprit's name."""
        longest = 0.0
        while not self._stopped.wait(0.02):
            late = time.perf_counter() - self._beat - self.interval
            if late > max(0.1, longest) and self.armed:
                frame = sys._current_frames().get(loop_thread)
                if frame is not None:
                    longest = late
                    self.worst_stack = "".join(traceback.format_stack(frame)[-12:])

    async def stop(self) -> None:
        self._stopped.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=1)
            self._watchdog = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def assert_below(self, limit: float = LIMIT_SECONDS) -> None:
        """Fail when any sleep woke more than ``limit`` seconds late."""
        assert self.samples > 0, "the loop-lag probe never ran"
        assert self.worst <= limit, (
            f"the event loop was held for {self.worst * 1000:.0f} ms "
            f"(limit {limit * 1000:.0f} ms, {self.samples} samples); the loop thread was "
            f"at:\n{self.worst_stack}"
        )
