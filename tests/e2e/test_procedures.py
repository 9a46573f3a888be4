"""The SOPs walked as the seed describes them, as transcripts through the running bot: the
requester's form or mail in, every staff button in the group, and what each side reads.

SOP-03/04/05: approve and reject paths, nothing passes the approval step without a decision;
SOP-01: the checklist with items missing, the visit, the register number and the card PDF;
SOP-06: the one letter to LKPP and LKPP's reply by mail; a mailed letter with a PDF never
gets an FAQ answer; ``/catat`` and ``/gangguan``. No English catalog text reaches a requester.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from email.message import EmailMessage
from typing import Any

import pytest
from pypdf import PdfReader

from bot.core.sop import load_catalog
from tests.e2e.conftest import (
    ENGLISH_ACTIONS,
    STAFF_CHAT,
    BotUnderTest,
    eventually,
)
from tests.integration.test_cli import lpse
from tests.support.mail_bot import HELPDESK, MailBot, mail

PDF = b"%PDF-1.7\n% surat\n"
RHS = b"\x17\x03\x01 encrypted bid document"
LKPP = "lpse-support@example.go.id"
SARI = 444  # the roster's staf


def no_english_to_requesters(bot: BotUnderTest, *mails: EmailMessage) -> None:
    """Every message the requesters got is free of the catalog's English text."""
    said = [r.get("text") or r.get("caption") or "" for r in bot.api.sent if r["chat_id"] > 0]
    said += [m.get_content() if not m.is_multipart() else m.as_string() for m in mails]
    for text in said:
        for action in ENGLISH_ACTIONS:
            assert action not in text, f"English catalog text reached a requester: {action!r}"


def labels(record: dict[str, Any]) -> list[str]:
    markup = record.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def said_to_requester(bot: BotUnderTest, text: str, since: int) -> dict[str, Any]:
    return await bot.said_to(bot.requester.id, lambda r: text in (r.get("text") or ""), since=since)


async def card_edit(bot: BotUnderTest, text: str, since: int) -> dict[str, Any]:
    return await bot.said_to(
        STAFF_CHAT, lambda r: r["text"].startswith("Tiket #1\n") and text in r["text"], since=since
    )


async def alert(bot: BotUnderTest, since_calls: int) -> str:
    """The text of the next button alert (answerCallbackQuery with show_alert)."""
    calls: list[dict[str, Any]] = []

    def shown() -> bool:
        calls[:] = [
            c for c in bot.api.calls_of("answerCallbackQuery")[since_calls:] if c.get("text")
        ]
        return bool(calls)

    await eventually(shown)
    return str(calls[0]["text"])


async def send_file(bot: BotUnderTest, data: bytes, name: str, mime: str) -> dict[str, Any]:
    mark = len(bot.api.sent)
    bot.api.send_document(bot.requester, bot.requester.id, data, name, mime)
    return await bot.said_to(bot.requester.id, lambda r: True, since=mark)


async def user_id_form(bot: BotUnderTest, menu_label: str, role: str) -> dict[str, Any]:
    """The requester fills a user-ID form (SOP-03/04 or SOP-05) and sends it; the card."""
    menu = await bot.ask(bot.requester, "/start")
    mark = await bot.press(bot.requester, menu, menu_label)
    question = await bot.said_to(bot.requester.id, lambda r: bool(labels(r)), since=mark)
    mark = await bot.press(bot.requester, question, role)
    question = await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    if "Lupa" in menu_label:
        mark = await bot.press(bot.requester, question, "Password")
        await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    await bot.ask(bot.requester, "Siti Aminah, S.Kom")
    await bot.ask(bot.requester, "198001012005011001")
    await bot.ask(bot.requester, "Dinas PUPR Kabupaten Ogan Ilir")
    if "Lupa" not in menu_label:
        await bot.ask(bot.requester, "Anggota Pokja Pemilihan")
    await bot.ask(bot.requester, "siti@oganilirkab.go.id")
    await bot.ask(bot.requester, "081234567890")
    await send_file(bot, PDF, "surat-permohonan.pdf", "application/pdf")
    summary = await send_file(bot, PDF, "sk.pdf", "application/pdf")
    if "Lupa" not in menu_label:
        summary = await send_file(bot, PDF, "data-personel.pdf", "application/pdf")
    mark = await bot.press(bot.requester, summary, "Kirim")
    ack = await said_to_requester(bot, "Tiket #1", mark)
    assert re.search(r"Nomor agenda surat: 0001/\d{4}\.", ack["text"]), ack["text"]
    assert "65 menit" in ack["text"]
    return await bot.card(1, since=mark)


