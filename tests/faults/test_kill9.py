"""kill -9 in the middle of a burst: nothing lost, nothing handled twice.

The real ``lpse-helpdesk run`` process talks to the Bot API stand-in and an SMTP relay sink
in this test process. While 500 Telegram questions and 200 e-mails arrive, the process is
killed with SIGKILL and started again. Afterwards every question is exactly one ticket
message, every accepted mail was processed once, and every queued reply was sent (a
duplicate only where a send was in flight at the kill).
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from bot import services
from bot.core.sop import load_catalog
from bot.core.tickets import Channel, Requester
from bot.services import OpenTicket
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import InboundMailRow, MessageRow, OutboxRow
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import ROSTER, STAFF_CHAT, free_port, started_api
from tests.support.bot_api import BotApiStandIn
from tests.support.db_state import count
from tests.support.db_state import wait_until as poll_until
from tests.support.smtp_sink import Sink

SCRIPT = str(Path(sys.executable).parent / "lpse-helpdesk")
HELPDESK = "helpdesk@lpse.oganilirkab.go.id"
USERS = 50
QUESTIONS = 500
MAILS = 200


class BotProcess:
    """``lpse-helpdesk run`` in a child process."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.process: subprocess.Popen[bytes] | None = None
        self.log = cwd / "bot.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [SCRIPT, "run"], cwd=self.cwd, env=self.env, stdout=log, stderr=log
            )

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def question(user: int, number: int) -> str:
    return f"pertanyaan nomor {number} dari pengguna {user} zzqx"


def mail(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"penyedia{number}@contoh.co.id"
    message["To"] = HELPDESK
    message["Subject"] = f"Zzqx nomor {number}"
    message["Message-ID"] = f"<burst-{number}@contoh.co.id>"
    message.set_content(f"isi surat nomor {number} zzqx wvvq")
    return message


def send_mails(port: int, numbers: list[int]) -> list[int]:
    """Deliver like an MTA: what did not get 250 is returned for a later retry."""
    failed = []
    for number in numbers:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.send_message(mail(number))
        except (OSError, smtplib.SMTPException):
            failed.append(number)
    return failed


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    api = await started_api()
    sink = Sink()
    relay = Controller(sink, hostname="127.0.0.1", port=free_port())
    relay.start()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}"
    (tmp_path / "staff.yaml").write_text(ROSTER, encoding="utf-8")
    smtp_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMTP_"))},
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_FILE_BASE_URL": api.file_base_url,
        "TELEGRAM_STAFF_CHAT_ID": str(STAFF_CHAT),
        "DATABASE_URL": database_url,
        "HELPDESK_EMAIL": HELPDESK,
        "SMTP_LISTEN_PORT": str(smtp_port),
        "SMTP_RELAY_HOST": "127.0.0.1",
        "SMTP_RELAY_PORT": str(relay.port),
        "SMTP_RELAY_STARTTLS": "false",
        "OFFICE_HOURS": "24/7",
        "STAFF_FILE": str(tmp_path / "staff.yaml"),
        "TELEGRAM_GROUP_MSGS_PER_MIN": "60",
    }
    # Every Telegram user already has an open ticket, so each question is a ticket message.
    engine = create_engine(database_url)
    await upgrade(engine)
    uow = SqlUnitOfWork(create_session_factory(engine), load_catalog())
    users = [api.user(70000 + index, f"User{index}") for index in range(USERS)]
    for user in users:
        api.send_text(user, user.id, "/start")  # the bot may write to them
        await services.open_ticket(
            uow,
            load_catalog(),
            OpenTicket(Requester(Channel.TELEGRAM, telegram_id=user.id), "tiket awal"),
            datetime.now(UTC),
        )
    bot = BotProcess(env, tmp_path)
    try:
        yield {
            "api": api,
            "sink": sink,
            "engine": engine,
            "bot": bot,
            "users": users,
            "smtp_port": smtp_port,
        }
    finally:
        bot.stop()
        await engine.dispose()
        await api.stop()
        relay.stop()


async def wait_until(condition: Any, timeout: float, what: str) -> None:
    await poll_until(condition, timeout, what, _ENGINE[0] if _ENGINE else None)


async def test_kill9_mid_burst_loses_nothing_and_handles_each_once(
    world: dict[str, Any],
) -> None:
    api: BotApiStandIn = world["api"]
    engine = world["engine"]
    bot: BotProcess = world["bot"]
    _ENGINE[:] = [engine]
    bot.start()
    await wait_until(lambda: _polled(api), 30, "the bot to poll")

    texts = []
    for number in range(QUESTIONS):
        user = world["users"][number % USERS]
        text = question(user.id, number)
        texts.append(text)
        api.send_text(user, user.id, text)
    pending_mails = list(range(MAILS))
    mail_task = asyncio.create_task(
        asyncio.to_thread(send_mails, world["smtp_port"], pending_mails[:120])
    )

    async def some_handled() -> bool:
        return await count(engine, MessageRow, MessageRow.text.like("pertanyaan nomor %")) > 60

    await wait_until(some_handled, 60, "the burst to be under way")
    bot.kill9()
    failed = await mail_task
    restarted = asyncio.get_running_loop().time()
    bot.start()
    await wait_until(lambda: _listening(world["smtp_port"]), 10, "SMTP after the restart")
    # DESIGN: after a crash the bot answers SMTP again within 10 s.
    assert asyncio.get_running_loop().time() - restarted < 10
    failed += await asyncio.to_thread(send_mails, world["smtp_port"], pending_mails[120:])
    if failed:  # what was refused or cut off during the kill is sent again
        assert await asyncio.to_thread(send_mails, world["smtp_port"], failed) == []

    async def all_handled() -> bool:
        questions = await count(engine, MessageRow, MessageRow.text.like("pertanyaan nomor %"))
        mails = await count(engine, InboundMailRow, InboundMailRow.status == "processed")
        # The staff group is held to Telegram's per-group rate; everything else must be out.
        to_people = await count(
            engine,
            OutboxRow,
            OutboxRow.status == "pending",
            OutboxRow.destination != str(STAFF_CHAT),
        )
        return questions >= QUESTIONS and mails >= MAILS and to_people == 0

    await wait_until(all_handled, 180, "every question, mail and reply")

    async with engine.connect() as connection:
        stored = Counter(
            await connection.scalars(
                select(MessageRow.text).where(MessageRow.text.like("pertanyaan nomor %"))
            )
        )
        mail_rows = Counter(await connection.scalars(select(InboundMailRow.message_id)))
        mail_messages = Counter(
            await connection.scalars(
                select(MessageRow.text).where(MessageRow.text.like("isi surat nomor %"))
            )
        )
        private_rows = int(
            await connection.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(OutboxRow.channel == "telegram", OutboxRow.destination != str(STAFF_CHAT))
            )
            or 0
        )
        failed = int(
            await connection.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "failed")
            )
            or 0
        )
    assert stored == Counter(texts)  # each question exactly once
    assert len(mail_rows) == MAILS and set(mail_rows.values()) == {1}
    assert len(mail_messages) == MAILS and set(mail_messages.values()) == {1}
    assert failed == 0
    delivered = [record for record in api.sent if record["chat_id"] != STAFF_CHAT]
    # At least once: every row went out; a duplicate only for a send in flight at the kill,
    # and each chat's lane sends one message at a time: at most one per requester's chat.
    assert private_rows <= len(delivered) <= private_rows + USERS


_ENGINE: list[Any] = []


async def _listening(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


async def _polled(api: BotApiStandIn) -> bool:
    return bool(api.calls_of("getUpdates"))
