"""The hourly backlog warning is remembered in the database, not in one process."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime import Runtime
from handlers.jobs import OutboxWatch
from tests.integration.test_outbox_watch import Clock, queue, runtime

__all__ = ["runtime"]  # the fixture, shared with test_outbox_watch


async def test_a_restart_or_another_instance_does_not_warn_again_within_the_hour(
    runtime: tuple[Runtime, Clock],
) -> None:
    built, clock = runtime
    await queue(built, 3, clock.now)
    clock.now += timedelta(minutes=11)
    assert await OutboxWatch(built).check()
    clock.now += timedelta(minutes=1)
    assert not await OutboxWatch(built).check()  # a restarted watch, or another instance's
    clock.now += timedelta(minutes=59)
    assert await OutboxWatch(built).check()
