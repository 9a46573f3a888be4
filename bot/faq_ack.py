"""Texts for a mail whose several questions the FAQ answered one by one (issue #18).

The acknowledgement gives each answer under a short quote of the question it answers, so
the requester sees which part of the mail each answer is for; questions no entry answers
are named, with the target within which staff answer them. The card lists the entries
already sent, so that staff answer the rest without repeating them, and under them the
questions staff still have to answer, so nobody re-reads a long mail to find them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot import texts
from bot.core.faq_reply import FaqReply
from faq.kb import KbEntry

#: Longest quote of a question in the acknowledgement (the person's own words, briefly).
QUOTE_CHARS = 160
#: On the card a question gets one short line, and at most this many are listed: the card is
#: one Telegram message (4096 characters) and holds much else; the mail has the rest.
CARD_QUOTE_CHARS = 120
CARD_UNANSWERED_SHOWN = 5
#: A greeting that opens a mail is not part of the question it precedes.
_GREETING = re.compile(
    r"^(?:yth\.?|dengan hormat|selamat (?:pagi|siang|sore|malam)|halo|assalamu.?alaikum\S*"
    r"(?: wr\.? ?wb\.?)?)[\s,.!]*(?:(?:bapak/ibu|bapak|ibu|pak|bu)\b[\s,.!]*)?",
    re.IGNORECASE,
)


def quote(question: str, limit: int = QUOTE_CHARS) -> str:
    """A question of the mail on one line, briefly: without the greeting, and when longer
    than ``limit`` only its end (a question unit ends with its question), cut at a word."""
    line = " ".join(question.split())
    line = _GREETING.sub("", line, count=1) or line
    if len(line) <= limit:
        return line
    tail = line[-(limit - 1) :]
    return "…" + (tail.split(" ", 1)[1] if " " in tail else tail)


def _title(question: str, limit: int = 100) -> str:
    """An entry's question on one line, cut at a word when longer than ``limit``."""
    line = " ".join(question.split())
    if len(line) <= limit:
        return line
    return line[: limit - 1].rsplit(" ", 1)[0] + "…"


def acknowledgement(
    reply: FaqReply,
    entry: Callable[[str], KbEntry | None],
    *,
    number: int | None,
    target: str,
    hours: str,
) -> str:
    """The acknowledgement of a mail with several questions (not for a single answer)."""
    answers = "\n\n".join(
        texts.EMAIL_FAQ_ANSWER_TO.format(question=quote(item.question), answer=found.answer)
        for item in reply.answered
        if (found := entry(item.entry_id)) is not None
    )
    if reply.complete:
        return texts.EMAIL_ACK_WITH_FAQ_ANSWERS.format(
            number=number, answers=answers, target=target, hours=hours
        )
    unanswered = "\n".join(
        texts.EMAIL_FAQ_UNANSWERED_ITEM.format(question=quote(question))
        for question in reply.unanswered
    )
    return texts.EMAIL_ACK_WITH_FAQ_PARTIAL.format(
        number=number, answers=answers, target=target, unanswered=unanswered
    )


def card_notice(
    entry_ids: Sequence[str],
    entry: Callable[[str], KbEntry | None],
    unanswered: Sequence[str] = (),
) -> str | None:
    """The card's list of FAQ entries the requester already received, if any, then the
    questions of the mail no entry answered (plain text: the card escapes it)."""
    if not entry_ids:
        return None
    lines = [texts.CARD_FAQ_SENT]
    for entry_id in entry_ids:
        found = entry(entry_id)
        question = _title(found.question) if found is not None else "-"
        lines.append(texts.CARD_FAQ_SENT_ITEM.format(entry_id=entry_id, question=question))
    if unanswered:
        lines.append(texts.CARD_FAQ_UNANSWERED)
        lines += [
            texts.CARD_FAQ_UNANSWERED_ITEM.format(question=quote(question, CARD_QUOTE_CHARS))
            for question in unanswered[:CARD_UNANSWERED_SHOWN]
        ]
        if (more := len(unanswered) - CARD_UNANSWERED_SHOWN) > 0:
            lines.append(texts.CARD_FAQ_UNANSWERED_MORE.format(count=more))
    return "\n".join(lines)
