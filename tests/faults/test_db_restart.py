"""PostgreSQL stopped and started again while a burst of questions and mails arrives.

The real ``lpse-helpdesk run`` process polls the Bot API stand-in and listens for SMTP, on a
private PostgreSQL server that the test stops (``pg_ctl stop -m fast``) in the middle of the
burst. During the outage a mail gets 451 (the sender keeps it and tries again) and Telegram
updates stay unconfirmed. After the restart the process, still running, catches up: every
question is one ticket message, every accepted mail processed once, every reply sent once.
"""

from __future__ import annotations

import asyncio
import os
import smtplib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import services
from bot.core.sop import load_catalog
from bot.core.tickets import Channel, Requester
from bot.runtime import build_runtime
from bot.services import OpenTicket
from bot.settings import Settings
from handlers import jobs
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import InboundMailRow, MessageRow, OutboxRow, TelegramUpdateRow
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import ROSTER, STAFF_CHAT, free_port, started_api
from tests.faults.test_kill9 import HELPDESK, BotProcess, mail, question
from tests.support.bot_api import BotApiStandIn, FakeUser
from tests.support.db_state import count, wait_until
from tests.support.db_state import describe as state
from tests.support.postgres import PostgresServer, postgres_server
from tests.support.smtp_sink import Sink

USERS = 20
QUESTIONS = 150
MAILS = 50
#: Questions sent while the database is down (they must wait, unconfirmed).
DURING_OUTAGE = 10


class TimedOut(AssertionError):
    """A condition the test waited for did not come about."""


@dataclass
class World:
    api: BotApiStandIn
    sink: Sink
    server: PostgresServer
    engine: AsyncEngine
    bot: BotProcess
    users: list[FakeUser]
    smtp_port: int

    def check_alive(self) -> None:
        assert self.bot.process is not None
        if self.bot.process.poll() is not None:
            tail = self.bot.log.read_text(errors="replace")[-3000:]
            raise AssertionError(f"the bot exited:\n{tail}")

    async def wait(
        self, condition: Callable[[], Awaitable[bool]], timeout: float, what: str
    ) -> None:
        await wait_until(
            condition, timeout, what, self.engine, check=self.check_alive, error=TimedOut
        )


@pytest.fixture
async def world(postgres: PostgresServer | None, tmp_path: Path) -> AsyncIterator[World]:
    if postgres is None:
        pytest.skip("PostgreSQL is not installed (set LPSE_REQUIRE_POSTGRES=1 to fail instead)")
    # A private server: stopping the session's shared one would break other tests' databases.
    with postgres_server() as server:
        api = await started_api()
        sink = Sink()
        relay = Controller(sink, hostname="127.0.0.1", port=free_port())
        relay.start()
        (tmp_path / "staff.yaml").write_text(ROSTER, encoding="utf-8")
        smtp_port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMTP_"))},
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_FILE_BASE_URL": api.file_base_url,
            "TELEGRAM_STAFF_CHAT_ID": str(STAFF_CHAT),
            "TELEGRAM_GROUP_MSGS_PER_MIN": "60",
            "DATABASE_URL": server.url(),
            "HELPDESK_EMAIL": HELPDESK,
            "SMTP_LISTEN_PORT": str(smtp_port),
            "SMTP_RELAY_HOST": "127.0.0.1",
            "SMTP_RELAY_PORT": str(relay.port),
            "SMTP_RELAY_STARTTLS": "false",
            "OFFICE_HOURS": "24/7",
            "STAFF_FILE": str(tmp_path / "staff.yaml"),
        }
        engine = create_engine(server.url())
        await upgrade(engine)
        users = [api.user(70000 + index, f"User{index}") for index in range(USERS)]
        catalog = load_catalog()
        uow = SqlUnitOfWork(create_session_factory(engine), catalog)
        for user in users:
            api.send_text(user, user.id, "/start")  # the bot may write to them
            # Every user already has an open ticket, so each question is a ticket message.
            await services.open_ticket(
                uow,
                catalog,
                OpenTicket(Requester(Channel.TELEGRAM, telegram_id=user.id), "tiket awal"),
                datetime.now(UTC),
            )
        bot = BotProcess(env, tmp_path)
        try:
            yield World(api, sink, server, engine, bot, users, smtp_port)
        finally:
            bot.stop()
            await engine.dispose()
            await api.stop()
            relay.stop()


