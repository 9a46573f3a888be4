"""Use cases: what requesters and staff can do, each in one unit of work.

Handlers (Telegram, e-mail, CLI) call these functions; they only speak domain objects. A
``notifier`` queues the resulting messages in the same transaction (a transactional outbox),
so a change and the news of it are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot import texts
from bot.core.changes import ChangeKind, TicketChange
from bot.core.errors import ConcurrentUpdate, InvalidTransition, TicketClosedForGood
from bot.core.faq_reply import FaqReply
from bot.core.ports import Notifier, UnitOfWork
from bot.core.redaction import personal_data_in, redact
from bot.core.roster import StaffMember
from bot.core.routing import route_for
from bot.core.sop import SopCatalog
from bot.core.tickets import (
    LETTER_SOPS,
    LKPP_LETTER_STEP,
    REGISTER_STEP,
    RHS_SOP,
    SYSTEM_ACTOR,
    VERIFICATION_SOP,
    AttachmentRef,
    Channel,
    Direction,
    LkppResult,
    Requester,
    Ticket,
    TicketMessage,
    TicketStatus,
    staff_actor,
)
from faq.kb import KbEntry

#: SOP of a plain question that does not belong to another procedure.
HELPDESK_SOP = "SOP-02"

#: Category of FAQ entries that staff publish from tickets.
PUBLISHED_CATEGORY = "dari-tiket"
#: Tries of one ticket change when another transaction changed the ticket meanwhile.
CONFLICT_ATTEMPTS = 3


@dataclass(frozen=True)
class OpenTicket:
    """Command: open a ticket for a requester's question or SOP request."""

    requester: Requester  # without id: found or added by its Telegram id or address
    text: str
    sop_id: str = HELPDESK_SOP
    subject: str = ""
    attachments: tuple[AttachmentRef, ...] = ()
    faq_entry_id: str | None = None
    #: The acknowledgement answers from the FAQ; staff see it only if that did not help.
    answered_by_faq: bool = False
    #: A mail's several questions and the FAQ entries answering them (issue #18).
    faq_reply: FaqReply | None = None
    #: What a form recorded (tender code, company...), by field key.
    details: Mapping[str, str] = field(default_factory=dict)
    #: Documents by checklist item or form field key: how many files each.
    documents: Mapping[str, int] = field(default_factory=dict)


#: Work a channel does in the same transaction as the ticket change (e.g. marking an inbound
#: mail processed, recording thread ids), so the two are committed together.
BeforeCommit = Callable[[UnitOfWork, Ticket], Awaitable[None]]


#: Registers counted per year by the office.
AGENDA_REGISTER = "agenda"
VERIFICATION_REGISTER = "register"


async def next_agenda(uow: UnitOfWork, sop_id: str, now: datetime) -> str | None:
    """A letter's agenda number (SOP-03..06), counted per year: ``0007/2026``."""
    if sop_id not in LETTER_SOPS:
        return None
    year = now.astimezone(uow.calendar.zone).year
    return f"{await uow.counters.next(AGENDA_REGISTER, year):04d}/{year}"