@pytest.fixture
def sari(bot: BotUnderTest) -> Any:
    member = bot.api.user(SARI, "Sari")
    bot.api.add_member(STAFF_CHAT, member)
    return member


@pytest.mark.parametrize(
    ("role", "sop_id", "received"),
    [
        ("ULP / Pokja", "SOP-03", "Permohonan user ID dan password dari ULP diterima."),
        ("PPK", "SOP-04", "Permohonan user ID dan password dari Instansi/PPK"),
    ],
)
async def test_sop03_04_approved_walks_every_step_and_tells_each_milestone(
    bot: BotUnderTest, sari: Any, role: str, sop_id: str, received: str
) -> None:
    card = await user_id_form(bot, "User ID baru ULP/PPK", role)
    text = card["text"]
    assert sop_id in text and re.search(r"Nomor agenda: 0001/\d{4}", text)
    assert f"Langkah 1/5: {received}" in text and "(peran: staf)" in text
    assert "✅ Data calon user ID (email, data kepegawaian, SK" in text
    assert "ATK" not in text  # office equipment is not a requirement of the requester

    mark = await bot.press(sari, card, "Ambil")
    await said_to_requester(bot, "sedang ditangani oleh staf LPSE", mark)
    card = await card_edit(bot, "Petugas: Sari", mark)
    mark = await bot.press(sari, card, "Langkah berikutnya")
    card = await card_edit(bot, "Langkah 2/5", mark)
    mark = await bot.press(bot.andi, card, "Langkah berikutnya")
    card = await card_edit(bot, "Langkah 3/5", mark)
    assert "✅ Lembar disposisi" in card["text"]
    assert labels(card)[3:5] == ["Setujui", "Tolak"]
    assert "Langkah berikutnya" not in labels(card) and "Selesai" not in labels(card)

    # An old "Langkah berikutnya" (from step 2's card) pressed now changes nothing.
    calls = len(bot.api.calls_of("answerCallbackQuery"))
    stale = "s:next:1"
    bot.api.press_button(bot.andi, STAFF_CHAT, card["message_id"], stale)
    assert "persetujuan" in await alert(bot, calls)
    calls = len(bot.api.calls_of("answerCallbackQuery"))
    bot.api.press_button(bot.andi, STAFF_CHAT, card["message_id"], "s:close:1")
    assert "Setujui atau Tolak" in await alert(bot, calls)
    # Only the step's role (sekretaris) decides.
    calls = len(bot.api.calls_of("answerCallbackQuery"))
    await bot.press(bot.rina, card, "Setujui")
    assert "sekretaris" in await alert(bot, calls)

    mark = await bot.press(bot.andi, card, "Setujui")
    approved = await said_to_requester(bot, "disetujui", mark)
    assert "Login dan menginput data ke sistem website LPSE" in approved["text"]
    card = await card_edit(bot, "Langkah 4/5", mark)
    assert "Keputusan: disetujui" in card["text"]
    mark = await bot.press(bot.dedi, card, "Langkah berikutnya")
    card = await card_edit(bot, "Langkah 5/5", mark)
    mark = await bot.press(bot.dedi, card, "Langkah berikutnya")
    closing = await said_to_requester(bot, "Tiket #1 selesai", mark)
    assert "akun sudah dibuat, user ID dikirim ke e-mail resmi Bapak/Ibu" in closing["text"]
    assert closing["text"].index("selesai") < closing["text"].index("penilaian")
    assert labels(closing) == ["1", "2", "3", "4", "5"]
    no_english_to_requesters(bot)


