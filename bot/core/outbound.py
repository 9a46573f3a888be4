"""Outbound messages as data: rendered once when queued, sent later by the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class OutboundKind(StrEnum):
    """What the channel sender does with the payload."""

    TEXT = "text"  # Telegram: sendMessage
    EDIT = "edit"  # Telegram: editMessageText of an earlier message
    DOCUMENT = "document"  # Telegram: sendDocument of a stored attachment
    PHOTO = "photo"  # Telegram: sendPhoto of a stored attachment
    EMAIL = "email"  # e-mail through the relay


class Purpose(StrEnum):
    """Why a message is sent; a reply to it is routed by this."""

    CARD = "card"  # the staff group's ticket card
    TICKET_UPDATE = "ticket_update"  # a follow-up or notice threaded under the card
    TO_REQUESTER = "to_requester"  # anything that reaches the requester
    FAQ_ANSWER = "faq_answer"
    NOTICE = "notice"  # not about a ticket
    REJECT_PROMPT = "reject_prompt"  # "Tolak": a reply to it is the reason
    DATA_PROMPT = "data_prompt"  # "Minta data": a reply to it says what is missing
    FAQ_DRAFT = "faq_draft"  # an FAQ entry staff are to check before it is published


@dataclass(frozen=True)
class Outbound:
    """A message to queue. ``destination`` is a chat id (as text) or an e-mail address."""

    channel: str
    destination: str
    kind: OutboundKind
    payload: dict[str, Any]
    purpose: Purpose
    ticket_id: int | None = None


#: Payload key of a message that may join its ticket's latest unsent one (``batched``).
BATCH = "batch"


def batched(message: Outbound, key: str, addition: str | None) -> Outbound:
    """``message``, marked to join the latest still unsent message of its ticket in the same
    chat when that one has the same ``key``: ``addition`` is appended to it, or, when None,
    the message is dropped if its text is the same. A chatty requester's follow-ups then
    reach the staff group as a few messages instead of one each (``storage.outbox``)."""
    return replace(message, payload={**message.payload, BATCH: {"key": key, "add": addition}})


@dataclass(frozen=True)
class QueuedMessage:
    """An outbox row handed to a channel sender."""

    id: int
    channel: str
    destination: str
    kind: OutboundKind
    payload: dict[str, Any]
    purpose: Purpose
    ticket_id: int | None
    attempts: int
    created_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    """A send failed. ``retry_after`` (seconds) when the channel says when to retry;
    ``permanent`` when retrying cannot help (unknown chat, rejected address)."""

    def __init__(
        self, reason: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent
