"""Delivers queued mail through the relay (aiosmtplib), headers fixed when it was queued.

The relay is used like a good citizen: at most ``SMTP_RELAY_MAX_CONNECTIONS`` connections at
once (hosted mail services limit them: Office 365 allows 3 per mailbox), several mails per
connection with RSET between them, and a connection idle for ``IDLE_CLOSE_SECONDS`` is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from email import encoders
from email.charset import QP, Charset
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

import aiosmtplib

from bot.core.outbound import DeliveryError, QueuedMessage
from bot.settings import Settings
from storage.attachments import AttachmentStore

log = logging.getLogger(__name__)

RELAY_TIMEOUT_SECONDS = 60
#: A pooled connection unused this long is closed (relays drop idle sessions after minutes).
IDLE_CLOSE_SECONDS = 30.0
#: Replies after which the connection is not reused: the relay is closing it (RFC 5321 3.8).
_CLOSING_CODES = frozenset({421})
#: RFC 5322 2.1.1: at most 998 characters a line.
MAX_7BIT_LINE = 998
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def build_message(
    message: QueuedMessage,
    sender_address: str,
    sender_name: str,
    attachments: list[tuple[bytes, str, str]],
) -> Message:
    """The RFC 5322 message for a queued mail.

    Built on the compat32 ``email.mime`` classes: the structured headers of
    ``policy.default`` cost more than the rest of sending an acknowledgement, and every value
    here is ours, checked for CR/LF (header injection) by ``_header``.
    """
    payload = message.payload
    text: str = payload["text"]
    body = _text_part(text)
    mail = body
    if attachments:
        mail = MIMEMultipart()
        mail.attach(body)
        for data, filename, content_type in attachments:
            maintype, _, subtype = content_type.partition("/")
            part = MIMEBase(maintype or "application", subtype or "octet-stream")
            part.set_payload(data)
            encoders.encode_base64(part)
            # RFC 2231 for names outside ASCII.
            name = filename if filename.isascii() else ("utf-8", "", filename)
            part.add_header("Content-Disposition", "attachment", filename=name)
            mail.attach(part)
    mail["From"] = _header(formataddr((sender_name, sender_address), charset="utf-8"))
    mail["To"] = _header(message.destination)
    mail["Subject"] = _header(payload["subject"])
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = _header(payload["message_id"])
    if payload.get("in_reply_to"):
        # RFC 5322 3.6.4: In-Reply-To names the parent, References the whole thread.
        mail["In-Reply-To"] = _header(payload["in_reply_to"])
    if payload.get("references"):
        mail["References"] = _header(" ".join(payload["references"]))
    if payload.get("automatic"):
        # RFC 3834 5: mark automatic mail so that well-behaved responders do not answer it.
        mail["Auto-Submitted"] = "auto-replied"
        mail["X-Auto-Response-Suppress"] = "All"
    return mail


def _header(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("header values may not contain CR or LF")
    return value


def _text_part(text: str) -> Message:
    """ASCII with short lines as it is (7bit), anything else quoted-printable UTF-8."""
    if not text.endswith("\n"):
        text += "\n"
    if text.isascii() and all(len(line) <= MAX_7BIT_LINE for line in text.splitlines()):
        return MIMEText(text, "plain", "us-ascii")
    part = MIMENonMultipart("text", "plain")
    part.set_payload(text, _UTF8_QP)
    return part


class RelayPool:
    """At most ``limit`` connections to the relay; an idle one is reused before a new one
    opens, after an RSET (RFC 5321 4.1.1.5) that also tells whether the relay still holds it.

    Counters (for the benchmark and the logs): ``opened`` connections, ``mails`` sent over
    them, and ``peak`` connections open at once.
    """

    def __init__(
        self, settings: Settings, limit: int, idle_close_seconds: float | None = None
    ) -> None:
        self._settings = settings
        self._slots = asyncio.Semaphore(limit)
        self._idle_close_seconds = (
            IDLE_CLOSE_SECONDS if idle_close_seconds is None else idle_close_seconds
        )
        #: Idle connections, the most recently used last, each with its closing timer.
        self._idle: list[tuple[aiosmtplib.SMTP, asyncio.TimerHandle]] = []
        self._closing: set[asyncio.Task[None]] = set()
        self._open = 0
        self.opened = 0
        self.mails = 0
        self.peak = 0

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[aiosmtplib.SMTP]:
        """A connected client for one mail; it goes back to the pool unless the block
        raised something that leaves the session in doubt."""
        async with self._slots:
            client = await self._take()
            try:
                yield client
            except aiosmtplib.SMTPRecipientsRefused:
                self._put_back(client)  # refused addresses leave the session usable
                raise
            except aiosmtplib.SMTPResponseException as error:
                # The relay answered: the session is fine (the next RSET resets the
                # envelope) unless it said it is closing it.
                if error.code in _CLOSING_CODES or not client.is_connected:
                    await self._discard(client)
                else:
                    self._put_back(client)
                raise
            except Exception:
                await self._discard(client)
                raise
            except BaseException:  # cancelled: no time for a polite QUIT
                self._open -= 1
                client.close()
                raise
            self.mails += 1
            self._put_back(client)

    async def close(self) -> None:
        """QUIT every idle connection (on shutdown)."""
        idle, self._idle = self._idle, []
        for client, timer in idle:
            timer.cancel()
            await self._discard(client)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    async def _take(self) -> aiosmtplib.SMTP:
        while self._idle:
            client, timer = self._idle.pop()
            timer.cancel()
            try:
                await client.rset()
                return client
            except (aiosmtplib.SMTPException, OSError):  # the relay dropped it meanwhile
                await self._discard(client)
        return await self._connect()

    async def _connect(self) -> aiosmtplib.SMTP:
        settings = self._settings
        password = settings.smtp_relay_password
        authenticate = bool(settings.smtp_relay_user)
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_relay_host,
            port=settings.smtp_relay_port,
            username=settings.smtp_relay_user if authenticate else None,
            password=password.get_secret_value() if password and authenticate else None,
            use_tls=settings.smtp_relay_tls,
            start_tls=settings.smtp_relay_starttls if not settings.smtp_relay_tls else False,
            timeout=RELAY_TIMEOUT_SECONDS,
        )
        await client.connect()  # with STARTTLS and AUTH when configured
        self.opened += 1
        self._open += 1
        self.peak = max(self.peak, self._open)
        return client

    def _put_back(self, client: aiosmtplib.SMTP) -> None:
        timer = asyncio.get_running_loop().call_later(
            self._idle_close_seconds, self._close_idle, client
        )
        self._idle.append((client, timer))

    def _close_idle(self, client: aiosmtplib.SMTP) -> None:
        for position, (idle, _) in enumerate(self._idle):
            if idle is client:
                del self._idle[position]
                task = asyncio.create_task(self._close_quietly(client))
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)
                return

    async def _close_quietly(self, client: aiosmtplib.SMTP) -> None:
        # Holding a slot: the relay must not see this one still open beside ``limit`` others.
        async with self._slots:
            await self._discard(client)

    async def _discard(self, client: aiosmtplib.SMTP) -> None:
        self._open -= 1
        if client.is_connected:
            try:
                await asyncio.wait_for(client.quit(), timeout=5)
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


class EmailSender:
    """``ChannelSender`` for mail."""

    def __init__(self, settings: Settings, attachments: AttachmentStore, office: str) -> None:
        assert settings.smtp_relay_host is not None and settings.helpdesk_email is not None
        self._settings = settings
        self._attachments = attachments
        self._office = office
        self.pool = RelayPool(settings, settings.smtp_relay_max_connections)

    async def close(self) -> None:
        """Close the relay connections (on shutdown)."""
        await self.pool.close()

    async def send(self, message: QueuedMessage) -> str | None:
        files = [
            (await self._attachments.read(file["sha256"]), file["filename"], file["content_type"])
            for file in message.payload.get("attachments", [])
        ]
        settings = self._settings
        assert settings.helpdesk_email is not None
        mail = build_message(message, settings.helpdesk_email, f"Helpdesk {self._office}", files)
        try:
            async with self.pool.connection() as client:
                await client.send_message(
                    mail, sender=settings.helpdesk_email, recipients=[message.destination]
                )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(str(error), permanent=_permanent(error.recipients)) from error
        except aiosmtplib.SMTPResponseException as error:
            # RFC 5321 4.2.1: 5yz will not get better by retrying; 4yz will.
            raise DeliveryError(
                f"{error.code} {error.message}", permanent=500 <= error.code < 600
            ) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise DeliveryError(str(error)) from error
        return str(mail["Message-ID"])


def _permanent(refusals: list[aiosmtplib.SMTPRecipientRefused]) -> bool:
    return all(500 <= refusal.code < 600 for refusal in refusals)
