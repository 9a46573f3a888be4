"""Hostile and malformed input against the whole bot: the Bot API stand-in and real SMTP.

Requesters send nasty text, names and files; staff buttons are forged; mail tries header
injection and relaying; a requester floods; secrets must stay out of logs and the database.
Each test proves one thing with the running bot; known bugs are strict xfails (``raises=``
names the expected failure, so any other failure in the same test still shows).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import smtplib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData

from bot import observability, texts
from bot.cli import cli
from bot.core.sop import load_catalog
from bot.settings import Settings
from handlers.telegram.common import clean_text
from storage.database import create_engine, create_session_factory
from storage.mail import PROCESSED
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import (
    STAFF_CHAT,
    BotUnderTest,
    bot_settings,
    button_data,
    running_bot,
    started_api,
)
from tests.support.bot_api import FakeUser
from tests.support.mail_bot import HELPDESK, REQUESTER, MailBot, mail
from tests.support.postgres import PostgresServer

PDF = b"%PDF-1.4\n"
TicketState = tuple[str, int, str, int | None, int | None, int, int]


# --- helpers --------------------------------------------------------------------------------


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[SqlUnitOfWork]:
    """A unit of work on the bot's own database (read-only use)."""
    engine = create_engine(settings.database_url)
    try:
        async with SqlUnitOfWork(create_session_factory(engine), load_catalog()) as uow:
            yield uow
    finally:
        await engine.dispose()


async def ticket_state(bot: BotUnderTest, number: int) -> TicketState:
    """What `tickets show` reports: status, step, role, assignee, rating, #messages, #events."""
    async with database(bot.settings) as uow:
        ticket = await uow.tickets.get(number)
        messages = await uow.tickets.messages(number)
        events = await uow.tickets.events(number)
    return (
        ticket.status.value,
        ticket.step,
        ticket.owner_role,
        ticket.assignee_id,
        ticket.rating,
        len(messages),
        len(events),
    )


async def ticket_count(bot: BotUnderTest) -> int:
    async with database(bot.settings) as uow:
        return len(await uow.tickets.recent(limit=1000))


async def settle(bot: BotUnderTest) -> None:
    """Every queued update fetched and handled, the outbox quiet."""
    await bot.api.wait_until_idle(timeout=15, quiet=0.5)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The bot's own ERROR records while the test ran: a failed update ("update N failed"),
    an outbox message given up. (Scheduler jobs are left out: they run on their own clock.)"""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith(("handlers.", "bot."))
    ]


def person(bot: BotUnderTest, user_id: int, name: str = "Pemohon") -> FakeUser:
    return bot.api.user(user_id, name)


async def forge(bot: BotUnderTest, user: FakeUser, record: dict[str, Any], *data: str) -> None:
    """``user`` presses buttons carrying ``data`` on a message the bot sent; all handled."""
    for item in data:
        bot.api.press_button(user, record["chat_id"], record["message_id"], item)
    await settle(bot)


# --- nasty text, names and files from requesters ---------------------------------------------

NASTY_TEXTS = {
    "4000 emoji": "😀" * 4000,
    "rtl override": "\u202etxt.exe\u202c surat saya tidak bisa diunggah \u202b\u200f",
    "zero width": "\u200b\u200c\u200d\u2060\ufefftolong\u200b bantu\u200d",
    "nul": "halo\x00 akun\x00saya terkunci",
    "html": '<b>tebal</b> </a> <script>alert(1)</script> <a href="javascript:x">x</a> <',
    "markdown": "*_[]()~`>#+-=|{}.! __x__ [link](http://x) `code` ```pre```",
    "entities": "&amp; &lt;b&gt; &#0; &#x110000; &quot; & &; &amp",
    "terminal": "\x1b[31mmerah\x1b[0m \x07 bel \x08 \r kembali",
    "line separators": "baris\u2028satu\u2029dua\x85tiga\x0bempat",
    "zalgo": "Z\u0351\u0352\u0353a\u0354\u0355l\u0356g\u0357o " * 40,
    "4096 letters": "a" * 4096,
}


async def test_nasty_texts_are_answered_and_shown_literally(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Emoji floods, RTL overrides, zero-width and NUL characters, HTML and Markdown: the
    bot always answers, nothing fails, and each card shows the text literally (the stand-in
    parses cards as strict Telegram HTML, so unescaped markup would have been refused)."""
    for number, (name, text) in enumerate(NASTY_TEXTS.items(), start=1):
        user = person(bot, 91000 + number, f"Pemohon {name}")
        card = await bot.escalate(user, text, number)
        # Shown literally, except control characters, which are dropped before storing.
        assert clean_text(text)[:200] in card["text"], name
    await settle(bot)
    assert errors(caplog) == []