async def test_sop05_rejected_with_the_reason_told_to_the_requester(
    bot: BotUnderTest, sari: Any
) -> None:
    card = await user_id_form(bot, "Lupa user ID/password ULP/PPK", "PPK")
    assert "SOP-05" in card["text"]
    mark = await bot.press(sari, card, "Langkah berikutnya")
    card = await card_edit(bot, "Langkah 2/5", mark)
    mark = await bot.press(bot.andi, card, "Langkah berikutnya")
    card = await card_edit(bot, "Langkah 3/5", mark)

    mark = await bot.press(bot.andi, card, "Tolak")
    question = await bot.said_to(STAFF_CHAT, lambda r: "alasan penolakan" in r["text"], since=mark)
    assert question["reply_to_message_id"] == card["message_id"]
    mark = len(bot.api.sent)
    bot.api.send_text(
        bot.andi,
        STAFF_CHAT,
        "SK pengangkatan sudah kedaluwarsa; mohon lampirkan SK tahun berjalan.",
        reply_to=question["message_id"],
    )
    rejected = await said_to_requester(bot, "ditolak dengan alasan", mark)
    assert "SK pengangkatan sudah kedaluwarsa" in rejected["text"]
    assert "penilaian" in rejected["text"] and labels(rejected) == ["1", "2", "3", "4", "5"]
    card = await card_edit(bot, "Keputusan: ditolak", mark)
    assert "Status: selesai" in card["text"]
    assert labels(card) == ["Terbitkan ke FAQ"]
    await bot.said_to(STAFF_CHAT, lambda r: "ditolak: SK pengangkatan" in r["text"], since=mark)
    # The reason went to the requester once, as the decision; the reply itself is not relayed.
    told = [r for r in bot.api.sent[mark:] if r["chat_id"] == bot.requester.id]
    assert len(told) == 1
    no_english_to_requesters(bot)


async def test_minta_data_lists_exactly_what_is_missing(bot: BotUnderTest, sari: Any) -> None:
    card = await bot.escalate(bot.requester, "zzqx pertanyaan tanpa jawaban faq", 1)
    assert "✅ Kertas pertanyaan" in card["text"]
    mark = await bot.press(bot.rina, card, "Langkah berikutnya")
    card = await card_edit(bot, "Langkah 3/5", mark)
    assert "⬜ Kertas jawaban" in card["text"]

    mark = await bot.press(bot.rina, card, "Minta data")
    prompt = await bot.said_to(
        STAFF_CHAT, lambda r: "data apa yang kurang" in r["text"], since=mark
    )
    assert labels(prompt) == ["☐ Kertas jawaban", "Kirim permintaan", "Batal"]
    # Nothing ticked: nothing is sent.
    calls = len(bot.api.calls_of("answerCallbackQuery"))
    await bot.press(bot.rina, prompt, "Kirim permintaan")
    assert "Centang" in await alert(bot, calls)
    # A written request instead: a reply to the prompt.
    mark = len(bot.api.sent)
    bot.api.send_text(
        bot.rina,
        STAFF_CHAT,
        "Mohon kirim tangkapan layar pesan galat dan kode tender.",
        reply_to=prompt["message_id"],
    )
    asked = await said_to_requester(bot, "memerlukan data tambahan", mark)
    assert "Mohon kirim tangkapan layar pesan galat dan kode tender." in asked["text"]
    await card_edit(bot, "menunggu data dari Bapak/Ibu", mark)


