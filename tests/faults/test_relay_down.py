"""Outages of minutes, of the office's SMTP relay and of a Telegram chat: the outbox retries
with growing backoff (or exactly what a 429 asks), the staff group is warned once, and each
message goes out exactly once when the other side is back.

The whole bot runs in-process (``bot.app.run``) against the Bot API stand-in and a relay sink
on a fixed port. The bot's clock stands still unless the test moves it, so "minutes" of outage
take seconds and each retry's backoff is read exactly from the database.
"""

from __future__ import annotations

import asyncio
import re
import smtplib
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import app
from handlers.jobs import OutboxWatch
from storage.database import create_engine
from storage.models import OutboxRow
from tests.e2e.conftest import (
    STAFF_CHAT,
    BotUnderTest,
    free_port,
    harness_for,
    started_api,
)
from tests.support.mail_bot import HELPDESK, mail_settings
from tests.support.smtp_sink import Relay, Sink

REQUESTERS = ["budi@cvmaju.co.id", "sari@ptkarya.co.id", "andi@cvsentosa.co.id"]
BACKLOG_WARNING = "belum terkirim"
#: How often the running bot checks the backlog here (production: once a minute).
WATCH_SECONDS = 0.2
#: The staff group is warned when the oldest waiting message is older (handlers/jobs.py).
BACKLOG_AGE = timedelta(minutes=10)


class SteppedClock:
    """The bot's clock: stands still until the test moves it, so backoff is exact.

    It also counts the backlog watch's readings: the only trace a watch that stays silent
    leaves, so "warned once" can be checked after the watch has verifiably run again."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.watch_readings = 0

    def __call__(self) -> datetime:
        if sys._getframe(1).f_code.co_qualname == OutboxWatch.check.__qualname__:
            self.watch_readings += 1
        return self.now

    def move_to(self, when: datetime) -> None:
        self.now = max(self.now, when)


@dataclass
class RelayWorld:
    harness: BotUnderTest
    relay: Relay
    clock: SteppedClock
    engine: AsyncEngine
    smtp_port: int

    @property
    def sink(self) -> Sink:
        return self.relay.sink

    async def mail_in(self, subject: str, body: str, sender: str = REQUESTERS[0]) -> None:
        """Deliver a requester's mail to the bot's SMTP server, as a mail server would."""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = HELPDESK
        message["Subject"] = subject
        message["Message-ID"] = f"<{abs(hash(subject))}@cvmaju.co.id>"
        message.set_content(body)

        def send() -> None:
            with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as client:
                client.send_message(message)

        await asyncio.to_thread(send)

    async def mail_rows(self, destination: str | None = None) -> list[OutboxRow]:
        """Queued mails, or the messages queued for one chat or address."""
        where = OutboxRow.channel == "email"
        if destination is not None:
            where = OutboxRow.destination == destination
        async with self.engine.connect() as connection:
            result = await connection.execute(select(OutboxRow).where(where).order_by(OutboxRow.id))
            return [OutboxRow(**row._mapping) for row in result]

    async def rows_after_attempts(
        self, attempts: int, count: int, timeout: float = 10.0, destination: str | None = None
    ) -> list[OutboxRow]:
        """The ``count`` queued mails (or messages to ``destination``) once each has been
        tried ``attempts`` times."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            rows = await self.mail_rows(destination)
            if len(rows) == count and all(row.attempts >= attempts for row in rows):
                assert all(row.attempts == attempts for row in rows), (
                    f"retried before the backoff ran out: {_describe(rows)}"
                )
                return rows
            if loop.time() > deadline:
                raise AssertionError(f"attempt {attempts} did not happen: {_describe(rows)}")
            await asyncio.sleep(0.05)

    async def watch_runs(self, more: int, timeout: float = 10.0) -> None:
        """Wait until the bot has checked its backlog ``more`` more times."""
        target = self.clock.watch_readings + more
        for _ in range(int(timeout / 0.05)):
            if self.clock.watch_readings >= target:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the backlog watch did not run")

    def move_clock(self, when: datetime) -> None:
        """Move the bot's clock, then make it look at its outbox at once: anything queued
        wakes the outbox, and a /bantuan queues an answer (else it looks within a second)."""
        self.clock.move_to(when)
        self.harness.api.send_text(self.harness.requester, self.harness.requester.id, "/bantuan")

    def warnings(self) -> list[dict[str, Any]]:
        return [r for r in self.harness.api.messages_to(STAFF_CHAT) if BACKLOG_WARNING in r["text"]]


def _describe(rows: list[OutboxRow]) -> str:
    return str([(r.id, r.status, r.attempts, r.last_error) for r in rows])


def _office_time(value: datetime) -> str:
    """How the bot writes a time for staff (OFFICE_TIMEZONE defaults to Asia/Jakarta)."""
    return value.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%d-%m-%Y %H:%M")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RelayWorld]:
    monkeypatch.chdir(tmp_path)
    # The watch interval is a constant in bot/app.py, not a setting: compressed here.
    monkeypatch.setattr(app, "OUTBOX_WATCH_SECONDS", WATCH_SECONDS)
    relay = Relay(Sink(), free_port())  # not started: connection refused
    api = await started_api()
    smtp_port = free_port()
    settings = mail_settings(tmp_path, api, smtp_port=smtp_port, relay_port=relay.port)
    clock = SteppedClock()
    harness = harness_for(api, settings, tmp_path)
    engine = create_engine(settings.database_url)
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(settings, stop, clock=clock))
    try:
        await _until(lambda: bool(api.calls_of("getUpdates")) or task.done(), 20)
        if task.done():
            task.result()
        yield RelayWorld(harness, relay, clock, engine, smtp_port)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)
        await engine.dispose()
        await api.stop()
        relay.stop()


async def _until(condition: Callable[[], bool], timeout: float) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


#: (what the relay does, how many attempts meet it). Minutes of outage in all.
OUTAGE = [("refused", 6), ("MAIL 421", 2), ("DATA 451", 3)]
#: The backoff the outbox promises: 2^n seconds, capped at five minutes.
BACKOFF = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def _set_relay(relay: Relay, phase: str) -> None:
    if phase == "refused":
        relay.stop()
        return
    if phase == "MAIL 421":
        relay.sink.refuse("MAIL", "421 4.3.2 Service not available, closing channel")
    elif phase == "DATA 451":
        relay.sink.refuse("DATA", "451 4.3.0 Temporary local problem, try again")
    else:
        relay.sink.accept()
    relay.start()


async def test_relay_down_for_minutes_retries_warns_once_delivers_once(
    world: RelayWorld,
) -> None:
    phases = [phase for phase, times in OUTAGE for _ in range(times)]
    _set_relay(world.relay, phases[0])
    for number, sender in enumerate(REQUESTERS, start=1):
        await world.mail_in(f"Jadwal tender zzqx {number}", "zzqx wvvq plorkh jadwal", sender)
        await world.harness.card(number)
    started = world.clock.now
    mails = len(REQUESTERS)

    errors = []
    for attempt in range(1, len(phases) + 1):
        rows = await world.rows_after_attempts(attempt, mails)
        assert {row.status for row in rows} == {"pending"}, _describe(rows)
        # Exact: the clock stood still during the attempt.
        assert {_utc(row.next_attempt_at) - world.clock.now for row in rows} == {
            timedelta(seconds=BACKOFF[attempt - 1])
        }
        errors.append(rows[0].last_error or "")
        if world.clock.now - started < BACKLOG_AGE:
            assert world.warnings() == []  # a short wait is no reason to worry anyone
        if attempt < len(phases):
            _set_relay(world.relay, phases[attempt])
            world.move_clock(_utc(rows[0].next_attempt_at))

    # Each failure is recorded with what the relay said, in the order it happened.
    assert all("127.0.0.1" in e or "refused" in e.lower() for e in errors[:6]), errors
    assert all(e.startswith("421") for e in errors[6:8]), errors
    assert all(e.startswith("451") for e in errors[8:]), errors
    assert [command for command, _ in world.sink.refused] == ["MAIL"] * 2 * mails + [
        "DATA"
    ] * 3 * mails
    assert world.sink.messages == []

    # Past ten minutes of waiting (now 13.5) the staff group hears about it, once.
    warning = await world.harness.said_to(
        STAFF_CHAT, lambda r: BACKLOG_WARNING in r["text"], timeout=10
    )
    assert f"tertua sejak {_office_time(started)}" in warning["text"]
    waiting = re.search(r"(\d+) pesan belum terkirim", warning["text"])
    assert waiting is not None and int(waiting[1]) >= mails  # and perhaps a nudge's answer
    await world.watch_runs(5)
    assert len(world.warnings()) == 1

    # The relay is back: every mail goes out once, on the next try.
    _set_relay(world.relay, "up")
    world.move_clock(_utc(rows[0].next_attempt_at))
    rows = await world.rows_after_attempts(len(phases) + 1, mails)
    assert {row.status for row in rows} == {"sent"}, _describe(rows)
    relayed = Counter(str(message["Message-ID"]) for message in world.sink.messages)
    assert relayed == Counter(row.payload["message_id"] for row in rows)
    assert sorted(str(m["To"]) for m in world.sink.messages) == sorted(REQUESTERS)
    await world.watch_runs(5)
    assert len(world.sink.messages) == mails
    assert len(world.warnings()) == 1