class RestartStalled(AssertionError):
    """Work claimed before the outage stalled, or a question was lost."""


def ask(api: BotApiStandIn, user: FakeUser, number: int, texts: dict[int, str]) -> int:
    """``user`` asks question ``number``; returns its update id (noted in ``texts``)."""
    text = question(user.id, number)
    api.send_text(user, user.id, text)
    update_id = int(api.pending_updates[-1]["update_id"])  # no await since: not yet fetched
    texts[update_id] = text
    return update_id


async def what_stalled(engine: AsyncEngine, texts: dict[int, str]) -> str:
    """Questions lost (their update is done, no ticket message) and work still waiting."""
    async with engine.connect() as connection:
        done = set(
            await connection.scalars(
                select(TelegramUpdateRow.update_id).where(
                    TelegramUpdateRow.processed_at.is_not(None)
                )
            )
        )
        stored = set(
            await connection.scalars(
                select(MessageRow.text).where(MessageRow.text.like("pertanyaan nomor %"))
            )
        )
    lost = sorted(update for update, text in texts.items() if update in done and text not in stored)
    return f"questions lost: {lost}; still waiting: {await state(engine)}"


def send_mail(port: int, number: int) -> int:
    """One SMTP delivery; the reply code of DATA (0: no answer, connection refused or cut)."""
    try:
        with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost", timeout=10) as client:
            client.send_message(mail(number))
    except smtplib.SMTPResponseException as error:
        return int(error.smtp_code)
    except (OSError, smtplib.SMTPException):
        return 0
    return 250


def send_like_an_mta(port: int, numbers: list[int]) -> dict[int, list[int]]:
    """Each mail once; returns the reply codes per mail (250 = accepted)."""
    return {number: [send_mail(port, number)] for number in numbers}