async def find_or_add_requester(uow: UnitOfWork, identity: Requester) -> Requester:
    """The stored requester for ``identity``, created on first contact, details refreshed."""
    if identity.telegram_id is not None:
        found = await uow.requesters.by_telegram_id(identity.telegram_id)
    elif identity.email:
        found = await uow.requesters.by_email(identity.email)
    elif identity.phone and identity.channel is Channel.OFFICE:
        found = await uow.requesters.by_phone(identity.phone)
    else:
        raise ValueError("a requester needs a Telegram id, an e-mail address or a phone")
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
    uow: UnitOfWork,
    catalog: SopCatalog,
    command: OpenTicket,
    now: datetime,
    notifier: Notifier | None = None,
    before_commit: BeforeCommit | None = None,
) -> Ticket:
    """Open a ticket in its SOP's first office step, with that step's role.

    A question never goes to an outside party (ULP, LKPP) before staff have seen it, whatever
    FAQ entry it resembles: staff forward it. A letter (SOP-03..06) gets its agenda number.
    """
    sop = catalog.get(command.sop_id)
    async with uow:
        requester = await find_or_add_requester(uow, command.requester)
        ticket = Ticket.open(
            requester=requester,
            sop=sop,
            calendar=uow.calendar,
            subject=command.subject,
            text=command.text,
            now=now,
            owner_role=route_for(sop),
            attachments=command.attachments,
            faq_entry_id=command.faq_entry_id,
            answered_by_faq=command.answered_by_faq,
            faq_entry_ids=command.faq_reply.entry_ids if command.faq_reply else (),
            faq_unanswered=command.faq_reply.unanswered if command.faq_reply else (),
            agenda=await next_agenda(uow, sop.id, now),
            details=dict(command.details),
            documents=dict(command.documents),
        )
        if await uow.outages.active_since() is not None:
            ticket.pause_for_outage(SYSTEM_ACTOR, now)
        first_message = ticket.pending_messages[-1]
        await uow.tickets.add(ticket)
        if before_commit is not None:
            await before_commit(uow, ticket)
        if notifier is not None:
            change = TicketChange(
                ChangeKind.OPENED,
                ticket,
                requester,
                message=first_message,
                faq_reply=command.faq_reply,
            )
            await notifier.notify(uow, change, now)
        await uow.commit()
    return ticket


async def add_requester_message(
    uow: UnitOfWork,
    number: int,
    text: str,
    now: datetime,
    attachments: tuple[AttachmentRef, ...] = (),
    notifier: Notifier | None = None,
    before_commit: BeforeCommit | None = None,
) -> Ticket:
    """A requester's follow-up; raises ``TicketClosedForGood`` when a new ticket is due."""

    def action(ticket: Ticket) -> ChangeKind:
        was = ticket.status
        was_awaiting_faq = ticket.awaiting_faq_feedback
        ticket.add_requester_message(text, now, attachments)
        if was is TicketStatus.CLOSED:
            return ChangeKind.REOPENED
        if was_awaiting_faq:
            return ChangeKind.ESCALATED
        if was is TicketStatus.WAITING_FOR_REQUESTER:
            return ChangeKind.REQUESTER_REPLIED
        return ChangeKind.REQUESTER_MESSAGE

    return await _change(uow, number, now, action, notifier, before_commit=before_commit)


async def add_requester_message_or_open(
    uow: UnitOfWork,
    catalog: SopCatalog,
    number: int,
    identity: Requester,
    text: str,
    now: datetime,
    attachments: tuple[AttachmentRef, ...] = (),
    notifier: Notifier | None = None,
    before_commit: BeforeCommit | None = None,
) -> Ticket:
    """Join ticket ``number``, or open a new one when it was closed too long ago."""
    try:
        return await add_requester_message(
            uow, number, text, now, attachments, notifier, before_commit
        )
    except TicketClosedForGood:
        command = OpenTicket(requester=identity, text=text, attachments=attachments)
        return await open_ticket(uow, catalog, command, now, notifier, before_commit)


async def add_partner_message(
    uow: UnitOfWork,
    number: int,
    role: str,
    text: str,
    now: datetime,
    attachments: tuple[AttachmentRef, ...] = (),
    notifier: Notifier | None = None,
    before_commit: BeforeCommit | None = None,
) -> Ticket:
    """A reply by mail from the outside party the ticket went to (LKPP, ULP)."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.add_partner_message(role, text, now, attachments)
        return ChangeKind.PARTNER_MESSAGE

    return await _change(uow, number, now, action, notifier, role, before_commit)


async def close_unanswered_faq(
    uow: UnitOfWork, number: int, now: datetime, notifier: Notifier | None = None
) -> Ticket:
    """Close a ticket whose FAQ answer the requester did not challenge."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.close_unanswered_faq(now)
        return ChangeKind.FAQ_SETTLED

    return await _change(uow, number, now, action, notifier)


async def record_requester_edit(
    uow: UnitOfWork, number: int, text: str, now: datetime, notifier: Notifier | None = None
) -> Ticket:
    """The requester edited a message of this ticket; staff see it as an edit."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.record_requester_edit(text, now)
        return ChangeKind.REQUESTER_EDIT

    return await _change(uow, number, now, action, notifier)


async def reply_to_requester(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    text: str,
    now: datetime,
    attachments: tuple[AttachmentRef, ...] = (),
    notifier: Notifier | None = None,
) -> Ticket:
    """A staff answer, recorded on the ticket and relayed to the requester's channel."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.add_staff_message(member, text, now, attachments)
        return ChangeKind.STAFF_MESSAGE

    return await _change(uow, number, now, action, notifier, member.name)


