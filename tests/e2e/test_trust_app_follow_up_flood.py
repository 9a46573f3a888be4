"""Issue #16, finding 7 (Telegram half): a chatty requester flooded the staff group: every
follow-up was one message, and at the group's 20 messages a minute another ticket's card
waited behind all of them (200 follow-ups: about ten minutes). Follow-ups are now batched
under the card and tickets take turns, so the other card goes out within a minute."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import STAFF_CHAT, BotUnderTest

FOLLOW_UPS = 200


async def test_a_chatty_requester_does_not_hold_back_another_card(bot: BotUnderTest) -> None:
    await bot.escalate(bot.requester, "pertanyaan khusus zzqx", 1)
    for index in range(FOLLOW_UPS):
        bot.api.send_text(bot.requester, bot.requester.id, f"tambahan nomor {index}")
    # The bot is working through the burst when another requester asks.
    await bot.said_to(STAFF_CHAT, lambda r: "tambahan nomor 5" in r["text"], timeout=30)
    other = bot.api.user(90002, "Wati")
    reply = await bot.ask(other, "pertanyaan lain qqzx")
    mark = await bot.press(other, reply, "Hubungi petugas")
    # Within a minute, at the bot's own pace of 20 group messages a minute (PTB's limiter).
    await bot.said_to(
        STAFF_CHAT, lambda r: r["text"].startswith("Tiket #2\n"), since=mark, timeout=60
    )

    # Every follow-up reaches the group, in order, in a handful of messages.
    def follow_ups() -> list[str]:
        return [
            r["text"]
            for r in bot.api.messages_to(STAFF_CHAT)
            if not r["edited"] and "tambahan nomor" in r["text"]
        ]

    for _ in range(600):
        if f"tambahan nomor {FOLLOW_UPS - 1}" in "".join(follow_ups()):
            break
        await asyncio.sleep(0.1)
    joined = "\n".join(follow_ups())
    positions = [joined.index(f"tambahan nomor {index}\n") for index in range(FOLLOW_UPS - 1)]
    assert positions == sorted(positions)
    assert len(follow_ups()) < 40, len(follow_ups())


async def test_long_follow_ups_that_cannot_be_batched_still_give_way_to_a_new_card(
    bot: BotUnderTest,
) -> None:
    # Each follow-up fills a message of its own: batching cannot absorb them, so the group
    # lets tickets take turns instead of sending them all first (60 of them: 2 minutes).
    await bot.escalate(bot.requester, "pertanyaan khusus zzqx", 1)
    filler = "kalimat panjang tentang dokumen penawaran. " * 70
    for index in range(60):
        bot.api.send_text(bot.requester, bot.requester.id, f"bagian {index}: {filler}")
    await bot.said_to(STAFF_CHAT, lambda r: "bagian 5:" in r["text"], timeout=30)
    other = bot.api.user(90002, "Wati")
    reply = await bot.ask(other, "pertanyaan lain qqzx")
    mark = await bot.press(other, reply, "Hubungi petugas")
    await bot.said_to(
        STAFF_CHAT, lambda r: r["text"].startswith("Tiket #2\n"), since=mark, timeout=60
    )
    still_waiting = [
        index
        for index in range(60)
        if not any(f"bagian {index}:" in r["text"] for r in bot.api.messages_to(STAFF_CHAT))
    ]
    assert still_waiting  # the card did not wait for the whole burst
