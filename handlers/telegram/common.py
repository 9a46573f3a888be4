"""Helpers shared by the requester and staff handlers: queueing replies, files, dedupe."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message
from telegram._utils.types import ODVInput
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot import texts
from bot.core.filetypes import sniff
from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.core.ports import UnitOfWork
from bot.core.tickets import AttachmentRef, Ticket
from bot.runtime import Runtime
from handlers.telegram.render import Keyboard, escape

#: The python-telegram-bot Application as this project uses it (default context types).
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

#: File downloads: read in chunks of this size; give up on a silent server after the timeout.
_DOWNLOAD_CHUNK = 64 * 1024
_DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=60)

#: Bot API methods called through :func:`raw_call`.
RAW_METHODS = ("getUpdates", "sendMessage")


def silence_raw_call_advice() -> None:
    """PTB asks callers of ``do_api_request`` to prefer its typed method where there is one;
    for :data:`RAW_METHODS` the raw JSON is what is wanted (see :func:`raw_call`)."""
    warnings.filterwarnings(
        "ignore",
        message=rf"Please use 'Bot\.({'|'.join(RAW_METHODS)})'",
        category=PTBUserWarning,
    )


async def raw_call(
    bot: Bot,
    method: str,
    arguments: dict[str, Any],
    *,
    read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
) -> Any:
    """A Bot API call whose answer stays JSON (PTB's ``do_api_request``, no ``return_type``).

    For the two calls made for every question: updates are stored exactly as Telegram sent
    them (PTB builds its objects once, when the update is handled), and of a sent message
    only its id is needed. Building PTB objects for these answers was a tenth of the bot's
    CPU time per question (``bench/telegram.py``). The request still goes through PTB: its
    rate limiter, error mapping (``RetryAfter``, ``BadRequest``, ...) and timeouts apply.
    """
    assert method in RAW_METHODS, method
    return await bot.do_api_request(method, api_kwargs=arguments, read_timeout=read_timeout)


def not_modified(error: BadRequest) -> bool:
    """Telegram refused an edit that would change nothing (a second press of the same
    button, a card already showing this): the wanted state is there, not an error."""
    return "message is not modified" in error.message.lower()


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked us to wait (seconds or a timedelta, by PTB version)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Message text without control characters (PostgreSQL refuses NUL), trimmed."""
    return _CONTROL.sub("", text).strip()


@dataclass(frozen=True)
class FileMeta:
    """A file as Telegram describes it, before download."""

    file_id: str
    filename: str
    content_type: str
    size: int


def file_of(message: Message) -> FileMeta | None:
    """The document or (largest) photo of a message."""
    if message.document is not None:
        document = message.document
        return FileMeta(
            document.file_id,
            document.file_name or f"dokumen_{document.file_unique_id}",
            document.mime_type or "application/octet-stream",
            document.file_size or 0,
        )
    if message.photo:
        photo = message.photo[-1]
        return FileMeta(
            photo.file_id, f"foto_{photo.file_unique_id}.jpg", "image/jpeg", photo.file_size or 0
        )
    return None


def text_message(
    chat_id: int,
    text_html: str,
    buttons: Keyboard | None = None,
    *,
    purpose: Purpose = Purpose.TO_REQUESTER,
    ticket_id: int | None = None,
    reply_to: str | None = None,
    reply_to_message_id: int | None = None,
) -> Outbound:
    """An outbox row for a Telegram text message (``text_html`` already escaped)."""
    payload: dict[str, Any] = {"text": text_html}
    if buttons:
        payload["buttons"] = buttons
    if reply_to:
        payload["reply_to"] = reply_to  # a purpose: the ticket's card in that chat
    if reply_to_message_id is not None:
        payload["reply_to_message_id"] = reply_to_message_id
    return Outbound(
        channel="telegram",
        destination=str(chat_id),
        kind=OutboundKind.TEXT,
        payload=payload,
        purpose=purpose,
        ticket_id=ticket_id,
    )


async def tell_group(runtime: Runtime, chat_id: int, text: str, reply_to_message_id: int) -> None:
    """A plain notice in a group, as a reply to the message it answers."""
    await say(
        runtime,
        text_message(
            chat_id,
            escape(text),
            purpose=Purpose.NOTICE,
            reply_to_message_id=reply_to_message_id,
        ),
    )


async def say(runtime: Runtime, *messages: Outbound) -> None:
    """Queue messages in their own transaction and wake the outbox."""
    async with runtime.unit_of_work() as uow:
        await uow.outbox.enqueue(list(messages), runtime.clock())
        await uow.commit()
    runtime.outbox_wake()


class AlreadyHandled(Exception):
    """The update was handled before (a redelivery after a crash): roll back, do nothing."""


@dataclass(frozen=True)
class UpdateClaim:
    """Marks an update handled in the same transaction as its main effect, so the effect
    happens exactly once even when the process dies half-way (usable as ``BeforeCommit``)."""

    update_id: int
    now: datetime

    async def __call__(self, uow: UnitOfWork, ticket: Ticket | None = None) -> None:
        if not await uow.processed_updates.claim(self.update_id, self.now):
            raise AlreadyHandled(self.update_id)


async def claim_update(runtime: Runtime, update_id: int) -> bool:
    """True the first time an update is handled (a re-delivered update is skipped)."""
    async with runtime.unit_of_work() as uow:
        first = await uow.processed_updates.claim(update_id, runtime.clock())
        await uow.commit()
    return first


class RefusedFile(Exception):
    """An upload that is too big or of a type we do not accept; ``reason`` is for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(Exception):
    """A download passed its cap and was stopped."""


async def download_capped(url: str, limit: int) -> bytes:
    """The file at ``url``, read in chunks and abandoned as soon as it passes ``limit`` bytes.

    The sizes in a message and in ``getFile`` are the sender's word; only the bytes that
    arrive count. Reading stops (and the connection is dropped) one chunk past the cap, so
    a file lying about its size never costs more than ``limit`` in memory or bandwidth.
    """
    async with (
        aiohttp.ClientSession(timeout=_DOWNLOAD_TIMEOUT, trust_env=True) as session,
        session.get(url) as response,
    ):
        if response.status != 200:
            raise NetworkError(f"file download failed: HTTP {response.status}")
        if response.content_length is not None and response.content_length > limit:
            raise TooLarge(response.content_length)
        data = bytearray()
        async for chunk in response.content.iter_chunked(_DOWNLOAD_CHUNK):
            data += chunk
            if len(data) > limit:
                raise TooLarge(len(data))
        return bytes(data)


async def fetch_and_store(
    runtime: Runtime, bot: Bot, meta: FileMeta, *, allow_rhs: bool = True
) -> AttachmentRef:
    """Download a Telegram file with a size cap, check its type by content, store it by hash."""
    limit = runtime.settings.max_attachment_bytes
    limit_mb = f"{runtime.settings.max_attachment_mb:g}"
    if meta.size > limit:
        raise RefusedFile(texts.FILE_TOO_LARGE.format(limit=limit_mb))
    telegram_file = await bot.get_file(meta.file_id)
    if (telegram_file.file_size or 0) > limit or not telegram_file.file_path:
        raise RefusedFile(texts.FILE_TOO_LARGE.format(limit=limit_mb))
    try:
        data = await download_capped(telegram_file.file_path, limit)
    except TooLarge:
        raise RefusedFile(texts.FILE_TOO_LARGE.format(limit=limit_mb)) from None
    except (aiohttp.ClientError, TimeoutError) as error:  # retried with the update
        raise NetworkError(f"file download failed: {error!r}") from error
    content_type = sniff(data, meta.filename if allow_rhs else "")
    if content_type is None:
        raise RefusedFile(texts.FILE_TYPE_REFUSED)
    return await runtime.attachments.put(data, meta.filename, content_type)


async def show_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Swap a message's buttons (a second press of the same button changes nothing)."""
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:
        if not not_modified(error):
            raise
