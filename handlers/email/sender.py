"""Delivers queued mail through the relay (aiosmtplib), headers fixed when it was queued."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import aiosmtplib

from bot.core.outbound import DeliveryError, QueuedMessage
from bot.settings import Settings
from storage.attachments import AttachmentStore

log = logging.getLogger(__name__)

RELAY_TIMEOUT_SECONDS = 60


def build_message(
    message: QueuedMessage,
    sender_address: str,
    sender_name: str,
    attachments: list[tuple[bytes, str, str]],
) -> EmailMessage:
    """The RFC 5322 message for a queued mail (header values never carry CR/LF)."""
    payload = message.payload
    mail = EmailMessage()
    mail["From"] = formataddr((sender_name, sender_address))
    mail["To"] = message.destination
    mail["Subject"] = payload["subject"]
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = payload["message_id"]
    if payload.get("in_reply_to"):
        # RFC 5322 3.6.4: In-Reply-To names the parent, References the whole thread.
        mail["In-Reply-To"] = payload["in_reply_to"]
    if payload.get("references"):
        mail["References"] = " ".join(payload["references"])
    if payload.get("automatic"):
        # RFC 3834 5: mark automatic mail so that well-behaved responders do not answer it.
        mail["Auto-Submitted"] = "auto-replied"
        mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(payload["text"])
    for data, filename, content_type in attachments:
        maintype, _, subtype = content_type.partition("/")
        mail.add_attachment(
            data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=filename,
        )
    return mail


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
