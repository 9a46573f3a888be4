"""A requester asks, the FAQ answers or a ticket opens; staff handle it from the group."""

from __future__ import annotations

from bot import texts
from faq.kb import DEFAULT_KB_PATH, load_kb
from tests.e2e.conftest import STAFF_CHAT, BotUnderTest, eventually


async def test_faq_answer_then_escalation_opens_ticket_with_card(bot: BotUnderTest) -> None:
    entry = next(e for e in load_kb(DEFAULT_KB_PATH) if e.sop == "SOP-02")
    reply = await bot.ask(bot.requester, entry.question)
    assert "Apakah jawaban ini membantu?" in reply["text"]
    assert entry.answer.split(".")[0] in reply["text"]

    mark = await bot.press(bot.requester, reply, "Belum, hubungi petugas")
    ack = await bot.said_to(bot.requester.id, lambda r: "Tiket #1" in r["text"], since=mark)
    assert "menit" in ack["text"]
    card = await bot.card(1, since=mark)
    assert "SOP-02" in card["text"] and "Budi" in card["text"]
    assert entry.question[:40] in card["text"]


async def test_a_thank_you_is_acknowledged_not_apologised_for(bot: BotUnderTest) -> None:
    """A message like "makasih, sudah bisa login" is not a question the FAQ lacks: the bot
    says you are welcome and still offers staff, instead of an apology or a login answer."""
    reply = await bot.ask(bot.requester, "makasih banyak bu, sdh bisa login skrg")
    assert reply["text"] == texts.FAQ_CLOSING_REMARK
    labels = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [texts.CONTACT_STAFF]


async def test_staff_take_reply_and_close_reach_the_requester(bot: BotUnderTest) -> None:
    card = await bot.escalate(bot.requester, "zzz qqq xyz tidak ada di faq", 1)

    mark = await bot.press(bot.rina, card, "Ambil")
    edited = await bot.said_to(
        STAFF_CHAT, lambda r: r["edited"] and "Rina" in r["text"], since=mark
    )
    assert "sedang diproses" in edited["text"]

    mark = len(bot.api.sent)
    bot.api.send_text(
        bot.rina,
        STAFF_CHAT,
        "Silakan <b>cek</b> e-mail Anda & folder spam.",
        reply_to=card["message_id"],
    )
    relayed = await bot.said_to(
        bot.requester.id, lambda r: "Jawaban petugas" in r["text"], since=mark
    )
    assert "Silakan <b>cek</b> e-mail Anda & folder spam." in relayed["text"]

    mark = await bot.press(bot.rina, card, "Selesai")
    rating = await bot.said_to(bot.requester.id, lambda r: "penilaian" in r["text"], since=mark)
    mark = await bot.press(bot.requester, rating, "5")
    await bot.said_to(STAFF_CHAT, lambda r: "dinilai 5/5" in r["text"], since=mark)


async def test_non_member_and_wrong_role_are_refused(bot: BotUnderTest) -> None:
    card = await bot.escalate(bot.requester, "pertanyaan aneh qwerty asdf", 1)

    def answered_with(fragment: str) -> bool:
        return any(fragment in (a.get("text") or "") for a in bot.api.answered_callbacks)

    bot.api.press_button(bot.outsider, STAFF_CHAT, card["message_id"], "s:take:1")
    await eventually(lambda: answered_with("belum terdaftar"))

    bot.api.press_button(bot.dedi, STAFF_CHAT, card["message_id"], "s:next:1")
    await eventually(lambda: answered_with("helpdesk"))


async def test_follow_up_joins_open_ticket_and_password_is_held_back(bot: BotUnderTest) -> None:
    card = await bot.escalate(bot.requester, "pertanyaan aneh qwerty asdf", 1)

    confirmation = await bot.ask(bot.requester, "Tambahan: kode tender 12345678")
    assert "Tiket #1" in confirmation["text"]
    follow_up = await bot.said_to(STAFF_CHAT, lambda r: "kode tender 12345678" in r["text"])
    assert follow_up["reply_to_message_id"] == card["message_id"]

    held = await bot.ask(bot.requester, "password saya Rahasia123")
    assert "password" in held["text"]
    assert not any("Rahasia123" in record["text"] for record in bot.api.sent)


async def test_unknown_command_and_start_menu(bot: BotUnderTest) -> None:
    unknown = await bot.ask(bot.requester, "/hapus")
    assert "tidak dikenal" in unknown["text"]
    menu = await bot.ask(bot.requester, "/start")
    assert "Selamat datang" in menu["text"]
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert "File .rhs tidak bisa dibuka" in labels


async def test_with_two_open_tickets_the_bot_asks_which(bot: BotUnderTest) -> None:
    for number, question in (
        (1, "pertanyaan aneh pertama qqzz"),
        (2, "pertanyaan aneh kedua wwxx"),
    ):
        menu = await bot.ask(bot.requester, "/start")
        mark = await bot.press(bot.requester, menu, "Ajukan pertanyaan")
        await bot.said_to(bot.requester.id, lambda r: True, since=mark)
        await bot.escalate(bot.requester, question, number)

    choice = await bot.ask(bot.requester, "ini tambahan data saya")
    assert "tiket yang mana" in choice["text"]
    mark = await bot.press(bot.requester, choice, "Tiket #2")
    joined = await bot.said_to(
        STAFF_CHAT, lambda r: "ini tambahan data saya" in r["text"], since=mark
    )
    assert "Tiket #2" in joined["text"]


async def test_staff_document_reply_reaches_the_requester(bot: BotUnderTest) -> None:
    card = await bot.escalate(bot.requester, "pertanyaan aneh qwerty asdf", 1)
    mark = len(bot.api.sent)
    bot.api.send_document(
        bot.rina,
        STAFF_CHAT,
        b"%PDF-1.4 panduan",
        "panduan.pdf",
        "application/pdf",
        caption="Panduan terlampir",
        reply_to=card["message_id"],
    )
    document = await bot.said_to(
        bot.requester.id, lambda r: r["method"] == "sendDocument", since=mark
    )
    assert document["document"]["file_name"] == "panduan.pdf"
    assert bot.api.file_bytes(document["document"]["file_id"]) == b"%PDF-1.4 panduan"
    await bot.said_to(bot.requester.id, lambda r: "Panduan terlampir" in r["text"], since=mark)

    mark = len(bot.api.sent)
    bot.api.send_document(
        bot.rina,
        STAFF_CHAT,
        b"MZ\x90 not a pdf",
        "virus.pdf",
        "application/pdf",
        reply_to=card["message_id"],
    )
    refused = await bot.said_to(STAFF_CHAT, lambda r: "tidak diterima" in r["text"], since=mark)
    assert refused["reply_to_message_id"] is not None


async def test_status_lists_tickets_with_next_step(bot: BotUnderTest) -> None:
    assert "belum memiliki tiket" in (await bot.ask(bot.requester, "/status"))["text"]
    await bot.escalate(bot.requester, "pertanyaan aneh qwerty asdf", 1)
    status = await bot.ask(bot.requester, "/status")
    assert "Tiket #1 (SOP-02)" in status["text"] and "helpdesk" in status["text"]
