"""A Telegram text too long for one message is queued as one message per part."""

from __future__ import annotations

from bot.core.outbound import Outbound, OutboundKind, Purpose
from handlers.telegram.render import MESSAGE_LIMIT, split_long_texts, utf16_length

BUTTONS = [[{"text": "1", "data": "r:1:1"}]]


def test_parts_keep_the_reply_and_only_the_last_has_the_buttons() -> None:
    long = Outbound(
        "telegram",
        "555",
        OutboundKind.TEXT,
        {"text": "baris panjang 🙂\n" * 400, "reply_to": "card", "buttons": BUTTONS},
        Purpose.TO_REQUESTER,
        7,
    )
    short = Outbound("telegram", "555", OutboundKind.TEXT, {"text": "ok"}, Purpose.NOTICE)
    parts = split_long_texts([long, short])
    assert len(parts) == 3 and parts[-1] is short
    first, last = parts[0], parts[1]
    assert all(utf16_length(part.payload["text"]) <= MESSAGE_LIMIT for part in parts)
    joined = first.payload["text"] + "\n" + last.payload["text"]
    assert joined.strip() == long.payload["text"].strip()
    assert "buttons" not in first.payload and last.payload["buttons"] == BUTTONS
    assert first.payload["reply_to"] == last.payload["reply_to"] == "card"
    assert (first.ticket_id, first.purpose, last.destination) == (7, Purpose.TO_REQUESTER, "555")


def test_mail_and_edits_are_left_whole() -> None:
    mail = Outbound("email", "a@b.id", OutboundKind.EMAIL, {"text": "x" * 9000}, Purpose.NOTICE)
    edit = Outbound("telegram", "-1", OutboundKind.EDIT, {"text": "y" * 5000}, Purpose.CARD)
    assert split_long_texts([mail, edit]) == [mail, edit]