async def test_sop01_checklist_visit_register_number_and_card_pdf(bot: BotUnderTest) -> None:
    checklist = load_catalog().get("SOP-01").checklist
    menu = await bot.ask(bot.requester, "/start")
    mark = await bot.press(bot.requester, menu, "Pra-verifikasi penyedia")
    intro = await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    assert "12 dokumen persyaratan" in intro["text"]
    await bot.ask(bot.requester, "CV Maju Jaya")
    await bot.ask(bot.requester, "01.234.567.8-901.000")
    await bot.ask(bot.requester, "Budi Santoso")
    await bot.ask(bot.requester, "budi@majujaya.co.id")
    first = await bot.ask(bot.requester, "081234567890")
    assert f"Dokumen 1 dari 12: {checklist[0].nama}" in first["text"]
    uploaded = await send_file(bot, PDF, "formulir.pdf", "application/pdf")
    question = uploaded
    for item in checklist[1:]:
        button = "Selesai" if "Selesai" in labels(question) else "Lewati"
        mark = await bot.press(bot.requester, question, button)
        question = await bot.said_to(bot.requester.id, lambda r: True, since=mark)
        if item.id == "npwp":
            assert item.nama in question["text"]
            question = await send_file(bot, PDF, "npwp.pdf", "application/pdf")
    mark = await bot.press(bot.requester, question, "Lewati")
    summary = await bot.said_to(bot.requester.id, lambda r: "Kirim" in labels(r), since=mark)
    assert "10 dokumen persyaratan belum diunggah" in summary["text"]
    mark = await bot.press(bot.requester, summary, "Kirim")
    ack = await said_to_requester(bot, "Tiket #1", mark)
    assert "29 menit" in ack["text"] and "terunggah 2 dari 12" in ack["text"]
    assert checklist[1].nama in ack["text"]  # a missing item is named

    card = await bot.card(1, since=mark)
    text = card["text"]
    assert "Berkas persyaratan (2/12):" in text
    assert f"✅ {checklist[0].nama}" in text and f"⬜ {checklist[1].nama}" in text
    assert "Menunggu kehadiran penyedia" in text
    assert "Batas langkah" not in text  # the office clock has not started
    assert labels(card)[3:5] == ["Pemohon hadir", "Selesai"]
    calls = len(bot.api.calls_of("answerCallbackQuery"))
    bot.api.press_button(bot.andi, STAFF_CHAT, card["message_id"], "s:next:1")
    assert "Pemohon hadir" in await alert(bot, calls)

    mark = await bot.press(bot.andi, card, "Pemohon hadir")
    await said_to_requester(bot, "Kehadiran Bapak/Ibu untuk verifikasi", mark)
    card = await card_edit(bot, "Batas langkah", mark)
    for step in (3, 4, 5, 6, 7):
        presser = bot.andi if step == 3 else bot.dedi
        mark = await bot.press(presser, card, "Langkah berikutnya")
        card = await card_edit(bot, f"Langkah {step}/7", mark)
    assert re.search(r"Nomor register: REG-\d{4}-0001", card["text"])
    mark = await bot.press(bot.dedi, card, "Langkah berikutnya")
    closing = await said_to_requester(bot, "Tiket #1 selesai", mark)
    assert "Kartu Tanda Lulus Verifikasi terlampir" in closing["text"]
    document = await bot.said_to(
        bot.requester.id, lambda r: r["method"] == "sendDocument", since=mark
    )
    pdf = bot.api.file_bytes(document["document"]["file_id"])
    page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "KARTU TANDA LULUS VERIFIKASI" in page
    assert "CV Maju Jaya" in page and "Dedi" in page and re.search(r"REG-\d{4}-0001", page)
    no_english_to_requesters(bot)


async def test_catat_registers_a_telephone_case_and_gangguan_pauses_clocks(
    bot: BotUnderTest,
) -> None:
    mark = len(bot.api.sent)
    bot.api.send_text(
        bot.rina,
        STAFF_CHAT,
        "/catat SOP-05 | Budi Hartono | 0812 7777 8888 | Lupa password akun PPK, telepon pagi ini",
    )
    await bot.said_to(STAFF_CHAT, lambda r: "Tiket #1 dicatat untuk Budi Hartono" in r["text"])
    card = await bot.card(1, since=mark)
    assert "SOP-05" in card["text"] and "081277778888" in card["text"]
    assert "Batas langkah" in card["text"]

    mark = len(bot.api.sent)
    bot.api.send_text(bot.andi, STAFF_CHAT, "/gangguan")
    await bot.said_to(STAFF_CHAT, lambda r: "waktu SOP 1 tiket dihentikan" in r["text"], since=mark)
    paused = await card_edit(bot, "gangguan SPSE/internet", mark)
    assert "Batas langkah" not in paused["text"]
    mark = len(bot.api.sent)
    bot.api.send_text(bot.andi, STAFF_CHAT, "/gangguan selesai")
    await bot.said_to(STAFF_CHAT, lambda r: "berjalan lagi" in r["text"], since=mark)
    await card_edit(bot, "Batas langkah", mark)

    mark = len(bot.api.sent)
    bot.api.send_text(bot.rina, STAFF_CHAT, "/catat SOP-05 | Budi")
    await bot.said_to(STAFF_CHAT, lambda r: "Format: /catat" in r["text"], since=mark)


