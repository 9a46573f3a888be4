"""Composition root: runs every configured channel, the outbox and the scheduler in one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.core.outbound import Purpose, QueuedMessage
from bot.core.worktime import DAY_NAMES, OfficeHours
from bot.observability import redact_log_records, settings_secrets
from bot.outbox_worker import ChannelSender, OutboxWorker
from bot.runtime import Runtime, build_runtime, utc_now
from bot.settings import Settings
from handlers import jobs
from handlers.email.imap import ImapIntake
from handlers.email.processor import MailProcessor
from handlers.email.sender import EmailSender
from handlers.email.server import IntakeActivity, IntakeServer
from handlers.http import start_health_server
from handlers.jobs import OutboxWatch
from handlers.telegram.application import TelegramChannel

log = logging.getLogger(__name__)

ROSTER_WATCH_SECONDS = 30
#: Entries published by another instance become matchable here within this time.
FAQ_REFRESH_SECONDS = 60
FAQ_AUTOCLOSE_SWEEP_MINUTES = 10
SLA_SWEEP_SECONDS = 2
OUTBOX_WATCH_SECONDS = 60
DIGEST_GRACE_SECONDS = 120
#: When the digest goes out under OFFICE_HOURS=24/7 (there is no opening time).
ROUND_THE_CLOCK_DIGEST = time(8, 0)


def opening_times(hours: OfficeHours) -> list[tuple[str, time]]:
    """(day of week, first opening) for each working day; 08:00 daily under 24/7."""
    if hours.always:
        return [("mon-sun", ROUND_THE_CLOCK_DIGEST)]
    return [(DAY_NAMES[day], ranges[0][0]) for day, ranges in enumerate(hours.ranges) if ranges]


def channel_states(settings: Settings) -> dict[str, str | None]:
    """For each channel, None when it will start, else the reason it stays off."""
    telegram = None if settings.telegram_bot_token else "TELEGRAM_BOT_TOKEN is not set"
    email: str | None = None
    if settings.smtp_listen_port == 0:
        email = "SMTP_LISTEN_PORT is 0"
    elif settings.helpdesk_email is None:
        email = "HELPDESK_EMAIL is not set"
    relay: str | None = None
    if not settings.smtp_relay_host:
        relay = "SMTP_RELAY_HOST is not set"
    elif settings.helpdesk_email is None:
        relay = "HELPDESK_EMAIL is not set"
    imap: str | None = None
    if not settings.imap_host:
        imap = "IMAP_HOST is not set"
    elif settings.helpdesk_email is None:
        imap = "HELPDESK_EMAIL is not set"
    return {
        "telegram": telegram,
        "email intake": email,
        "outbound mail": relay,
        "imap intake": imap,
    }


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
    scheduler.add_job(
        OutboxWatch(runtime).check,
        "interval",
        seconds=OUTBOX_WATCH_SECONDS,
        id="outbox:watch",
        replace_existing=True,
    )
    scheduler.add_job(
        jobs.close_settled_faq_tickets,
        "interval",
        args=[runtime],
        minutes=FAQ_AUTOCLOSE_SWEEP_MINUTES,
        id="faq:autoclose",
        replace_existing=True,
    )
    # Reminders go out within a few seconds of their due time; one sweep at a time.
    scheduler.add_job(
        jobs.sweep_deadlines,
        "interval",
        args=[runtime],
        seconds=SLA_SWEEP_SECONDS,
        id="sla:sweep",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    for day_of_week, opening in opening_times(runtime.calendar.hours):
        # A digest missed while the bot was down is not sent later: a short grace time.
        scheduler.add_job(
            jobs.send_daily_digest,
            CronTrigger(
                day_of_week=day_of_week,
                hour=opening.hour,
                minute=opening.minute,
                timezone=runtime.zone,
            ),
            args=[runtime],
            id=f"digest:{day_of_week}",
            replace_existing=True,
            misfire_grace_time=DIGEST_GRACE_SECONDS,
            coalesce=True,
        )


async def _report_failure(runtime: Runtime, message: QueuedMessage, error: str) -> None:
    """A message to a requester was given up: say so under the ticket's card."""
    if message.ticket_id is None or message.purpose is not Purpose.TO_REQUESTER:
        return
    notices = runtime.notifier.delivery_failed(message.ticket_id, error)
    if notices:
        async with runtime.unit_of_work() as uow:
            await uow.outbox.enqueue(notices, runtime.clock())
            await uow.commit()
        runtime.outbox_wake()


