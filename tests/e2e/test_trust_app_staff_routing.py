"""Issue #16, finding 4: a staff reply to the daily digest (a bot message that names ``#N``
but is no ticket message) was relayed to that ticket's requester. Only messages recorded as
ticket messages route a reply; a card pressed before its record is written still works."""

from __future__ import annotations

from bot.runtime import build_runtime
from handlers import jobs
from tests.e2e.conftest import STAFF_CHAT, BotUnderTest


async def test_reply_to_the_daily_digest_is_not_relayed_to_a_requester(bot: BotUnderTest) -> None:
    card = await bot.escalate(bot.requester, "pertanyaan khusus zzqx", 1)
    # The morning digest, as the scheduler sends it (from a second runtime on the same
    # database: the running bot's outbox delivers it).
    side = await build_runtime(bot.settings, load_faq=False)
    try:
        assert await jobs.send_daily_digest(side)
    finally:
        await side.close()
    digest = await bot.said_to(STAFF_CHAT, lambda r: r["text"].startswith("Ringkasan harian"))
    assert "Tiket #1" in digest["text"]

    mark = len(bot.api.sent)
    reply = bot.api.send_text(
        bot.rina, STAFF_CHAT, "catatan internal: cek dulu tiket ini", reply_to=digest["message_id"]
    )
    notice = await bot.said_to(STAFF_CHAT, lambda r: "bukan kartu tiket" in r["text"], since=mark)
    assert notice["reply_to_message_id"] == reply["message_id"]
    await bot.api.wait_until_idle()
    relayed = [r for r in bot.api.sent[mark:] if r["chat_id"] == bot.requester.id]
    assert relayed == []

    # A reply to the card itself is still relayed.
    bot.api.send_text(bot.rina, STAFF_CHAT, "jawaban resmi", reply_to=card["message_id"])
    await bot.said_to(bot.requester.id, lambda r: "jawaban resmi" in r["text"], since=mark)
