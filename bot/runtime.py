"""What every handler shares, built once per process by the composition root."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import forms
from bot.calendar import build_calendar
from bot.core.sop import SopCatalog, load_catalog
from bot.core.worktime import WorkCalendar
from bot.faq_service import LiveFaq
from bot.notifier import MailIdentity, OutboxNotifier
from bot.roster_source import RosterSource
from bot.settings import Settings
from faq.kb import load_kb
from storage.attachments import AttachmentStore
from storage.claims import release_all_claims
from storage.database import create_engine, create_session_factory
from storage.mail import installation_secret
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork


def utc_now() -> datetime:
    """The production clock."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Settings, catalog, roster, database, files, FAQ, calendar and the notifier."""

    settings: Settings
    catalog: SopCatalog
    roster: RosterSource
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    attachments: AttachmentStore
    faq: LiveFaq
    calendar: WorkCalendar
    notifier: OutboxNotifier
    clock: Callable[[], datetime] = utc_now
    #: Called after something was queued, so the outbox sends at once (set by the app).
    outbox_wake: Callable[[], None] = field(default=lambda: None)
    #: HMAC key of the reference tokens in our mail: random, stored once in the database.
    reference_secret: str = ""

    @property
    def zone(self) -> ZoneInfo:
        """The office time zone."""
        return ZoneInfo(self.settings.office_timezone)

    def unit_of_work(self) -> SqlUnitOfWork:
        """A fresh unit of work (one transaction)."""
        return SqlUnitOfWork(self.session_factory, self.catalog, self.calendar)

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


async def build_runtime(
    settings: Settings,
    *,
    migrate: bool = True,
    clock: Callable[[], datetime] = utc_now,
    load_faq: bool = True,
    release_claims: bool = False,
) -> Runtime:
    """Load catalog, roster and FAQ, open the database and bring its schema up to date."""
    catalog = load_catalog(settings.sop_catalog)
    forms.use_catalog(catalog)
    roster = RosterSource(settings.staff_file, required=settings.staff_file_required)
    # Off the loop: building the matcher takes most of a second, and a runtime may be built
    # while another one serves on the same loop (tests, the CLI next to a running bot).
    faq = await asyncio.to_thread(lambda: LiveFaq(load_kb(settings.faq_path) if load_faq else []))
    engine = create_engine(settings.database_url)
    if migrate:
        await upgrade(engine)
    if engine.dialect.name == "sqlite" and release_claims:
        # SQLite means one instance: claims still held were left by a crashed run of it.
        async with create_session_factory(engine)() as session, session.begin():
            await release_all_claims(session)
    calendar = build_calendar(settings, clock().date())
    zone = ZoneInfo(settings.office_timezone)
    mail = None
    # Tokens help clients that drop headers find their thread; who may write into a ticket is
    # decided by the trust rules, but a forgeable token would still point a mail at any ticket.
    reference_secret = await installation_secret(engine) if settings.helpdesk_email else ""
    if settings.helpdesk_email and settings.smtp_relay_host:
        mail = MailIdentity(
            address=settings.helpdesk_email,
            office=catalog.office_name,
            reference_secret=reference_secret,
            faq_autoclose_hours=settings.faq_autoclose_hours,
        )
    notifier = OutboxNotifier(
        staff_chat_id=settings.telegram_staff_chat_id if settings.telegram_bot_token else None,
        calendar=calendar,
        roster=lambda: roster.current,
        zone=zone,
        faq_entry=faq.entry,
        mail=mail,
    )
    return Runtime(
        settings=settings,
        catalog=catalog,
        roster=roster,
        engine=engine,
        session_factory=create_session_factory(engine),
        attachments=AttachmentStore(settings.attachments_dir),
        faq=faq,
        calendar=calendar,
        notifier=notifier,
        clock=clock,
        reference_secret=reference_secret,
    )