async def test_permanent_refusal_is_shown_under_the_card(world: RelayWorld) -> None:
    world.relay.sink.refuse("RCPT", "550 5.1.1 <budi@cvmaju.co.id>: mailbox unavailable")
    world.relay.start()
    await world.mail_in("Akun terkunci zzqx", "zzqx wvvq plorkh akun")
    card = await world.harness.card(1)
    notice = await world.harness.said_to(
        STAFF_CHAT, lambda r: "Pengiriman ke pemohon Tiket #1 gagal" in r["text"], timeout=15
    )
    assert "550" in notice["text"] and "mailbox unavailable" in notice["text"]
    assert notice["reply_to_message_id"] == card["message_id"]
    [row] = await world.mail_rows()
    assert (row.status, row.attempts) == ("failed", 1)  # 5yz: not retried
    assert world.sink.messages == [] and len(world.sink.refused) == 1


async def test_a_relay_down_for_two_hours_loses_no_mail(world: RelayWorld) -> None:
    await world.mail_in("Zzqx plorkh", "zzqx wvvq plorkh")  # the relay is down
    await world.harness.card(1)
    started = world.clock.now
    attempt = 0
    while world.clock.now - started < timedelta(hours=2):
        attempt += 1
        [row] = await world.rows_after_attempts(attempt, 1)
        assert row.status == "pending", (
            f"given up after {attempt} attempts, {world.clock.now - started} into the outage"
        )
        world.move_clock(_utc(row.next_attempt_at))

    world.relay.start()
    [row] = await world.rows_after_attempts(attempt + 1, 1)
    assert row.status == "sent"
    assert [str(m["Message-ID"]) for m in world.sink.messages] == [row.payload["message_id"]]


#: What Telegram answers for one requester's chat, attempt after attempt, and the wait the
#: outbox must then keep: 2^n s, or exactly the retry_after of a 429.
TELEGRAM_OUTAGE: list[tuple[str, dict[str, Any], int]] = [
    ("fail", {"status": 502}, 1),
    ("fail", {"status": 500}, 2),
    ("drop", {}, 4),
    ("drop", {}, 8),
    ("fail", {"status": 429, "retry_after": 30}, 30),
    ("fail", {"status": 502}, 32),
    ("fail", {"status": 429, "retry_after": 5}, 5),
    ("fail", {"status": 500}, 128),
    ("fail", {"status": 502}, 256),
    ("drop", {}, 300),
    ("fail", {"status": 502}, 300),
]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB's RetryAfter.retry_after
async def test_a_chat_unreachable_for_minutes_gets_its_answer_once(world: RelayWorld) -> None:
    api = world.harness.api
    sari = api.user(90002, "Sari", "sari_cv")
    for kind, options, _ in TELEGRAM_OUTAGE:
        if kind == "fail":
            api.fail_next("sendMessage", chat_id=sari.id, **options)
        else:
            api.drop_next("sendMessage", chat_id=sari.id, **options)
    api.send_text(sari, sari.id, "/bantuan")
    started = world.clock.now
    chat = str(sari.id)

    for attempt, (_, _, wait) in enumerate(TELEGRAM_OUTAGE, start=1):
        [row] = await world.rows_after_attempts(attempt, 1, destination=chat)
        assert row.status == "pending", _describe([row])
        assert _utc(row.next_attempt_at) - world.clock.now == timedelta(seconds=wait)
        if world.clock.now - started < BACKLOG_AGE:
            assert world.warnings() == []
        if attempt < len(TELEGRAM_OUTAGE):
            world.move_clock(_utc(row.next_attempt_at))  # the nudge comes from Budi's chat

    # Past ten minutes (now 12.8) the staff group, reachable, hears of it once.
    warning = await world.harness.said_to(
        STAFF_CHAT, lambda r: BACKLOG_WARNING in r["text"], timeout=10
    )
    assert f"tertua sejak {_office_time(started)}" in warning["text"]
    await world.watch_runs(5)
    assert len(world.warnings()) == 1 and api.faults_left() == 0
    assert api.messages_to(sari.id) == []

    world.move_clock(_utc(row.next_attempt_at))
    [row] = await world.rows_after_attempts(len(TELEGRAM_OUTAGE) + 1, 1, destination=chat)
    assert row.status == "sent", _describe([row])
    answers = [r["text"] for r in api.messages_to(sari.id)]
    assert len(answers) == 1 and "Bot tidak pernah meminta password" in answers[0]
