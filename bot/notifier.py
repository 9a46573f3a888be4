"""Who hears about a ticket change, rendered per channel and queued in the outbox.

Runs inside the use case's transaction, so the news is committed with the change. The staff
group sees a card per ticket (edited in place) and threaded follow-ups; the requester hears
on the channel the ticket came from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from bot import texts
from bot.core.changes import ChangeKind, TicketChange
from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.core.ports import UnitOfWork
from bot.core.roster import Roster
from bot.core.tickets import AttachmentRef, Channel, Direction, Ticket
from bot.core.worktime import WorkCalendar
from handlers.telegram import callbacks, render

TELEGRAM, EMAIL = "telegram", "email"

#: Changes that only update the card (and say who did what under it).
_STAFF_ACTIONS = {
    ChangeKind.TAKEN: "taken",
    ChangeKind.FORWARDED: "forwarded",
    ChangeKind.DATA_REQUESTED: "data_requested",
    ChangeKind.ADVANCED: "advanced",
    ChangeKind.CLOSED: "closed",
}


def format_minutes(minutes: float) -> str:
    """``45 menit`` (fractions kept for test catalogs in seconds)."""
    return texts.MINUTES.format(minutes=f"{minutes:g}")


class OutboxNotifier:
    """Queues the messages a change causes."""

    def __init__(
        self,
        *,
        staff_chat_id: int | None,
        calendar: WorkCalendar,
        roster: Callable[[], Roster],
        zone: tzinfo,
        ack_sop: str = "SOP-02",
    ) -> None:
        self._staff_chat = str(staff_chat_id) if staff_chat_id is not None else None
        self._calendar = calendar
        self._roster = roster
        self._zone = zone
        self._ack_sop = ack_sop

    async def notify(self, uow: UnitOfWork, change: TicketChange, now: datetime) -> None:
        messages = await self._messages_for(uow, change)
        if messages:
            await uow.outbox.enqueue(messages, now)

    async def _messages_for(self, uow: UnitOfWork, change: TicketChange) -> list[Outbound]:
        ticket = change.ticket
        number = ticket.number
        assert number is not None
        kind = change.kind
        out: list[Outbound] = []
        if kind is ChangeKind.OPENED:
            out += await self._card(uow, ticket, change, edit=False)
            out += self._files_to_staff(ticket, change)
            target = format_minutes(ticket.sop.total_minutes)
            template = texts.TICKET_OPENED if ticket.sop_id == self._ack_sop else texts.FORM_SENT
            out += self._to_requester(change, template.format(number=number, target=target))
        elif kind in (ChangeKind.REQUESTER_MESSAGE, ChangeKind.REOPENED):
            text = change.message.text if change.message else ""
            if text.strip():
                out += self._under_card(ticket, texts.STAFF_FOLLOW_UP, text=text)
            out += self._files_to_staff(ticket, change)
            out += await self._card(uow, ticket, change, edit=True)
            confirmation = (
                texts.TICKET_REOPENED if kind is ChangeKind.REOPENED else texts.FOLLOW_UP_ADDED
            )
            out += self._to_requester(change, confirmation.format(number=number))
        elif kind is ChangeKind.REQUESTER_EDIT:
            text = change.message.text if change.message else ""
            out += self._under_card(ticket, texts.STAFF_EDITED, text=text)
        elif kind is ChangeKind.STAFF_MESSAGE and change.message is not None:
            message = change.message
            if message.direction is Direction.OUTBOUND:
                if message.text.strip():
                    answer = texts.STAFF_ANSWER.format(number=number, text=message.text)
                    out += self._to_requester(change, answer)
                out += self._files_to_requester(change, message.attachments)
        elif kind in _STAFF_ACTIONS:
            out += await self._card(uow, ticket, change, edit=True)
            action = texts.STAFF_ACTIONS[_STAFF_ACTIONS[kind]].format(
                role=ticket.owner_role, step=ticket.step
            )
            out += self._under_card(
                ticket, texts.STAFF_ACTION_DONE, action=action, name=change.actor_name or "-"
            )
            if kind is ChangeKind.DATA_REQUESTED:
                out += self._to_requester(change, texts.DATA_REQUESTED.format(number=number))
                if change.message is not None and change.message.text.strip():
                    answer = texts.STAFF_ANSWER.format(number=number, text=change.message.text)
                    out += self._to_requester(change, answer)
            if kind is ChangeKind.CLOSED:
                buttons = [
                    [
                        render.button(str(score), callbacks.rating(number, score))
                        for score in range(1, 6)
                    ]
                ]
                out += self._to_requester(
                    change, texts.TICKET_CLOSED_RATE.format(number=number), buttons
                )
        elif kind is ChangeKind.RATED:
            out += await self._card(uow, ticket, change, edit=True)
            out += self._under_card(ticket, texts.STAFF_RATED, rating=ticket.rating)
        elif kind is ChangeKind.FAQ_PUBLISHED:
            out += self._under_card(ticket, texts.STAFF_PUBLISHED, name=change.actor_name or "-")
        return out

    # --- staff group ----------------------------------------------------------------------

    async def _card(
        self, uow: UnitOfWork, ticket: Ticket, change: TicketChange, *, edit: bool
    ) -> list[Outbound]:
        if self._staff_chat is None or ticket.number is None:
            return []
        messages = await uow.tickets.messages(ticket.number)
        files = [file for message in messages for file in message.attachments]
        if change.kind is ChangeKind.OPENED and change.message is not None and not messages:
            files = list(change.message.attachments)
        step_minutes = ticket.sop.step(ticket.step).minutes
        due_at = (
            self._calendar.add_working_minutes(ticket.step_started_at, step_minutes)
            if step_minutes is not None
            else None
        )
        assignee = (
            self._roster().member(ticket.assignee_id) if ticket.assignee_id is not None else None
        )
        payload: dict[str, Any] = {
            "text": render.card(
                ticket,
                requester_name=change.requester.display_name,
                assignee_name=assignee.name if assignee else None,
                files=files,
                due_at=due_at,
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

    def _under_card(self, ticket: Ticket, template: str, **values: Any) -> list[Outbound]:
        if self._staff_chat is None:
            return []
        return [
            Outbound(
                channel=TELEGRAM,
                destination=self._staff_chat,
                kind=OutboundKind.TEXT,
                payload={
                    "text": render.plain(template, number=ticket.number, **values),
                    "reply_to": Purpose.CARD.value,
                },
                purpose=Purpose.TICKET_UPDATE,
                ticket_id=ticket.number,
            )
        ]

    def _files_to_staff(self, ticket: Ticket, change: TicketChange) -> list[Outbound]:
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
                        texts.STAFF_FILE_FROM_REQUESTER,
                        number=ticket.number,
                        filename=file.filename,
                    ),
                    "reply_to": Purpose.CARD.value,
                },
                purpose=Purpose.TICKET_UPDATE,
                ticket_id=ticket.number,
            )
            for file in change.message.attachments
        ]

    # --- requester ------------------------------------------------------------------------

    def _to_requester(
        self, change: TicketChange, text: str, buttons: render.Keyboard | None = None
    ) -> list[Outbound]:
        requester, ticket = change.requester, change.ticket
        if ticket.channel is Channel.TELEGRAM and requester.telegram_id is not None:
            payload: dict[str, Any] = {"text": render.escape(text)}
            if buttons:
                payload["buttons"] = buttons
            return [
                Outbound(
                    channel=TELEGRAM,
                    destination=str(requester.telegram_id),
                    kind=OutboundKind.TEXT,
                    payload=payload,
                    purpose=Purpose.TO_REQUESTER,
                    ticket_id=ticket.number,
                )
            ]
        if requester.email:
            return [
                Outbound(
                    channel=EMAIL,
                    destination=requester.email,
                    kind=OutboundKind.EMAIL,
                    payload={"subject": f"{ticket.subject[:120]} [#{ticket.number}]", "text": text},
                    purpose=Purpose.TO_REQUESTER,
                    ticket_id=ticket.number,
                )
            ]
        return []

    def _files_to_requester(
        self, change: TicketChange, files: tuple[AttachmentRef, ...]
    ) -> list[Outbound]:
        requester, ticket = change.requester, change.ticket
        if not files:
            return []
        if ticket.channel is Channel.TELEGRAM and requester.telegram_id is not None:
            caption = render.plain(texts.STAFF_FILE_CAPTION, number=ticket.number)
            return [
                Outbound(
                    channel=TELEGRAM,
                    destination=str(requester.telegram_id),
                    kind=OutboundKind.DOCUMENT,
                    payload={**file.as_dict(), "caption": caption},
                    purpose=Purpose.TO_REQUESTER,
                    ticket_id=ticket.number,
                )
                for file in files
            ]
        if requester.email:
            return [
                Outbound(
                    channel=EMAIL,
                    destination=requester.email,
                    kind=OutboundKind.EMAIL,
                    payload={
                        "subject": f"{ticket.subject[:120]} [#{ticket.number}]",
                        "text": texts.STAFF_FILE_CAPTION.format(number=ticket.number),
                        "attachments": [file.as_dict() for file in files],
                    },
                    purpose=Purpose.TO_REQUESTER,
                    ticket_id=ticket.number,
                )
            ]
        return []
