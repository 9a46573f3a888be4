"""IMAP intake against a real Dovecot (Debian's dovecot-imapd, started by a fixture).

The whole bot runs in-process (``bot.app.run``) with no SMTP listener (SMTP_LISTEN_PORT=0):
an office whose mail stays at its mail host. Mail is put into the mailbox with IMAP APPEND,
acknowledgements go out through an aiosmtpd relay sink, tickets are read from the database.

Skipped when Dovecot is not installed, unless LPSE_REQUIRE_DOVECOT=1 (CI sets it).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ClassVar

import aioimaplib
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import app
from bot.settings import Settings
from handlers.email import imap
from handlers.email.imap import FetchedMail, ImapIntake
from storage.database import create_engine
from storage.models import InboundMailRow, MessageRow, TicketRow
from tests.e2e.conftest import ROSTER, eventually, free_port
from tests.support.dovecot import PASSWORD, DovecotServer, dovecot_server, find_dovecot
from tests.support.mail_bot import HELPDESK, REQUESTER, mail
from tests.support.smtp_sink import Relay, Sink


@pytest.fixture
def dovecot_factory() -> Callable[..., AbstractContextManager[DovecotServer]]:
    if find_dovecot() is None:
        if os.environ.get("LPSE_REQUIRE_DOVECOT") == "1":
            pytest.fail("dovecot not found and LPSE_REQUIRE_DOVECOT=1")
        pytest.skip("Dovecot is not installed (set LPSE_REQUIRE_DOVECOT=1 to fail instead)")
    return dovecot_server


@pytest.fixture
def dovecot(
    dovecot_factory: Callable[..., AbstractContextManager[DovecotServer]],
) -> Iterator[DovecotServer]:
    with dovecot_factory() as server:
        yield server


def message(
    subject: str,
    body: str,
    *,
    sender: str = REQUESTER,
    message_id: str,
    in_reply_to: str | None = None,
    return_path: str | None = None,
    **headers: str,
) -> bytes:
    """A mail as the mail host stores it: with the Return-Path and Delivered-To of delivery."""
    envelope = sender if return_path is None else return_path
    delivery = f"Return-Path: <{envelope}>\nDelivered-To: {HELPDESK}\n".encode()
    written = mail(
        subject, body, sender=sender, message_id=message_id, in_reply_to=in_reply_to, **headers
    )
    return delivery + written.as_bytes()


@dataclass
class ImapBot:
    server: DovecotServer
    sink: Sink
    engine: AsyncEngine

    async def deliver(self, *messages: bytes) -> None:
        await asyncio.to_thread(self.server.deliver, HELPDESK, list(messages))

    async def unseen(self) -> list[int]:
        return await asyncio.to_thread(self.server.unseen, HELPDESK)

    async def count(self, query: Any) -> int:
        async with self.engine.connect() as connection:
            return int(await connection.scalar(query) or 0)

    async def migrated(self, task: asyncio.Task[None]) -> None:
        """Until the starting bot has created its tables."""
        for _ in range(200):
            if task.done():
                task.result()
            try:
                await self.count(select(func.count()).select_from(InboundMailRow))
                return
            except OperationalError:
                await asyncio.sleep(0.1)
        raise AssertionError("the bot did not start")

    async def settled(self, mails: int, timeout: float = 20) -> None:
        """Until ``mails`` mails are stored and processed, and none is left unseen."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            stored = await self.count(select(func.count()).select_from(InboundMailRow))
            pending = await self.count(
                select(func.count())
                .select_from(InboundMailRow)
                .where(InboundMailRow.status == "pending")
            )
            if stored >= mails and not pending and not await self.unseen():
                return
            if loop.time() > deadline:
                raise AssertionError(f"{stored} stored, {pending} pending of {mails}")
            await asyncio.sleep(0.1)


def imap_settings(
    tmp_path: Path, server: DovecotServer, relay: Relay, **overrides: Any
) -> Settings:
    staff_file = tmp_path / "staff.yaml"
    staff_file.write_text(ROSTER, encoding="utf-8")
    values: dict[str, Any] = {
        "staff_file": staff_file,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}",
        "attachments_dir": tmp_path / "attachments",
        "office_hours": "24/7",
        "helpdesk_email": HELPDESK,
        "smtp_listen_port": 0,  # IMAP only
        "smtp_relay_host": "127.0.0.1",
        "smtp_relay_port": relay.port,
        "smtp_relay_starttls": False,
        "imap_host": "127.0.0.1",
        "imap_port": server.port,
        "imap_user": HELPDESK,
        "imap_password": PASSWORD,
        "imap_tls": False,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def relay() -> Iterator[Relay]:
    relay = Relay(Sink(), free_port())
    relay.start()
    yield relay
    relay.stop()


async def running_bot(
    tmp_path: Path, server: DovecotServer, relay: Relay, **overrides: Any
) -> AsyncIterator[ImapBot]:
    settings = imap_settings(tmp_path, server, relay, **overrides)
    engine = create_engine(settings.database_url)
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(settings, stop))
    try:
        running = ImapBot(server, relay.sink, engine)
        await running.migrated(task)
        yield running
        assert not task.done(), task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)
        await engine.dispose()


@pytest.fixture
async def bot(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dovecot: DovecotServer,
    relay: Relay,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[ImapBot]:
    caplog.set_level(logging.INFO)
    monkeypatch.chdir(tmp_path)
    async for running in running_bot(tmp_path, dovecot, relay):
        yield running


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """What the bot logged, from its start in a fixture on."""
    records = caplog.get_records("setup") + caplog.get_records("call")
    return "\n".join(record.getMessage() for record in records)


async def test_an_office_with_imap_only(
    bot: ImapBot, dovecot: DovecotServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Waiting before the bot started, and already read by someone (not fetched: not new).
    await bot.deliver(message("Jadwal zzqx", "Zzqx wvvq plorkh jadwal?", message_id="<q1@cv>"))
    await asyncio.to_thread(
        dovecot.deliver,
        HELPDESK,
        [message("Sudah dibaca", "zzqx lama", message_id="<old@cv>")],
        seen=True,
    )
    ack = await bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]), timeout=20)
    assert ack["In-Reply-To"] == "<q1@cv>"
    log = logged(caplog)
    assert "email intake: off (SMTP_LISTEN_PORT is 0)" in log
    assert "imap intake: on" in log
    assert "(IDLE)" in log

    # Arriving while the bot waits in IDLE: a follow-up in the thread, an out-of-office
    # answer and a bounce (null Return-Path), which the loop rules never answer.
    await bot.deliver(
        message(
            "Re: Jadwal zzqx [#1]",
            "Tambahan: kode tender 10234567",
            message_id="<q2@cv>",
            in_reply_to=str(ack["Message-ID"]),
        ),
        message(
            "Automatic reply: cuti",
            "Saya sedang cuti.",
            sender="sari@ptkarya.co.id",
            message_id="<ooo@pt>",
            Auto_Submitted="auto-replied",
        ),
        message(
            "Undelivered Mail Returned to Sender",
            "delivery failed",
            sender="mailer-daemon@cvmaju.co.id",
            return_path="",
            message_id="<bounce@cv>",
        ),
    )
    await bot.settled(4)
    assert await bot.count(select(func.count()).select_from(TicketRow)) == 1
    async with bot.engine.connect() as connection:
        texts = list(
            await connection.scalars(
                select(MessageRow.text).where(
                    MessageRow.ticket_id == 1, MessageRow.direction == "in"
                )
            )
        )
        statuses = dict(
            (await connection.execute(select(InboundMailRow.message_id, InboundMailRow.status)))
            .tuples()
            .all()
        )
    assert any("10234567" in text for text in texts), texts
    assert statuses == {
        "<q1@cv>": "processed",
        "<q2@cv>": "processed",
        "<ooo@pt>": "ignored",
        "<bounce@cv>": "ignored",
    }
    await asyncio.sleep(0.5)
    assert [str(m["To"]) for m in bot.sink.messages] == [REQUESTER]


async def test_a_server_without_idle_is_polled(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dovecot_factory: Callable[..., AbstractContextManager[DovecotServer]],
    relay: Relay,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(imap, "POLL_SECONDS", 0.2)
    with dovecot_factory(idle=False) as server:
        async for bot in running_bot(tmp_path, server, relay):
            await eventually(lambda: "polling every" in caplog.text, 10)
            await bot.deliver(message("Zzqx poll", "zzqx wvvq", message_id="<p1@cv>"))
            await bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]), timeout=10)
            await bot.settled(1)


async def test_a_mail_over_the_size_limit_still_makes_a_ticket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dovecot: DovecotServer, relay: Relay
) -> None:
    monkeypatch.chdir(tmp_path)
    large = EmailMessage()
    large["Return-Path"] = f"<{REQUESTER}>"
    large["From"] = REQUESTER
    large["To"] = HELPDESK
    large["Subject"] = "Dokumen penawaran zzqx"
    large["Message-ID"] = "<large@cv>"
    large.set_content("Terlampir dokumen penawaran.")
    large.add_attachment(
        b"%PDF-1.4\n" + os.urandom(1_500_000), maintype="application", subtype="pdf"
    )
    await asyncio.to_thread(dovecot.deliver, HELPDESK, [large.as_bytes()])
    # 0.5 MB of attachments: the limit (with MIME overhead, as for SMTP) is 1.75 MB.
    async for bot in running_bot(tmp_path, dovecot, relay, max_attachment_mb=0.5):
        ack = await bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]), timeout=20)
        assert ack["In-Reply-To"] == "<large@cv>"
        await bot.settled(1)
        async with bot.engine.connect() as connection:
            [text] = await connection.scalars(select(MessageRow.text))
            subject = await connection.scalar(select(TicketRow.subject))
        assert "berukuran 2.0 MB" in text and "batas lampiran 0.5 MB" in text, text
        assert "Dokumen penawaran zzqx" in str(subject)


