"""Staff work from the group: steps by role, forwarding, publishing, edits, foreign groups,
and delivery through 429 and 5xx answers of the Bot API."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import STAFF_CHAT, BotUnderTest, eventually


async def open_question(bot: BotUnderTest, text: str = "pertanyaan khusus zzqx") -> dict:  # type: ignore[type-arg]
    return await bot.escalate(bot.requester, text, 1)


async def test_steps_advance_only_by_their_role_and_close_at_the_end(bot: BotUnderTest) -> None:
    card = await open_question(bot)
    for step in (3, 4, 5):
        mark = await bot.press(bot.rina, card, "Langkah berikutnya")
        card = await bot.said_to(
            STAFF_CHAT, lambda r, s=step: r["edited"] and f"Langkah {s}/5" in r["text"], since=mark
        )
    mark = await bot.press(bot.rina, card, "Langkah berikutnya")
    closing = await bot.said_to(
        bot.requester.id, lambda r: "Tiket #1 selesai" in r["text"], since=mark
    )
    assert "pertanyaan Bapak/Ibu sudah dijawab" in closing["text"]
    closed = await bot.said_to(
        STAFF_CHAT, lambda r: r["edited"] and "Status: selesai" in r["text"], since=mark
    )
    labels = [b["text"] for row in closed["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Terbitkan ke FAQ"]


async def test_forward_to_role_and_back(bot: BotUnderTest) -> None:
    card = await open_question(bot)
    mark = await bot.press(bot.rina, card, "Teruskan")
    await bot.press_swapped(bot.rina, card, "ulp")
    updated = await bot.said_to(
        STAFF_CHAT, lambda r: r["edited"] and "diteruskan" in r["text"], since=mark
    )
    assert "Tiket #1" in updated["text"]
    await bot.said_to(STAFF_CHAT, lambda r: "diteruskan ke ulp oleh Rina" in r["text"], since=mark)


async def test_published_answer_is_matched_without_restart(bot: BotUnderTest) -> None:
    question = "Apakah genset kantor LPSE menyala saat listrik padam saat batas unggah?"
    card = await open_question(bot, question)
    bot.api.send_text(
        bot.rina,
        STAFF_CHAT,
        "Ya, genset menyala otomatis dalam 10 detik.",
        reply_to=card["message_id"],
    )
    await bot.said_to(bot.requester.id, lambda r: "genset menyala" in r["text"])
    mark = await bot.press(bot.rina, card, "Terbitkan ke FAQ")
    draft = await bot.said_to(STAFF_CHAT, lambda r: r["text"].startswith("Draf FAQ"), since=mark)
    mark = await bot.press(bot.rina, draft, "Terbitkan")
    await bot.said_to(STAFF_CHAT, lambda r: "diterbitkan ke FAQ" in r["text"], since=mark)

    asker = bot.api.user(90002, "Wati")
    mark = len(bot.api.sent)
    bot.api.send_text(asker, asker.id, question)
    answer = await bot.said_to(asker.id, lambda r: True, since=mark)
    assert "genset menyala otomatis" in answer["text"]


async def test_requester_edit_shows_as_edit(bot: BotUnderTest) -> None:
    card = await open_question(bot)
    mark = len(bot.api.sent)
    sent = bot.api.send_text(bot.requester, bot.requester.id, "kode tender 111")
    await bot.said_to(STAFF_CHAT, lambda r: "kode tender 111" in r["text"], since=mark)
    bot.api.edit_text(bot.requester, bot.requester.id, sent["message_id"], "kode tender 222")
    edit = await bot.said_to(STAFF_CHAT, lambda r: "kode tender 222" in r["text"], since=mark)
    assert "mengubah pesannya" in edit["text"]
    assert edit["reply_to_message_id"] == card["message_id"]


async def test_bot_leaves_groups_it_was_not_configured_for(bot: BotUnderTest) -> None:
    bot.api.add_member_to_unknown_group(bot.outsider, -100777, "Grup Lain")
    await bot.api.wait_until_idle()
    for _ in range(50):
        if -100777 in bot.api.left_chats:
            break
        await bot.api.wait_until_idle()
    assert -100777 in bot.api.left_chats


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_429_and_500_are_retried_until_delivered(bot: BotUnderTest) -> None:
    bot.api.fail_next("sendMessage", status=429, retry_after=1)
    bot.api.fail_next("sendMessage", status=500)
    reply = await bot.ask(bot.requester, "/bantuan", timeout=20)
    assert "Bot tidak pernah meminta password" in reply["text"]
    failures = [c for c in bot.api.calls_of("sendMessage") if c.get("chat_id") == bot.requester.id]
    assert len(failures) == 3  # two refused attempts, then the delivery


async def test_long_staff_answer_is_split_below_4096(bot: BotUnderTest) -> None:
    card = await open_question(bot)
    long_answer = ("Langkah & catatan <penting>. " * 400).strip()
    mark = len(bot.api.sent)
    bot.api.send_text(bot.rina, STAFF_CHAT, long_answer[:4000], reply_to=card["message_id"])
    await bot.said_to(bot.requester.id, lambda r: "Jawaban petugas" in r["text"], since=mark)

    def parts() -> list[dict]:  # type: ignore[type-arg]
        return [
            r
            for r in bot.api.sent[mark:]
            if r["chat_id"] == bot.requester.id and "catatan <penting>" in r["text"]
        ]

    await eventually(lambda: len(parts()) >= 2)
    assert len(parts()) == 2 and all(len(p["text"]) <= 4096 for p in parts())


async def test_forum_group_gets_a_topic_per_ticket(bot: BotUnderTest) -> None:
    await bot.stop()
    bot.api.add_group(STAFF_CHAT, "Staf LPSE (forum)", forum=True)
    for member in (bot.rina, bot.andi, bot.dedi, bot.outsider):
        bot.api.add_member(STAFF_CHAT, member)
    await bot.start()
    card = await open_question(bot)
    assert card["message_thread_id"] is not None
    # A plain message in the topic (no explicit reply) reaches the requester.
    mark = len(bot.api.sent)
    bot.api.send_text(bot.rina, STAFF_CHAT, "Sudah kami cek.", thread_id=card["message_thread_id"])
    await bot.said_to(bot.requester.id, lambda r: "Sudah kami cek." in r["text"], since=mark)
