"""Issue 16, findings 3, 7 (mail half) and 8: one mail that freezes the bot, one mail that
floods the staff group, and file names that lie; attacked over real SMTP (and the Bot API
stand-in for the Telegram upload) against the running bot."""

from __future__ import annotations

import asyncio
import smtplib

from sqlalchemy import func, select

from storage.models import AttachmentRow, MessageRow
from tests.e2e.conftest import STAFF_CHAT, BotUnderTest, eventually
from tests.support.loop_lag import LoopLagProbe
from tests.support.mail_bot import HELPDESK, REQUESTER, MailBot, mail
from tests.support.mail_samples import pdf_bytes

PDF = b"%PDF-1.7\n% tagihan\n" + bytes(range(256))


async def send_raw(bot: MailBot, raw: bytes, sender: str = REQUESTER) -> None:
    def deliver() -> None:
        with smtplib.SMTP("127.0.0.1", bot.smtp_port, timeout=120) as client:
            client.sendmail(sender, [HELPDESK], raw)

    await asyncio.to_thread(deliver)


async def first_messages(bot: MailBot, number: int) -> list[str]:
    async with bot.database() as engine, engine.connect() as connection:
        rows = await connection.execute(
            select(MessageRow.text).where(MessageRow.ticket_id == number)
        )
        return [row.text for row in rows]


async def attachment_count(bot: MailBot) -> int:
    async with bot.database() as engine, engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(AttachmentRow)))


def huge_references_mail(ids: int, thread_id: str) -> bytes:
    """A 4.3 MB mail whose References header carries ``ids`` ids, the genuine one last."""
    lines = [
        b"From: Budi Santoso <" + REQUESTER.encode() + b">",
        b"To: " + HELPDESK.encode(),
        b"Subject: Re: Zzqx plorkh",
        b"Message-ID: <huge-references@cvmaju.co.id>",
        b"In-Reply-To: <not-ours@cvmaju.co.id>",
    ]
    folded = [b"References: <r0@flood.example>"]
    for start in range(1, ids, 20):
        folded.append(
            b" " + b" ".join(b"<r%d@flood.example>" % n for n in range(start, min(start + 20, ids)))
        )
    folded.append(b" " + thread_id.encode())
    body = b"zzqx wvvq plorkh susulan besar"
    return b"\r\n".join([*lines, *folded, b"", body, b""])


async def test_a_mail_with_400000_references_never_holds_the_loop(mail_bot: MailBot) -> None:
    await mail_bot.send_async(mail("Zzqx plorkh", "zzqx wvvq plorkh"))
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    card = await mail_bot.harness.card(1)
    raw = huge_references_mail(400_000, str(ack["Message-ID"]))
    assert len(raw) > 4_300_000
    async with LoopLagProbe() as probe:
        await send_raw(mail_bot, raw)
        # Threaded by the newest id (ours, last in References): shown under the card.
        note = await mail_bot.harness.said_to(
            STAFF_CHAT, lambda r: "susulan besar" in r["text"], timeout=60
        )
    assert note["reply_to_message_id"] == card["message_id"]
    # DESIGN: no single input holds the loop for more than ~100 ms; CI noise gets room.
    probe.assert_below(0.25)


async def test_one_mail_with_1500_attachments_keeps_20_and_lists_the_rest(
    mail_bot: MailBot,
) -> None:
    message = mail("Zzqx qwv", "zzqx wvvq plorkh qwv")
    for n in range(1500):
        message.add_attachment(
            pdf_bytes(64, seed=n), maintype="application", subtype="pdf", filename=f"f{n}.pdf"
        )
    await mail_bot.send_async(message)
    await mail_bot.harness.said_to(
        STAFF_CHAT, lambda r: r["text"].startswith("Tiket #1\n"), timeout=60
    )

    def documents() -> int:
        return sum(r["method"] == "sendDocument" for r in mail_bot.harness.api.sent)

    await eventually(lambda: documents() >= 20, timeout=30)
    await asyncio.sleep(1.0)
    assert documents() == 20
    assert await attachment_count(mail_bot) == 20
    [question] = await first_messages(mail_bot, 1)
    assert "f20.pdf" in question and "dan 1460 lampiran lainnya" in question
    assert "f1499.pdf" not in question


async def test_a_pdf_named_hta_reaches_staff_as_pdf_by_mail(mail_bot: MailBot) -> None:
    message = mail("Zzqx tagihan", "zzqx wvvq plorkh tagihan")
    for name in ("tagihan.hta", "surat.html", "jalankan.bat"):
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename=name)
    await mail_bot.send_async(message)
    await mail_bot.harness.card(1)
    names = set()
    for _ in range(3):
        document = await mail_bot.harness.said_to(
            STAFF_CHAT,
            lambda r: r["method"] == "sendDocument" and r["document"]["file_name"] not in names,
        )
        names.add(document["document"]["file_name"])
    assert names == {"tagihan.pdf", "surat.pdf", "jalankan.pdf"}


async def test_a_pdf_named_html_reaches_staff_as_pdf_from_telegram(bot: BotUnderTest) -> None:
    bot.api.send_document(bot.requester, bot.requester.id, PDF, "bukti.html", "text/html")
    document = await bot.said_to(STAFF_CHAT, lambda r: r["method"] == "sendDocument")
    assert document["document"]["file_name"] == "bukti.pdf"
