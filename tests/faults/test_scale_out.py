"""Several ``lpse-helpdesk run`` processes on one PostgreSQL, in webhook mode.

Three real processes share one database. A stand-in for Telegram and a reverse proxy
(tests/support/webhook_proxy.py) deliver the Bot API stand-in's updates to them in turn,
again when an instance does not answer 200, and some twice to two instances at once. Only
the first instance listens for SMTP; all of them process the stored mail. While a burst of
questions and mails arrives, SLA reminders of a few tickets fall due. Afterwards every
update was handled once, every outbox message sent once, every reminder told once and every
mail processed once.

The races behind that (migrations, outbox and update claims) are also played out
deterministically with two database sessions standing for two instances.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

from bot import services
from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.core.sop import DEFAULT_CATALOG_PATH, load_catalog
from bot.core.tickets import Channel, Requester
from bot.services import OpenTicket
from handlers.telegram.application import webhook_secret
from handlers.telegram.intake import WEBHOOK_PATH
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import (
    InboundMailRow,
    MessageRow,
    OutboxRow,
    SlaReminderRow,
    TelegramUpdateRow,
)
from storage.outbox import SqlOutbox
from storage.telegram_inbox import SqlTelegramInbox
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import ROSTER, STAFF_CHAT, free_port, started_api
from tests.faults.test_kill9 import HELPDESK, SCRIPT, BotProcess, question, send_mails
from tests.support.bot_api import BotApiStandIn, FakeUser
from tests.support.bot_api import private_text_update as update
from tests.support.db_state import count, wait_until
from tests.support.postgres import PostgresServer
from tests.support.smtp_sink import Sink
from tests.support.webhook_proxy import WebhookProxy

INSTANCES = 3
USERS = 100
#: Each user asks this many questions, one after the other: the next when the bot has the
#: previous one (one chat at a time across instances: see
#: test_a_chats_next_update_waits_while_another_instance_holds_one).
ROUNDS = 2
QUESTIONS = USERS * ROUNDS
MAILS = 60
SLA_TICKETS = 5
#: SOP-03's first office step (staf receives the letter) shortened so reminders fall due during
#: the burst. (SOP-01's office clock waits for the provider's visit, so it cannot be used.)
SLA_SOP = "SOP-03"
SLA_STEP_SECONDS = 15.0
STAFF_MAIL = "staf@lpse.oganilirkab.go.id"
PUBLIC_URL = "https://helpdesk.lpse.example"


def fast_catalog(path: Path) -> Path:
    """The shipped catalog with SOP-03 step 1 (the first office step) a few seconds long."""
    data = yaml.safe_load(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    sop = next(sop for sop in data["sops"] if sop["id"] == SLA_SOP)
    sop["steps"][0]["minutes"] = SLA_STEP_SECONDS / 60
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Cluster:
    """The processes, what they talk to, and the shared database."""

    api: BotApiStandIn
    sink: Sink
    engine: AsyncEngine
    processes: list[BotProcess]
    webhook_urls: list[str]
    smtp_port: int
    catalog_path: Path

    def start(self) -> None:
        for process in self.processes:
            process.start()

    def check_alive(self) -> None:
        for index, process in enumerate(self.processes):
            assert process.process is not None
            if process.process.poll() is not None:
                tail = process.log.read_text(errors="replace")[-3000:]
                raise AssertionError(f"instance {index} exited:\n{tail}")

    async def wait(
        self, condition: Callable[[], Awaitable[bool]], timeout: float, what: str
    ) -> None:
        await wait_until(condition, timeout, what, self.engine, check=self.check_alive)

    async def wait_ready(self) -> None:
        """Every instance answers on its webhook port and the webhook is registered."""

        async def listening() -> bool:
            for url in self.webhook_urls:
                port = int(url.split(":")[2].split("/")[0])
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    return False
                writer.close()
            return self.api.webhook is not None

        await self.wait(listening, 30, "every instance to listen")


@pytest.fixture
async def cluster(postgres: PostgresServer | None, tmp_path: Path) -> AsyncIterator[Cluster]:
    if postgres is None:
        pytest.skip("PostgreSQL is not installed (set LPSE_REQUIRE_POSTGRES=1 to fail instead)")
    name = f"scale_out_{os.getpid()}"
    postgres.psql(f"CREATE DATABASE {name}")
    database_url = postgres.url(name)
    api = await started_api()
    sink = Sink()
    relay = Controller(sink, hostname="127.0.0.1", port=free_port())
    relay.start()
    roster = ROSTER + f"  staf: {{email: {STAFF_MAIL}}}\n"
    (tmp_path / "staff.yaml").write_text(roster, encoding="utf-8")
    catalog_path = fast_catalog(tmp_path / "catalog.yaml")
    smtp_port = free_port()
    common = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMTP_"))},
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_FILE_BASE_URL": api.file_base_url,
        "TELEGRAM_STAFF_CHAT_ID": str(STAFF_CHAT),
        "TELEGRAM_WEBHOOK_URL": PUBLIC_URL,
        "TELEGRAM_GROUP_MSGS_PER_MIN": "60",
        "DATABASE_URL": database_url,
        "HELPDESK_EMAIL": HELPDESK,
        "SMTP_RELAY_HOST": "127.0.0.1",
        "SMTP_RELAY_PORT": str(relay.port),
        "SMTP_RELAY_STARTTLS": "false",
        "OFFICE_HOURS": "24/7",
        "STAFF_FILE": str(tmp_path / "staff.yaml"),
        "SOP_CATALOG": str(catalog_path),
        "ATTACHMENTS_DIR": str(tmp_path / "attachments"),  # a shared volume
    }
    processes, webhook_urls = [], []
    for index in range(INSTANCES):
        workdir = tmp_path / f"instance{index}"
        workdir.mkdir()
        port = free_port()
        env = {
            **common,
            "TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            # Only one instance listens for SMTP; every instance processes stored mail.
            "SMTP_LISTEN_PORT": str(smtp_port) if index == 0 else "0",
        }
        processes.append(BotProcess(env, workdir))
        webhook_urls.append(f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
    engine = create_engine(database_url)
    try:
        yield Cluster(api, sink, engine, processes, webhook_urls, smtp_port, catalog_path)
    finally:
        for process in processes:
            process.stop()
        await engine.dispose()
        await api.stop()
        relay.stop()
        postgres.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def open_tickets(
    engine: AsyncEngine, catalog_path: Path, users: list[FakeUser], sop_id: str
) -> list[int]:
    """A ticket for each user, opened directly in the database (no card, no reply)."""
    catalog = load_catalog(catalog_path)
    uow = SqlUnitOfWork(create_session_factory(engine), catalog)
    numbers = []
    for user in users:
        ticket = await services.open_ticket(
            uow,
            catalog,
            OpenTicket(Requester(Channel.TELEGRAM, telegram_id=user.id), "tiket awal", sop_id),
            datetime.now(UTC),
        )
        assert ticket.number is not None
        numbers.append(ticket.number)
    return numbers


async def test_three_instances_handle_each_update_send_and_reminder_once(
    cluster: Cluster,
) -> None:
    api, engine = cluster.api, cluster.engine
    await upgrade(engine)
    users = [api.user(70000 + index, f"User{index}") for index in range(USERS)]
    for user in users:
        api.send_text(user, user.id, "/start")  # the bot may write to them
    await open_tickets(engine, cluster.catalog_path, users, "SOP-02")
    cluster.start()
    await cluster.wait_ready()
    # Behind the proxy also an instance that is down: what it gets is delivered elsewhere.
    down = f"http://127.0.0.1:{free_port()}{WEBHOOK_PATH}"
    proxy = WebhookProxy(api, [*cluster.webhook_urls, down], duplicate_every=7)
    await proxy.start()
    try:
        await _burst_and_check(cluster, proxy, users)
    finally:
        await proxy.stop()


async def _burst_and_check(cluster: Cluster, proxy: WebhookProxy, users: list[FakeUser]) -> None:
    api, engine = cluster.api, cluster.engine
    sla_users = [api.user(80000 + index, f"Sla{index}") for index in range(SLA_TICKETS)]
    sla_tickets = await open_tickets(engine, cluster.catalog_path, sla_users, SLA_SOP)

    mails = asyncio.create_task(
        asyncio.to_thread(send_mails, cluster.smtp_port, list(range(MAILS)))
    )
    texts: list[str] = []
    for _ in range(ROUNDS):
        for user in users:
            texts.append(question(user.id, len(texts)))
            api.send_text(user, user.id, texts[-1])
        asked = len(texts)

        async def answered(asked: int = asked) -> bool:
            return (
                await count(engine, MessageRow, MessageRow.text.like("pertanyaan nomor %")) >= asked
            )

        await cluster.wait(answered, 30, f"the first {asked} questions")
    failed = await mails
    if failed:  # refused or cut off: an MTA sends again
        assert await asyncio.to_thread(send_mails, cluster.smtp_port, failed) == []
    update_ids = {int(update["update_id"]) for update in api.pending_updates}
    await proxy.wait_confirmed(update_ids, timeout=30)

    async def all_handled() -> bool:
        updates = await count(engine, TelegramUpdateRow, TelegramUpdateRow.processed_at.is_(None))
        mails = await count(engine, InboundMailRow, InboundMailRow.status == "processed")
        reminders = await count(engine, SlaReminderRow, SlaReminderRow.sent_at.is_not(None))
        pending = await count(engine, OutboxRow, OutboxRow.status == "pending")
        return updates == 0 and mails >= MAILS and reminders >= 2 * SLA_TICKETS and pending == 0

    # The staff group's messages go out at TELEGRAM_GROUP_MSGS_PER_MIN in all, whichever
    # instance sends them (one at a time): over two hundred take minutes.
    await cluster.wait(all_handled, 240, "every question, mail, reminder and reply")

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
        unhandled = await connection.scalar(
            select(func.count())
            .select_from(TelegramUpdateRow)
            .where(TelegramUpdateRow.processed_at.is_(None))
        )
        outbox = (
            await connection.execute(
                select(
                    OutboxRow.channel,
                    OutboxRow.destination,
                    OutboxRow.status,
                    OutboxRow.sent_ref,
                    OutboxRow.payload,
                )
            )
        ).all()
        reminders = (
            await connection.execute(
                select(SlaReminderRow.ticket_id, SlaReminderRow.kind).where(
                    SlaReminderRow.sent_at.is_not(None)
                )
            )
        ).all()

    assert max(proxy.attempts().values()) >= 2  # some updates did reach two instances
    unanswered = {d.update_id for d in proxy.deliveries if d.instance == INSTANCES}
    assert unanswered and unanswered <= proxy.confirmed  # delivered again, elsewhere
    assert unhandled == 0
    assert len(mail_rows) == MAILS and set(mail_rows.values()) == {1}
    assert len(mail_messages) == MAILS and set(mail_messages.values()) == {1}
    assert {status for _, _, status, _, _ in outbox} == {"sent"}

    # Each outbox row reached Telegram or the relay once: per chat as many messages and
    # edits as rows (an edit of a card never posted posts it); more is a row sent twice.
    twice: list[str] = []
    rows_per_chat = Counter(
        destination for channel, destination, *_ in outbox if channel == "telegram"
    )
    records_per_chat = Counter(str(r["chat_id"]) for r in api.sent)
    for chat in sorted(set(rows_per_chat) | set(records_per_chat)):
        assert records_per_chat[chat] >= rows_per_chat[chat], f"rows never sent to {chat}"
        if records_per_chat[chat] > rows_per_chat[chat]:
            twice.append(f"chat {chat}: {records_per_chat[chat]} for {rows_per_chat[chat]} rows")
    refs = Counter(
        (destination, ref) for channel, destination, _, ref, _ in outbox if channel == "telegram"
    )
    for record in api.sent:
        if not record["edited"]:  # a new message belongs to a row, or is a second send
            key = (str(record["chat_id"]), str(record["message_id"]))
            assert refs[key] <= 1
    queued_mails = Counter(
        payload["message_id"] for channel, _, _, _, payload in outbox if channel == "email"
    )
    relayed = Counter(str(message["Message-ID"]) for message in cluster.sink.messages)
    for message_id in sorted(set(queued_mails) | set(relayed)):
        assert queued_mails[message_id] == 1, f"{message_id} was queued more than once"
        assert relayed[message_id] >= 1, f"mail {message_id} never sent"
        if relayed[message_id] > 1:
            twice.append(f"mail {message_id}: {relayed[message_id]} times")

    # Each reminder and breach notice once, to the group and to the staf role's mailbox.
    assert sorted(reminders) == sorted(
        (ticket, kind) for ticket in sla_tickets for kind in ("reminder", "breach")
    )
    staff = [r["text"] for r in api.messages_to(STAFF_CHAT) if not r["edited"]]
    subjects = [str(m["Subject"]) for m in cluster.sink.messages]
    for ticket in sla_tickets:
        told = (
            sum(f"Pengingat Tiket #{ticket}:" in text for text in staff),
            sum(f"Tiket #{ticket} melewati batas waktu" in text for text in staff),
            sum(bool(re.search(rf"Pengingat SLA Tiket #{ticket}\b", s)) for s in subjects) / 2,
        )
        assert min(told) >= 1
        if max(told) > 1:
            twice.append(f"SLA notices of #{ticket}: {told}")

    assert not twice, f"sent more than once: {twice}"
    assert stored == Counter(texts)  # each question exactly once


async def test_a_wrong_webhook_secret_is_refused_and_nothing_stored(cluster: Cluster) -> None:
    api, engine = cluster.api, cluster.engine
    await upgrade(engine)
    cluster.start()
    await cluster.wait_ready()
    user = api.user(70001, "Budi")
    update = {
        "update_id": 990001,
        "message": {
            "message_id": 1,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": user.id, "type": "private", "first_name": "Budi"},
            "from": user.to_dict(),
            "text": "pertanyaan palsu zzqx",
        },
    }
    proxy = WebhookProxy(api, cluster.webhook_urls)
    await proxy.start()
    try:
        for instance in range(INSTANCES):
            for secret in (None, "", "wrong", webhook_secret("123:OTHER-TOKEN")):
                assert await proxy.post(instance, update, secret) in (401, 403)
        assert proxy.secret == webhook_secret(api.token)
        assert await proxy.post(0, {**update, "update_id": 990002}, proxy.secret) == 200
    finally:
        await proxy.stop()
    assert await count(engine, TelegramUpdateRow, TelegramUpdateRow.update_id == 990001) == 0
    assert await count(engine, TelegramUpdateRow, TelegramUpdateRow.update_id == 990002) == 1


@pytest.fixture
async def shared_database(postgres: PostgresServer | None) -> AsyncIterator[str]:
    """An empty PostgreSQL database for the claims of two "instances" in this process."""
    if postgres is None:
        pytest.skip("PostgreSQL is not installed (set LPSE_REQUIRE_POSTGRES=1 to fail instead)")
    name = f"claims_{os.getpid()}"
    postgres.psql(f"CREATE DATABASE {name}")
    yield postgres.url(name)
    postgres.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def test_instances_started_together_migrate_an_empty_database(
    shared_database: str, tmp_path: Path
) -> None:
    # A gate: the table Alembic creates first, not committed. Every instance blocks on it;
    # rolled back once all of them wait, they all race for the empty database at once.
    gate = create_engine(shared_database)
    env = {**os.environ, "DATABASE_URL": shared_database}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        async with gate.connect() as connection:
            await connection.execute(
                text("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
            )
            for _ in range(INSTANCES):
                processes.append(
                    subprocess.Popen(
                        [SCRIPT, "db", "upgrade"],
                        cwd=tmp_path,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                    )
                )

            async def all_waiting() -> bool:
                async with gate.connect() as probe:
                    waiting = await probe.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                        )
                    )
                return waiting == INSTANCES

            for _ in range(400):
                if await all_waiting():
                    break
                assert all(process.poll() is None for process in processes)
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the instances never reached the gate")
            await connection.rollback()
        outputs = [
            (await asyncio.to_thread(process.communicate, timeout=60))[0] for process in processes
        ]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        await gate.dispose()
    failed = [
        output.decode(errors="replace")[-400:]
        for process, output in zip(processes, outputs, strict=True)
        if process.returncode != 0
    ]
    assert not failed, f"{len(failed)} of {INSTANCES} failed: {failed[0]}"


async def test_a_row_sent_by_another_instance_meanwhile_is_not_claimed_again(
    shared_database: str,
) -> None:
    first, second = create_engine(shared_database), create_engine(shared_database)
    await upgrade(first)
    now = datetime.now(UTC)
    message = Outbound("telegram", "70001", OutboundKind.TEXT, {"text": "x"}, Purpose.NOTICE)
    async with create_session_factory(first)() as session, session.begin():
        [row_id] = await SqlOutbox(session).enqueue([message], now)

    # The second instance has read its candidates and is about to lock them when the
    # first one claims the row, sends it and marks it sent.
    about_to_lock, first_done = asyncio.Event(), asyncio.Event()

    async def pause_until_the_first_is_done() -> None:
        about_to_lock.set()
        await first_done.wait()

    @event.listens_for(second.sync_engine, "before_cursor_execute")
    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The claiming statement: a locking SELECT, or an UPDATE ... RETURNING.
        claiming = "FOR UPDATE" in statement or statement.lstrip().startswith("UPDATE")
        if claiming and not first_done.is_set():
            await_only(pause_until_the_first_is_done())

    async def claim(engine: AsyncEngine) -> list[int]:
        async with create_session_factory(engine)() as session, session.begin():
            claimed = await SqlOutbox(session).claim_due(
                now, limit=10, lease=timedelta(minutes=2), channels={"telegram"}
            )
        return [queued.id for queued in claimed]

    try:
        second_claim = asyncio.create_task(claim(second))
        await about_to_lock.wait()
        assert await claim(first) == [row_id]
        async with create_session_factory(first)() as session, session.begin():
            await SqlOutbox(session).mark_sent(row_id, "12", now)
        first_done.set()
        assert await second_claim == [], "a row already sent was claimed again"
    finally:
        await first.dispose()
        await second.dispose()


class ChatSentFromTwoInstances(AssertionError):
    """Two instances hold rows for one chat at the same time."""


async def test_one_chat_is_sent_to_by_one_instance_at_a_time(shared_database: str) -> None:
    engine = create_engine(shared_database)
    await upgrade(engine)
    now = datetime.now(UTC)
    sessions = create_session_factory(engine)
    notices = [
        Outbound("telegram", str(STAFF_CHAT), OutboundKind.TEXT, {"text": f"{n}"}, Purpose.NOTICE)
        for n in range(20)
    ]
    try:
        async with sessions() as session, session.begin():
            await SqlOutbox(session).enqueue(notices, now)
        claimed = []
        for _instance in range(2):  # each with no lane of its own running yet
            async with sessions() as session, session.begin():
                rows = await SqlOutbox(session).claim_due(
                    now, limit=100, lease=timedelta(minutes=2), channels={"telegram"}
                )
            claimed.append([row.id for row in rows])
        assert claimed[0], "the first instance claims the chat's first rows"
        if claimed[1]:
            raise ChatSentFromTwoInstances(f"both claimed rows of one chat: {claimed}")
    finally:
        await engine.dispose()


class ChatHandledTwiceAtOnce(AssertionError):
    """Two instances hold updates of one chat at the same time."""


async def test_a_chats_next_update_waits_while_another_instance_holds_one(
    shared_database: str,
) -> None:
    engine = create_engine(shared_database)
    await upgrade(engine)
    now = datetime.now(UTC)

    sessions = create_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            inbox = SqlTelegramInbox(session)
            await inbox.store([update(1, 70001), update(2, 70001), update(3, 70002)], now)
        async with sessions() as session, session.begin():
            held = await SqlTelegramInbox(session).claim_pending(
                now, limit=1, lease=timedelta(minutes=2)
            )
        assert [stored.update_id for stored in held] == [1]
        async with sessions() as session, session.begin():
            other = await SqlTelegramInbox(session).claim_pending(
                now, limit=100, lease=timedelta(minutes=2)
            )
        claimed = [stored.update_id for stored in other]
        assert 3 in claimed  # another chat is free
        if 2 in claimed:
            raise ChatHandledTwiceAtOnce("update 2 claimed while update 1 of its chat is held")
    finally:
        await engine.dispose()
