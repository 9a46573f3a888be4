"""Repositories: translate between domain objects and table rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot import texts
from bot.core.errors import ConcurrentUpdate, TicketNotFound
from bot.core.sla import StepClock
from bot.core.sop import SopCatalog
from bot.core.tickets import (
    AttachmentRef,
    Channel,
    Decision,
    Direction,
    EventKind,
    Requester,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketStatus,
)
from bot.core.worktime import WorkCalendar
from faq.kb import KbEntry
from storage.models import (
    AttachmentRow,
    EventRow,
    FaqEntryRow,
    MessageRow,
    RequesterRow,
    TicketRow,
)
from storage.sla import SqlSlaReminders


def _requester_from_row(row: RequesterRow) -> Requester:
    return Requester(
        id=row.id,
        channel=Channel(row.channel),
        telegram_id=row.telegram_id,
        email=row.email,
        name=row.name,
        instansi=row.instansi,
        phone=row.phone,
    )


class SqlRequesterRepository:
    """Requesters by Telegram id or e-mail address."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_telegram_id(self, telegram_id: int) -> Requester | None:
        row = await self._session.scalar(
            select(RequesterRow).where(RequesterRow.telegram_id == telegram_id)
        )
        return _requester_from_row(row) if row else None

    async def get(self, requester_id: int) -> Requester:
        row = await self._session.get(RequesterRow, requester_id)
        if row is None:
            raise KeyError(f"requester {requester_id} not stored")
        return _requester_from_row(row)

    async def by_email(self, email: str) -> Requester | None:
        row = await self._session.scalar(
            select(RequesterRow).where(RequesterRow.email == email.lower())
        )
        return _requester_from_row(row) if row else None

    async def by_phone(self, phone: str) -> Requester | None:
        """A requester registered by staff for a telephone or walk-in case, by number."""
        row = await self._session.scalar(
            select(RequesterRow)
            .where(RequesterRow.phone == phone, RequesterRow.channel == Channel.OFFICE.value)
            .limit(1)
        )
        return _requester_from_row(row) if row else None

    async def add(self, requester: Requester) -> Requester:
        row = RequesterRow(
            channel=requester.channel.value,
            telegram_id=requester.telegram_id,
            email=requester.email.lower() if requester.email else None,
            name=requester.name,
            instansi=requester.instansi,
            phone=requester.phone,
            created_at=datetime.now(UTC),
        )
        self._session.add(row)
        await self._session.flush()
        return _requester_from_row(row)

    async def update(self, requester: Requester) -> None:
        row = await self._session.get(RequesterRow, requester.id)
        if row is None:
            raise KeyError(f"requester {requester.id} not stored")
        row.name, row.instansi, row.phone = requester.name, requester.instansi, requester.phone


