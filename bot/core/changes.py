"""What happened to a ticket, as told to the notifier that decides who hears about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.faq_reply import FaqReply
from bot.core.tickets import Requester, Ticket, TicketMessage


class ChangeKind(StrEnum):
    OPENED = "opened"
    REQUESTER_MESSAGE = "requester_message"
    REQUESTER_REPLIED = "requester_replied"  # the awaited answer: the clock runs again
    REQUESTER_EDIT = "requester_edit"
    STAFF_MESSAGE = "staff_message"
    TAKEN = "taken"
    FORWARDED = "forwarded"
    DATA_REQUESTED = "data_requested"
    ADVANCED = "advanced"
    CLOSED = "closed"
    REOPENED = "reopened"
    FAQ_PUBLISHED = "faq_published"
    RATED = "rated"
    ESCALATED = "escalated"  # the requester answered an FAQ reply: staff take over
    PARTNER_MESSAGE = "partner_message"  # an outside party (LKPP, ULP) replied by mail
    FAQ_SETTLED = "faq_settled"  # an FAQ-answered ticket closed itself
    APPROVED = "approved"
    REJECTED = "rejected"  # closes the ticket, with the reason
    VISIT_RECORDED = "visit_recorded"  # SOP-01: the provider arrived, the clock runs
    REGISTERED = "registered"  # SOP-01 step 6 done: the register number is given
    SENT_TO_LKPP = "sent_to_lkpp"  # SOP-06 step 3 done: the one letter to LKPP
    SOP_CHANGED = "sop_changed"
    CLOCK_CHANGED = "clock_changed"  # an outage stopped or restarted the clock


@dataclass(frozen=True)
class TicketChange:
    """One change, with what a notifier needs to render it."""

    kind: ChangeKind
    ticket: Ticket
    requester: Requester
    actor_name: str | None = None
    message: TicketMessage | None = None
    #: OPENED by a mail that asks several questions: what the FAQ answered of each.
    faq_reply: FaqReply | None = None