async def test_ganti_sop_moves_a_question_to_its_procedure(bot: BotUnderTest) -> None:
    card = await bot.escalate(bot.requester, "zzqx mohon dibuatkan akun ppk", 1)
    assert "SOP-02" in card["text"]
    mark = await bot.press(bot.rina, card, "Ganti SOP")
    await bot.press_swapped(bot.rina, card, "SOP-04")
    moved = await card_edit(bot, "SOP-04", mark)
    assert re.search(r"Nomor agenda: 0001/\d{4}", moved["text"])
    told = await said_to_requester(bot, "kini ditangani sebagai layanan", mark)
    assert "65 menit" in told["text"]


# --- by e-mail ------------------------------------------------------------------------------


@pytest.fixture
def mail_bot_settings() -> dict[str, Any]:
    """A mail limit above Telegram's 20 MB downloads, so a big .rhs may come by mail."""
    return {"max_attachment_mb": 30}


async def rhs_form_up_to_the_file(bot: BotUnderTest) -> None:
    menu = await bot.ask(bot.requester, "/start")
    mark = await bot.press(bot.requester, menu, "File .rhs tidak bisa dibuka")
    await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    for answer in (
        "Siti Aminah",
        "Pokja Pemilihan 3",
        "10234567",
        "CV Maju Jaya",
        "siti@oganilirkab.go.id",
        "081234567890",
    ):
        await bot.ask(bot.requester, answer)


async def test_an_rhs_over_telegrams_20_mb_is_asked_for_by_mail(mail_bot: MailBot) -> None:
    bot = mail_bot.harness
    await rhs_form_up_to_the_file(bot)
    mark = len(bot.api.sent)
    bot.api.send_document(
        bot.requester,
        bot.requester.id,
        RHS,
        "penawaran_besar.rhs",
        "application/octet-stream",
        file_size=25 * 1024 * 1024,
    )
    told = await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    assert "20 MB" in told["text"] and HELPDESK in told["text"] and "30 MB" in told["text"]
    assert not bot.api.calls_of("getFile")  # nothing was downloaded


