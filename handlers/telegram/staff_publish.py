"""`Terbitkan ke FAQ`: staff see, edit and confirm a draft before anything is published.

An FAQ entry is shown to anyone who asks, so the card's button only posts a draft in the
group: the requester's question and the last staff answer with personal data removed
(``bot.core.redaction``: the requester's stored name and identifiers, staff names, NIP,
e-mail addresses, telephone numbers, user IDs). Staff then

- reply to the draft with a corrected text (the answer alone, or ``PERTANYAAN: ...
  JAWABAN: ...``): it is cleaned the same way and posted as a new draft;
- press ``Terbitkan`` on a draft: exactly the texts it shows are published (checked once more,
  refused if personal data is found), or ``Batal``.

The draft's texts live in the draft message itself, which only the bot can write; Telegram
hands it back with the button press or the reply, so no draft table is needed. A draft is
recognised by its record in ``chat_messages`` (purpose ``faq_draft``), never by its text.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from telegram import CallbackQuery, MaybeInaccessibleMessage, Message
from telegram.error import BadRequest

from bot import services, texts
from bot.core.errors import InvalidTransition
from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.core.redaction import redact
from bot.core.roster import StaffMember
from bot.runtime import Runtime
from handlers.telegram import callbacks, render
from handlers.telegram.common import not_modified, say, text_message
from storage.models import ChatMessageRow

#: Longest draft posted as one message (Telegram's limit is 4096; the title and help fit).
DRAFT_LIMIT = 3500

_QUESTION_MARK = re.compile(r"(?im)^[ \t]*pertanyaan[ \t]*:[ \t]*")
_ANSWER_MARK = re.compile(r"(?im)^[ \t]*jawaban[ \t]*:[ \t]*")


def parse_sections(text: str) -> tuple[str, str] | None:
    """(question, answer) of a text in the draft's format, or None when it is not one."""
    start = _QUESTION_MARK.search(text)
    if start is None:
        return None
    rest = text[start.end() :]
    middle = _ANSWER_MARK.search(rest)
    if middle is None:
        return None
    return rest[: middle.start()].strip(), rest[middle.end() :].strip()


def draft_text(number: int, question: str, answer: str, removed: tuple[str, ...]) -> str:
    """The draft as staff read it (plain text; escaped when queued)."""
    head = [texts.FAQ_DRAFT_TITLE.format(number=number)]
    if removed:
        head.append(texts.FAQ_DRAFT_REMOVED.format(kinds=", ".join(removed)))
    return "\n\n".join(
        [
            "\n".join(head),
            f"{texts.FAQ_DRAFT_QUESTION}\n{question}",
            f"{texts.FAQ_DRAFT_ANSWER}\n{answer}",
            texts.FAQ_DRAFT_HELP,
        ]
    )


def texts_of_draft(text: str) -> tuple[str, str] | None:
    """The question and answer a posted draft shows (its help line cut off)."""
    body, _, _ = text.rpartition(texts.FAQ_DRAFT_HELP)
    return parse_sections(body or text)


