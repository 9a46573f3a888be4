"""Every mail becomes a ticket or a deliberate ignore, through the running SMTP intake.

The CPython ``test_email`` corpus (``cpython/``: odd MIME, charsets, digests, bounces, mails
without a body) and the mails that used to get lost: a subject without text, a forward
attached as message/rfc822, lines over 1000 characters, windows-1252 text labelled
ISO-8859-1, a picture without a name.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
from email.message import EmailMessage
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

from sqlalchemy import select

from storage.models import AttachmentRow, InboundMailRow, MessageRow
from tests.support import mail_samples as samples
from tests.support.mail_bot import HELPDESK, REQUESTER, MailBot, mail

CPYTHON = Path(__file__).resolve().parent / "cpython"
SETTLED = ("processed", "ignored")
# Why a mail may be set aside without a ticket; anything else must open one.
DELIBERATE = ("automatic:", "empty:", "no sender address")


def deliver(bot: MailBot, raw: bytes, sender: str = REQUESTER) -> tuple[int, bytes]:
    """DATA of one raw mail, as a mail server relays it; (code, reply) of the end of DATA."""
    with smtplib.SMTP("127.0.0.1", bot.smtp_port, timeout=60) as client:
        client.ehlo()
        client.mail(sender)
        client.rcpt(HELPDESK)
        return client.data(raw)


async def settled_rows(bot: MailBot, expected: int, timeout: float = 60) -> list[InboundMailRow]:
    """The stored mails once ``expected`` of them are all processed or ignored."""
    deadline = time.monotonic() + timeout
    async with bot.database() as engine:
        while True:
            async with engine.connect() as connection:
                rows = list((await connection.execute(select(InboundMailRow))).all())
            if len(rows) >= expected and all(row.status in SETTLED for row in rows):
                return rows  # type: ignore[return-value]
            assert time.monotonic() < deadline, [(r.id, r.status, r.note) for r in rows]
            await asyncio.sleep(0.2)


async def ticket_texts(bot: MailBot, ticket_id: int) -> tuple[list[str], list[str]]:
    """(message texts, attachment file names) of a ticket."""
    async with bot.database() as engine, engine.connect() as connection:
        texts = (
            await connection.scalars(
                select(MessageRow.text).where(MessageRow.ticket_id == ticket_id)
            )
        ).all()
        names = (
            await connection.scalars(
                select(AttachmentRow.filename)
                .join(MessageRow, AttachmentRow.message_id == MessageRow.id)
                .where(MessageRow.ticket_id == ticket_id)
            )
        ).all()
    return list(texts), list(names)


async def test_cpython_corpus_each_mail_a_ticket_or_a_deliberate_ignore(mail_bot: MailBot) -> None:
    paths = sorted(CPYTHON.glob("msg_*.txt"))
    assert len(paths) >= 40
    for path in paths:
        code, reply = await asyncio.to_thread(deliver, mail_bot, path.read_bytes())
        assert code == 250, (path.name, code, reply)
    # Some corpus mails are copies of each other (same Message-ID and sender): one row each.
    rows = await settled_rows(mail_bot, expected=1)
    assert len(rows) >= 40
    for row in rows:
        if row.status == "processed":
            assert row.ticket_id is not None
        else:
            assert (row.note or "").startswith(DELIBERATE), (row.id, row.note)
    # Set aside: bounces, auto-replies and list mail (no acknowledgement loops), and a mail
    # with neither text, subject nor file (msg_18: headers only).
    ignored = [row.note or "" for row in rows if row.status == "ignored"]
    assert sum(note.startswith("empty:") for note in ignored) <= 1, ignored
    assert len(rows) - len(ignored) >= 30


async def test_mails_that_used_to_be_lost_become_tickets(mail_bot: MailBot) -> None:
    subject_only = EmailMessage()
    subject_only["From"] = f"Budi Santoso <{REQUESTER}>"
    subject_only["To"] = HELPDESK
    subject_only["Subject"] = "Cara reset password akun penyedia"
    subject_only["Message-ID"] = "<subject-only@cvmaju.co.id>"

    forward = MIMEMultipart()
    forward["From"] = REQUESTER
    forward["To"] = HELPDESK
    forward["Subject"] = "Fwd: pertanyaan rekan"
    forward["Message-ID"] = "<forward@cvmaju.co.id>"
    forwarded = MIMEText("Apakah NIB berbasis risiko sudah bisa dipakai untuk tender?")
    forwarded["From"] = "siti@cvmaju.co.id"
    forwarded["Subject"] = "NIB berbasis risiko"
    forward.attach(MIMEMessage(forwarded))

    long_line = "Uraian masalah " + "dokumen penawaran tidak terunggah " * 150 + "SELESAI"
    long_mail = samples.raw_message(
        [
            ("From", REQUESTER),
            ("To", HELPDESK),
            ("Subject", "Baris panjang"),
            ("Message-ID", "<long@cvmaju.co.id>"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        long_line.encode() + b"\r\n",
    )

    cp1252 = samples.raw_message(
        [
            ("From", REQUESTER),
            ("To", HELPDESK),
            ("Subject", "Dokumen"),
            ("Message-ID", "<cp1252@cvmaju.co.id>"),
            ("Content-Type", "text/plain; charset=iso-8859-1"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        samples.CP1252_TEXT.encode("cp1252") + b"\r\n",
    )

    picture = MIMEMultipart()
    picture["From"] = REQUESTER
    picture["To"] = HELPDESK
    picture["Subject"] = "Tangkapan layar galat"
    picture["Message-ID"] = "<picture@cvmaju.co.id>"
    picture.attach(MIMEText("Galatnya seperti gambar ini."))
    picture.attach(MIMEImage(samples.jpeg_bytes(), _subtype="jpeg"))  # no file name

    sent = [
        subject_only.as_bytes(),
        forward.as_bytes(),
        long_mail,
        cp1252,
        picture.as_bytes(),
    ]
    for raw in sent:
        code, reply = await asyncio.to_thread(deliver, mail_bot, raw)
        assert code == 250, reply
    rows = await settled_rows(mail_bot, expected=len(sent))
    by_id = {row.message_id: row for row in rows}
    assert all(row.status == "processed" for row in rows), [(r.message_id, r.note) for r in rows]

    async def ticket_of(message_id: str) -> tuple[list[str], list[str]]:
        ticket_id = by_id[message_id].ticket_id
        assert ticket_id is not None
        return await ticket_texts(mail_bot, ticket_id)

    texts, _ = await ticket_of("<subject-only@cvmaju.co.id>")
    assert texts[0] == "Cara reset password akun penyedia"
    texts, _ = await ticket_of("<forward@cvmaju.co.id>")
    assert "NIB berbasis risiko sudah bisa dipakai" in texts[0]
    texts, _ = await ticket_of("<long@cvmaju.co.id>")
    assert texts[0] == long_line
    texts, _ = await ticket_of("<cp1252@cvmaju.co.id>")
    assert texts[0] == samples.CP1252_TEXT
    texts, names = await ticket_of("<picture@cvmaju.co.id>")
    assert texts[0] == "Galatnya seperti gambar ini." and names == ["lampiran-1.jpg"]
    # Each requester heard back: one acknowledgement per ticket.
    await mail_bot.sink.wait_for(lambda m: "Cara reset password" in str(m["Subject"]))


async def test_an_empty_mail_is_set_aside_with_a_note(mail_bot: MailBot) -> None:
    empty = mail("", "")
    del empty["Subject"]
    code, _ = await asyncio.to_thread(deliver, mail_bot, empty.as_bytes())
    assert code == 250
    [row] = await settled_rows(mail_bot, expected=1)
    assert row.status == "ignored" and row.note == "empty: no text, subject or file"
