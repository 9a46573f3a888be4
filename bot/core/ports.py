"""What the use cases need from storage, as protocols; ``storage`` implements them."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from bot.core.changes import TicketChange
from bot.core.outbound import Outbound
from bot.core.tickets import Requester, Ticket, TicketEvent, TicketMessage, TicketStatus
from bot.core.worktime import WorkCalendar
from faq.kb import KbEntry


class RequesterRepository(Protocol):
    async def get(self, requester_id: int) -> Requester: ...

    async def by_telegram_id(self, telegram_id: int) -> Requester | None: ...

    async def by_email(self, email: str) -> Requester | None: ...

    async def by_phone(self, phone: str) -> Requester | None: ...

    async def add(self, requester: Requester) -> Requester: ...

    async def update(self, requester: Requester) -> None: ...


class TicketRepository(Protocol):
    async def get(self, number: int) -> Ticket: ...

    async def add(self, ticket: Ticket) -> Ticket: ...

    async def save(self, ticket: Ticket) -> None: ...

    async def recent(
        self, *, statuses: set[TicketStatus] | None = None, limit: int = 50
    ) -> list[Ticket]: ...

    async def open_for_requester(self, requester_id: int) -> list[Ticket]: ...

    async def open_tickets(self) -> list[Ticket]: ...

    async def for_requester(self, requester_id: int, limit: int = 10) -> list[Ticket]: ...

    async def messages(self, number: int) -> list[TicketMessage]: ...

    async def events(self, number: int) -> list[TicketEvent]: ...


class FaqEntryRepository(Protocol):
    async def put(
        self, entry: KbEntry, *, source_ticket: int | None, published_by: str, at: datetime
    ) -> None: ...

    async def all(self) -> list[KbEntry]: ...


class OutboxPort(Protocol):
    async def enqueue(self, messages: list[Outbound], now: datetime) -> list[int]: ...


class MailThreadPort(Protocol):
    async def record(
        self, message_id: str, ticket_id: int, direction: str, now: datetime
    ) -> None: ...

    async def thread(self, ticket_id: int) -> list[str]: ...

    async def add_participants(self, ticket_id: int, emails: list[str], now: datetime) -> None: ...


class InboundMailPort(Protocol):
    async def finish(
        self,
        mail_id: int,
        status: str,
        now: datetime,
        *,
        ticket_id: int | None = None,
        note: str | None = None,
        scrub: bool = False,
    ) -> None: ...


class ProcessedUpdatesPort(Protocol):
    async def claim(self, update_id: int, now: datetime) -> bool: ...


class AutoMailPort(Protocol):
    async def sent_since(self, recipient: str, since: datetime) -> list[datetime]: ...

    async def record(self, recipient: str, now: datetime) -> None: ...


class CounterPort(Protocol):
    async def next(self, name: str, year: int) -> int: ...


class OutagePort(Protocol):
    async def active_since(self) -> datetime | None: ...

    async def start(self, actor: str, now: datetime) -> None: ...

    async def end(self, actor: str, now: datetime) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction: ``async with uow: ...; await uow.commit()``; leaving rolls back."""

    #: Office working time the ticket clocks run on.
    calendar: WorkCalendar

    # Read-only properties, so implementations may narrow the repository types.
    @property
    def requesters(self) -> RequesterRepository: ...

    @property
    def tickets(self) -> TicketRepository: ...

    @property
    def faq_entries(self) -> FaqEntryRepository: ...

    @property
    def outbox(self) -> OutboxPort: ...

    @property
    def mail_threads(self) -> MailThreadPort: ...

    @property
    def auto_mail(self) -> AutoMailPort: ...

    @property
    def inbound_mail(self) -> InboundMailPort: ...

    @property
    def processed_updates(self) -> ProcessedUpdatesPort: ...

    @property
    def counters(self) -> CounterPort: ...

    @property
    def outages(self) -> OutagePort: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class Notifier(Protocol):
    """Decides who hears about a change and queues the messages in the same transaction."""

    async def notify(self, uow: UnitOfWork, change: TicketChange, now: datetime) -> None: ...
