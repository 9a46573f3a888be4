"""Delivers queued Telegram messages through PTB's bot (with its rate limiter)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core.outbound import DeliveryError, OutboundKind, Purpose, QueuedMessage
from handlers.telegram.common import not_modified, raw_call, retry_seconds
from handlers.telegram.render import split_html
from storage.attachments import AttachmentStore
from storage.chat_state import SqlChatMessages
from storage.outbox import SqlOutbox

log = logging.getLogger(__name__)

#: Requests to the Bot API in flight at once. Every outbox lane sending at the same time
#: would keep that many HTTP connections open; a few at a time keep the pool small and
#: still cover Telegram's 30 messages/s at its usual latency.
CONCURRENT_SENDS = 8

#: Purpose under which a ticket's forum topic (its thread id) is recorded.
TOPIC = "topic"

_PERMANENT_BAD_REQUESTS = (
    "chat not found",
    "user not found",
    "bot was blocked",
    "have no rights",
    "not enough rights",
    "can't parse entities",
    "message is too long",
    "button_data_invalid",
    "wrong file identifier",
    "file is too big",
)


def keyboard(rows: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    """Inline keyboard from the payload's ``buttons``."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row] for row in rows]
    )


class TelegramSender:
    """``ChannelSender`` for Telegram: text, edits (cards) and documents."""

    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        attachments: AttachmentStore,
    ) -> None:
        self._bot = bot
        self._sessions = session_factory
        self._attachments = attachments
        self._is_forum: dict[int, bool] = {}
        self._slots = asyncio.Semaphore(CONCURRENT_SENDS)

    async def send(self, message: QueuedMessage) -> str | None:
        try:
            async with self._slots:
                return await self._deliver(message)
        except RetryAfter as error:
            raise DeliveryError(str(error), retry_after=retry_seconds(error)) from error
        except Forbidden as error:
            raise DeliveryError(str(error), permanent=True) from error
        except BadRequest as error:
            if not_modified(error):
                return None  # the card already shows this: done
            lowered = error.message.lower()
            permanent = any(reason in lowered for reason in _PERMANENT_BAD_REQUESTS)
            raise DeliveryError(str(error), permanent=permanent) from error
        except (NetworkError, TelegramError) as error:  # timeouts, 5xx, dropped connections
            raise DeliveryError(str(error)) from error

    async def _deliver(self, message: QueuedMessage) -> str | None:
        chat_id = int(message.destination)
        payload = message.payload
        if message.kind is OutboundKind.EDIT:
            target = await self._message_of(message, payload["target"])
            if target is None:
                if await self._post_pending(message):  # it still comes: edit it then
                    raise DeliveryError("the message to edit is not sent yet")
                # The card was never delivered (given up): post it instead.
                return await self._send_text(
                    chat_id, payload, None, await self._topic(message, chat_id)
                )
            await self._bot.edit_message_text(
                chat_id=chat_id,
                message_id=target,
                text=payload["text"],
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(payload.get("buttons")),
            )
            return None
        reply_to: int | None = payload.get("reply_to_message_id")
        if "reply_to" in payload:
            reply_to = await self._message_of(message, payload["reply_to"])
        thread = await self._topic(message, chat_id)
        if message.kind is OutboundKind.TEXT:
            return await self._send_text(chat_id, payload, reply_to, thread)
        if message.kind in (OutboundKind.DOCUMENT, OutboundKind.PHOTO):
            file = InputFile(
                await self._attachments.read(payload["sha256"]), filename=payload["filename"]
            )
            common: dict[str, Any] = {
                "chat_id": chat_id,
                "caption": payload.get("caption"),
                "parse_mode": ParseMode.HTML,
                "reply_parameters": _reply(reply_to),
                "message_thread_id": thread,
            }
            if message.kind is OutboundKind.PHOTO:
                sent = await self._bot.send_photo(photo=file, **common)
            else:
                sent = await self._bot.send_document(document=file, **common)
            return str(sent.message_id)
        raise DeliveryError(f"cannot send {message.kind} on Telegram", permanent=True)

    async def _send_text(
        self,
        chat_id: int,
        payload: dict[str, Any],
        reply_to: int | None,
        thread: int | None = None,
    ) -> str:
        # One message: a longer text is queued as parts (render.split_long_texts). Only a row
        # queued by an older version can still be too long; it is split here, as then.
        parts = split_html(payload["text"]) or [payload["text"]]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await raw_call(
                self._bot,
                "sendMessage",
                {
                    "chat_id": chat_id,
                    "text": part,
                    "parse_mode": ParseMode.HTML,
                    "reply_markup": keyboard(payload.get("buttons")) if last else None,
                    "reply_parameters": _reply(reply_to),
                    "message_thread_id": thread,
                },
            )
        return str(sent["message_id"])

    async def _topic(self, message: QueuedMessage, chat_id: int) -> int | None:
        """The ticket's forum topic in a group that has topics, created with its card."""
        if chat_id > 0 or message.ticket_id is None or not await self._forum(chat_id):
            return None
        existing = await self._message_of(message, TOPIC)
        if existing is not None or message.purpose is not Purpose.CARD:
            return existing
        title = f"Tiket #{message.ticket_id}"
        try:
            topic = await self._bot.create_forum_topic(chat_id, title)
        except BadRequest as error:  # no right to manage topics: post in the main thread
            log.warning("cannot create a topic for #%d: %s", message.ticket_id, error.message)
            return None
        async with self._sessions() as session, session.begin():
            # Messages in the topic reply to its first message, whose id is the thread id,
            # so recording it makes every message in the topic find the ticket.
            await SqlChatMessages(session).record(
                chat_id, topic.message_thread_id, message.ticket_id, TOPIC, message.created_at
            )
        return topic.message_thread_id

    async def _forum(self, chat_id: int) -> bool:
        if chat_id not in self._is_forum:
            chat = await self._bot.get_chat(chat_id)
            self._is_forum[chat_id] = bool(chat.is_forum)
        return self._is_forum[chat_id]

    async def _post_pending(self, message: QueuedMessage) -> bool:
        """An earlier post of the message an edit targets still waits in the outbox."""
        if message.ticket_id is None:
            return False
        async with self._sessions() as session:
            return await SqlOutbox(session).post_pending(
                message.id,
                message.channel,
                message.destination,
                message.ticket_id,
                message.payload["target"],
            )

    async def _message_of(self, message: QueuedMessage, purpose: str) -> int | None:
        """The latest message of ``purpose`` (e.g. the card) about this ticket in this chat."""
        if message.ticket_id is None:
            return None
        async with self._sessions() as session:
            return await SqlChatMessages(session).latest(
                message.ticket_id, int(message.destination), purpose
            )


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)
