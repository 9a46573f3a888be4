"""Who hears about a ticket change, rendered per channel and queued in the outbox.

Runs inside the use case's transaction, so the news is committed with the change. The staff
group sees a card per ticket (edited in place) and threaded follow-ups; the requester hears on
the channel the ticket came from; outside parties with an e-mail address in the roster (LKPP,
ULP) get the ticket forwarded when it reaches them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from bot import faq_ack, texts
from bot.core import checklist, sla
from bot.core.changes import ChangeKind, TicketChange
from bot.core.outbound import Outbound, OutboundKind, Purpose, batched
from bot.core.ports import UnitOfWork
from bot.core.roles import SUPERVISOR_ROLES
from bot.core.roster import Roster
from bot.core.tickets import (
    RHS_SOP,
    AttachmentRef,
    Channel,
    Decision,
    Direction,
    Requester,
    Ticket,
)
from bot.core.worktime import WorkCalendar
from faq.kb import KbEntry
from handlers.email import loops, reference
from handlers.telegram import callbacks, render

TELEGRAM, EMAIL = "telegram", "email"

#: Changes that update the card and say who did what under it.
_STAFF_ACTIONS = {
    ChangeKind.TAKEN: "taken",
    ChangeKind.FORWARDED: "forwarded",
    ChangeKind.DATA_REQUESTED: "data_requested",
    ChangeKind.ADVANCED: "advanced",
    ChangeKind.CLOSED: "closed",
    ChangeKind.APPROVED: "approved",
    ChangeKind.REJECTED: "rejected",
    ChangeKind.VISIT_RECORDED: "visit_recorded",
    ChangeKind.REGISTERED: "registered",
    ChangeKind.SENT_TO_LKPP: "sent_to_lkpp",
    ChangeKind.SOP_CHANGED: "sop_changed",
}

#: The roster role whose address gets SOP-06's letter and whose reply reaches the Pokja.
LKPP_ROLE = "lkpp"


def format_minutes(minutes: float) -> str:
    """``45 menit`` (fractions kept for test catalogs in seconds)."""
    return texts.MINUTES.format(minutes=f"{minutes:g}")


@dataclass(frozen=True)
class MailIdentity:
    """How outgoing mail presents itself."""

    address: str
    office: str
    reference_secret: str
    faq_autoclose_hours: float


class OutboxNotifier:
    """Queues the messages a change causes."""

    def __init__(
        self,
        *,
        staff_chat_id: int | None,
        calendar: WorkCalendar,
        roster: Callable[[], Roster],
        zone: tzinfo,
        faq_entry: Callable[[str], KbEntry | None],
        mail: MailIdentity | None,
        ack_sop: str = "SOP-02",
    ) -> None:
        self._staff_chat = str(staff_chat_id) if staff_chat_id is not None else None
        self._calendar = calendar
        self._roster = roster
        self._zone = zone
        self._faq_entry = faq_entry
        self._mail = mail
        self._ack_sop = ack_sop

    async def notify(self, uow: UnitOfWork, change: TicketChange, now: datetime) -> None:
        messages = await self._messages_for(uow, change, now)
        if messages:
            await uow.outbox.enqueue(messages, now)

    async def _messages_for(
        self, uow: UnitOfWork, change: TicketChange, now: datetime
    ) -> list[Outbound]:
        ticket = change.ticket
        number = ticket.number
        assert number is not None
        kind = change.kind
        text = change.message.text if change.message else ""
        target = format_minutes(ticket.sop.total_minutes)
        out: list[Outbound] = []
        if kind is ChangeKind.OPENED:
            if not ticket.awaiting_faq_feedback:
                out += await self._card(uow, ticket, change, edit=False)
                out += self._files_to_staff(ticket, change)
            out += await self._acknowledge(uow, change, now)
        elif kind is ChangeKind.ESCALATED:
            out += await self._card(uow, ticket, change, edit=False)
            out += self._under_card(ticket.number, texts.STAFF_ESCALATED, text=text)
            out += self._files_to_staff(ticket, change)
            out += await self._to_requester(
                uow,
                change,
                texts.EMAIL_ESCALATED.format(number=number, target=target),
                now,
                automatic=True,
            )
        elif kind in (
            ChangeKind.REQUESTER_MESSAGE,
            ChangeKind.REQUESTER_REPLIED,
            ChangeKind.REOPENED,
        ):
            if text.strip():
                # Staff always see which address a mail came from (issue 16).
                mail_sender = change.requester.email if ticket.channel is Channel.EMAIL else None
                template = texts.STAFF_FOLLOW_UP_MAIL if mail_sender else texts.STAFF_FOLLOW_UP
                under_card = self._under_card(
                    ticket.number, template, sender=mail_sender, text=text
                )
                # Batched: a chatty requester must not hold back other tickets' cards.
                out += [
                    batched(message, "follow_up", render.escape(text)) for message in under_card
                ]
            out += self._files_to_staff(ticket, change)
            files_added = change.message is not None and bool(change.message.attachments)
            if kind is not ChangeKind.REQUESTER_MESSAGE or files_added:
                # Only when the card changes: the group's 20 messages a minute are precious.
                out += await self._card(uow, ticket, change, edit=True)
            if ticket.channel is Channel.TELEGRAM or kind is ChangeKind.REOPENED:
                # Mail senders already know their mail arrived; chat users like to see it.
                confirmation = (
                    texts.TICKET_REOPENED if kind is ChangeKind.REOPENED else texts.FOLLOW_UP_ADDED
                )
                out += [
                    batched(message, "confirmation", None)  # one "added" is enough
                    for message in await self._to_requester(
                        uow, change, confirmation.format(number=number), now, automatic=True
                    )
                ]
        elif kind is ChangeKind.REQUESTER_EDIT:
            out += self._under_card(ticket.number, texts.STAFF_EDITED, text=text)
        elif kind is ChangeKind.PARTNER_MESSAGE:
            # Issue 16: a mail from an address the requester copied is named by that address,
            # "bukan pemohon"; a role's reply shows the role's address.
            # Its files are captioned by the same sender, never as the requester's.
            role = change.actor_name or "-"
            role_address = self._roster().destinations.get(role)
            if "@" in role:
                out += self._under_card(
                    ticket.number, texts.STAFF_MAIL_NOT_REQUESTER, sender=role, text=text
                )
                out += self._files_to_staff(
                    ticket, change, texts.STAFF_FILE_FROM_NOT_REQUESTER, sender=role
                )
            else:
                if role_address is not None and role_address.email:
                    out += self._under_card(
                        ticket.number,
                        texts.STAFF_PARTNER_REPLY_FROM,
                        role=role,
                        sender=role_address.email,
                        text=text,
                    )
                else:
                    out += self._under_card(
                        ticket.number, texts.STAFF_PARTNER_REPLY, role=role, text=text
                    )
                out += self._files_to_staff(ticket, change, texts.STAFF_FILE_FROM_ROLE, role=role)
            if change.actor_name == LKPP_ROLE and change.message is not None:
                # LKPP's answer is the Pokja's result: relayed as it came (SOP-06 steps 4-6).
                out += await self._to_requester(
                    uow,
                    change,
                    texts.MILESTONE_LKPP_REPLY.format(number=number, text=text)
                    if text.strip()
                    else "",
                    now,
                    files=change.message.attachments,
                )
        elif kind is ChangeKind.STAFF_MESSAGE and change.message is not None:
            message = change.message
            if message.direction is Direction.OUTBOUND:
                answer = texts.STAFF_ANSWER.format(number=number, text=message.text)
                out += await self._to_requester(
                    uow,
                    change,
                    answer if message.text.strip() else "",
                    now,
                    files=message.attachments,
                )
        elif kind is ChangeKind.CLOCK_CHANGED:
            out += await self._card(uow, ticket, change, edit=True)
        elif kind in _STAFF_ACTIONS:
            out += await self._card(uow, ticket, change, edit=True)
            action = texts.STAFF_ACTIONS[_STAFF_ACTIONS[kind]].format(
                role=ticket.owner_role, step=ticket.step, sop_id=ticket.sop_id
            )
            if kind is ChangeKind.REJECTED and ticket.outcome:
                action = f"{action}: {ticket.outcome}"
            out += self._under_card(
                ticket.number, texts.STAFF_ACTION_DONE, action=action, name=change.actor_name or "-"
            )
            out += await self._milestone(uow, change, now)
        elif kind is ChangeKind.RATED:
            out += await self._card(uow, ticket, change, edit=True)
            out += self._under_card(ticket.number, texts.STAFF_RATED, rating=ticket.rating)
        elif kind is ChangeKind.FAQ_PUBLISHED:
            out += self._under_card(
                ticket.number, texts.STAFF_PUBLISHED, name=change.actor_name or "-"
            )
        return out

    async def _milestone(
        self, uow: UnitOfWork, change: TicketChange, now: datetime
    ) -> list[Outbound]:
        """What the requester hears of a staff action, on the ticket's channel."""
        ticket, kind = change.ticket, change.kind
        number = ticket.number
        text = change.message.text if change.message else ""
        target = format_minutes(ticket.sop.total_minutes)
        if kind is ChangeKind.TAKEN:
            role = texts.ROLE_NAMES.get(ticket.step_role, texts.ROLE_NAMES["helpdesk"])
            return await self._to_requester(
                uow, change, texts.MILESTONE_TAKEN.format(number=number, role=role), now
            )
        if kind is ChangeKind.DATA_REQUESTED:
            if not text.strip():
                return await self._to_requester(
                    uow, change, texts.DATA_REQUESTED.format(number=number), now
                )
            return await self._to_requester(
                uow, change, texts.MILESTONE_DATA_REQUESTED.format(number=number, items=text), now
            )
        if kind is ChangeKind.FORWARDED:
            return await self._to_partner(uow, ticket, change, now)
        if kind is ChangeKind.APPROVED:
            next_step = ticket.current_step.uraian or ""
            return await self._to_requester(
                uow,
                change,
                texts.MILESTONE_APPROVED.format(number=number, next_step=next_step),
                now,
            )
        if kind is ChangeKind.VISIT_RECORDED:
            return await self._to_requester(
                uow, change, texts.MILESTONE_VISIT.format(number=number, target=target), now
            )
        if kind is ChangeKind.REGISTERED:
            return await self._to_requester(
                uow,
                change,
                texts.MILESTONE_REGISTERED.format(number=number, register=ticket.register_number),
                now,
            )
        if kind is ChangeKind.SENT_TO_LKPP:
            out = await self._letter_to_lkpp(uow, change, now)
            return out + await self._to_requester(
                uow, change, texts.MILESTONE_SENT_TO_LKPP.format(number=number), now
            )
        if kind is ChangeKind.SOP_CHANGED:
            return await self._to_requester(
                uow,
                change,
                texts.MILESTONE_SOP_CHANGED.format(
                    number=number, sop_id=ticket.sop_id, sop_title=ticket.sop.title, target=target
                ),
                now,
            )
        if kind in (ChangeKind.CLOSED, ChangeKind.REJECTED):
            return await self._closing(uow, change, now)
        return []

    async def _closing(
        self, uow: UnitOfWork, change: TicketChange, now: datetime
    ) -> list[Outbound]:
        """The outcome in one line, then the rating question (with the card of SOP-01)."""
        ticket = change.ticket
        number = ticket.number
        assert number is not None
        if ticket.decision is Decision.REJECTED:
            text = (
                texts.MILESTONE_REJECTED.format(number=number, reason=ticket.outcome)
                + "\n\n"
                + texts.MILESTONE_CLOSED_REJECTED.format(number=number)
            )
        else:
            outcome = ticket.outcome or texts.OUTCOME_CLOSED_DEFAULT
            text = texts.MILESTONE_CLOSED.format(number=number, outcome=outcome)
        message = change.message
        files = (
            message.attachments
            if message is not None and message.direction is Direction.OUTBOUND
            else ()
        )
        buttons = [
            [render.button(str(score), callbacks.rating(number, score)) for score in range(1, 6)]
        ]
        return await self._to_requester(uow, change, text, now, files=files, buttons=buttons)

    async def deadline_notice(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        requester: Requester,
        *,
        breach: bool,
        due_at: datetime,
        late: bool,
        now: datetime,
    ) -> list[Outbound]:
        """A reminder (80 %) or breach (100 %) under the card, naming the role's members;
        a breach also names the supervisors and updates the card. Roles with an e-mail
        address get a copy."""
        assert ticket.number is not None
        role = ticket.step_role
        roster = self._roster()
        people = roster.members_with_role(role)
        if ticket.assignee_id is not None and (assignee := roster.member(ticket.assignee_id)):
            people = [assignee, *[p for p in people if p != assignee]]
        if breach:
            people += [
                p
                for r in sorted(SUPERVISOR_ROLES)
                for p in roster.members_with_role(r)
                if p not in people
            ]
        minutes = ticket.sop.step(ticket.step).minutes or 0.0
        template = texts.SLA_BREACH if breach else texts.SLA_REMINDER
        text = (texts.SLA_LATE if late else "") + template.format(
            number=ticket.number,
            step=ticket.step,
            role=role,
            minutes=format_minutes(minutes),
            due=due_at.astimezone(self._zone).strftime("%d-%m-%Y %H:%M"),
        )
        out: list[Outbound] = []
        if self._staff_chat is not None:
            mentions = " ".join(render.mention(p.telegram_id, p.name) for p in people)
            out.append(
                Outbound(
                    channel=TELEGRAM,
                    destination=self._staff_chat,
                    kind=OutboundKind.TEXT,
                    payload={
                        "text": f"{render.escape(text)} {mentions}".strip(),
                        "reply_to": Purpose.CARD.value,
                    },
                    purpose=Purpose.TICKET_UPDATE,
                    ticket_id=ticket.number,
                )
            )
            if breach:
                change = TicketChange(ChangeKind.ADVANCED, ticket, requester)
                out += await self._card(uow, ticket, change, edit=True)
        destination = roster.destinations.get(role)
        if destination is not None and destination.email and self._mail is not None:
            out.append(
                await self._mail_to(
                    uow,
                    ticket,
                    destination.email,
                    text,
                    now,
                    automatic=True,
                    files=(),
                    subject=texts.SLA_MAIL_SUBJECT.format(number=ticket.number),
                    reply=False,
                )
            )
        return out

    def delivery_failed(self, ticket_id: int, error: str) -> list[Outbound]:
        """A notice under the card: a message to the requester could not be delivered."""
        return self._under_card(ticket_id, texts.STAFF_DELIVERY_FAILED, error=error[:300])

    async def _acknowledge(
        self, uow: UnitOfWork, change: TicketChange, now: datetime
    ) -> list[Outbound]:
        ticket = change.ticket
        target = format_minutes(ticket.sop.total_minutes)
        if ticket.channel is Channel.EMAIL and self._mail is not None:
            entry = self._faq_entry(ticket.faq_entry_id) if ticket.faq_entry_id else None
            reply = change.faq_reply
            if reply is not None and not reply.is_single_answer:  # issue #18
                text = faq_ack.acknowledgement(
                    reply,
                    self._faq_entry,
                    number=ticket.number,
                    target=target,
                    hours=f"{self._mail.faq_autoclose_hours:g}",
                )
            elif ticket.awaiting_faq_feedback and entry is not None:
                text = texts.EMAIL_ACK_WITH_FAQ.format(
                    number=ticket.number,
                    answer=entry.answer,
                    target=target,
                    hours=f"{self._mail.faq_autoclose_hours:g}",
                )
            else:
                text = texts.EMAIL_ACK.format(number=ticket.number, target=target)
        else:
            template = texts.TICKET_OPENED if ticket.sop_id == self._ack_sop else texts.FORM_SENT
            text = template.format(number=ticket.number, target=target)
        extras = [text]
        if ticket.agenda:
            extras.append(texts.ACK_AGENDA.format(agenda=ticket.agenda))
        if ticket.sop.checklist:
            extras.append(self._checklist_summary(ticket))
        if ticket.awaiting_visit:
            office = self._mail.office if self._mail else "LPSE"
            extras.append(texts.ACK_VISIT.format(office=office, target=target))
        return await self._to_requester(uow, change, "\n\n".join(extras), now, automatic=True)

    @staticmethod
    def _checklist_summary(ticket: Ticket) -> str:
        """SOP-01: how many of the checklist's documents came, and which are still missing."""
        status = checklist.checklist_status(ticket.sop.checklist, ticket.documents)
        missing = [item.nama for item, present in status if not present]
        if not missing:
            return texts.ACK_CHECKLIST_COMPLETE.format(total=len(status))
        return texts.ACK_CHECKLIST_MISSING.format(
            present=len(status) - len(missing),
            total=len(status),
            items="\n".join(f"- {name}" for name in missing),
        )

    # --- staff group ----------------------------------------------------------------------

    async def _card(
        self, uow: UnitOfWork, ticket: Ticket, change: TicketChange, *, edit: bool
    ) -> list[Outbound]:
        if self._staff_chat is None or ticket.number is None:
            return []
        assert ticket.number is not None
        messages = await uow.tickets.messages(ticket.number)
        files = [file for message in messages for file in message.attachments]
        assignee = (
            self._roster().member(ticket.assignee_id) if ticket.assignee_id is not None else None
        )
        facts = checklist.ticket_facts(ticket, messages, change.requester.email)
        payload: dict[str, Any] = {
            "text": render.card(
                ticket,
                # Issue 16: staff always see a mail requester's address, not only the
                # display name the sender chose.
                requester_name=(
                    f"{change.requester.name} ({change.requester.email})"
                    if change.requester.name and change.requester.email
                    else change.requester.display_name
                ),
                assignee_name=assignee.name if assignee else None,
                files=files,
                needs=checklist.step_needs(ticket.sop, ticket.step, facts),
                documents=checklist.checklist_status(ticket.sop.checklist, ticket.documents),
                notices=self._card_notices(ticket, change.requester),
                due_at=ticket.clock.due_at,
                overall_due_at=sla.overall_due(
                    ticket.clock.due_at,
                    sla.later_budgets(ticket.sop, ticket.step),
                    self._calendar,
                ),
                zone=self._zone,
            ),
            "buttons": render.card_keyboard(ticket),
        }
        if edit:
            payload["target"] = Purpose.CARD.value
        return [
            Outbound(
                channel=TELEGRAM,
                destination=self._staff_chat,
                kind=OutboundKind.EDIT if edit else OutboundKind.TEXT,
                payload=payload,
                purpose=Purpose.CARD,
                ticket_id=ticket.number,
            )
        ]

    def _card_notices(self, ticket: Ticket, requester: Requester) -> list[str]:
        """Warnings on the card: an LKPP letter that cannot go out, a requester the bot
        cannot reach (a telephone case), the FAQ answers the requester already has."""
        notices = []
        if ticket.sop_id == RHS_SOP and ticket.is_open:
            if ticket.lkpp_mailed:
                notices.append(texts.CARD_LKPP_MAILED)
            elif self.lkpp_address() is None:
                notices.append(texts.CARD_NO_LKPP_ADDRESS)
        if ticket.channel is Channel.OFFICE:
            notices.append(texts.CARD_NOT_REACHABLE.format(contact=requester.phone or "-"))
        # Issue #18: staff answer the rest without repeating these; the questions still owed
        # are named while the ticket is open (once closed, nothing is owed any more).
        owed = ticket.faq_unanswered if ticket.is_open else ()
        if sent := faq_ack.card_notice(ticket.faq_entry_ids, self._faq_entry, owed):
            notices.append(sent)
        return notices

    def lkpp_address(self) -> str | None:
        """LKPP's address from the roster (``roles: lkpp: email``), if any."""
        destination = self._roster().destinations.get(LKPP_ROLE)
        return destination.email if destination is not None else None

    async def _letter_to_lkpp(
        self, uow: UnitOfWork, change: TicketChange, now: datetime
    ) -> list[Outbound]:
        """SOP-06 step 3: the office's one letter to LKPP, the .rhs files attached."""
        ticket = change.ticket
        address = self.lkpp_address()
        if address is None or self._mail is None:
            return self._under_card(ticket.number, texts.CARD_NO_LKPP_ADDRESS)
        details = ticket.details
        body = texts.LKPP_LETTER.format(
            office=self._mail.office,
            agenda=ticket.agenda or "-",
            tender_code=details.get("kode_tender", "-"),
            provider=details.get("penyedia", "-"),
            pokja=details.get("instansi") or change.requester.instansi or "-",
            description=details.get("keterangan", "-"),
        )
        files = tuple(
            file
            for file in await self._ticket_files(uow, ticket)
            if file.filename.casefold().endswith(".rhs")
        )
        subject = texts.LKPP_LETTER_SUBJECT.format(tender_code=details.get("kode_tender", "-"))
        letter = await self._letter(uow, ticket, address, body, subject, files, now)
        sent = self._under_card(ticket.number, texts.STAFF_LKPP_LETTER_SENT, email=address)
        return [letter, *sent]

    async def _ticket_files(self, uow: UnitOfWork, ticket: Ticket) -> list[AttachmentRef]:
        assert ticket.number is not None
        messages = await uow.tickets.messages(ticket.number)
        return [file for message in messages for file in message.attachments]

    def _under_card(self, number: int | None, template: str, **values: Any) -> list[Outbound]:
        if self._staff_chat is None:
            return []
        return [
            Outbound(
                channel=TELEGRAM,
                destination=self._staff_chat,
                kind=OutboundKind.TEXT,
                payload={
                    "text": render.plain(template, number=number, **values),
                    "reply_to": Purpose.CARD.value,
                },
                purpose=Purpose.TICKET_UPDATE,
                ticket_id=number,
            )
        ]

    def _files_to_staff(
        self,
        ticket: Ticket,
        change: TicketChange,
        caption: str = texts.STAFF_FILE_FROM_REQUESTER,
        **sender: str,
    ) -> list[Outbound]:
        """The message's files under the card, each captioned with who sent it."""
        if self._staff_chat is None or change.message is None:
            return []
        return [
            Outbound(
                channel=TELEGRAM,
                destination=self._staff_chat,
                kind=OutboundKind.DOCUMENT,
                payload={
                    **file.as_dict(),
                    "caption": render.plain(
                        caption, number=ticket.number, filename=file.filename, **sender
                    ),
                    "reply_to": Purpose.CARD.value,
                },
                purpose=Purpose.TICKET_UPDATE,
                ticket_id=ticket.number,
            )
            for file in change.message.attachments
        ]

    # --- requester ------------------------------------------------------------------------

    async def _to_requester(
        self,
        uow: UnitOfWork,
        change: TicketChange,
        text: str,
        now: datetime,
        *,
        automatic: bool = False,
        files: tuple[AttachmentRef, ...] = (),
        buttons: render.Keyboard | None = None,
    ) -> list[Outbound]:
        requester, ticket = change.requester, change.ticket
        if ticket.channel is Channel.TELEGRAM and requester.telegram_id is not None:
            destination = str(requester.telegram_id)
            out: list[Outbound] = []
            if text:
                payload: dict[str, Any] = {"text": render.escape(text)}
                if buttons:
                    payload["buttons"] = buttons
                out.append(
                    Outbound(
                        TELEGRAM,
                        destination,
                        OutboundKind.TEXT,
                        payload,
                        Purpose.TO_REQUESTER,
                        ticket.number,
                    )
                )
            caption = render.plain(texts.STAFF_FILE_CAPTION, number=ticket.number)
            out += [
                Outbound(
                    TELEGRAM,
                    destination,
                    OutboundKind.DOCUMENT,
                    {**file.as_dict(), "caption": caption},
                    Purpose.TO_REQUESTER,
                    ticket.number,
                )
                for file in files
            ]
            return out
        if requester.email and self._mail is not None:
            if automatic and not await self._brake_allows(uow, requester.email, now):
                return []
            body = text or texts.STAFF_FILE_CAPTION.format(number=ticket.number)
            return [
                await self._mail_to(
                    uow,
                    ticket,
                    requester.email,
                    body,
                    now,
                    automatic=automatic,
                    files=files,
                    # Issue 16: a display name is the sender's own claim; never echoed.
                    greeting=texts.EMAIL_GREETING_ANONYMOUS,
                    reply=True,
                )
            ]
        return []

    async def _brake_allows(self, uow: UnitOfWork, recipient: str, now: datetime) -> bool:
        """At most a few automatic mails per recipient per window: no mail loops."""
        sent = await uow.auto_mail.sent_since(recipient, now - loops.WINDOW)
        if not loops.brake_allows(sent, now):
            return False
        await uow.auto_mail.record(recipient, now)
        return True

    async def _to_partner(
        self, uow: UnitOfWork, ticket: Ticket, change: TicketChange, now: datetime
    ) -> list[Outbound]:
        """Forward the ticket by mail to the outside party that now has to act on it."""
        if self._mail is None:
            return []
        destinations = self._roster().destinations
        role = next(
            (
                candidate
                for candidate in (ticket.owner_role, ticket.sop.step(ticket.step).actor)
                if candidate in destinations and destinations[candidate].email
            ),
            None,
        )
        if role is None:
            return []
        address = destinations[role].email
        assert address is not None and ticket.number is not None
        messages = await uow.tickets.messages(ticket.number)
        question = next((m.text for m in messages if m.direction is Direction.INBOUND), "")
        body = texts.PARTNER_FORWARD.format(
            office=self._mail.office,
            number=ticket.number,
            sop_id=ticket.sop_id,
            sop_title=ticket.sop.title,
            role=role,
            requester=change.requester.display_name,
            question=question,
        )
        files = tuple(await self._ticket_files(uow, ticket))
        subject = texts.PARTNER_FORWARD_SUBJECT.format(subject=ticket.subject)
        return [await self._letter(uow, ticket, address, body, subject, files, now)]

    async def _letter(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        address: str,
        body: str,
        subject: str,
        files: tuple[AttachmentRef, ...],
        now: datetime,
    ) -> Outbound:
        """A mail to an outside party (LKPP, ULP) whose reply joins the ticket."""
        return await self._mail_to(
            uow,
            ticket,
            address,
            body,
            now,
            automatic=False,
            files=files,
            subject=subject,
            reply=False,
            participant=True,
        )

    async def _mail_to(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        address: str,
        body: str,
        now: datetime,
        *,
        automatic: bool,
        files: tuple[AttachmentRef, ...],
        greeting: str | None = None,
        subject: str | None = None,
        reply: bool,
        participant: bool = False,
    ) -> Outbound:
        """One mail of the ticket's thread; its Message-ID and headers are fixed now."""
        mail = self._mail
        assert mail is not None and ticket.number is not None
        domain = mail.address.rpartition("@")[2]
        message_id = reference.message_id(ticket.number, domain)
        thread = await uow.mail_threads.thread(ticket.number)
        token = reference.reference_token(ticket.number, mail.reference_secret)
        parts = [
            greeting,
            body,
            texts.EMAIL_SIGNATURE.format(office=mail.office),
            texts.EMAIL_REFERENCE.format(token=token),
        ]
        await uow.mail_threads.record(message_id, ticket.number, "out", now)
        if participant:
            await uow.mail_threads.add_participants(ticket.number, [address], now)
        return Outbound(
            channel=EMAIL,
            destination=address,
            kind=OutboundKind.EMAIL,
            payload={
                "subject": reference.subject_with_number(
                    subject or ticket.subject, ticket.number, reply=reply
                ),
                "text": "\n\n".join(part for part in parts if part),
                "message_id": message_id,
                "in_reply_to": thread[-1] if thread else None,
                "references": thread[-20:],
                "automatic": automatic,
                "attachments": [file.as_dict() for file in files],
            },
            purpose=Purpose.TO_REQUESTER,
            ticket_id=ticket.number,
        )
