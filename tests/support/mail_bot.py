"""The running bot with its SMTP intake and a relay sink: the ``mail_bot`` fixture and helpers
that mail tests share (registered for every test by ``pytest_plugins`` in tests/conftest.py).

A module may override ``mail_bot_settings`` to change the bot's settings (e.g. a larger
MAX_ATTACHMENT_MB).
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.sop import load_catalog
from bot.settings import Settings
from storage.database import create_engine, create_session_factory
from storage.models import InboundMailRow
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import BotUnderTest, bot_settings, free_port, running_bot, started_api
from tests.support.bot_api import BotApiStandIn
from tests.support.smtp_sink import Sink

HELPDESK = "helpdesk@lpse.oganilirkab.go.id"
REQUESTER = "budi@cvmaju.co.id"
COLLEAGUE = "rekan@cvmaju.co.id"


@dataclass
class MailBot:
    harness: BotUnderTest
    sink: Sink
    smtp_port: int

    def send(self, message: EmailMessage, sender: str | None = None) -> None:
        """Deliver ``message`` to the bot's SMTP server, as a mail server would."""
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as client:
            client.send_message(message, from_addr=sender, to_addrs=[HELPDESK])

    async def send_async(self, message: EmailMessage, sender: str | None = None) -> None:
        # In a thread: the bot's SMTP server runs on this test's event loop.
        await asyncio.to_thread(self.send, message, sender)

    @asynccontextmanager
    async def database(self) -> AsyncIterator[AsyncEngine]:
        """An engine on the bot's database, disposed on leaving."""
        engine = create_engine(self.harness.settings.database_url)
        try:
            yield engine
        finally:
            await engine.dispose()

    @asynccontextmanager
    async def harness_uow(self) -> AsyncIterator[SqlUnitOfWork]:
        """A unit of work on the bot's database, as the bot's own code uses one."""
        async with (
            self.database() as engine,
            SqlUnitOfWork(create_session_factory(engine), load_catalog()) as uow,
        ):
            yield uow

    async def settled(self, count: int) -> None:
        """Until ``count`` mails are stored and none is pending, then a second for the outbox
        to send what processing queued."""
        async with self.database() as engine:
            for _ in range(300):
                async with engine.connect() as connection:
                    statuses = [
                        s for (s,) in await connection.execute(select(InboundMailRow.status))
                    ]
                if len(statuses) >= count and "pending" not in statuses:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("mail not processed in time")
        await asyncio.sleep(1.0)


def mail(
    subject: str,
    body: str,
    *,
    sender: str = REQUESTER,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Budi Santoso <{sender}>"
    message["To"] = HELPDESK
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{abs(hash((subject, body, sender)))}@cvmaju.co.id>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


async def copied_colleague_reply(bot: MailBot) -> tuple[EmailMessage, EmailMessage]:
    """Budi's question, copying a colleague, opens ticket #1: its acknowledgement, and the
    colleague's reply to it (not sent yet)."""
    first = mail("Zzqx plorkh", "zzqx wvvq plorkh")
    first["Cc"] = COLLEAGUE
    await bot.send_async(first)
    ack = await bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    reply = mail(
        "Re: Zzqx plorkh [#1]",
        "saya rekannya, ini tambahan",
        sender=COLLEAGUE,
        in_reply_to=str(ack["Message-ID"]),
    )
    return ack, reply


def mail_settings(
    tmp_path: Path, api: BotApiStandIn, *, smtp_port: int, relay_port: int, **overrides: Any
) -> Settings:
    """Settings of a bot under test with its SMTP intake on ``smtp_port`` and the relay (no
    TLS) on ``relay_port``, both on loopback."""
    return bot_settings(
        tmp_path,
        api,
        helpdesk_email=HELPDESK,
        smtp_listen_port=smtp_port,
        smtp_relay_host="127.0.0.1",
        smtp_relay_port=relay_port,
        smtp_relay_starttls=False,
        **overrides,
    )


@pytest.fixture
def mail_bot_settings() -> dict[str, Any]:
    """Settings of the mail bot beyond the channels (a module may override this fixture)."""
    return {"max_attachment_mb": 12}


@pytest.fixture
async def mail_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mail_bot_settings: dict[str, Any]
) -> AsyncIterator[MailBot]:
    monkeypatch.chdir(tmp_path)
    sink = Sink()
    relay = Controller(sink, hostname="127.0.0.1", port=free_port())
    relay.start()
    api = await started_api()
    smtp_port = free_port()
    settings = mail_settings(
        tmp_path, api, smtp_port=smtp_port, relay_port=relay.port, **mail_bot_settings
    )
    try:
        async with running_bot(api, settings, tmp_path) as harness:
            yield MailBot(harness, sink, smtp_port)
    finally:
        relay.stop()