class SqlTicketRepository:
    """Tickets with their append-only messages and events."""

    def __init__(self, session: AsyncSession, catalog: SopCatalog, calendar: WorkCalendar) -> None:
        self._session = session
        self._catalog = catalog
        self._calendar = calendar

    def _ticket_from_row(self, row: TicketRow) -> Ticket:
        return Ticket(
            number=row.id,
            requester_id=row.requester_id,
            channel=Channel(row.channel),
            sop=self._catalog.get(row.sop_id),
            calendar=self._calendar,
            step=row.step,
            owner_role=row.owner_role,
            status=TicketStatus(row.status),
            subject=row.subject,
            assignee_id=row.assignee_id,
            faq_entry_id=row.faq_entry_id,
            faq_entry_ids=tuple(row.faq_entry_ids or ()),
            faq_unanswered=tuple(row.faq_unanswered or ()),
            opened_at=row.opened_at,
            step_started_at=row.step_started_at,
            closed_at=row.closed_at,
            rating=row.rating,
            rating_comment=row.rating_comment,
            clock=StepClock(
                worked_minutes=row.step_worked_minutes,
                running_since=row.step_running_since,
                due_at=row.step_due_at,
                cycle=row.step_cycle,
            ),
            breached=row.breached,
            awaiting_faq_feedback=row.awaiting_faq_feedback,
            agenda=row.agenda,
            details={str(k): str(v) for k, v in (row.details or {}).items()},
            documents={str(k): int(v) for k, v in (row.documents or {}).items()},
            decision=Decision(row.decision) if row.decision else None,
            outcome=row.outcome,
            register_number=row.register_number,
            awaiting_visit=row.awaiting_visit,
            lkpp_mailed=row.lkpp_mailed,
            outage_paused=row.outage_paused,
            version=row.version,
        )

    async def get(self, number: int) -> Ticket:
        row = await self._session.get(TicketRow, number)
        if row is None:
            raise TicketNotFound(texts.TICKET_NOT_FOUND.format(number=number))
        return self._ticket_from_row(row)

    async def add(self, ticket: Ticket) -> Ticket:
        row = TicketRow(version=0)
        self._copy_into(ticket, row)
        self._session.add(row)
        await self._session.flush()
        ticket.number = row.id
        await self._flush_pending(ticket)
        await SqlSlaReminders(self._session).sync(ticket, ticket.opened_at)
        ticket.version = row.version
        return ticket

    async def save(self, ticket: Ticket) -> None:
        if ticket.number is None:
            raise ValueError("save() needs a stored ticket; use add()")
        row = await self._session.get(TicketRow, ticket.number)
        if row is None:
            raise TicketNotFound(texts.TICKET_NOT_FOUND.format(number=ticket.number))
        if row.version != ticket.version:
            raise ConcurrentUpdate(f"ticket #{ticket.number} changed meanwhile")
        self._copy_into(ticket, row)
        try:
            await self._flush_pending(ticket)
        except StaleDataError as error:  # committed by another transaction since get()
            raise ConcurrentUpdate(f"ticket #{ticket.number} changed meanwhile") from error
        await SqlSlaReminders(self._session).sync(ticket, row.updated_at)
        ticket.version = row.version

    async def recent(
        self, *, statuses: set[TicketStatus] | None = None, limit: int = 50
    ) -> list[Ticket]:
        query = select(TicketRow).order_by(TicketRow.id.desc()).limit(limit)
        if statuses:
            query = query.where(TicketRow.status.in_([status.value for status in statuses]))
        rows = await self._session.scalars(query)
        return [self._ticket_from_row(row) for row in rows]

    async def open_for_requester(self, requester_id: int) -> list[Ticket]:
        rows = await self._session.scalars(
            select(TicketRow)
            .where(
                TicketRow.requester_id == requester_id,
                TicketRow.status != TicketStatus.CLOSED.value,
            )
            .order_by(TicketRow.id)
        )
        return [self._ticket_from_row(row) for row in rows]

    async def open_tickets(self) -> list[Ticket]:
        """Every ticket not closed (the digest's view)."""
        rows = await self._session.scalars(
            select(TicketRow).where(TicketRow.status != TicketStatus.CLOSED.value)
        )
        return [self._ticket_from_row(row) for row in rows]

    async def awaiting_faq_feedback(self, *, opened_before: datetime) -> list[int]:
        """Tickets answered by the FAQ and not challenged since before ``opened_before``."""
        return list(
            await self._session.scalars(
                select(TicketRow.id).where(
                    TicketRow.awaiting_faq_feedback.is_(True),
                    TicketRow.status != TicketStatus.CLOSED.value,
                    TicketRow.opened_at < opened_before,
                )
            )
        )

    async def for_requester(self, requester_id: int, limit: int = 10) -> list[Ticket]:
        """The requester's newest tickets, open or closed."""
        rows = await self._session.scalars(
            select(TicketRow)
            .where(TicketRow.requester_id == requester_id)
            .order_by(TicketRow.id.desc())
            .limit(limit)
        )
        return [self._ticket_from_row(row) for row in rows]

    async def messages(self, number: int) -> list[TicketMessage]:
        rows = list(
            await self._session.scalars(
                select(MessageRow).where(MessageRow.ticket_id == number).order_by(MessageRow.id)
            )
        )
        files: dict[int, list[AttachmentRef]] = defaultdict(list)
        if rows:
            attachment_rows = await self._session.scalars(
                select(AttachmentRow)
                .where(AttachmentRow.message_id.in_([row.id for row in rows]))
                .order_by(AttachmentRow.id)
            )
            for attachment in attachment_rows:
                files[attachment.message_id].append(
                    AttachmentRef(
                        sha256=attachment.sha256,
                        filename=attachment.filename,
                        content_type=attachment.content_type,
                        size=attachment.size,
                    )
                )
        return [
            TicketMessage(
                direction=Direction(row.direction),
                author=row.author,
                text=row.text,
                created_at=row.created_at,
                attachments=tuple(files[row.id]),
            )
            for row in rows
        ]

    async def events(self, number: int) -> list[TicketEvent]:
        rows = await self._session.scalars(
            select(EventRow).where(EventRow.ticket_id == number).order_by(EventRow.id)
        )
        return [
            TicketEvent(kind=EventKind(row.kind), actor=row.actor, at=row.at, detail=row.detail)
            for row in rows
        ]

    @staticmethod
    def _copy_into(ticket: Ticket, row: TicketRow) -> None:
        row.requester_id = ticket.requester_id
        row.channel = ticket.channel.value
        row.sop_id = ticket.sop_id
        row.step = ticket.step
        row.owner_role = ticket.owner_role
        row.status = ticket.status.value
        row.subject = ticket.subject
        row.assignee_id = ticket.assignee_id
        row.faq_entry_id = ticket.faq_entry_id
        row.faq_entry_ids = list(ticket.faq_entry_ids)
        row.faq_unanswered = list(ticket.faq_unanswered)
        row.opened_at = ticket.opened_at
        row.step_started_at = ticket.step_started_at
        row.closed_at = ticket.closed_at
        row.rating = ticket.rating
        row.rating_comment = ticket.rating_comment
        row.step_worked_minutes = ticket.clock.worked_minutes
        row.step_running_since = ticket.clock.running_since
        row.step_due_at = ticket.clock.due_at
        row.step_cycle = ticket.clock.cycle
        row.breached = ticket.breached
        row.awaiting_faq_feedback = ticket.awaiting_faq_feedback
        row.agenda = ticket.agenda
        row.details = dict(ticket.details)
        row.documents = dict(ticket.documents)
        row.decision = ticket.decision.value if ticket.decision else None
        row.outcome = ticket.outcome
        row.register_number = ticket.register_number
        row.awaiting_visit = ticket.awaiting_visit
        row.lkpp_mailed = ticket.lkpp_mailed
        row.outage_paused = ticket.outage_paused
        row.updated_at = datetime.now(UTC)

    async def _flush_pending(self, ticket: Ticket) -> None:
        number = ticket.number
        assert number is not None
        for message in ticket.pending_messages:
            message_row = MessageRow(
                ticket_id=number,
                direction=message.direction.value,
                author=message.author,
                text=message.text,
                created_at=message.created_at,
            )
            self._session.add(message_row)
            await self._session.flush()
            self._session.add_all(
                AttachmentRow(
                    message_id=message_row.id,
                    sha256=attachment.sha256,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    size=attachment.size,
                )
                for attachment in message.attachments
            )
        self._session.add_all(
            EventRow(
                ticket_id=number,
                kind=event.kind.value,
                actor=event.actor,
                at=event.at,
                detail=event.detail,
            )
            for event in ticket.pending_events
        )
        await self._session.flush()
        ticket.pending_messages.clear()
        ticket.pending_events.clear()


class SqlFaqEntryRepository:
    """FAQ entries published by staff."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(
        self, entry: KbEntry, *, source_ticket: int | None, published_by: str, at: datetime
    ) -> None:
        """Insert or replace the entry with ``entry.id``."""
        row = await self._session.get(FaqEntryRow, entry.id) or FaqEntryRow(id=entry.id)
        row.category, row.question, row.answer = entry.category, entry.question, entry.answer
        row.variants, row.keywords = list(entry.variants), list(entry.keywords)
        row.route, row.sop = entry.route, entry.sop
        row.source_ticket_id, row.published_by, row.published_at = source_ticket, published_by, at
        self._session.add(row)
        await self._session.flush()

    async def all(self) -> list[KbEntry]:
        rows = await self._session.scalars(select(FaqEntryRow).order_by(FaqEntryRow.published_at))
        return [
            KbEntry(
                id=row.id,
                category=row.category,
                question=row.question,
                variants=tuple(row.variants),
                keywords=tuple(row.keywords),
                answer=row.answer,
                route=row.route,
                sop=row.sop,
            )
            for row in rows
        ]
