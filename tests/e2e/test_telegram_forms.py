"""SOP forms over Telegram: fields one at a time, validation, uploads, restart, confirmation."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import STAFF_CHAT, BotUnderTest

PDF = b"%PDF-1.7\n% surat permohonan\n"
JPEG = b"\xff\xd8\xff\xe0 sk pengangkatan"
RHS = b"\x17\x03\x01 encrypted bid document"


async def send_file(bot: BotUnderTest, data: bytes, name: str, mime: str) -> dict[str, Any]:
    mark = len(bot.api.sent)
    bot.api.send_document(bot.requester, bot.requester.id, data, name, mime)
    return await bot.said_to(bot.requester.id, lambda r: True, since=mark)


async def test_sop06_rhs_form_with_errors_restart_and_confirmation(bot: BotUnderTest) -> None:
    menu = await bot.ask(bot.requester, "/start")
    mark = await bot.press(bot.requester, menu, "File .rhs tidak bisa dibuka")
    await bot.said_to(bot.requester.id, lambda r: True, since=mark)

    await bot.ask(bot.requester, "Siti Aminah")
    await bot.ask(bot.requester, "Pokja Pemilihan 3 Dinas PUPR")
    refused = await bot.ask(bot.requester, "TENDER-ABC")
    assert "kode tender" in refused["text"].lower()
    await bot.ask(bot.requester, "10234567")
    await bot.ask(bot.requester, "CV Maju <b>Jaya</b>")

    await bot.restart()  # the form survives a restart

    await bot.ask(bot.requester, "Siti.Aminah@OganIlir.go.id")
    await bot.ask(bot.requester, "0812 3456 7890")
    wrong = await send_file(bot, PDF, "penawaran.pdf", "application/pdf")
    assert ".rhs" in wrong["text"]
    description = await send_file(bot, RHS, "penawaran_cv_maju.rhs", "application/octet-stream")
    mark = await bot.press(bot.requester, description, "Lewati")
    summary = await bot.said_to(
        bot.requester.id, lambda r: "Kirim" in str(r["reply_markup"]), since=mark
    )
    assert "10234567" in summary["text"] and "CV Maju <b>Jaya</b>" in summary["text"]

    mark = await bot.press(bot.requester, summary, "Kirim")
    ack = await bot.said_to(bot.requester.id, lambda r: "Tiket #1" in r["text"], since=mark)
    assert "menit" in ack["text"]
    card = await bot.card(1, since=mark)
    assert "SOP-06" in card["text"] and "penawaran_cv_maju.rhs" in card["text"]
    document = await bot.said_to(STAFF_CHAT, lambda r: r["method"] == "sendDocument", since=mark)
    assert document["reply_to_message_id"] == card["message_id"]
    assert document["document"]["file_name"] == "penawaran_cv_maju.rhs"


async def test_sop04_ppk_user_id_request_with_documents(bot: BotUnderTest) -> None:
    menu = await bot.ask(bot.requester, "/start")
    mark = await bot.press(bot.requester, menu, "User ID baru ULP/PPK")
    role = await bot.said_to(bot.requester.id, lambda r: r["reply_markup"] is not None, since=mark)
    mark = await bot.press(bot.requester, role, "PPK")
    await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    await bot.ask(bot.requester, "Ahmad Fauzi")
    assert "18" in (await bot.ask(bot.requester, "19800101 200501 100"))["text"]
    await bot.ask(bot.requester, "198001012005011001")
    await bot.ask(bot.requester, "Dinas Pendidikan Kabupaten Ogan Ilir")
    await bot.ask(bot.requester, "Pejabat Pembuat Komitmen")
    assert "e-mail" in (await bot.ask(bot.requester, "ahmad@"))["text"].lower()
    await bot.ask(bot.requester, "ahmad.fauzi@oganilir.go.id")
    await bot.ask(bot.requester, "+62 812-1111-2222")
    await send_file(bot, PDF, "surat_permohonan.pdf", "application/pdf")
    oversize = bot.settings.max_attachment_bytes + 1
    mark = len(bot.api.sent)
    bot.api.send_document(
        bot.requester, bot.requester.id, PDF, "sk.pdf", "application/pdf", file_size=oversize
    )
    too_big = await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    assert "MB" in too_big["text"]
    mark = len(bot.api.sent)
    bot.api.send_photo(bot.requester, bot.requester.id, JPEG)
    await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    summary = await send_file(bot, PDF, "data_personel.pdf", "application/pdf")
    assert "Kirim" in str(summary["reply_markup"])

    mark = await bot.press(bot.requester, summary, "Kirim")
    await bot.said_to(bot.requester.id, lambda r: "Tiket #1" in r["text"], since=mark)
    card = await bot.card(1, since=mark)
    assert "SOP-04" in card["text"] and "staf" in card["text"]


async def test_batal_leaves_the_form(bot: BotUnderTest) -> None:
    menu = await bot.ask(bot.requester, "/start")
    mark = await bot.press(bot.requester, menu, "Lupa user ID/password ULP/PPK")
    await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    cancelled = await bot.ask(bot.requester, "/batal")
    assert "dibatalkan" in cancelled["text"]
    again = await bot.ask(bot.requester, "/batal")
    assert "Tidak ada formulir" in again["text"]
