"""The e-mail channel over real SMTP on loopback: the bot's intake server, a relay sink.

Mail goes in with smtplib, the bot stores it before 250, processes it into tickets, and
answers through an aiosmtpd sink standing in for the office's relay.
"""

from __future__ import annotations

import asyncio
import smtplib
from datetime import UTC, datetime

from faq.kb import DEFAULT_KB_PATH, load_kb
from handlers.email import replies
from storage.database import create_engine, create_session_factory
from storage.mail import SqlInboundMail
from tests.e2e.conftest import (
    STAFF_CHAT,
)
from tests.support.mail_bot import HELPDESK, REQUESTER, MailBot, copied_colleague_reply, mail


async def test_new_mail_opens_ticket_acknowledged_once_with_threading(mail_bot: MailBot) -> None:
    original = mail("Zzqx wvvq", "zzqx wvvq plorkh")
    await mail_bot.send_async(original)
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    assert ack["In-Reply-To"] == original["Message-ID"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert "Tiket #1" in ack.get_content()
    card = await mail_bot.harness.card(1)
    assert "email" in card["text"]

    follow_up = mail(
        "Re: Zzqx wvvq [#1]", "Tambahan: kode tender 10234567", in_reply_to=str(ack["Message-ID"])
    )
    await mail_bot.send_async(follow_up)
    note = await mail_bot.harness.said_to(STAFF_CHAT, lambda r: "10234567" in r["text"])
    assert note["reply_to_message_id"] == card["message_id"]
    await asyncio.sleep(0.5)
    assert sum("[#1]" in str(m["Subject"]) for m in mail_bot.sink.messages) == 1


async def test_subject_number_threads_only_for_participants(mail_bot: MailBot) -> None:
    await mail_bot.send_async(mail("Zzqx plorkh", "zzqx wvvq plorkh"))
    await mail_bot.harness.card(1)
    await mail_bot.send_async(mail("Re: Zzqx plorkh [#1]", "susulan tanpa header"))
    await mail_bot.harness.said_to(STAFF_CHAT, lambda r: "susulan tanpa header" in r["text"])

    stranger = mail("Re: Zzqx plorkh [#1]", "zzqx wvvq plorkh lagi", sender="x@lain.id")
    await mail_bot.send_async(stranger, sender="x@lain.id")
    await mail_bot.harness.card(2)


async def test_staff_answer_goes_out_by_mail_in_the_thread(mail_bot: MailBot) -> None:
    original = mail("Zzqx plorkh", "zzqx wvvq plorkh")
    await mail_bot.send_async(original)
    card = await mail_bot.harness.card(1)
    bot = mail_bot.harness
    bot.api.send_text(
        bot.rina, STAFF_CHAT, "Silakan gunakan browser terbaru.", reply_to=card["message_id"]
    )
    answer = await mail_bot.sink.wait_for(lambda m: "browser terbaru" in m.get_content())
    assert "[#1]" in str(answer["Subject"])
    assert original["Message-ID"] in str(answer["References"])
    assert answer["Auto-Submitted"] is None  # a person wrote it


async def test_refused_recipient_and_oversize_mail(mail_bot: MailBot) -> None:
    def refused_recipient() -> tuple[int, str]:
        with smtplib.SMTP("127.0.0.1", mail_bot.smtp_port, timeout=30) as client:
            client.ehlo()
            client.mail(REQUESTER)
            code, message = client.rcpt("someone@gmail.com")
            return code, message.decode()

    assert await asyncio.to_thread(refused_recipient) == (550, replies.RECIPIENT_UNKNOWN[4:])

    huge = mail("Besar", "x")
    huge.add_attachment(
        b"%PDF-1.4" + b"0" * (25 * 1024 * 1024),
        maintype="application",
        subtype="pdf",
        filename="besar.pdf",
    )

    def oversize_at_data() -> tuple[int, bytes]:
        # No SIZE parameter at MAIL FROM, so the limit is enforced while reading DATA.
        with smtplib.SMTP("127.0.0.1", mail_bot.smtp_port, timeout=60) as client:
            client.ehlo()
            client.mail(REQUESTER)
            client.rcpt(HELPDESK)
            return client.data(huge.as_bytes(policy=huge.policy.clone(linesep="\r\n")))

    code, _ = await asyncio.to_thread(oversize_at_data)
    assert code == 552
    async with mail_bot.harness_uow() as uow:
        assert await uow.inbound_mail.count() == 0


async def test_ten_megabyte_attachment_is_stored_with_the_ticket(mail_bot: MailBot) -> None:
    message = mail("Zzqx dokumen", "zzqx wvvq plorkh")
    payload = b"%PDF-1.7\n" + bytes(range(256)) * (10 * 1024 * 4 - 1)
    message.add_attachment(payload, maintype="application", subtype="pdf", filename="penawaran.pdf")
    await mail_bot.send_async(message)
    card = await mail_bot.harness.card(1)
    assert "penawaran.pdf" in card["text"]
    document = await mail_bot.harness.said_to(STAFF_CHAT, lambda r: r["method"] == "sendDocument")
    assert mail_bot.harness.api.file_bytes(document["document"]["file_id"]) == payload


async def test_auto_replies_and_bounces_get_no_answer(mail_bot: MailBot) -> None:
    await mail_bot.send_async(
        mail(
            "Automatic reply: cuti", "Saya sedang cuti sampai Senin.", Auto_Submitted="auto-replied"
        )
    )
    bounce = mail(
        "Undelivered Mail Returned to Sender",
        "delivery failed",
        sender="MAILER-DAEMON@cvmaju.co.id",
    )
    await mail_bot.send_async(bounce, sender="")
    listed = mail("[milis] info", "berita", List_Id="<milis.example.org>", Precedence="list")
    await mail_bot.send_async(listed)
    await asyncio.sleep(2)
    assert mail_bot.sink.messages == []
    assert mail_bot.harness.api.messages_to(STAFF_CHAT) == []


async def test_mail_stored_before_a_crash_is_processed_once_after_restart(
    mail_bot: MailBot,
) -> None:
    bot = mail_bot.harness
    await bot.stop()
    # What the SMTP handler commits before answering 250, with the bot down before processing.
    engine = create_engine(bot.settings.database_url)
    sessions = create_session_factory(engine)
    raw = mail("Zzqx crash", "zzqx wvvq plorkh").as_bytes()
    async with sessions() as session, session.begin():
        await SqlInboundMail(session).store(
            raw, REQUESTER, [HELPDESK], "<crash@x>", datetime.now(UTC)
        )
    await engine.dispose()

    await bot.start()
    await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    await bot.restart()
    await asyncio.sleep(1.5)
    assert sum("[#1]" in str(m["Subject"]) for m in mail_bot.sink.messages) == 1
    assert (
        sum(
            r["text"].startswith("Tiket #") and not r["edited"]
            for r in bot.api.messages_to(STAFF_CHAT)
        )
        == 1
    )


async def test_faq_answer_by_mail_waits_for_tidak_membantu(mail_bot: MailBot) -> None:
    entry = next(e for e in load_kb(DEFAULT_KB_PATH) if e.sop == "SOP-02")
    original = mail("Pertanyaan", entry.question)
    await mail_bot.send_async(original)
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    assert entry.answer.split(".")[0] in " ".join(ack.get_content().split())
    assert "tidak membantu" in ack.get_content()
    await asyncio.sleep(1)
    assert mail_bot.harness.api.messages_to(STAFF_CHAT) == []  # staff are not bothered yet

    await mail_bot.send_async(
        mail(
            "Re: Pertanyaan [#1]", "tidak membantu, masih gagal", in_reply_to=str(ack["Message-ID"])
        )
    )
    card = await mail_bot.harness.card(1)
    assert "Tiket #1" in card["text"]
    await mail_bot.harness.said_to(STAFF_CHAT, lambda r: "belum membantu" in r["text"])


async def test_out_of_office_reply_in_a_thread_is_only_a_note(mail_bot: MailBot) -> None:
    await mail_bot.send_async(mail("Zzqx plorkh", "zzqx wvvq plorkh"))
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    away = mail(
        "Automatic reply: Zzqx plorkh [#1]",
        "Saya sedang cuti.",
        in_reply_to=str(ack["Message-ID"]),
        Auto_Submitted="auto-replied",
    )
    await mail_bot.send_async(away)
    note = await mail_bot.harness.said_to(STAFF_CHAT, lambda r: "sedang cuti" in r["text"])
    assert "balasan otomatis" in note["text"]
    await asyncio.sleep(1)
    assert len(mail_bot.sink.messages) == 1  # nothing answered the auto-reply


async def test_rhs_case_goes_to_lkpp_by_mail_and_their_reply_threads_back(
    mail_bot: MailBot,
) -> None:
    bot = mail_bot.harness
    question = mail("File rhs", "File penawaran rhs dari penyedia tidak bisa dibuka oleh pokja.")
    question.add_attachment(
        b"\x17\x03 encrypted",
        maintype="application",
        subtype="octet-stream",
        filename="penawaran.rhs",
    )
    await mail_bot.send_async(question)
    # A mail with a file is an official letter: a ticket at once, SOP-02 until staff move it.
    card = await bot.card(1)
    assert "SOP-02" in card["text"]
    mark = await bot.press(bot.rina, card, "Ganti SOP")
    await bot.press_swapped(bot.rina, card, "SOP-06")
    card = await bot.said_to(
        STAFF_CHAT, lambda r: r["edited"] and "SOP-06" in r["text"], since=mark
    )

    mark = await bot.press(bot.rina, card, "Langkah berikutnya")  # step 2 -> 3 (sekretaris)
    card = await bot.said_to(
        STAFF_CHAT, lambda r: r["edited"] and "Langkah 3/7" in r["text"], since=mark
    )
    await bot.press(bot.andi, card, "Langkah berikutnya")  # step 3 -> 4: LKPP's
    forwarded = await mail_bot.sink.wait_for(lambda m: m["To"] == "lpse-support@example.go.id")
    assert "[#1]" in str(forwarded["Subject"])
    names = [part.get_filename() for part in forwarded.iter_attachments()]
    assert names == ["penawaran.rhs"]

    reply = mail(
        "Re: " + str(forwarded["Subject"]),
        "File berhasil dibuka di server LKPP.",
        sender="lpse-support@example.go.id",
        in_reply_to=str(forwarded["Message-ID"]),
    )
    await mail_bot.send_async(reply, sender="lpse-support@example.go.id")
    note = await bot.said_to(STAFF_CHAT, lambda r: "berhasil dibuka" in r["text"])
    assert "Balasan dari lkpp" in note["text"]


async def test_reply_all_from_a_copied_colleague_joins_the_ticket(mail_bot: MailBot) -> None:
    _, colleague = await copied_colleague_reply(mail_bot)
    await mail_bot.send_async(colleague, sender="rekan@cvmaju.co.id")
    await mail_bot.harness.said_to(STAFF_CHAT, lambda r: "ini tambahan" in r["text"])
    assert not any(r["text"].startswith("Tiket #2") for r in mail_bot.harness.api.sent)
