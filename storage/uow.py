"""The SQLAlchemy unit of work: one session, one transaction, repositories on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.sop import SopCatalog
from bot.core.worktime import WorkCalendar, round_the_clock
from storage.chat_state import (
    SqlChatMessages,
    SqlChatSnapshots,
    SqlConversations,
    SqlFaqInteractions,
    SqlProcessedUpdates,
)
from storage.mail import SqlAutoMailLog, SqlInboundMail, SqlMailThreads
from storage.models import DigestRow
from storage.office import SqlOfficeCounters, SqlOutages
from storage.outbox import SqlOutbox
from storage.repositories import (
    SqlFaqEntryRepository,
    SqlRequesterRepository,
    SqlTicketRepository,
)
from storage.sla import SqlSlaReminders
from storage.telegram_inbox import SqlTelegramInbox


class SqlUnitOfWork:
    """``async with uow: ...; await uow.commit()``; leaving without commit rolls back."""

    requesters: SqlRequesterRepository
    tickets: SqlTicketRepository
    faq_entries: SqlFaqEntryRepository
    outbox: SqlOutbox
    chat_messages: SqlChatMessages
    chat_snapshots: SqlChatSnapshots
    processed_updates: SqlProcessedUpdates
    conversations: SqlConversations
    faq_interactions: SqlFaqInteractions
    inbound_mail: SqlInboundMail
    mail_threads: SqlMailThreads
    auto_mail: SqlAutoMailLog
    sla_reminders: SqlSlaReminders
    telegram_inbox: SqlTelegramInbox
    counters: SqlOfficeCounters
    outages: SqlOutages

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        catalog: SopCatalog,
        calendar: WorkCalendar | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._catalog = catalog
        #: Office working time that ticket clocks run on (24/7 when not given).
        self.calendar = calendar or round_the_clock()
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        self.requesters = SqlRequesterRepository(self._session)
        self.tickets = SqlTicketRepository(self._session, self._catalog, self.calendar)
        self.faq_entries = SqlFaqEntryRepository(self._session)
        self.outbox = SqlOutbox(self._session)
        self.chat_messages = SqlChatMessages(self._session)
        self.chat_snapshots = SqlChatSnapshots(self._session)
        self.processed_updates = SqlProcessedUpdates(self._session)
        self.conversations = SqlConversations(self._session)
        self.faq_interactions = SqlFaqInteractions(self._session)
        self.inbound_mail = SqlInboundMail(self._session)
        self.mail_threads = SqlMailThreads(self._session)
        self.auto_mail = SqlAutoMailLog(self._session)
        self.sla_reminders = SqlSlaReminders(self._session)
        self.telegram_inbox = SqlTelegramInbox(self._session)
        self.counters = SqlOfficeCounters(self._session)
        self.outages = SqlOutages(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            if self._session.in_transaction():  # after a commit there is nothing to undo
                await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None

    async def claim_digest(self, digest: DigestRow) -> None:
        """Record today's digest; ``IntegrityError`` when it was already sent."""
        assert self._session is not None
        async with self._session.begin_nested():
            self._session.add(digest)

    async def commit(self) -> None:
        assert self._session is not None
        await self._session.commit()