async def test_sop06_one_letter_to_lkpp_and_its_reply_reaches_the_pokja(
    mail_bot: MailBot,
) -> None:
    bot = mail_bot.harness
    await rhs_form_up_to_the_file(bot)
    description = await send_file(bot, RHS, "penawaran_cv_maju.rhs", "application/octet-stream")
    mark = await bot.press(bot.requester, description, "Lewati")
    summary = await bot.said_to(bot.requester.id, lambda r: "Kirim" in labels(r), since=mark)
    mark = await bot.press(bot.requester, summary, "Kirim")
    ack = await said_to_requester(bot, "Tiket #1", mark)
    assert "105 menit" in ack["text"] and "Nomor agenda surat" in ack["text"]
    card = await bot.card(1, since=mark)
    assert "Kode tender: 10234567" in card["text"]

    mark = await bot.press(bot.rina, card, "Langkah berikutnya")  # step 2, helpdesk
    card = await card_edit(bot, "Langkah 3/7", mark)
    mark = await bot.press(bot.andi, card, "Langkah berikutnya")  # step 3, sekretaris
    await said_to_requester(bot, "telah kami kirim ke LKPP", mark)
    card = await card_edit(bot, "Surat ke LKPP sudah dikirim", mark)
    letter = await mail_bot.sink.wait_for(lambda m: LKPP in str(m["To"]))
    assert "[#1]" in str(letter["Subject"]) and "10234567" in str(letter["Subject"])
    body = letter.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert "Kode tender: 10234567" in content and "LPSE LPSE" not in content
    assert "LPSE Kabupaten Ogan Ilir memohon bantuan" in content
    attached = [part.get_filename() for part in letter.iter_attachments()]
    assert attached == ["penawaran_cv_maju.rhs"]

    # LKPP answers the letter: the reply joins the ticket and reaches the Pokja on Telegram.
    reply = mail(
        "Re: " + str(letter["Subject"]),
        "Dokumen penawaran sudah berhasil kami buka, file terlampir dikirim ulang.",
        sender=LKPP,
        in_reply_to=str(letter["Message-ID"]),
    )
    mark = len(bot.api.sent)
    await mail_bot.send_async(reply)
    relayed = await said_to_requester(bot, "Tanggapan LKPP untuk Tiket #1", mark)
    assert "sudah berhasil kami buka" in relayed["text"]
    await bot.said_to(STAFF_CHAT, lambda r: "Balasan dari lkpp" in r["text"], since=mark)

    # The secretary records LKPP's steps 4-5, then the result at step 6.
    for step in (5, 6):
        mark = await bot.press(bot.andi, card, "Langkah berikutnya")
        card = await card_edit(bot, f"Langkah {step}/7", mark)
    assert labels(card)[3:5] == ["Berhasil", "Gagal"]
    mark = await bot.press(bot.andi, card, "Berhasil")
    closing = await said_to_requester(bot, "Tiket #1 selesai", mark)
    assert "LKPP berhasil membuka dokumen penawaran .rhs" in closing["text"]
    await asyncio.sleep(0.5)
    letters = [m for m in mail_bot.sink.messages if LKPP in str(m["To"])]
    assert len(letters) == 1  # exactly one mail to LKPP per ticket
    no_english_to_requesters(bot)


async def test_a_mailed_letter_with_a_pdf_is_never_answered_from_the_faq(
    mail_bot: MailBot,
) -> None:
    letter = mail(
        "Permohonan user ID PPK",
        "Bagaimana cara mendaftar sebagai penyedia di SPSE? Surat permohonan terlampir.",
    )
    letter.add_attachment(PDF, maintype="application", subtype="pdf", filename="surat.pdf")
    await mail_bot.send_async(letter)
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    content = ack.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Berikut jawaban dari FAQ" not in content
    card = await mail_bot.harness.card(1)
    assert "SOP-02" in card["text"] and "surat.pdf" in card["text"]


async def test_tickets_show_json_follows_the_contract(mail_bot: MailBot) -> None:
    letter = mail("Kendala zzqx", "Pesan zzqx wvvq plorkh.")
    await mail_bot.send_async(letter)
    await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    settings = mail_bot.harness.settings
    env = {"DATABASE_URL": settings.database_url, "STAFF_FILE": str(settings.staff_file)}
    where = settings.staff_file.parent
    shown = await asyncio.to_thread(lpse, where, "tickets", "show", "1", "--json", **env)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert set(document) == {
        "number",
        "sop",
        "step",
        "status",
        "channel",
        "subject",
        "agenda",
        "requester",
        "messages",
        "events",
    }
    assert document["number"] == 1 and document["sop"] == "SOP-02"
    assert document["channel"] == "email" and document["agenda"] is None
    assert document["requester"] == {
        "name": "Budi Santoso",
        "email": "budi@cvmaju.co.id",
        "telegram_id": None,
    }
    first = document["messages"][0]
    assert set(first) == {"at", "direction", "author", "from", "text", "attachments"}
    assert first["direction"] == "in" and first["from"] == "budi@cvmaju.co.id"
    assert "zzqx wvvq plorkh" in first["text"] and first["attachments"] == []
    assert document["events"][0]["kind"] == "opened"
    assert set(document["events"][0]) == {"at", "kind", "actor"}

    listed = await asyncio.to_thread(
        lpse, settings.staff_file.parent, "tickets", "list", "--json", **env
    )
    assert listed.returncode == 0, listed.stderr
    lines = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(lines) == 1 and "messages" not in lines[0] and lines[0]["number"] == 1