class FaqDrafts:
    """The draft dialogue of one staff group."""

    def __init__(self, runtime: Runtime, staff_chat_id: int) -> None:
        self.runtime = runtime
        self.staff_chat_id = staff_chat_id

    async def post_draft(self, number: int, member: StaffMember) -> None:
        """The card's ``Terbitkan ke FAQ``: a draft under the card, nothing published yet."""
        draft = await services.faq_draft(self.runtime.unit_of_work(), number, self._staff_names())
        await self._post(number, draft.question, draft.answer, draft.removed, reply_to=None)

    async def take_reply(
        self, replied: Message, number: int, member: StaffMember, text: str, message_id: int
    ) -> bool:
        """A staff reply to a draft becomes a new draft (True); other replies are not ours."""
        if not await self._is_draft(replied):
            return False
        shown = texts_of_draft(replied.text or "")
        sections = parse_sections(text)
        if sections is None and shown is not None:
            sections = (shown[0], text.strip())
        if sections is None or not all(sections):
            await say(self.runtime, self._notice(texts.FAQ_DRAFT_EMPTY, message_id))
            return True
        known = (
            *await services.faq_identifiers(self.runtime.unit_of_work(), number),
            *self._staff_names(),
        )
        question, answer = (redact(part, known) for part in sections)
        removed = tuple(dict.fromkeys((*question.kinds, *answer.kinds)))
        await self._post(number, question.text, answer.text, removed, reply_to=message_id)
        return True

    async def confirm(self, query: CallbackQuery, number: int, member: StaffMember) -> None:
        """``Terbitkan`` on a draft: publish exactly what it shows."""
        message = query.message
        if not isinstance(message, Message) or not await self._is_draft(message):
            raise InvalidTransition(texts.FAQ_DRAFT_STALE)
        shown = texts_of_draft(message.text or "")
        if shown is None:
            raise InvalidTransition(texts.FAQ_DRAFT_STALE)
        entry = await services.publish_to_faq(
            self.runtime.unit_of_work(),
            number,
            member,
            self.runtime.clock(),
            question=shown[0],
            answer=shown[1],
            notifier=self.runtime.notifier,
            known=self._staff_names(),
        )
        self.runtime.faq.publish([entry])  # matchable at once, no restart
        await _drop_buttons(query)

    async def cancel(self, query: CallbackQuery, number: int, member: StaffMember) -> None:
        """``Batal`` on a draft: its buttons go, nothing is published."""
        message = query.message
        if message is None or not await self._is_draft(message):
            raise InvalidTransition(texts.FAQ_DRAFT_STALE)
        await _drop_buttons(query)
        notice = texts.FAQ_DRAFT_CANCELLED.format(number=number, name=member.name)
        await say(self.runtime, self._notice(notice, message.message_id))

    async def _post(
        self,
        number: int,
        question: str,
        answer: str,
        removed: tuple[str, ...],
        *,
        reply_to: int | None,
    ) -> None:
        text = draft_text(number, question, answer, removed)
        payload: dict[str, object] = {
            "text": render.escape(text),
            "buttons": [
                [
                    render.button(texts.BUTTON_FAQ_CONFIRM, callbacks.staff("pubok", number)),
                    render.button(texts.BUTTON_FAQ_CANCEL, callbacks.staff("pubno", number)),
                ]
            ],
        }
        if len(text) > DRAFT_LIMIT:
            # Still a draft (a reply to it is an edit), but nothing to confirm.
            payload = {
                "text": render.plain(texts.FAQ_DRAFT_TOO_LONG, number=number, limit=DRAFT_LIMIT)
            }
        if reply_to is None:
            payload["reply_to"] = Purpose.CARD.value
        else:
            payload["reply_to_message_id"] = reply_to
        await say(
            self.runtime,
            Outbound(
                channel="telegram",
                destination=str(self.staff_chat_id),
                kind=OutboundKind.TEXT,
                payload=payload,
                purpose=Purpose.FAQ_DRAFT,
                ticket_id=number,
            ),
        )

    def _notice(self, text: str, reply_to: int) -> Outbound:
        return text_message(
            self.staff_chat_id,
            render.escape(text),
            purpose=Purpose.NOTICE,
            reply_to_message_id=reply_to,
        )

    def _staff_names(self) -> tuple[str, ...]:
        return tuple(member.name for member in self.runtime.roster.current.members.values())

    async def _is_draft(self, message: MaybeInaccessibleMessage) -> bool:
        """The message is a draft the bot posted (recorded when sent, whatever it says)."""
        async with self.runtime.session_factory() as session:
            purpose = await session.scalar(
                select(ChatMessageRow.purpose).where(
                    ChatMessageRow.chat_id == message.chat.id,
                    ChatMessageRow.message_id == message.message_id,
                )
            )
        return purpose == Purpose.FAQ_DRAFT.value


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as error:
        if not not_modified(error):
            raise
