"""Composition root: runs every configured channel, the outbox and the scheduler in one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.outbox_worker import ChannelSender, OutboxWorker
from bot.runtime import Runtime, build_runtime, utc_now
from bot.settings import Settings
from handlers.telegram.application import TelegramChannel

log = logging.getLogger(__name__)

ROSTER_WATCH_SECONDS = 30
#: Entries published by another instance become matchable here within this time.
FAQ_REFRESH_SECONDS = 60


def channel_states(settings: Settings) -> dict[str, str | None]:
    """For each channel, None when it will start, else the reason it stays off."""
    telegram = None if settings.telegram_bot_token else "TELEGRAM_BOT_TOKEN is not set"
    email: str | None
    if settings.smtp_listen_port == 0:
        email = "SMTP_LISTEN_PORT is 0"
    elif settings.helpdesk_email is None:
        email = "HELPDESK_EMAIL is not set"
    else:
        email = "not part of this release yet (tracked in issue #6)"
    relay = (
        "not part of this release yet (tracked in issue #6)"
        if settings.smtp_relay_host
        else "SMTP_RELAY_HOST is not set"
    )
    return {"telegram": telegram, "email intake": email, "outbound mail": relay}


def _schedule_housekeeping(runtime: Runtime, scheduler: AsyncIOScheduler) -> None:
    async def refresh_faq() -> None:
        await runtime.faq.refresh(runtime.unit_of_work())

    scheduler.add_job(
        runtime.roster.reload_if_changed,
        "interval",
        seconds=ROSTER_WATCH_SECONDS,
        id="roster:watch",
        replace_existing=True,
    )
    scheduler.add_job(
        refresh_faq,
        "interval",
        seconds=FAQ_REFRESH_SECONDS,
        id="faq:refresh",
        replace_existing=True,
    )


async def run(
    settings: Settings,
    stop: asyncio.Event | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> None:
    """Start everything configured and run until ``stop`` is set or SIGINT/SIGTERM arrives."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not possible outside the main thread or on Windows; Ctrl+C still ends the loop there.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    runtime = await build_runtime(settings, clock=clock)
    await runtime.faq.refresh(runtime.unit_of_work())
    log.info("FAQ loaded: %d entries (%s plus published)", runtime.faq.size, settings.faq_path)

    senders: dict[str, ChannelSender] = {}
    telegram: TelegramChannel | None = None
    if settings.telegram_bot_token is not None:
        telegram = TelegramChannel(runtime)
        senders["telegram"] = telegram.sender
    worker = OutboxWorker(runtime.session_factory, senders, clock=runtime.clock)
    runtime.outbox_wake = worker.wake

    scheduler = AsyncIOScheduler(timezone=ZoneInfo(settings.office_timezone))
    _schedule_housekeeping(runtime, scheduler)
    scheduler.start()
    worker_stop = asyncio.Event()
    worker_task = asyncio.create_task(worker.run(worker_stop), name="outbox")
    try:
        if telegram is not None:
            await telegram.start()
        for channel, reason in channel_states(settings).items():
            if reason is None:
                log.info("%s: on", channel)
            else:
                log.warning("%s: off (%s)", channel, reason)
        log.info(
            "lpse-helpdesk running (database %s, %d SOPs); press Ctrl+C to stop",
            runtime.engine.url.render_as_string(hide_password=True),
            len(runtime.catalog.sops),
        )
        await stop.wait()
    finally:
        log.info("stopping")
        if telegram is not None:
            await telegram.stop()
        worker_stop.set()
        await worker_task
        scheduler.shutdown(wait=False)
        await runtime.close()