async def test_imap_over_tls(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dovecot_factory: Callable[..., AbstractContextManager[DovecotServer]],
    relay: Relay,
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed for a self-signed certificate")
    monkeypatch.chdir(tmp_path)
    with dovecot_factory(tls=True) as server:
        # The mail host's certificate is trusted the way an operator would (SSL_CERT_FILE).
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
        await asyncio.to_thread(
            server.deliver, HELPDESK, [message("Zzqx tls", "zzqx wvvq", message_id="<t1@cv>")]
        )
        async for bot in running_bot(tmp_path, server, relay, imap_tls=True):
            await bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]), timeout=20)
            await bot.settled(1)


class RestartingIntake(ImapIntake):
    """The real intake; the test's mail host restarts at the two worst moments."""

    server: ClassVar[DovecotServer]
    engine: ClassVar[AsyncEngine]
    instances: ClassVar[list[RestartingIntake]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fetches = 0
        self.marks = 0
        self.cut_during_fetch = False
        self.unseen_before_mark: list[int] = []
        self.instances.append(self)

    async def fetch_batch(self, client: aioimaplib.IMAP4, uids: list[int]) -> list[FetchedMail]:
        self.fetches += 1
        if self.fetches != 1:
            return await super().fetch_batch(client, uids)
        # The first FETCH (20 mails, 16 MB) is on its way when the server goes down: the bot
        # reads nothing for a moment (with a small receive buffer), so only what the sockets
        # hold has arrived when the restart cuts the connection.
        transport = client.protocol.transport
        transport.get_extra_info("socket").setsockopt(
            socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024
        )
        transport.pause_reading()
        fetching = asyncio.ensure_future(super().fetch_batch(client, uids))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(self.server.restart)
        transport.resume_reading()
        try:
            return await fetching
        except imap.ImapError:
            self.cut_during_fetch = True
            raise

    async def mark_seen(self, client: aioimaplib.IMAP4, uids: list[int]) -> None:
        self.marks += 1
        if self.marks == 1:
            # Stored (committed) but not yet marked seen: the server restarts now.
            self.unseen_before_mark = await asyncio.to_thread(self.server.unseen, HELPDESK)
            await asyncio.to_thread(self.server.restart)
        await super().mark_seen(client, uids)


MANY = 30


async def test_server_restarting_mid_fetch_loses_nothing_and_doubles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dovecot: DovecotServer, relay: Relay
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(imap, "RECONNECT_FIRST_SECONDS", 0.1)
    monkeypatch.setattr(app, "ImapIntake", RestartingIntake)
    RestartingIntake.server = dovecot
    RestartingIntake.instances = []
    scan = b"%PDF-1.4\n" + os.urandom(600 * 1024)  # a scanned letter: 800 KB in base64
    mails = []
    for n in range(MANY):
        letter = EmailMessage()
        letter["Return-Path"] = f"<penyedia{n}@cv{n}.co.id>"
        letter["From"] = f"penyedia{n}@cv{n}.co.id"
        letter["To"] = HELPDESK
        letter["Subject"] = f"Surat permohonan zzqx {n}"
        letter["Message-ID"] = f"<m{n}@cv{n}>"
        letter.set_content(f"Zzqx wvvq plorkh, surat nomor {n} terlampir.")
        letter.add_attachment(scan, maintype="application", subtype="pdf", filename=f"surat{n}.pdf")
        mails.append(letter.as_bytes())
    await asyncio.to_thread(dovecot.deliver, HELPDESK, mails)
    async for bot in running_bot(tmp_path, dovecot, relay):
        await bot.settled(MANY, timeout=40)
        await bot.sink.wait_for(lambda _: len(relay.sink.messages) >= MANY, 20)
        [intake] = RestartingIntake.instances

        print(
            "STATS",
            intake.fetches,
            intake.marks,
            intake.copies,
            intake.stored,
            intake.connections,
            intake.cut_during_fetch,
            len(intake.unseen_before_mark),
        )
        # The first FETCH was cut off by the restart; the batch stored before the second
        # restart was still unseen then, so it was fetched again and known as copies.
        assert intake.cut_during_fetch
        assert len(intake.unseen_before_mark) == MANY
        assert intake.copies == imap.FETCH_BATCH
        assert intake.connections == 3

        # Nothing lost, nothing twice: one stored mail, one ticket, one acknowledgement each.
        async with bot.engine.connect() as connection:
            stored = list(await connection.scalars(select(InboundMailRow.message_id)))
            tickets = await connection.scalar(select(func.count()).select_from(TicketRow))
        assert sorted(stored) == sorted(f"<m{n}@cv{n}>" for n in range(MANY))
        assert tickets == MANY
        await asyncio.sleep(0.5)
        acknowledged = sorted(str(m["To"]) for m in bot.sink.messages)
        assert acknowledged == sorted(f"penyedia{n}@cv{n}.co.id" for n in range(MANY))
