"""Tickets as JSON for ``lpse-helpdesk tickets show N --json`` and ``tickets list --json``.

The shape is DESIGN's "Outside interfaces": outside tests read tickets through it, so field
names and meanings change only with the contract. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.core.tickets import Channel, Direction, Requester, Ticket, TicketEvent, TicketMessage

#: Author prefix of messages written by an outside party's role address (LKPP, ULP).
ROLE_AUTHOR = "role:"


def ticket_summary(ticket: Ticket, requester: Requester) -> dict[str, Any]:
    """The ticket without its conversation and audit trail (one line of ``tickets list``)."""
    return {
        "number": ticket.number,
        "sop": ticket.sop_id,
        "step": ticket.step,
        "status": ticket.status.value,
        "channel": ticket.channel.value,
        "subject": ticket.subject,
        "agenda": ticket.agenda,
        "requester": {
            "name": requester.name,
            "email": requester.email,
            "telegram_id": requester.telegram_id,
        },
    }


def ticket_document(
    ticket: Ticket,
    requester: Requester,
    messages: Sequence[TicketMessage],
    events: Sequence[TicketEvent],
    role_address: Callable[[str], str | None],
) -> dict[str, Any]:
    """The whole ticket: details, every message (with its sender address) and every event."""
    return {
        **ticket_summary(ticket, requester),
        "messages": [_message(m, ticket, requester, role_address) for m in messages],
        "events": [
            {"at": _iso(event.at), "kind": event.kind.value, "actor": event.actor}
            for event in events
        ],
    }


def _message(
    message: TicketMessage,
    ticket: Ticket,
    requester: Requester,
    role_address: Callable[[str], str | None],
) -> dict[str, Any]:
    return {
        "at": _iso(message.created_at),
        "direction": message.direction.value,
        "author": message.author,
        "from": _sender(message, ticket, requester, role_address),
        "text": message.text,
        "attachments": [
            {"filename": file.filename, "size": file.size, "sha256": file.sha256}
            for file in message.attachments
        ],
    }


def _sender(
    message: TicketMessage,
    ticket: Ticket,
    requester: Requester,
    role_address: Callable[[str], str | None],
) -> str | None:
    """The address a message came from, when it came by mail."""
    if message.author.startswith(ROLE_AUTHOR):
        return role_address(message.author.removeprefix(ROLE_AUTHOR))
    from_requester = message.direction is Direction.INBOUND and message.author == requester.actor
    if from_requester and ticket.channel is Channel.EMAIL:
        return requester.email
    return None


def _iso(moment: datetime) -> str:
    return moment.isoformat()
