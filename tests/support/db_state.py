"""Counting rows of the bot's database from a test, and a one-line summary for timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import (
    InboundMailRow,
    MessageRow,
    OutboxRow,
    SlaReminderRow,
    TelegramUpdateRow,
)

#: How the fault tests word their questions, so that ticket messages can be counted.
QUESTION_LIKE = "pertanyaan nomor %"


async def count(engine: AsyncEngine, model: Any, *where: Any) -> int:
    """Rows of ``model`` matching ``where``."""
    async with engine.connect() as connection:
        return int(
            await connection.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def describe(engine: AsyncEngine) -> str:
    """What the database holds (questions, outbox, mail, updates, reminders), for a timeout
    message; never raises, since the database may be what is down."""
    try:
        async with engine.connect() as connection:
            outbox = (
                await connection.execute(
                    select(OutboxRow.status, OutboxRow.channel, func.count()).group_by(
                        OutboxRow.status, OutboxRow.channel
                    )
                )
            ).all()
            mails = (
                await connection.execute(
                    select(InboundMailRow.status, func.count()).group_by(InboundMailRow.status)
                )
            ).all()
        questions = await count(engine, MessageRow, MessageRow.text.like(QUESTION_LIKE))
        unhandled = await count(engine, TelegramUpdateRow, TelegramUpdateRow.processed_at.is_(None))
        reminders = await count(engine, SlaReminderRow, SlaReminderRow.sent_at.is_not(None))
    except Exception as error:
        return f"database unavailable: {error!r}"
    return (
        f"questions={questions} outbox={outbox} mails={mails} "
        f"unhandled updates={unhandled} reminders sent={reminders}"
    )


async def wait_until(
    condition: Callable[[], Awaitable[bool]],
    timeout: float,
    what: str,
    engine: AsyncEngine | None,
    *,
    check: Callable[[], None] = lambda: None,
    error: type[AssertionError] = AssertionError,
) -> None:
    """Poll ``condition`` every 0.25 s until it holds; ``check`` runs first each time (a bot
    process still alive?). On timeout raises ``error`` naming ``what`` and what the database
    holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        check()
        if await condition():
            return
        await asyncio.sleep(0.25)
    summary = await describe(engine) if engine is not None else ""
    raise error(f"timed out waiting for {what}: {summary}")