@pytest.fixture
async def pg_bot(
    postgres: PostgresServer | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BotUnderTest]:
    """The bot on PostgreSQL (the production database), when the server binaries exist."""
    if postgres is None:
        pytest.skip("PostgreSQL is not installed")
    name = f"hostile_{os.getpid()}_{id(tmp_path)}"
    postgres.psql(f"CREATE DATABASE {name}")
    api = await started_api()
    monkeypatch.chdir(tmp_path)
    settings = bot_settings(tmp_path, api, database_url=postgres.url(name))
    try:
        async with running_bot(api, settings, tmp_path) as harness:
            yield harness
    finally:
        postgres.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def test_a_nul_character_is_answered_on_postgresql(
    pg_bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """The NUL text that SQLite takes is answered on PostgreSQL too, without an error."""
    pg_bot.api.send_text(pg_bot.requester, pg_bot.requester.id, NASTY_TEXTS["nul"])
    await settle(pg_bot)
    assert errors(caplog) == []
    assert pg_bot.api.messages_to(pg_bot.requester.id) != []


@pytest.mark.parametrize("open_ticket", [False, True])
async def test_a_text_of_control_characters_gets_a_clear_answer(
    bot: BotUnderTest, open_ticket: bool
) -> None:
    """Text that is nothing once its control characters go (a fuzz case: DEL alone) is
    answered with a request to write the question, with or without an open ticket."""
    if open_ticket:
        await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    mark = len(bot.api.sent)
    bot.api.send_text(bot.requester, bot.requester.id, "\x7f\x07")
    reply = await bot.said_to(
        bot.requester.id, lambda r: r["text"] == texts.UNREADABLE_TEXT, since=mark
    )
    assert "Bapak/Ibu" in reply["text"]


async def test_a_long_emoji_follow_up_reaches_the_staff_group(bot: BotUnderTest) -> None:
    """A follow-up as long as Telegram allows is shown to staff under the card."""
    await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    flood = "😀" * 2048
    mark = len(bot.api.sent)
    bot.api.send_text(bot.requester, bot.requester.id, flood)
    await bot.said_to(bot.requester.id, lambda r: "ditambahkan" in r["text"], since=mark)
    await settle(bot)
    assert any(flood in r["text"] for r in bot.api.messages_to(STAFF_CHAT))


async def test_requester_name_with_markup_is_shown_literally(bot: BotUnderTest) -> None:
    """A first name of ``<b>Budi</b> & co`` appears on the card as typed, not as markup."""
    user = person(bot, 91500, "<b>Budi</b> & co")
    card = await bot.escalate(user, "Zzqx wvvq plorkh", 1)
    assert "Pemohon: <b>Budi</b> & co (telegram)" in card["text"]
    assert all(entity["type"] != "bold" or entity["offset"] < 9 for entity in card["entities"])


HOSTILE_NAMES = {
    "../../etc/passwd.pdf": "passwd.pdf",
    "..\\..\\win.ini.pdf": "win.ini.pdf",
    "surat\nlamaran\r.pdf": "surat_lamaran_.pdf",
    "x" * 300 + ".pdf": "x" * 200,
    "/absolute/path/ktp.pdf": "ktp.pdf",
    "....pdf": "pdf",
}


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def test_uploaded_file_names_cannot_escape_the_attachment_store(
    bot: BotUnderTest,
) -> None:
    """Path traversal, newlines and 300-character names: every file lands in
    ATTACHMENTS_DIR under its SHA-256 only, nothing is written elsewhere, and the card and
    the copies posted to staff carry the cleaned name."""
    before = {path for path in files_under(bot.workdir.parent) if "attachments" not in path.parts}
    for index, name in enumerate(HOSTILE_NAMES):
        bot.api.send_document(
            bot.requester, bot.requester.id, PDF + bytes([index]) * 64, name, "application/pdf"
        )
    await settle(bot)
    card = [r for r in bot.api.messages_to(STAFF_CHAT) if r["text"].startswith("Tiket #1\n")][-1]
    files_line = next(line for line in card["text"].splitlines() if line.startswith("Dokumen:"))
    for cleaned in HOSTILE_NAMES.values():
        assert cleaned in files_line
    assert "/" not in files_line and "\\" not in files_line and ".." not in files_line
    posted = [r["document"]["file_name"] for r in bot.api.sent if r["method"] == "sendDocument"]
    assert len(posted) == len(HOSTILE_NAMES)
    assert not any("/" in name or "\\" in name or "\n" in name for name in posted)

    store = bot.settings.attachments_dir
    stored = files_under(store)
    assert len(stored) == len(HOSTILE_NAMES)
    for path in stored:
        assert re.fullmatch(r"[0-9a-f]{64}", path.name)
        assert path.relative_to(store).parts == (path.name[:2], path.name[2:4], path.name)
    after = {path for path in files_under(bot.workdir.parent) if "attachments" not in path.parts}
    new = {path.relative_to(bot.workdir) for path in after - before}
    assert all(path.name.startswith("helpdesk.db") for path in new), new
    for base in (store, store / "ab" / "cd", bot.workdir):
        assert not (base / "../../etc/passwd.pdf").resolve().exists()
        assert not (base / "../../win.ini.pdf").resolve().exists()


async def test_an_executable_named_pdf_is_refused_and_not_stored(bot: BotUnderTest) -> None:
    """An ``MZ`` executable sent as ``surat.pdf`` with mime application/pdf: a clear refusal,
    no ticket, no file on disk, nothing posted to staff."""
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 256
    mark = len(bot.api.sent)
    bot.api.send_document(
        bot.requester, bot.requester.id, executable, "surat.pdf", "application/pdf"
    )
    reply = await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    assert reply["text"] == texts.FILE_TYPE_REFUSED
    await settle(bot)
    store = bot.settings.attachments_dir
    assert not store.exists() or files_under(store) == []
    assert await ticket_count(bot) == 0
    assert bot.api.messages_to(STAFF_CHAT) == []


# --- mail: header injection and relaying ----------------------------------------------------


def send_raw(mail_bot: MailBot, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", mail_bot.smtp_port, timeout=30) as client:
        client.sendmail(REQUESTER, [HELPDESK], raw)


async def test_encoded_crlf_in_subject_cannot_add_recipients(mail_bot: MailBot) -> None:
    """An RFC 2047 subject (and sender name) decoding to CR/LF + ``Bcc: victim``: the ack and
    the staff answer go to the requester only, with one Subject and no Bcc/Cc header."""
    raw = (
        "From: =?utf-8?B?QnVkaQ0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?= <budi@cvmaju.co.id>\r\n"
        f"To: {HELPDESK}\r\n"
        # "Zzqx wvvq\r\nBcc: victim@evil.example\r\n\r\nisi palsu"
        "Subject: =?utf-8?B?WnpxeCB3dnZxDQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGUNCg0KaXNpIHBhbHN1?=\r\n"
        "Message-ID: <inject@cvmaju.co.id>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nzzqx wvvq plorkh\r\n"
    ).encode()
    await asyncio.to_thread(send_raw, mail_bot, raw)
    card = await mail_bot.harness.card(1)
    bot = mail_bot.harness
    bot.api.send_text(bot.rina, STAFF_CHAT, "Jawaban petugas.", reply_to=card["message_id"])
    await mail_bot.sink.wait_for(lambda m: "Jawaban petugas" in m.get_content())
    assert len(mail_bot.sink.messages) == 2  # the acknowledgement and the answer
    for message, envelope in zip(mail_bot.sink.messages, mail_bot.sink.envelopes, strict=True):
        assert envelope.rcpt_tos == [REQUESTER]
        assert message["Bcc"] is None and message["Cc"] is None
        assert len(message.get_all("Subject") or []) == 1
        assert "\n" not in str(message["Subject"]) and "[#1]" in str(message["Subject"])
        raw_out = envelope.original_content or b""
        head = raw_out.split(b"\r\n\r\n", 1)[0]
        assert not re.search(rb"(?im)^(bcc|cc):", head)


def smtp_rcpt(port: int, address: str) -> int:
    """The reply code to ``RCPT TO:<address>`` (sent verbatim) after a normal MAIL FROM."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        client.mail(REQUESTER)
        code, _ = client.docmd("RCPT", f"TO:<{address}>")
        return code


OUTSIDE_RECIPIENTS = [
    "someone@evil.example",
    "helpdesk@evil.example",
    "helpdesk@lpse.oganilirkab.go.id.evil.example",
    "@relay.example:user@x.example",
    "@lpse.oganilirkab.go.id:victim@evil.example",
    "victim%evil.example@lpse.oganilirkab.go.id",
    '"helpdesk@lpse.oganilirkab.go.id"@evil.example',
    "helpdesk@lpse.oganilirkab.go.id@evil.example",
    "victim@evil.example,helpdesk@lpse.oganilirkab.go.id",
]


async def test_smtp_refuses_to_relay(mail_bot: MailBot) -> None:
    """Outside domains, look-alike addresses, source routes and percent hacks are refused at
    RCPT with 5xx; the helpdesk address itself is accepted."""
    port = mail_bot.smtp_port
    codes = {
        address: await asyncio.to_thread(smtp_rcpt, port, address) for address in OUTSIDE_RECIPIENTS
    }
    assert {address: code for address, code in codes.items() if not 500 <= code < 600} == {}
    assert await asyncio.to_thread(smtp_rcpt, port, HELPDESK) == 250
    async with mail_bot.harness_uow() as uow:
        assert await uow.inbound_mail.count() == 0


# --- forged buttons -------------------------------------------------------------------------


async def two_tickets(bot: BotUnderTest) -> tuple[dict[str, Any], dict[str, Any]]:
    """Cards #1 (the requester's) and #2 (another requester's)."""
    first = await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    second = await bot.escalate(person(bot, 92001, "Siti"), "Plorkh zzqx wvvq", 2)
    await settle(bot)
    return first, second


async def test_a_non_member_pressing_staff_buttons_is_refused(bot: BotUnderTest) -> None:
    """Someone in the group but not in the roster gets the refusal; the ticket is unchanged."""
    card = await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    before = await ticket_state(bot, 1)
    labels = ("Ambil", "Selesai", "Langkah berikutnya")
    await forge(bot, bot.outsider, card, *(button_data(card, label) for label in labels))
    refusals = [a for a in bot.api.answered_callbacks if a["query"]["from"]["id"] == 999]
    assert [a["text"] for a in refusals] == [texts.STAFF_NOT_MEMBER] * 3
    assert await ticket_state(bot, 1) == before


async def test_pressing_a_menu_button_twice_is_not_an_error(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """ "Teruskan" twice on one card (a double tap): the second edit changes nothing, which
    Telegram answers with "message is not modified"; the bot shrugs, nothing is logged."""
    card = await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    data = button_data(card, texts.BUTTON_FORWARD)
    await forge(bot, bot.rina, card, data, data)
    assert errors(caplog) == []
    assert len(bot.api.answered_callbacks) >= 2


async def test_a_button_naming_another_ticket_does_nothing(bot: BotUnderTest) -> None:
    """A member pressing, on card #1, data that names ticket #2: ignored, neither changes."""
    first, _ = await two_tickets(bot)
    before = [await ticket_state(bot, 1), await ticket_state(bot, 2)]
    await forge(bot, bot.andi, first, "s:take:2", "s:close:2", "s:to:2:sekretaris")
    assert [await ticket_state(bot, 1), await ticket_state(bot, 2)] == before


TAMPERED_STAFF = [
    "s:take:abc",
    "s:take:",
    "s::1",
    "s:take:1:extra",
    "s:take:-1",
    "s:take:" + "9" * 60,
    "s:to:1:admin';--",
    "s:to:1:<b>x</b>",
    "s:to:1:",
    "s:drop:1",
    "s:" + "A" * 200,
    "s:take:1\x00",
]


async def test_tampered_staff_payloads_change_nothing(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Malformed, injected and oversized callback data from a member: no crash, no change."""
    card = await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    await settle(bot)
    before = await ticket_state(bot, 1)
    await forge(bot, bot.andi, card, *TAMPERED_STAFF)
    assert await ticket_state(bot, 1) == before
    assert errors(caplog) == []


async def test_an_oversized_forged_role_is_answered_without_error(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """``s:to:1:<200-byte role>``: refused politely, nothing fails."""
    card = await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    await settle(bot)
    before = await ticket_state(bot, 1)
    await forge(bot, bot.andi, card, "s:to:1:" + "x" * 200)
    assert await ticket_state(bot, 1) == before
    assert errors(caplog) == []


TAMPERED_REQUESTER = ["r:1:99", "r:1:0", "r:1:-5", "r:1", "r:x:5", "fb:1", "c:1:-1", "j:abc"]


async def test_tampered_requester_payloads_change_nothing(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Ratings out of range, truncated or non-numeric fields on the requester's own ticket:
    no crash, the ticket keeps its state and has no rating."""
    await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    await settle(bot)
    before = await ticket_state(bot, 1)
    last = bot.api.messages_to(bot.requester.id)[-1]
    await forge(bot, bot.requester, last, *TAMPERED_REQUESTER)
    assert await ticket_state(bot, 1) == before
    assert errors(caplog) == []


async def test_a_rating_for_a_missing_ticket_is_ignored(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """``r:999:5`` (no such ticket): ignored without an error."""
    reply = await bot.ask(bot.requester, "/start")
    await forge(bot, bot.requester, reply, "r:999:5")
    assert errors(caplog) == []


# --- one requester against another ----------------------------------------------------------


async def test_status_lists_only_own_tickets(bot: BotUnderTest) -> None:
    """/status shows the asker's tickets and never another requester's."""
    await two_tickets(bot)
    siti = person(bot, 92001, "Siti")
    status = await bot.ask(siti, "/status")
    assert "Tiket #2" in status["text"] and "Tiket #1" not in status["text"]


async def test_rating_another_requesters_ticket_does_nothing(bot: BotUnderTest) -> None:
    """Ticket #1 is closed and awaits its requester's rating; another requester pressing
    ``r:1:5`` (or ``r:1:1``) changes nothing."""
    card = await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    await forge(bot, bot.rina, card, button_data(card, "Selesai"))
    await bot.said_to(bot.requester.id, lambda r: "penilaian" in r["text"])
    before = await ticket_state(bot, 1)
    assert before[0] == "selesai"
    siti = person(bot, 92001, "Siti")
    reply = await bot.ask(siti, "/start")
    await forge(bot, siti, reply, "r:1:5", "r:1:1", "r:1:skip")
    assert await ticket_state(bot, 1) == before


async def test_choosing_another_requesters_ticket_does_not_join_it(bot: BotUnderTest) -> None:
    """With two open tickets the bot asks which one; a forged ``j:1`` naming someone else's
    ticket does not add the message there."""
    await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    siti = person(bot, 92001, "Siti")
    await bot.escalate(siti, "Plorkh zzqx wvvq", 2)
    menu = await bot.ask(siti, "/start")
    await forge(bot, siti, menu, "m:ask")
    await bot.escalate(siti, "Wvvq plorkh zzqx", 3)
    await settle(bot)
    before = await ticket_state(bot, 1)
    question = await bot.ask(siti, "pesan rahasia untuk tiket saya")
    assert "j:2" in str(question["reply_markup"]) and "j:1" not in str(question["reply_markup"])
    await forge(bot, siti, question, "j:1")
    assert await ticket_state(bot, 1) == before
    async with database(bot.settings) as uow:
        texts_of_1 = [m.text for m in await uow.tickets.messages(1)]
    assert not any("pesan rahasia" in text for text in texts_of_1)


# --- flood ----------------------------------------------------------------------------------


async def test_a_flood_earns_one_notice_and_loses_nothing(bot: BotUnderTest) -> None:
    """30 messages in a few seconds from one requester with an open ticket: exactly one
    "banyak pesan" notice, and all 30 are stored on the ticket."""
    await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    await settle(bot)
    for index in range(30):
        bot.api.send_text(bot.requester, bot.requester.id, f"pesan banjir nomor {index}")
    await settle(bot)
    notices = [r for r in bot.api.messages_to(bot.requester.id) if "banyak pesan" in r["text"]]
    assert len(notices) == 1
    async with database(bot.settings) as uow:
        stored = [m.text for m in await uow.tickets.messages(1)]
    assert [t for t in stored if t.startswith("pesan banjir")] == [
        f"pesan banjir nomor {index}" for index in range(30)
    ]


# --- secrets --------------------------------------------------------------------------------


async def exercise_every_http_path(bot: BotUnderTest) -> None:
    """Polling, sending, editing, a file download and a document upload: every URL shape."""
    card = await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    bot.api.send_document(
        bot.requester, bot.requester.id, PDF + b"x" * 64, "a.pdf", "application/pdf"
    )
    await bot.said_to(STAFF_CHAT, lambda r: r["method"] == "sendDocument")
    await forge(bot, bot.rina, card, button_data(card, "Ambil"))
    bot.api.send_text(bot.rina, STAFF_CHAT, "Baik, kami cek.", reply_to=card["message_id"])
    await bot.said_to(bot.requester.id, lambda r: "kami cek" in r["text"])
    await settle(bot)


def token_leaks(bot: BotUnderTest, text: str) -> bool:
    token = bot.api.token
    return token in text or token.split(":", 1)[1] in text


@contextmanager
def logging_as_the_cli_does(settings: Settings, stream: io.StringIO) -> Iterator[None]:
    """`lpse-helpdesk run`'s logging (redacting handler), at DEBUG with httpx at DEBUG too."""
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in ("httpx", "apscheduler")}
    handler = observability.configure_logging(
        logging.DEBUG, secrets=observability.settings_secrets(settings), stream=stream
    )
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)


async def test_the_bot_token_never_reaches_the_log_output(bot: BotUnderTest) -> None:
    """With the CLI's logging at DEBUG (httpx too), nothing written contains the token or
    its secret half, though httpx logs every request URL."""
    stream = io.StringIO()
    with logging_as_the_cli_does(bot.settings, stream):
        await exercise_every_http_path(bot)
    output = stream.getvalue()
    assert "HTTP Request" in output  # the URLs were logged, redacted
    assert not token_leaks(bot, output)


async def test_no_log_record_carries_the_bot_token(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG for the whole test, no log record's message or traceback has the token."""
    caplog.set_level(logging.DEBUG)
    await exercise_every_http_path(bot)
    leaked = [r.name for r in caplog.records if token_leaks(bot, r.getMessage())]
    assert leaked == [] and not token_leaks(bot, caplog.text)


class CredentialStored(AssertionError):
    """The held-back credential was found in the database."""


async def database_dump(settings: Settings) -> dict[str, str]:
    """Every stored value of every table (found by reflection), as text, per table.

    Raw driver rows, so that no column type (JSON, dates, blobs) hides or rejects a value.
    """
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            metadata = MetaData()
            await connection.run_sync(metadata.reflect)
            dump: dict[str, str] = {}
            for table in metadata.sorted_tables:
                result = await connection.exec_driver_sql(f'SELECT * FROM "{table.name}"')
                dump[table.name] = "\n".join(
                    value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    for row in result.all()
                    for value in row
                )
    finally:
        await engine.dispose()
    return dump


async def test_a_password_never_reaches_the_database(bot: BotUnderTest) -> None:
    """'password saya Rahasia123' as a question, a follow-up, a caption and an edit: held
    back each time, and no text column of any table contains it."""
    secret = "Rahasia123"
    reply = await bot.ask(bot.requester, f"password saya {secret}")
    assert reply["text"] == texts.PASSWORD_HELD_BACK
    await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
    edited = bot.api.send_text(bot.requester, bot.requester.id, "tambahan data")
    await bot.said_to(STAFF_CHAT, lambda r: "tambahan data" in r["text"])
    sends: list[Callable[[], object]] = [
        lambda: bot.api.send_text(bot.requester, bot.requester.id, f"pw: {secret}"),
        lambda: bot.api.send_document(
            bot.requester,
            bot.requester.id,
            PDF,
            "a.pdf",
            "application/pdf",
            caption=f"sandi akun: {secret}",
        ),
        lambda: bot.api.edit_text(
            bot.requester, bot.requester.id, edited["message_id"], f"password saya {secret}"
        ),
    ]
    for send in sends:
        await settle(bot)
        mark = len(bot.api.sent)
        send()
        await bot.said_to(
            bot.requester.id, lambda r: r["text"] == texts.PASSWORD_HELD_BACK, since=mark
        )
    await settle(bot)
    assert not any(secret in r["text"] for r in bot.api.messages_to(STAFF_CHAT))
    leaks = sorted(
        name for name, text in (await database_dump(bot.settings)).items() if secret in text
    )
    assert set(leaks) <= {"telegram_inbox"}, leaks  # anywhere else is a new leak
    if leaks:
        raise CredentialStored(leaks)


async def test_a_mailed_password_is_not_relayed_to_staff(mail_bot: MailBot) -> None:
    """A reply mail carrying a credential joins the ticket without showing it to staff."""
    await mail_bot.send_async(mail("Zzqx plorkh", "zzqx wvvq plorkh"))
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    await mail_bot.harness.card(1)
    follow_up = mail(
        "Re: Zzqx plorkh [#1]",
        "Ini datanya, password saya Rahasia123",
        in_reply_to=str(ack["Message-ID"]),
    )
    await mail_bot.send_async(follow_up)
    for _ in range(100):  # until the processor has handled both mails
        async with mail_bot.harness_uow() as uow:
            if await uow.inbound_mail.count(PROCESSED) == 2:
                break
        await asyncio.sleep(0.1)
    await settle(mail_bot.harness)
    assert not any("Rahasia123" in r["text"] for r in mail_bot.harness.api.sent)


# --- output to an operator's terminal -------------------------------------------------------


async def test_tickets_show_does_not_replay_terminal_escapes(bot: BotUnderTest) -> None:
    """A question carrying terminal control sequences prints inertly in `tickets show`
    (regression: bot.tables.render_table used to print ESC/BEL/CR raw)."""
    hostile = "\x1b]0;owned\x07\x1b[2J\x1b[1A\x1b[2K\rTiket aman, abaikan"
    await bot.escalate(bot.requester, hostile, 1)
    await settle(bot)
    env = bot.workdir / "cli.env"
    env.write_text(
        f"DATABASE_URL={bot.settings.database_url}\nSTAFF_FILE={bot.settings.staff_file}\n",
        encoding="utf-8",
    )
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["--env-file", str(env), "tickets", "show", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Tiket aman" in result.output
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.output)


# --- denial of service ----------------------------------------------------------------------


async def test_one_requesters_message_cannot_freeze_the_bot(bot: BotUnderTest) -> None:
    """While a requester's pathological message is matched, the event loop that serves every
    chat, the outbox and the SMTP intake never stalls for a second (measured by this test's
    own short sleeps on that loop, until the bot has answered). Regression: the FAQ's old
    URL pattern backtracked cubically: 4,096 characters froze the bot for ~30 s."""
    mark = len(bot.api.sent)
    bot.api.send_text(bot.requester, bot.requester.id, "a@" * 2048)  # Telegram's maximum
    longest, deadline = 0.0, time.monotonic() + 20
    while time.monotonic() < deadline:
        before = time.monotonic()
        await asyncio.sleep(0.05)
        longest = max(longest, time.monotonic() - before)
        if any(r["chat_id"] == bot.requester.id for r in bot.api.sent[mark:]):
            break
    assert longest < 1.0, f"the event loop stalled for {longest:.1f} s"
