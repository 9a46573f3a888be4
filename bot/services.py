"""Use cases: what requesters and staff can do, each in one unit of work.

Handlers (Telegram, e-mail, CLI) call these functions; they only speak domain objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot import texts
from bot.core.errors import InvalidTransition, TicketClosedForGood
from bot.core.ports import UnitOfWork
from bot.core.roster import StaffMember
from bot.core.routing import route_for
from bot.core.sop import SopCatalog
from bot.core.tickets import (
    AttachmentRef,
    Channel,
    Direction,
    Requester,
    Ticket,
    staff_actor,
)
from faq.kb import KbEntry

#: SOP of a plain question that does not belong to another procedure.
HELPDESK_SOP = "SOP-02"


@dataclass(frozen=True)
class RequesterIdentity:
    """How a requester is recognised on their channel, with details when known."""

    channel: Channel
    telegram_id: int | None = None
    email: str | None = None
    name: str | None = None
    instansi: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class OpenTicket:
    """Command: open a ticket for a requester's question or SOP request."""

    requester: RequesterIdentity
    text: str
    sop_id: str = HELPDESK_SOP
    subject: str = ""
    attachments: tuple[AttachmentRef, ...] = ()
    faq_entry_id: str | None = None
    faq_route: str | None = None


async def find_or_add_requester(uow: UnitOfWork, identity: RequesterIdentity) -> Requester:
    """The stored requester for ``identity``, created on first contact, details refreshed."""
    if identity.telegram_id is not None:
        found = await uow.requesters.by_telegram_id(identity.telegram_id)
    elif identity.email:
        found = await uow.requesters.by_email(identity.email)
    else:
        raise ValueError("a requester needs a Telegram id or an e-mail address")
    if found is None:
        return await uow.requesters.add(
            Requester(
                channel=identity.channel,
                telegram_id=identity.telegram_id,
                email=identity.email,
                name=identity.name,
                instansi=identity.instansi,
                phone=identity.phone,
            )
        )
    refreshed = Requester(
        id=found.id,
        channel=found.channel,
        telegram_id=found.telegram_id,
        email=found.email,
        name=identity.name or found.name,
        instansi=identity.instansi or found.instansi,
        phone=identity.phone or found.phone,
    )
    if refreshed != found:
        await uow.requesters.update(refreshed)
    return refreshed


async def open_ticket(
    uow: UnitOfWork, catalog: SopCatalog, command: OpenTicket, now: datetime
) -> Ticket:
    """Open a ticket in its SOP's first office step, routed to the right role."""
    sop = catalog.get(command.sop_id)
    async with uow:
        requester = await find_or_add_requester(uow, command.requester)
        ticket = Ticket.open(
            requester=requester,
            sop=sop,
            subject=command.subject,
            text=command.text,
            now=now,
            owner_role=route_for(sop, command.faq_route),
            attachments=command.attachments,
            faq_entry_id=command.faq_entry_id,
        )
        await uow.tickets.add(ticket)
        await uow.commit()
    return ticket


async def add_requester_message(
    uow: UnitOfWork,
    number: int,
    text: str,
    now: datetime,
    attachments: tuple[AttachmentRef, ...] = (),
) -> Ticket:
    """A requester's follow-up; raises ``TicketClosedForGood`` when a new ticket is due."""
    return await _change(
        uow, number, lambda ticket: ticket.add_requester_message(text, now, attachments)
    )


async def add_requester_message_or_open(
    uow: UnitOfWork,
    catalog: SopCatalog,
    number: int,
    identity: RequesterIdentity,
    text: str,
    now: datetime,
    attachments: tuple[AttachmentRef, ...] = (),
) -> Ticket:
    """Join ticket ``number``, or open a new one when it was closed too long ago."""
    try:
        return await add_requester_message(uow, number, text, now, attachments)
    except TicketClosedForGood:
        return await open_ticket(
            uow, catalog, OpenTicket(requester=identity, text=text, attachments=attachments), now
        )


async def reply_to_requester(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    text: str,
    now: datetime,
    attachments: tuple[AttachmentRef, ...] = (),
) -> Ticket:
    """A staff answer, recorded on the ticket (delivery is the channel's job)."""
    return await _change(
        uow, number, lambda ticket: ticket.add_staff_message(member, text, now, attachments)
    )


async def take_ticket(uow: UnitOfWork, number: int, member: StaffMember, now: datetime) -> Ticket:
    """A staff member takes the ticket on."""
    return await _change(uow, number, lambda ticket: ticket.take(member, now))


async def forward_ticket(
    uow: UnitOfWork, number: int, member: StaffMember, role: str, now: datetime
) -> Ticket:
    """Hand the ticket to another role."""
    return await _change(uow, number, lambda ticket: ticket.forward(member, role, now))


async def request_data(
    uow: UnitOfWork, number: int, member: StaffMember, request_text: str, now: datetime
) -> Ticket:
    """Ask the requester for more; the SLA clock pauses."""
    return await _change(uow, number, lambda ticket: ticket.request_data(member, request_text, now))


async def advance_step(uow: UnitOfWork, number: int, member: StaffMember, now: datetime) -> Ticket:
    """Complete the current SOP step (only its role may)."""
    return await _change(uow, number, lambda ticket: ticket.advance(member, now))


async def close_ticket(
    uow: UnitOfWork, number: int, member: StaffMember, now: datetime, reason: str = "answered"
) -> Ticket:
    """Close the ticket."""
    return await _change(uow, number, lambda ticket: ticket.close(member, now, reason))


#: Category of FAQ entries that staff publish from tickets.
PUBLISHED_CATEGORY = "dari-tiket"


async def publish_to_faq(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    now: datetime,
    *,
    question: str | None = None,
    answer: str | None = None,
) -> KbEntry:
    """Turn a ticket's question and staff answer into an FAQ entry (SOP-02 step 5).

    Without explicit texts the requester's first message is the question and the last staff
    answer is the answer. Publishing the same ticket again replaces its entry.
    """
    async with uow:
        ticket = await uow.tickets.get(number)
        messages = await uow.tickets.messages(number)
        asked = [m.text for m in messages if m.direction is Direction.INBOUND and m.text.strip()]
        answered = [
            m.text for m in messages if m.direction is Direction.OUTBOUND and m.text.strip()
        ]
        final_question = (question or (asked[0] if asked else ticket.subject)).strip()
        final_answer = (answer or (answered[-1] if answered else "")).strip()
        if not final_answer or not final_question:
            raise InvalidTransition(texts.NOTHING_TO_PUBLISH.format(number=number))
        entry = KbEntry(
            id=f"tiket-{number}",
            category=PUBLISHED_CATEGORY,
            question=final_question,
            variants=(),
            keywords=(),
            answer=final_answer,
            route=ticket.owner_role,
            sop=ticket.sop_id,
        )
        ticket.publish_to_faq(member, entry.id, now)
        await uow.faq_entries.put(
            entry, source_ticket=number, published_by=staff_actor(member), at=now
        )
        await uow.tickets.save(ticket)
        await uow.commit()
    return entry


async def _change(uow: UnitOfWork, number: int, action: Callable[[Ticket], None]) -> Ticket:
    """Load, apply one domain action, persist and commit; a domain error rolls back."""
    async with uow:
        ticket = await uow.tickets.get(number)
        action(ticket)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket
