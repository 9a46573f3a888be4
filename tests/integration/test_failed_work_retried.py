"""Stored work whose handling failed comes back within seconds, in order, and is never lost.

A Telegram update whose handler failed is given back with a short hold (a chat's later
updates with it) and given up after a bounded number of attempts; a mail that failed does
not stop its batch. When the database refuses the round's closing write, the next round
writes it: nothing waits for a claim's lease (minutes). The clock is the runtime's, moved
by hand.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from handlers.email.processor import RETRY_SECONDS as MAIL_RETRY_SECONDS
from handlers.email.processor import MailProcessor
from handlers.telegram import intake as intake_module
from handlers.telegram.intake import TelegramIntake
from storage.models import InboundMailRow, TelegramUpdateRow
from tests.e2e.conftest import free_port, started_api
from tests.faults.test_kill9 import HELPDESK, mail
from tests.support.bot_api import BotApiStandIn
from tests.support.bot_api import private_text_update as update

START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def pass_seconds(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FlakyHandler:
    """A real PTB handler: records each update it gets, fails the ones told to."""

    failures_left: dict[int, int] = field(default_factory=dict)
    seen: list[int] = field(default_factory=list)
    handled: list[int] = field(default_factory=list)

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.seen.append(update.update_id)
        if self.failures_left.get(update.update_id, 0) > 0:
            self.failures_left[update.update_id] -= 1
            raise RuntimeError(f"handler failed on {update.update_id}")
        self.handled.append(update.update_id)


@dataclass
class World:
    runtime: Runtime
    clock: Clock
    api: BotApiStandIn
    handler: FlakyHandler
    intake: TelegramIntake


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    api = await started_api()
    clock = Clock()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        helpdesk_email=HELPDESK,
        smtp_listen_port=free_port(),
        attachments_dir=tmp_path / "attachments",
        office_hours="24/7",
    )
    runtime = await build_runtime(settings, clock=clock, load_faq=False)
    application = ApplicationBuilder().token(api.token).base_url(api.base_url).updater(None).build()
    handler = FlakyHandler()
    application.add_handler(TypeHandler(Update, handler))
    await application.initialize()
    try:
        yield World(runtime, clock, api, handler, TelegramIntake(runtime, application))
    finally:
        await application.shutdown()
        await runtime.close()
        await api.stop()


async def unhandled(runtime: Runtime) -> list[int]:
    async with runtime.engine.connect() as connection:
        return list(
            await connection.scalars(
                select(TelegramUpdateRow.update_id)
                .where(TelegramUpdateRow.processed_at.is_(None))
                .order_by(TelegramUpdateRow.update_id)
            )
        )


async def test_a_failed_update_is_retried_before_its_chats_later_ones(world: World) -> None:
    world.handler.failures_left[1] = 2
    await world.intake.store([update(1, 70001), update(2, 70001), update(3, 70002)])

    await world.intake.handle_pending()
    # The other chat goes on; update 2 waits for update 1 of its chat.
    assert world.handler.handled == [3]
    assert await unhandled(world.runtime) == [1, 2]
    await world.intake.handle_pending()
    assert world.handler.seen == [1, 3], "nothing of the chat is taken while 1 is held"

    world.clock.pass_seconds(intake_module.RETRY_SECONDS * 1 + 1)
    await world.intake.handle_pending()
    world.clock.pass_seconds(intake_module.RETRY_SECONDS * 2 + 1)
    await world.intake.handle_pending()
    assert world.handler.handled == [3, 1, 2]
    assert await unhandled(world.runtime) == []


async def test_an_update_that_always_fails_is_given_up(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.handler.failures_left[1] = 1000
    await world.intake.store([update(1, 70001), update(2, 70001)])
    for attempt in range(1, intake_module.MAX_ATTEMPTS + 1):
        await world.intake.handle_pending()
        world.clock.pass_seconds(intake_module.RETRY_SECONDS * attempt + 1)
    await world.intake.handle_pending()
    assert world.handler.seen.count(1) == intake_module.MAX_ATTEMPTS
    assert world.handler.handled == [2]
    assert await unhandled(world.runtime) == []
    given_up = [r for r in caplog.records if r.levelno == logging.ERROR and "given up" in r.message]
    assert len(given_up) == 1 and "update 1 " in given_up[0].message


async def test_a_round_whose_closing_write_fails_is_written_by_the_next(world: World) -> None:
    refused: list[str] = []

    @event.listens_for(world.runtime.engine.sync_engine, "before_cursor_execute")
    def database_goes_away(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        marking_done = statement.lstrip().startswith("UPDATE telegram_inbox SET")
        if marking_done and "processed_at=" in statement and not refused:
            refused.append(statement)
            raise ConnectionResetError("the database went away")

    await world.intake.store([update(1, 70001), update(2, 70002)])
    with pytest.raises(Exception, match="the database went away"):
        await world.intake.handle_pending()
    assert refused and await unhandled(world.runtime) == [1, 2]
    # Same instant: the claims' lease has not run out, yet the next round settles them.
    await world.intake.store([update(3, 70001)])
    await world.intake.handle_pending()
    await world.intake.handle_pending()
    assert await unhandled(world.runtime) == []
    assert world.handler.handled == [1, 2, 3]


async def test_mail_whose_outcome_cannot_be_written_comes_back_next_round(
    world: World,
) -> None:
    processor = MailProcessor(world.runtime)
    async with world.runtime.unit_of_work() as uow:
        for number in range(3):
            message = mail(number)
            await uow.inbound_mail.store(
                message.as_bytes(),
                "warga@example.com",
                [HELPDESK],
                str(message["Message-ID"]),
                world.clock(),
            )
        await uow.commit()
    refused: list[str] = []

    @event.listens_for(world.runtime.engine.sync_engine, "before_cursor_execute")
    def database_goes_away(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The first mail's ticket, then the hold written after that failure.
        first = statement.lstrip().startswith("INSERT INTO tickets")
        hold = statement.lstrip().startswith("UPDATE inbound_mail")
        if (first and not refused) or (hold and len(refused) == 1):
            refused.append(statement)
            raise ConnectionResetError("the database went away")

    assert await processor.run_once() == 3
    assert len(refused) == 2
    # The same instant, well within the claims' five minutes: the two untried mails are
    # free again, the failed one after its short hold.
    assert await processor.run_once() == 2
    world.clock.pass_seconds(MAIL_RETRY_SECONDS + 1)
    assert await processor.run_once() == 1
    async with world.runtime.engine.connect() as connection:
        statuses = list(await connection.scalars(select(InboundMailRow.status)))
    assert statuses == ["processed"] * 3
