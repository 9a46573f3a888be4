"""The relay used like a good citizen: 50 acknowledgements through a relay that, like Office
365, refuses a fourth concurrent connection with ``421 4.7.0``.

The whole bot runs in-process (``bot.app.run``): mail comes in over its SMTP intake from five
concurrent clients, and the acknowledgements go out through a real aiosmtpd relay stand-in
that counts connections. Before the pool, these 50 acknowledgements opened 21 connections at
once (one per mail).
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot import app
from handlers.email import sender
from tests.e2e.conftest import eventually, free_port, started_api
from tests.support.mail_bot import HELPDESK, mail_settings
from tests.support.smtp_sink import Relay, Sink

MAILS = 50
CLIENTS = 5
LIMIT = 3


@dataclass
class World:
    relay: Relay
    smtp_port: int

    async def mail_in(self, count: int) -> None:
        """``count`` questions from distinct providers, over ``CLIENTS`` SMTP connections."""

        def client(numbers: range) -> None:
            with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as connection:
                for number in numbers:
                    message = EmailMessage()
                    message["From"] = f"penyedia{number}@cv{number}.co.id"
                    message["To"] = HELPDESK
                    message["Subject"] = f"Jadwal zzqx paket {number}"
                    message["Message-ID"] = f"<q{number}@cv{number}.co.id>"
                    message.set_content(f"Zzqx wvvq plorkh paket {number}, mohon info.")
                    connection.send_message(message)

        await asyncio.gather(
            *(asyncio.to_thread(client, range(i, count, CLIENTS)) for i in range(CLIENTS))
        )


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sender, "IDLE_CLOSE_SECONDS", 1.0)
    relay = Relay(Sink(), free_port(), max_connections=LIMIT)
    relay.start()
    api = await started_api()
    smtp_port = free_port()
    settings = mail_settings(
        tmp_path,
        api,
        smtp_port=smtp_port,
        relay_port=relay.port,
        smtp_relay_max_connections=LIMIT,
        telegram_group_msgs_per_min=60,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(settings, stop))
    try:
        await eventually(lambda: bool(api.calls_of("getUpdates")) or task.done(), 20)
        if task.done():
            task.result()
        yield World(relay, smtp_port)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)
        await api.stop()
        relay.stop()


async def test_fifty_acknowledgements_use_at_most_three_connections(world: World) -> None:
    await world.mail_in(MAILS)
    sink, gate = world.relay.sink, world.relay.connections
    await eventually(lambda: len(sink.messages) >= MAILS, 60)

    acknowledged = sorted(str(message["To"]) for message in sink.messages)
    assert acknowledged == sorted(f"penyedia{n}@cv{n}.co.id" for n in range(MAILS))
    assert gate.refused == 0, "a fourth concurrent connection was attempted"
    assert gate.peak <= LIMIT
    # Several mails per connection: far fewer sessions than mails.
    assert gate.sessions <= MAILS // 5, gate

    # Idle connections are closed (here after a second) with QUIT, not left to the relay.
    await eventually(lambda: gate.open == 0, 10)