async def take_ticket(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    now: datetime,
    notifier: Notifier | None = None,
) -> Ticket:
    """A staff member takes the ticket on."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.take(member, now)
        return ChangeKind.TAKEN

    return await _change(uow, number, now, action, notifier, member.name)


async def forward_ticket(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    role: str,
    now: datetime,
    notifier: Notifier | None = None,
) -> Ticket:
    """Hand the ticket to another role."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.forward(member, role, now)
        return ChangeKind.FORWARDED

    return await _change(uow, number, now, action, notifier, member.name)


async def request_data(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    request_text: str,
    now: datetime,
    notifier: Notifier | None = None,
) -> Ticket:
    """Ask the requester for more; the SLA clock pauses."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.request_data(member, request_text, now)
        return ChangeKind.DATA_REQUESTED

    return await _change(uow, number, now, action, notifier, member.name)


async def advance_step(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    now: datetime,
    notifier: Notifier | None = None,
    documents: tuple[AttachmentRef, ...] = (),
) -> Ticket:
    """Complete the current SOP step (only its role may); the last one closes the ticket.

    SOP-01 step 6 takes the verification's register number; SOP-06 step 3 sends the one
    letter to LKPP; ``documents`` (the verification card of SOP-01 step 7) go to the requester.
    """
    register: str | None = None
    async with uow:
        ticket = await uow.tickets.get(number)
        if (
            ticket.sop_id == VERIFICATION_SOP
            and ticket.step == REGISTER_STEP
            and ticket.register_number is None
            and ticket.step_role in member.roles
        ):
            year = now.astimezone(uow.calendar.zone).year
            count = await uow.counters.next(VERIFICATION_REGISTER, year)
            register = f"REG-{year}-{count:04d}"
            await uow.commit()  # a number taken and not used is a gap, never a duplicate

    def action(ticket: Ticket) -> ChangeKind:
        from_step = ticket.step
        if register is not None:
            ticket.set_register_number(member, register, now)
        if documents:
            ticket.add_staff_message(member, "", now, documents)
        ticket.advance(member, now)
        lkpp_letter_due = ticket.sop_id == RHS_SOP and from_step == LKPP_LETTER_STEP
        if lkpp_letter_due and ticket.record_lkpp_letter(now):
            return ChangeKind.SENT_TO_LKPP
        if ticket.status is TicketStatus.CLOSED:
            return ChangeKind.CLOSED
        if from_step == REGISTER_STEP and ticket.sop_id == VERIFICATION_SOP:
            return ChangeKind.REGISTERED
        return ChangeKind.ADVANCED

    return await _change(uow, number, now, action, notifier, member.name)


async def approve(
    uow: UnitOfWork, number: int, member: StaffMember, now: datetime, notifier: Notifier | None
) -> Ticket:
    """``Setujui`` on an approval step."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.approve(member, now)
        return ChangeKind.APPROVED

    return await _change(uow, number, now, action, notifier, member.name)


async def reject(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    reason: str,
    now: datetime,
    notifier: Notifier | None,
) -> Ticket:
    """``Tolak`` with the reason the staff member wrote: the ticket closes as rejected."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.reject(member, reason, now)
        return ChangeKind.REJECTED

    return await _change(uow, number, now, action, notifier, member.name)


async def record_visit(
    uow: UnitOfWork, number: int, member: StaffMember, now: datetime, notifier: Notifier | None
) -> Ticket:
    """``Pemohon hadir`` (SOP-01): the provider is at the office; the clock starts."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.record_visit(member, now)
        return ChangeKind.VISIT_RECORDED

    return await _change(uow, number, now, action, notifier, member.name)


