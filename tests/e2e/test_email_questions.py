"""Several questions in one mail (issue #18), over real SMTP on loopback.

Each question is matched on its own: every answer goes out in the one acknowledgement. When
every question is answered the ticket waits for the requester as after a single answer; when
one is not, staff get the ticket at once and the card lists the answers already sent.

The wordings are the shipped KB's own questions (clear for any tuning of the matcher) and one
question far from anything the LPSE answers.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot import texts
from bot.notifier import format_minutes
from faq.kb import DEFAULT_KB_PATH, load_kb
from tests.e2e.conftest import STAFF_CHAT
from tests.integration.test_cli import lpse
from tests.support.mail_bot import MailBot, mail

ENTRIES = {entry.id: entry for entry in load_kb(DEFAULT_KB_PATH)}
FILE_SIZE = "batas-ukuran-file-unggah"
OFFICE_HOURS = "jam-kerja-kantor"
FILE_SIZE_QUESTION = "Berapa batas ukuran dan format file yang bisa diunggah ke SPSE?"
OFFICE_HOURS_QUESTION = "Pada hari dan jam berapa kantor LPSE Kabupaten Ogan Ilir melayani?"
OUT_OF_SCOPE_QUESTION = "kapan gaji ke-13 pegawai honorer dinas pendidikan dibayarkan tahun ini?"


def _body(*questions: str) -> str:
    return "Yth. Bapak/Ibu,\n\n" + "\n\n".join(questions) + "\n\nTerima kasih.\nBudi"


def _flat(text: str) -> str:
    return " ".join(text.split())


async def _acknowledgement(mail_bot: MailBot) -> str:
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    return _flat(ack.get_body(("plain",)).get_content())  # type: ignore[union-attr]


async def _shown(mail_bot: MailBot) -> dict[str, Any]:
    settings = mail_bot.harness.settings
    env = {"DATABASE_URL": settings.database_url, "STAFF_FILE": str(settings.staff_file)}
    shown = await asyncio.to_thread(
        lpse, settings.staff_file.parent, "tickets", "show", "1", "--json", **env
    )
    assert shown.returncode == 0, shown.stderr
    document: dict[str, Any] = json.loads(shown.stdout)
    return document


async def _sent_entries(mail_bot: MailBot) -> tuple[str, ...]:
    """Every FAQ entry ticket #1 sent the requester (kept in storage; DESIGN's JSON view of
    a ticket has a fixed set of fields)."""
    async with mail_bot.harness_uow() as uow:
        ticket = await uow.tickets.get(1)
    return ticket.faq_entry_ids


def _answer_start(entry_id: str) -> str:
    return _flat(ENTRIES[entry_id].answer)[:80]


async def test_two_answered_questions_get_both_answers_and_wait_for_the_requester(
    mail_bot: MailBot,
) -> None:
    original = mail(
        "Dua pertanyaan", _body(FILE_SIZE_QUESTION, "Kemudian, " + OFFICE_HOURS_QUESTION)
    )
    await mail_bot.send_async(original)
    content = await _acknowledgement(mail_bot)
    assert "Tiket #1" in content
    for entry_id in (FILE_SIZE, OFFICE_HOURS):
        assert _answer_start(entry_id) in content
    # Each answer under the question it answers, in the mail's order.
    size_at = content.index('Pertanyaan: "Berapa batas ukuran')
    hours_at = content.index('Pertanyaan: "Kemudian, Pada hari dan jam berapa')
    assert size_at < content.index(_answer_start(FILE_SIZE)) < hours_at
    assert hours_at < content.index(_answer_start(OFFICE_HOURS))
    assert '"tidak membantu"' in content and "ditutup otomatis" in content

    document = await _shown(mail_bot)
    assert document["status"] == "menunggu_pemohon"
    assert await _sent_entries(mail_bot) == (FILE_SIZE, OFFICE_HOURS)
    await asyncio.sleep(0.5)
    assert mail_bot.harness.api.messages_to(STAFF_CHAT) == []  # staff are not bothered yet

    ack = mail_bot.sink.messages[0]
    await mail_bot.send_async(
        mail(
            "Re: Dua pertanyaan [#1]",
            "tidak membantu, format .rar kami ditolak",
            in_reply_to=str(ack["Message-ID"]),
        )
    )
    card = await mail_bot.harness.card(1)  # escalated: the card names both answers sent
    assert FILE_SIZE in card["text"] and OFFICE_HOURS in card["text"]


async def test_an_out_of_scope_question_goes_to_staff_with_the_answer_already_sent(
    mail_bot: MailBot,
) -> None:
    body = _body(FILE_SIZE_QUESTION, "Satu lagi, " + OUT_OF_SCOPE_QUESTION)
    await mail_bot.send_async(mail("Ukuran file dan gaji", body))
    content = await _acknowledgement(mail_bot)
    assert _answer_start(FILE_SIZE) in content
    target = format_minutes(55)  # SOP-02's total, DESIGN
    staff_part = content[content.index("akan dijawab oleh petugas") :]
    assert f"target {target}" in staff_part
    assert "gaji ke-13 pegawai honorer" in staff_part
    assert "ukuran" not in staff_part  # the answered question is not promised to staff
    assert "tidak membantu" not in content  # staff answer anyway: nothing to wait for

    card = await mail_bot.harness.card(1)
    assert _flat(texts.CARD_FAQ_SENT) in _flat(card["text"])
    assert FILE_SIZE in card["text"]
    # Under the entries sent, the question staff still owe (issue #18): no re-reading.
    owed = _flat(card["text"]).split(_flat(texts.CARD_FAQ_UNANSWERED), 1)[1]
    assert f'- "Satu lagi, {OUT_OF_SCOPE_QUESTION}"' in owed
    document = await _shown(mail_bot)
    assert document["status"] == "baru"
    assert await _sent_entries(mail_bot) == (FILE_SIZE,)


async def test_the_card_quotes_the_questions_owed_until_the_ticket_is_closed(
    mail_bot: MailBot,
) -> None:
    """The unanswered question, with characters that are HTML to Telegram, reaches the card
    as the person wrote it; once staff close the ticket nothing is owed and the list goes."""
    owed_question = (
        "Satu lagi, kapan gaji ke-13 & tunjangan <kinerja> pegawai honorer dinas pendidikan "
        "dibayarkan tahun ini?"
    )
    await mail_bot.send_async(mail("Dua hal", _body(FILE_SIZE_QUESTION, owed_question)))
    await _acknowledgement(mail_bot)
    card = await mail_bot.harness.card(1)
    text = _flat(card["text"])
    sent_at = text.index(_flat(texts.CARD_FAQ_SENT))
    owed_at = text.index(_flat(texts.CARD_FAQ_UNANSWERED))
    assert sent_at < text.index(FILE_SIZE) < owed_at  # the entry sent, then what is owed
    assert f'- "{owed_question}"' in text[owed_at:]  # escaped for Telegram, shown verbatim
    assert "ukuran" not in text[owed_at:]
    async with mail_bot.harness_uow() as uow:
        assert (await uow.tickets.get(1)).faq_unanswered == (owed_question,)

    harness = mail_bot.harness
    mark = await harness.press(harness.rina, card, "Selesai")
    closed = await harness.said_to(
        STAFF_CHAT,
        lambda r: r["text"].startswith("Tiket #1\n") and "Selesai" not in str(r["reply_markup"]),
        since=mark,
    )
    assert _flat(texts.CARD_FAQ_SENT) in _flat(closed["text"])
    assert _flat(texts.CARD_FAQ_UNANSWERED) not in _flat(closed["text"])


async def test_a_forwarded_mail_owes_its_questions_not_the_request_above_it(
    mail_bot: MailBot,
) -> None:
    """"Mohon bantuan atas e-mail di bawah ini" above a forwarded mail asks nothing itself:
    staff are told of the forwarded question the FAQ leaves to them, not of the request."""
    body = (
        "Selamat pagi,\n\nMohon bantuan atas e-mail di bawah ini.\n\nRina\n\n"
        "---------- Forwarded message ---------\nFrom: Budi <budi@cvmaju.co.id>\n"
        f"Subject: dua hal\n\n{FILE_SIZE_QUESTION}\n\nSatu lagi, {OUT_OF_SCOPE_QUESTION}\n"
    )
    await mail_bot.send_async(mail("Fwd: dua hal", body))
    content = await _acknowledgement(mail_bot)
    assert _answer_start(FILE_SIZE) in content
    staff_part = content[content.index("akan dijawab oleh petugas") :]
    assert "gaji ke-13 pegawai honorer" in staff_part and "di bawah ini" not in staff_part
    card = await mail_bot.harness.card(1)
    owed = _flat(card["text"]).split(_flat(texts.CARD_FAQ_UNANSWERED), 1)[1]
    assert "gaji ke-13 pegawai honorer" in owed and "di bawah ini" not in owed
    async with mail_bot.harness_uow() as uow:
        owed_questions = (await uow.tickets.get(1)).faq_unanswered
    assert owed_questions == (f"Satu lagi, {OUT_OF_SCOPE_QUESTION}",)


async def test_a_one_question_mail_is_acknowledged_as_before(mail_bot: MailBot) -> None:
    await mail_bot.send_async(mail("Ukuran file", _body(FILE_SIZE_QUESTION)))
    content = await _acknowledgement(mail_bot)
    expected = texts.EMAIL_ACK_WITH_FAQ.format(
        number=1,
        answer=ENTRIES[FILE_SIZE].answer,
        target=format_minutes(55),
        hours=f"{mail_bot.harness.settings.faq_autoclose_hours:g}",
    )
    assert _flat(expected) in content
    assert "Pertanyaan:" not in content
    document = await _shown(mail_bot)
    assert document["status"] == "menunggu_pemohon"
    assert await _sent_entries(mail_bot) == (FILE_SIZE,)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


async def test_a_signature_logo_does_not_make_a_question_an_official_letter(
    mail_bot: MailBot,
) -> None:
    """Outlook and Gmail send a signature logo as a picture of the HTML body (cid:): the
    question is still answered from the FAQ, and the logo is kept with the mail."""
    message = mail("Tanya ukuran file", _body(FILE_SIZE_QUESTION))
    message.add_alternative(
        f"<p>{FILE_SIZE_QUESTION}</p><p>Budi<br><img src='cid:logo-cv@maju'></p>",
        subtype="html",
    )
    html = message.get_payload()[1]  # type: ignore[index]
    html.add_related(
        PNG, "image", "png", cid="<logo-cv@maju>", filename="logo.png", disposition="inline"
    )
    await mail_bot.send_async(message)
    content = await _acknowledgement(mail_bot)
    assert _answer_start(FILE_SIZE) in content
    document = await _shown(mail_bot)
    assert document["status"] == "menunggu_pemohon"
