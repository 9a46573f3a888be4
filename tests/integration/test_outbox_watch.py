"""The staff group is warned, at most hourly, when the outbox backs up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from handlers.jobs import OutboxWatch

STAFF_CHAT = -1009876


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def runtime(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Runtime, Clock]]:
    clock = Clock()
    (tmp_path / "staff.yaml").write_text("staff: []\n", encoding="utf-8")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_bot_token="123:abc",
        telegram_staff_chat_id=STAFF_CHAT,
        smtp_listen_port=0,
        staff_file=tmp_path / "staff.yaml",
        attachments_dir=tmp_path / "files",
    )
    built = await build_runtime(settings, clock=clock, load_faq=False)
    yield built, clock
    await built.close()


async def queue(runtime: Runtime, count: int, at: datetime) -> None:
    async with runtime.unit_of_work() as uow:
        await uow.outbox.enqueue(
            [
                Outbound(
                    "telegram", "555", OutboundKind.TEXT, {"text": f"m{i}"}, Purpose.TO_REQUESTER
                )
                for i in range(count)
            ],
            at,
        )
        await uow.commit()


async def notices(runtime: Runtime) -> int:
    async with runtime.unit_of_work() as uow:
        count, _ = await uow.outbox.backlog()
    return count


async def test_warns_once_an_hour_when_messages_wait_too_long(
    runtime: tuple[Runtime, Clock],
) -> None:
    built, clock = runtime
    watch = OutboxWatch(built)
    assert not await watch.check()  # nothing waiting

    await queue(built, 3, clock.now)
    clock.now += timedelta(minutes=5)
    assert not await watch.check()  # few and recent: the outbox is just working

    clock.now += timedelta(minutes=6)
    assert await watch.check()
    assert await notices(built) == 4  # the three waiting plus the warning
    clock.now += timedelta(minutes=30)
    assert not await watch.check()  # at most one warning an hour
    clock.now += timedelta(minutes=31)
    assert await watch.check()