async def run(
    settings: Settings,
    stop: asyncio.Event | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> None:
    """Start everything configured and run until ``stop`` is set or SIGINT/SIGTERM arrives.

    Stored mail is processed by every instance that knows HELPDESK_EMAIL, whether it listens
    for SMTP or not: on a shared database any instance may take it (claims make that
    once-only), and processing needs no relay (acknowledgements wait in the outbox). It is
    off only without HELPDESK_EMAIL, which threading and the loop checks cannot do without.
    """
    stop = stop or asyncio.Event()
    redact_log_records(settings_secrets(settings))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not possible outside the main thread or on Windows; Ctrl+C still ends the loop there.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    runtime = await build_runtime(settings, clock=clock, release_claims=True)
    health = None
    if settings.health_listen:
        host, _, port = settings.health_listen.rpartition(":")
        health = await start_health_server(runtime, host, int(port))
    await runtime.faq.refresh(runtime.unit_of_work())
    log.info("FAQ loaded: %d entries (%s plus published)", runtime.faq.size, settings.faq_path)
    if runtime.notifier.lkpp_address() is None:
        log.warning(
            "no e-mail for role 'lkpp' in %s: SOP-06 letters to LKPP are not sent "
            "(add roles: lkpp: {email: ...})",
            settings.staff_file,
        )

    states = channel_states(settings)
    senders: dict[str, ChannelSender] = {}
    telegram: TelegramChannel | None = None
    if states["telegram"] is None:
        telegram = TelegramChannel(runtime)
        senders["telegram"] = telegram.sender
    email_sender: EmailSender | None = None
    if states["outbound mail"] is None:
        email_sender = EmailSender(settings, runtime.attachments, runtime.catalog.office_name)
        senders["email"] = email_sender
    worker = OutboxWorker(
        runtime.session_factory,
        senders,
        clock=runtime.clock,
        on_give_up=lambda message, error: _report_failure(runtime, message, error),
        give_up_after=timedelta(hours=settings.outbox_give_up_hours),
    )
    runtime.outbox_wake = worker.wake
    processor: MailProcessor | None = None
    intake: IntakeServer | None = None
    imap: ImapIntake | None = None
    if settings.helpdesk_email is not None:
        activity = IntakeActivity()
        processor = MailProcessor(runtime, activity)
        if states["email intake"] is None:
            intake = IntakeServer(runtime, processor.wake, activity)
        if states["imap intake"] is None:
            imap = ImapIntake(runtime, processor.wake, activity)

    scheduler = AsyncIOScheduler(timezone=ZoneInfo(settings.office_timezone))
    _schedule_housekeeping(runtime, scheduler)
    scheduler.start()
    background_stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    try:
        # Listeners first: a restarted bot answers SMTP and polls again at once; the backlog
        # (pending mail, unsent outbox rows) is worked through by the background tasks.
        if intake is not None:
            await intake.start()
        if processor is not None:
            tasks.append(asyncio.create_task(processor.run(background_stop), name="mail"))
        if imap is not None:
            tasks.append(asyncio.create_task(imap.run(background_stop), name="imap"))
        if telegram is not None:
            await telegram.start()  # the outbox needs the initialised bot to send
        tasks.append(asyncio.create_task(worker.run(background_stop), name="outbox"))
        for channel, reason in states.items():
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
        if intake is not None:
            await intake.stop()
        if telegram is not None:
            await telegram.stop_receiving()
        background_stop.set()
        await asyncio.gather(*tasks)
        if email_sender is not None:
            await email_sender.close()
        if telegram is not None:
            await telegram.close()
        scheduler.shutdown(wait=False)
        if health is not None:
            await health.cleanup()
        await runtime.close()