async def record_lkpp_result(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    result: LkppResult,
    now: datetime,
    notifier: Notifier | None,
) -> Ticket:
    """``Berhasil`` / ``Gagal`` (SOP-06 step 6): LKPP's result, and the ticket closes."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.record_lkpp_result(member, result, now)
        return ChangeKind.CLOSED

    return await _change(uow, number, now, action, notifier, member.name)


async def change_sop(
    uow: UnitOfWork,
    catalog: SopCatalog,
    number: int,
    member: StaffMember,
    sop_id: str,
    now: datetime,
    notifier: Notifier | None,
) -> Ticket:
    """Staff move a ticket to another procedure (a letter that came as a question)."""
    sop = catalog.get(sop_id)
    async with uow:
        current = await uow.tickets.get(number)
        needs_agenda = current.agenda is None and current.sop_id != sop_id
        agenda = await next_agenda(uow, sop_id, now) if needs_agenda else None
        await uow.commit()

    def action(ticket: Ticket) -> ChangeKind:
        ticket.change_sop(member, sop, now, agenda)
        return ChangeKind.SOP_CHANGED

    return await _change(uow, number, now, action, notifier, member.name)


async def start_outage(
    uow: UnitOfWork, member: StaffMember, now: datetime, notifier: Notifier | None
) -> int | datetime:
    """``/gangguan``: stop every running clock; the number of tickets, or when the outage
    already in force began."""
    return await _outage(uow, member, now, notifier, starting=True)


async def end_outage(
    uow: UnitOfWork, member: StaffMember, now: datetime, notifier: Notifier | None
) -> int | None:
    """``/gangguan selesai``: clocks run again; the number of tickets, None without outage."""
    result = await _outage(uow, member, now, notifier, starting=False)
    return result if isinstance(result, int) else None


async def _outage(
    uow: UnitOfWork,
    member: StaffMember,
    now: datetime,
    notifier: Notifier | None,
    *,
    starting: bool,
) -> int | datetime:
    actor = staff_actor(member)
    async with uow:
        since = await uow.outages.active_since()
        if starting and since is not None:
            return since
        if starting:
            await uow.outages.start(actor, now)
        elif not await uow.outages.end(actor, now):
            return now  # nothing to end
        tickets = await uow.tickets.open_tickets()
        for ticket in tickets:
            if starting:
                ticket.pause_for_outage(actor, now)
            else:
                ticket.resume_after_outage(actor, now)
            await uow.tickets.save(ticket)
            await _tell(uow, notifier, ChangeKind.CLOCK_CHANGED, ticket, now, member.name, None)
        await uow.commit()
    return len(tickets)


async def close_ticket(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    now: datetime,
    reason: str = "answered",
    notifier: Notifier | None = None,
) -> Ticket:
    """Close the ticket."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.close(member, now, reason)
        return ChangeKind.CLOSED

    return await _change(uow, number, now, action, notifier, member.name)


async def rate_ticket(
    uow: UnitOfWork,
    number: int,
    score: int,
    now: datetime,
    comment: str | None = None,
    notifier: Notifier | None = None,
) -> Ticket:
    """Store the requester's rating (1-5, optional comment) of a closed ticket."""

    def action(ticket: Ticket) -> ChangeKind:
        ticket.rate(score, now, comment)
        return ChangeKind.RATED

    return await _change(uow, number, now, action, notifier)


async def publish_to_faq(
    uow: UnitOfWork,
    number: int,
    member: StaffMember,
    now: datetime,
    *,
    question: str | None = None,
    answer: str | None = None,
    notifier: Notifier | None = None,
    known: tuple[str, ...] = (),
) -> KbEntry:
    """Turn a ticket's question and staff answer into an FAQ entry (SOP-02 step 5).

    Staff confirm the texts first (``handlers.telegram.staff_publish`` shows a draft made by
    :func:`faq_draft`); without explicit texts the draft's texts are used. An entry is shown
    to anyone, so texts carrying personal data (names, NIP, e-mail addresses, telephone
    numbers, user IDs; the requester's and ``known`` ones by name) are refused. Publishing
    the same ticket again replaces its entry.
    """
    async with uow:
        ticket = await uow.tickets.get(number)
        requester = await uow.requesters.get(ticket.requester_id)
        names = (*_identifiers(requester), member.name, *known)
        if question is None or answer is None:
            drafted_question, drafted_answer, _ = await _draft(uow, ticket, names)
            question = drafted_question if question is None else question
            answer = drafted_answer if answer is None else answer
        final_question, final_answer = question.strip(), answer.strip()
        if not final_answer or not final_question:
            raise InvalidTransition(texts.NOTHING_TO_PUBLISH.format(number=number))
        found = personal_data_in(f"{final_question}\n{final_answer}", names)
        if found:
            raise InvalidTransition(
                texts.FAQ_PERSONAL_DATA_REFUSED.format(number=number, kinds=", ".join(found))
            )
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
        await _tell(uow, notifier, ChangeKind.FAQ_PUBLISHED, ticket, now, member.name, None)
        await uow.commit()
    return entry


