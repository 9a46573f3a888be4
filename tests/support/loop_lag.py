"""A loop-lag probe: a coroutine that measures how late its own sleeps wake up.

While the bot runs in-process on the test's event loop, anything that holds the loop (a
synchronous parse, a CPU-bound regex, a blocking database call, a C call that keeps the GIL
in a worker thread) delays every other task; the probe's sleep overshoot is that delay, as
every task felt it. Tests wrap the work they drive:

    async with LoopLagProbe() as probe:
        ...
    probe.assert_below(0.25)

A machine shared with other test runs also stalls the whole process now and then (it is not
scheduled, or sits in the kernel while the host reclaims pages); such a stall is not the bot's
doing and is reported apart (``worst_not_ours``): a late wake-up counts against the bot unless
the process's own code (user-mode CPU time) ran for under a quarter of it *and* a watchdog
thread never saw the loop thread anywhere but idle in ``select``. A blocking system call on
the loop (an ``fsync``) uses no user time but is seen by the watchdog, so it still counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import sys
import threading
import time
import traceback
from types import TracebackType
from typing import Self

#: Worst overshoot the fault and abuse tests allow (issue 16: no input holds the loop).
LIMIT_SECONDS = 0.25
#: A late wake-up during which the process's own code ran less than this share of it, and
#: the loop thread was never seen busy, was the host's doing.
_OWN_CPU_SHARE = 0.25
#: The watchdog looks this often, and names a loop thread late by more than ``_SEEN_LATE``.
_WATCH_SECONDS = 0.02
_SEEN_LATE = 0.05


class LoopLagProbe:
    """Sleeps ``interval`` over and over and records the worst overshoot."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        #: Worst overshoot the process itself caused, and how many sleeps were measured.
        self.worst = 0.0
        self.samples = 0
        #: Worst overshoot not of the process's own making: descheduled by the OS, or stuck in
        #: the kernel (page reclaim on a shared host), with what the kernel counted then.
        self.worst_not_ours = 0.0
        self.worst_not_ours_detail = ""
        #: Only armed stretches count (e.g. the test body, not the bot's start-up).
        self.armed = True
        #: Where the loop thread and the other threads were in the longest stall seen.
        self.worst_stack = ""
        self.other_stacks = ""
        self._task: asyncio.Task[None] | None = None
        self._beat = time.perf_counter()
        self._busy_seen = False
        self._longest_seen = 0.0
        self._armed_at = 0.0
        self._watchdog: threading.Thread | None = None
        self._stopped = threading.Event()

    async def _run(self) -> None:
        while True:
            self._busy_seen = False
            started = self._beat = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_SELF)
            await asyncio.sleep(self.interval)
            overshoot = time.perf_counter() - started - self.interval
            after = resource.getrusage(resource.RUSAGE_SELF)
            if not self.armed or started < self._armed_at:
                continue  # a sleep begun before arming may span pytest's own work
            self.samples += 1
            # Time the process's own code ran (user mode); kernel time is page reclaim and
            # faults the host imposes, not the bot's work.
            user = after.ru_utime - before.ru_utime
            if user < overshoot * _OWN_CPU_SHARE and not self._busy_seen:
                if overshoot > self.worst_not_ours:
                    self.worst_not_ours = overshoot
                    self.worst_not_ours_detail = (
                        f"user {user * 1000:.0f} ms, system "
                        f"{(after.ru_stime - before.ru_stime) * 1000:.0f} ms, page faults "
                        f"{after.ru_minflt - before.ru_minflt}+{after.ru_majflt - before.ru_majflt}"
                    )
            else:
                self.worst = max(self.worst, overshoot)

    def arm(self) -> None:
        """Count from now on (sleeps already under way are not counted)."""
        self._armed_at = time.perf_counter()
        self.armed = True

    def disarm(self) -> None:
        self.armed = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag probe")
        self._stopped.clear()
        self._watchdog = threading.Thread(
            target=self._watch, args=(threading.get_ident(),), name="loop-lag watchdog", daemon=True
        )
        self._watchdog.start()

    def _watch(self, loop_thread: int) -> None:
        """Samples the loop thread's stack while the probe is overdue: the culprit's name."""
        while not self._stopped.wait(_WATCH_SECONDS):
            late = time.perf_counter() - self._beat - self.interval
            if late <= _SEEN_LATE or not self.armed:
                continue
            frames = sys._current_frames()
            frame = frames.get(loop_thread)
            if frame is None:
                continue
            if frame.f_code.co_name not in ("select", "poll"):
                self._busy_seen = True
            if late > self._longest_seen:
                self._longest_seen = late
                self.worst_stack = "".join(traceback.format_stack(frame)[-12:])
                names = {thread.ident: thread.name for thread in threading.enumerate()}
                self.other_stacks = "".join(
                    f"-- thread {names.get(ident, ident)}:\n"
                    + "".join(traceback.format_stack(other)[-3:])
                    for ident, other in frames.items()
                    if ident not in (loop_thread, threading.get_ident())
                )

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
        """Fail when any sleep woke more than ``limit`` seconds late by the process's doing."""
        assert self.samples > 0, "the loop-lag probe never ran"
        assert self.worst <= limit, (
            f"the event loop was held for {self.worst * 1000:.0f} ms "
            f"(limit {limit * 1000:.0f} ms, {self.samples} samples; at most "
            f"{self.worst_not_ours * 1000:.0f} ms not of its making: "
            f"{self.worst_not_ours_detail or '-'}); the loop thread was at:\n"
            f"{self.worst_stack}\nother threads:\n{self.other_stacks}"
        )
