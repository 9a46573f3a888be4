"""Issue #16, finding 2: `Terbitkan ke FAQ` published the raw form summary and staff reply in
one click, so an outsider's question got a name, NIP and user ID back. Staff now see, edit and
confirm a draft, and personal data never reaches a published entry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.conftest import STAFF_CHAT, BotUnderTest, button_data

QUESTION = (
    "Selamat pagi, saya Budi (NIP 198503102010011002, budi.santoso@pu.go.id, 0812-3456-7890). "
    "User ID saya budi_cv terkunci setelah gagal masuk berkali-kali, bagaimana membukanya?"
)
ANSWER = (
    "Pak Budi, user ID budi_cv sudah kami buka kembali. Bila terkunci lagi hubungi kami di "
    "0711-123456 atau rina.helpdesk@lpse.go.id. Salam, Rina"
)
PERSONAL = (
    "198503102010011002",
    "budi.santoso@pu.go.id",
    "0812-3456-7890",
    "budi_cv",
    "Budi",
    "0711-123456",
    "rina.helpdesk@lpse.go.id",
    "Rina",
)


def published(workdir: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(workdir / "helpdesk.db") as connection:
        return list(connection.execute("SELECT question, answer FROM faq_entries"))


def assert_no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value.lower() not in text.lower(), (value, text)


async def test_publishing_shows_a_draft_without_personal_data_and_waits_for_staff(
    bot: BotUnderTest,
) -> None:
    card = await bot.escalate(bot.requester, QUESTION, 1)
    bot.api.send_text(bot.rina, STAFF_CHAT, ANSWER, reply_to=card["message_id"])
    await bot.said_to(bot.requester.id, lambda r: "sudah kami buka" in r["text"])

    # One click no longer publishes: a draft without the personal data comes first.
    mark = await bot.press(bot.rina, card, "Terbitkan ke FAQ")
    draft = await bot.said_to(
        STAFF_CHAT, lambda r: r["text"].startswith("Draf FAQ dari Tiket #1"), since=mark
    )
    assert "User ID saya [dihapus] terkunci" in draft["text"]
    assert "sudah kami buka kembali" in draft["text"]
    assert_no_personal_data(draft["text"])
    assert published(bot.workdir) == []

    # Staff correct it by replying; the correction is cleaned the same way.
    mark = len(bot.api.sent)
    edit = bot.api.send_text(
        bot.rina,
        STAFF_CHAT,
        "PERTANYAAN: Bagaimana membuka user ID SPSE yang terkunci?\n"
        "JAWABAN: Hubungi helpdesk LPSE dan sebutkan user ID, mis. user id: budi_cv, "
        "atau tulis ke budi.santoso@pu.go.id.",
        reply_to=draft["message_id"],
    )
    second = await bot.said_to(
        STAFF_CHAT, lambda r: r["text"].startswith("Draf FAQ dari Tiket #1"), since=mark
    )
    assert second["reply_to_message_id"] == edit["message_id"]
    assert "Bagaimana membuka user ID SPSE yang terkunci?" in second["text"]
    assert_no_personal_data(second["text"])
    assert published(bot.workdir) == []
    # The correction was not relayed to the requester as an answer.
    to_requester = [r["text"] for r in bot.api.sent[mark:] if r["chat_id"] == bot.requester.id]
    assert not [text for text in to_requester if "JAWABAN" in text]

    mark = len(bot.api.sent)
    bot.api.press_button(
        bot.rina, STAFF_CHAT, second["message_id"], button_data(second, "Terbitkan")
    )
    await bot.said_to(STAFF_CHAT, lambda r: "diterbitkan ke FAQ" in r["text"], since=mark)
    [(question, answer)] = published(bot.workdir)
    assert question == "Bagaimana membuka user ID SPSE yang terkunci?"
    assert_no_personal_data(question + answer)

    # An outsider asking the same gets the entry, without anybody's data.
    asker = bot.api.user(90002, "Wati")
    mark = len(bot.api.sent)
    bot.api.send_text(asker, asker.id, "Bagaimana membuka user ID SPSE yang terkunci?")
    reply = await bot.said_to(asker.id, lambda r: True, since=mark)
    assert "Hubungi helpdesk LPSE" in reply["text"]
    assert_no_personal_data(reply["text"])


async def test_a_forged_confirm_on_the_card_publishes_nothing(bot: BotUnderTest) -> None:
    card = await bot.escalate(bot.requester, QUESTION, 1)
    bot.api.send_text(bot.rina, STAFF_CHAT, ANSWER, reply_to=card["message_id"])
    await bot.said_to(bot.requester.id, lambda r: "sudah kami buka" in r["text"])
    # The confirm payload pressed on the card (not a draft) is refused.
    bot.api.press_button(bot.rina, STAFF_CHAT, card["message_id"], "s:pubok:1")
    await bot.api.wait_until_idle()
    answers = bot.api.calls_of("answerCallbackQuery")
    await_refusal = [a for a in answers if a.get("show_alert")]
    assert await_refusal, answers
    assert published(bot.workdir) == []