@dataclass(frozen=True)
class FaqDraft:
    """Question and answer proposed for the FAQ, personal data removed (``removed``: kinds)."""

    question: str
    answer: str
    removed: tuple[str, ...]


async def faq_draft(uow: UnitOfWork, number: int, known: tuple[str, ...] = ()) -> FaqDraft:
    """The requester's first message and the last staff answer, without personal data."""
    async with uow:
        ticket = await uow.tickets.get(number)
        requester = await uow.requesters.get(ticket.requester_id)
        question, answer, removed = await _draft(uow, ticket, (*_identifiers(requester), *known))
    if not question or not answer:
        raise InvalidTransition(texts.NOTHING_TO_PUBLISH.format(number=number))
    return FaqDraft(question, answer, removed)


async def faq_identifiers(uow: UnitOfWork, number: int) -> tuple[str, ...]:
    """Names and identifiers of ticket ``number``'s requester (removed from FAQ texts)."""
    async with uow:
        ticket = await uow.tickets.get(number)
        return _identifiers(await uow.requesters.get(ticket.requester_id))


async def _draft(
    uow: UnitOfWork, ticket: Ticket, known: tuple[str, ...]
) -> tuple[str, str, tuple[str, ...]]:
    assert ticket.number is not None
    messages = await uow.tickets.messages(ticket.number)
    asked = [m.text for m in messages if m.direction is Direction.INBOUND and m.text.strip()]
    answered = [m.text for m in messages if m.direction is Direction.OUTBOUND and m.text.strip()]
    question = redact((asked[0] if asked else ticket.subject).strip(), known)
    answer = redact((answered[-1] if answered else "").strip(), known)
    removed = tuple(dict.fromkeys((*question.kinds, *answer.kinds)))
    return question.text, answer.text, removed


def _identifiers(requester: Requester) -> tuple[str, ...]:
    values = (
        requester.name,
        requester.email,
        requester.phone,
        str(requester.telegram_id) if requester.telegram_id is not None else None,
    )
    return tuple(value for value in values if value)


async def _change(
    uow: UnitOfWork,
    number: int,
    now: datetime,
    action: Callable[[Ticket], ChangeKind],
    notifier: Notifier | None,
    actor_name: str | None = None,
    before_commit: BeforeCommit | None = None,
) -> Ticket:
    """Load, apply one domain action, persist, notify and commit; a domain error rolls back.

    Two people may change one ticket at the same moment (a requester's follow-up while staff
    press a button): the loser of the optimistic-lock race runs its action again on the fresh
    ticket instead of failing, so neither message nor button press is lost.
    """
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            async with uow:
                ticket = await uow.tickets.get(number)
                kind = action(ticket)
                message = ticket.pending_messages[-1] if ticket.pending_messages else None
                await uow.tickets.save(ticket)
                if before_commit is not None:
                    await before_commit(uow, ticket)
                await _tell(uow, notifier, kind, ticket, now, actor_name, message)
                await uow.commit()
            return ticket
        except ConcurrentUpdate:
            if attempt == CONFLICT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


async def _tell(
    uow: UnitOfWork,
    notifier: Notifier | None,
    kind: ChangeKind,
    ticket: Ticket,
    now: datetime,
    actor_name: str | None,
    message: TicketMessage | None,
) -> None:
    if notifier is None:
        return
    requester = await uow.requesters.get(ticket.requester_id)
    await notifier.notify(uow, TicketChange(kind, ticket, requester, actor_name, message), now)