async def test_database_restart_mid_burst_loses_nothing(world: World) -> None:
    api, engine, server = world.api, world.engine, world.server
    world.bot.start()

    async def polling_and_listening() -> bool:
        if not api.calls_of("getUpdates"):
            return False
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", world.smtp_port)
        except OSError:
            return False
        writer.close()
        return True

    await world.wait(polling_and_listening, 30, "the bot to poll and listen")

    texts: dict[int, str] = {}  # update id -> question
    for number in range(QUESTIONS):
        ask(api, world.users[number % USERS], number, texts)
    first_half = asyncio.create_task(
        asyncio.to_thread(send_like_an_mta, world.smtp_port, list(range(MAILS // 2)))
    )

    async def under_way() -> bool:
        handled = await count(engine, MessageRow, MessageRow.text.like("pertanyaan nomor %"))
        return handled >= QUESTIONS // 4

    await world.wait(under_way, 30, "the burst to be under way")
    await asyncio.to_thread(server.stop)
    outage_updates: set[int] = set()
    try:
        # A mail that arrives now is refused with 451: the sender keeps it and retries.
        assert await asyncio.to_thread(send_mail, world.smtp_port, MAILS) == 451
        # Updates that arrive now are fetched but not confirmed: they stay with Telegram.
        polls = len(api.calls_of("getUpdates"))
        for number in range(QUESTIONS, QUESTIONS + DURING_OUTAGE):
            outage_updates.add(ask(api, world.users[number % USERS], number, texts))

        async def polled_twice() -> bool:
            return len(api.calls_of("getUpdates")) >= polls + 2

        await world.wait(polled_twice, 20, "two polls during the outage")
        still_queued = {int(u["update_id"]) for u in api.pending_updates}
        assert outage_updates <= still_queued
        world.check_alive()
    finally:
        await asyncio.to_thread(server.start)

    codes = await first_half
    codes[MAILS] = [451]
    rest = list(range(MAILS // 2, MAILS))
    codes.update(await asyncio.to_thread(send_like_an_mta, world.smtp_port, rest))
    # Like an MTA: whatever was not accepted is sent again until it is.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while retry := [number for number, tried in codes.items() if tried[-1] != 250]:
        assert loop.time() < deadline, f"mails never accepted: {retry}"
        for number in retry:
            codes[number].append(await asyncio.to_thread(send_mail, world.smtp_port, number))

    async def all_handled() -> bool:
        updates = await count(engine, TelegramUpdateRow, TelegramUpdateRow.processed_at.is_(None))
        stored_updates = await count(engine, TelegramUpdateRow)
        mails = await count(engine, InboundMailRow, InboundMailRow.status != "pending")
        to_people = await count(
            engine,
            OutboxRow,
            OutboxRow.status == "pending",
            OutboxRow.destination != str(STAFF_CHAT),
        )
        return (
            stored_updates >= USERS + QUESTIONS + DURING_OUTAGE
            and updates == 0
            and mails >= MAILS + 1
            and to_people == 0
        )

    try:
        # Well within the claims' leases (minutes): the backlog must not wait for them.
        await world.wait(all_handled, 30, "every question, mail and reply after the restart")
    except TimedOut as timeout:
        raise RestartStalled(await what_stalled(engine, texts)) from timeout
    world.check_alive()

    async with engine.connect() as connection:
        stored = Counter(
            await connection.scalars(
                select(MessageRow.text).where(MessageRow.text.like("pertanyaan nomor %"))
            )
        )
        mail_rows = Counter(await connection.scalars(select(InboundMailRow.message_id)))
        mail_statuses = set(await connection.scalars(select(InboundMailRow.status)))
        mail_messages = Counter(
            await connection.scalars(
                select(MessageRow.text).where(MessageRow.text.like("isi surat nomor %"))
            )
        )
        private_rows = (
            await connection.execute(
                select(OutboxRow.destination, OutboxRow.status).where(
                    OutboxRow.channel == "telegram", OutboxRow.destination != str(STAFF_CHAT)
                )
            )
        ).all()
        mail_ids = list(
            await connection.scalars(
                select(OutboxRow.payload["message_id"].as_string()).where(
                    OutboxRow.channel == "email"
                )
            )
        )

    if stored != Counter(texts.values()):  # each question exactly once
        raise RestartStalled(await what_stalled(engine, texts))
    assert len(mail_rows) == MAILS + 1 and set(mail_rows.values()) == {1}
    assert mail_statuses == {"processed"}
    assert len(mail_messages) == MAILS + 1 and set(mail_messages.values()) == {1}
    assert {status for _, status in private_rows} == {"sent"}
    delivered = [record for record in api.sent if record["chat_id"] != STAFF_CHAT]
    # At least once: every row went out; a duplicate only for sends in flight at the stop.
    assert len(private_rows) <= len(delivered) <= len(private_rows) + 5
    relayed = Counter(str(message["Message-ID"]) for message in world.sink.messages)
    assert set(relayed) <= set(mail_ids)
    assert sum(relayed.values()) <= len(relayed) + 5


async def test_an_sla_notice_cut_off_by_the_database_is_retried_within_seconds(
    database_url: str, tmp_path: Path
) -> None:
    """The database fails while a due reminder is being queued: the next sweeps send it
    within seconds, not when the claim's lease (a minute) runs out."""
    opened = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    now = [opened]
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token="123456:TEST-TOKEN",
        telegram_staff_chat_id=STAFF_CHAT,
        database_url=database_url,
        smtp_listen_port=0,
        attachments_dir=tmp_path / "attachments",
        office_hours="24/7",
    )
    runtime = await build_runtime(settings, clock=lambda: now[0])
    try:
        ticket = await services.open_ticket(
            runtime.unit_of_work(),
            runtime.catalog,
            OpenTicket(Requester(Channel.TELEGRAM, telegram_id=70001), "tiket awal"),
            opened,
        )
        failed: list[str] = []

        @event.listens_for(runtime.engine.sync_engine, "before_cursor_execute")
        def database_goes_away(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().startswith("INSERT INTO outbox") and not failed:
                failed.append(statement)
                raise ConnectionResetError("the database went away")

        # SOP-02 step 2 has 10 working minutes: the reminder is due after 8.
        now[0] = opened + timedelta(minutes=8, seconds=1)
        assert await jobs.sweep_deadlines(runtime) == 0
        assert failed
        now[0] += jobs.RETRY_AFTER + timedelta(seconds=1)
        assert await jobs.sweep_deadlines(runtime) == 1
        async with runtime.engine.connect() as connection:
            notices = list(
                await connection.scalars(
                    select(OutboxRow.payload["text"].as_string()).where(
                        OutboxRow.destination == str(STAFF_CHAT)
                    )
                )
            )
        assert len(notices) == 1 and f"Pengingat Tiket #{ticket.number}:" in notices[0]
    finally:
        await runtime.close()
