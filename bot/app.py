"""Composition root: builds the runtime from settings and runs the configured channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from faq.matcher import FaqMatcher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.sop import SopCatalog, load_catalog
from bot.roster_source import RosterSource
from bot.settings import Settings
from faq.kb import load_kb
from storage.attachments import AttachmentStore
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

ROSTER_WATCH_SECONDS = 30
#: Entries published by another instance become matchable here within this time.
FAQ_REFRESH_SECONDS = 60


@dataclass
class Runtime:
    """Everything the handlers share, built once per process."""

    settings: Settings
    catalog: SopCatalog
    roster: RosterSource
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    attachments: AttachmentStore

    def unit_of_work(self) -> SqlUnitOfWork:
        """A fresh unit of work (one transaction)."""
        return SqlUnitOfWork(self.session_factory, self.catalog)

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


async def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Load catalog and roster, open the database and bring its schema up to date."""
    catalog = load_catalog(settings.sop_catalog)
    roster = RosterSource(settings.staff_file, required=settings.staff_file_required)
    engine = create_engine(settings.database_url)
    if migrate:
        await upgrade(engine)
    return Runtime(
        settings=settings,
        catalog=catalog,
        roster=roster,
        engine=engine,
        session_factory=create_session_factory(engine),
        attachments=AttachmentStore(settings.attachments_dir),
    )


def channel_states(settings: Settings) -> dict[str, str | None]:
    """For each channel, None when it will start, else the reason it stays off."""
    telegram: str | None = None
    if settings.telegram_bot_token is None:
        telegram = "TELEGRAM_BOT_TOKEN is not set"
    else:
        telegram = "not part of this release yet (tracked in issue #5)"
    email: str | None
    if settings.smtp_listen_port == 0:
        email = "SMTP_LISTEN_PORT is 0"
    elif settings.helpdesk_email is None:
        email = "HELPDESK_EMAIL is not set"
    else:
        email = "not part of this release yet (tracked in issue #6)"
    relay = None if settings.smtp_relay_host else "SMTP_RELAY_HOST is not set"
    if relay is None:
        relay = "not part of this release yet (tracked in issue #6)"
    return {"telegram": telegram, "email intake": email, "outbound mail": relay}


async def run(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Start everything configured in one asyncio loop and run until ``stop`` or a signal."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not possible outside the main thread or on Windows; Ctrl+C still ends the loop there.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    runtime = await build_runtime(settings)
    matcher = FaqMatcher(load_kb(settings.faq_path))
    log.info("FAQ loaded: %d entries from %s", len(matcher.entries), settings.faq_path)
    scheduler = AsyncIOScheduler(timezone=ZoneInfo(settings.office_timezone))
    scheduler.add_job(
        runtime.roster.reload_if_changed,
        "interval",
        seconds=ROSTER_WATCH_SECONDS,
        id="roster:watch",
        replace_existing=True,
    )
    scheduler.start()
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
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        scheduler.shutdown(wait=False)
        await runtime.close()
