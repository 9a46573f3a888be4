"""Delivers queued mail through the relay (aiosmtplib), headers fixed when it was queued."""

from __future__ import annotations

import logging
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


class EmailSender:
    """``ChannelSender`` for mail."""

    def __init__(self, settings: Settings, attachments: AttachmentStore, office: str) -> None:
        assert settings.smtp_relay_host is not None and settings.helpdesk_email is not None
        self._settings = settings
        self._attachments = attachments
        self._office = office

    async def send(self, message: QueuedMessage) -> str | None:
        files = [
            (await self._attachments.read(file["sha256"]), file["filename"], file["content_type"])
            for file in message.payload.get("attachments", [])
        ]
        settings = self._settings
        assert settings.helpdesk_email is not None
        mail = build_message(message, settings.helpdesk_email, f"Helpdesk {self._office}", files)
        password = settings.smtp_relay_password
        try:
            await aiosmtplib.send(
                mail,
                sender=settings.helpdesk_email,
                recipients=[message.destination],
                hostname=settings.smtp_relay_host,
                port=settings.smtp_relay_port,
                username=settings.smtp_relay_user or None,
                password=password.get_secret_value()
                if password and settings.smtp_relay_user
                else None,
                use_tls=settings.smtp_relay_tls,
                start_tls=settings.smtp_relay_starttls if not settings.smtp_relay_tls else False,
                timeout=RELAY_TIMEOUT_SECONDS,
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
