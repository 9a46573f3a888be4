"""The Bot API misbehaving: 429s, 5xx, dropped connections and timeouts, with the whole bot
running in-process (``bot.app.run``) against the stand-in.

Nothing may be lost. A duplicate is allowed only where the stand-in performed a call and then
lost its answer (``after_processing``): without idempotency in the Bot API the bot cannot
tell that call from one that never arrived, so it sends again. Those duplicates are counted
exactly, from the stand-in's record of answers it lost.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from storage.database import create_engine
from storage.models import (
    FaqInteractionRow,
    MessageRow,
    OutboxRow,
    TelegramUpdateRow,
    TicketRow,
)
from tests.e2e.conftest import (
    STAFF_CHAT,
    BotUnderTest,
    bot_settings,
    button_data,
    running_bot,
    started_api,
)
from tests.support.bot_api import FakeUser

#: PTB's default read timeout is 5 s; the stand-in answers later than that.
BEYOND_READ_TIMEOUT = 6.0
SEND_METHODS = ("sendMessage", "sendDocument")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
async def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotUnderTest]:
    api = await started_api()
    monkeypatch.chdir(tmp_path)
    # Telegram's highest group rate: the storm's staff-group messages fit in one burst.
    settings = bot_settings(tmp_path, api, telegram_group_msgs_per_min=60)
    async with running_bot(api, settings, tmp_path) as harness:
        yield harness


@pytest.fixture
async def database(bot: BotUnderTest) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(bot.settings.database_url)
    yield engine
    await engine.dispose()


async def scalar(engine: AsyncEngine, statement: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def outbox_rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        result = await connection.execute(select(OutboxRow).order_by(OutboxRow.id))
        return list(result.all())


async def wait_until(
    condition: Callable[[], Any], timeout: float, what: Callable[[], Any] | str
) -> None:
    """Poll an (async) condition; on timeout say what the state was."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            state = what() if callable(what) else what
            if asyncio.iscoroutine(state):
                state = await state
            raise AssertionError(f"timed out: {state}")
        await asyncio.sleep(0.05)


async def drained(engine: AsyncEngine) -> bool:
    """Nothing waits in the outbox any more."""
    pending = select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
    return await scalar(engine, pending) == 0


def texts_to(bot: BotUnderTest, chat_id: int, needle: str) -> list[str]:
    return [r["text"] for r in bot.api.messages_to(chat_id) if needle in r["text"]]


# ------------------------------------------------------------------ timeouts


async def test_send_timeouts_are_retried_and_only_a_performed_send_repeats(
    bot: BotUnderTest, database: AsyncEngine
) -> None:
    api = bot.api
    budi, sari = bot.requester, api.user(90002, "Sari", "sari_cv")
    # Budi's answer never reaches Telegram: the bot times out before it is performed.
    api.delay_next("sendMessage", BEYOND_READ_TIMEOUT, chat_id=budi.id)
    # Sari's is performed, but the answer to the bot comes after its timeout.
    api.delay_next("sendMessage", BEYOND_READ_TIMEOUT, chat_id=sari.id, after_processing=True)
    api.send_text(budi, budi.id, "/bantuan")
    api.send_text(sari, sari.id, "/bantuan")

    help_text = "Bot tidak pernah meminta password"
    await wait_until(
        lambda: texts_to(bot, budi.id, help_text) and len(texts_to(bot, sari.id, help_text)) >= 2,
        timeout=25,
        what=lambda: [(r["chat_id"], r["text"][:30]) for r in api.sent],
    )
    await wait_until(lambda: drained(database), 10, "outbox not drained")

    rows = {int(row.destination): row for row in await outbox_rows(database)}
    # Each answer was tried twice (timeout, then success) and is marked sent.
    assert (rows[budi.id].status, rows[budi.id].attempts) == ("sent", 2)
    assert (rows[sari.id].status, rows[sari.id].attempts) == ("sent", 2)
    assert "Timed out" in (rows[budi.id].last_error or "")
    # Budi: the timed-out call was never performed, so he has the answer once.
    assert len(texts_to(bot, budi.id, help_text)) == 1
    assert [params["chat_id"] for _, params in api.abandoned_calls] == [budi.id]
    # Sari: performed, answer lost, sent again. The one unavoidable duplicate.
    assert len(texts_to(bot, sari.id, help_text)) == 2
    assert [(method, result["chat"]["id"]) for method, result in api.lost_results] == [
        ("sendMessage", sari.id)
    ]
    assert api.faults_left() == 0


# ------------------------------------------------------------------ a longer storm

REQUESTERS = 50
ESCALATED = 8
WITH_DOCUMENT = 3
#: sendMessage faults, in the order the next calls meet them (any chat).
MESSAGE_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("fail", {"status": 429, "retry_after": 1, "times": 2}),
    ("fail", {"status": 500, "times": 2}),
    ("fail", {"status": 502, "times": 2}),
    ("drop", {"times": 2}),
    ("drop", {"times": 2, "after_processing": True}),
    ("delay", {"seconds": BEYOND_READ_TIMEOUT}),
    ("delay", {"seconds": BEYOND_READ_TIMEOUT, "after_processing": True}),
    ("fail", {"status": 429, "retry_after": 2}),
]
EDIT_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("fail", {"status": 500}),
    ("drop", {}),
    ("drop", {"after_processing": True}),  # applied twice: "not modified", no duplicate
    ("fail", {"status": 429, "retry_after": 1}),
    ("delay", {"seconds": BEYOND_READ_TIMEOUT}),
]
DOCUMENT_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("fail", {"status": 502}),
    ("drop", {"after_processing": True}),
    ("delay", {"seconds": BEYOND_READ_TIMEOUT}),
]
#: Met by the cards in the staff group.
CARD_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("fail", {"status": 500, "chat_id": STAFF_CHAT}),
    ("drop", {"after_processing": True, "chat_id": STAFF_CHAT}),
    ("fail", {"status": 429, "retry_after": 1, "chat_id": STAFF_CHAT}),
]
#: Met by the staff's answers.
ANSWER_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("fail", {"status": 500}),
    ("drop", {"after_processing": True}),
    ("delay", {"seconds": BEYOND_READ_TIMEOUT}),
    ("drop", {}),
]
#: Answers performed then lost on the send methods: exactly the duplicates allowed.
LOST_SENDS = 3 + 1 + 1 + 1


def inject(bot: BotUnderTest, method: str, faults: list[tuple[str, dict[str, Any]]]) -> None:
    for kind, options in faults:
        if kind == "fail":
            bot.api.fail_next(method, **options)
        elif kind == "drop":
            bot.api.drop_next(method, **options)
        else:
            bot.api.delay_next(method, **options)


async def test_storm_of_api_faults_loses_nothing_and_duplicates_only_lost_answers(
    bot: BotUnderTest, database: AsyncEngine
) -> None:
    api = bot.api
    users = [api.user(70000 + index, f"Penyedia{index}") for index in range(REQUESTERS)]
    inject(bot, "sendMessage", MESSAGE_FAULTS)
    inject(bot, "editMessageText", EDIT_FAULTS)
    inject(bot, "sendDocument", DOCUMENT_FAULTS)
    api.fail_next("getUpdates", status=500)

    # 50 people ask at once; none of the questions is in the FAQ, so each is offered staff.
    for index, user in enumerate(users):
        api.send_text(user, user.id, f"zzqx wvvq pertanyaan nomor {index} plorkh")

    def offered(user: FakeUser) -> dict[str, Any] | None:
        return next(
            (r for r in api.messages_to(user.id) if "Hubungi petugas" in str(r["reply_markup"])),
            None,
        )

    await wait_until(
        lambda: all(offered(user) for user in users),
        30,
        lambda: f"{sum(1 for u in users if offered(u))} of {REQUESTERS} answered",
    )

    # Some ask for staff. The bot's next poll loses its answer after taking the presses.
    escalating = users[:ESCALATED]
    inject(bot, "sendMessage", CARD_FAULTS)
    api.drop_next("getUpdates", after_processing=True)
    api.fail_next("getUpdates", status=429, retry_after=1)
    polls = len(api.calls_of("getUpdates"))
    first = offered(escalating[0])
    assert first is not None
    api.press_button(
        escalating[0], first["chat_id"], first["message_id"], button_data(first, "Hubungi petugas")
    )
    # The poll in flight took that press; the next one (the faulted one) takes the rest.
    await wait_until(lambda: len(api.calls_of("getUpdates")) > polls, 15, "no new poll")
    for user in escalating[1:]:
        reply = offered(user)
        assert reply is not None
        api.press_button(
            user, reply["chat_id"], reply["message_id"], button_data(reply, "Hubungi petugas")
        )

    def ticket_of(user: FakeUser) -> int | None:
        for text in texts_to(bot, user.id, "Tiket #"):
            return int(text.split("Tiket #", 1)[1].split()[0].rstrip(".,:"))
        return None

    def card_of(number: int) -> dict[str, Any] | None:
        cards = [
            r
            for r in api.messages_to(STAFF_CHAT)
            if not r["edited"] and r["text"].startswith(f"Tiket #{number}\n")
        ]
        return cards[-1] if cards else None

    await wait_until(
        lambda: all((n := ticket_of(u)) is not None and card_of(n) for u in escalating),
        30,
        lambda: [(u.id, ticket_of(u)) for u in escalating],
    )

    # A card whose answer was lost is sent again: staff act on the cards the bot knows.
    await wait_until(lambda: drained(database), 15, "cards not all sent")

    # Rina takes every ticket (each card is edited), then answers; some with a document.
    inject(bot, "sendMessage", ANSWER_FAULTS)
    numbers = {user.id: ticket_of(user) for user in escalating}
    for number in numbers.values():
        assert number is not None
        card = card_of(number)
        assert card is not None
        api.press_button(
            bot.rina, STAFF_CHAT, card["message_id"], button_data(card, texts.BUTTON_TAKE)
        )
    for position, user in enumerate(escalating):
        number = numbers[user.id]
        assert number is not None
        card = card_of(number)
        assert card is not None
        if position < WITH_DOCUMENT:
            api.send_document(
                bot.rina,
                STAFF_CHAT,
                f"%PDF-1.4 panduan {number}".encode(),
                f"panduan-{number}.pdf",
                "application/pdf",
                caption=f"Dokumen storm untuk tiket {number}",
                reply_to=card["message_id"],
            )
        else:
            api.send_text(
                bot.rina,
                STAFF_CHAT,
                f"Jawaban storm untuk tiket {number}",
                reply_to=card["message_id"],
            )

    def answered(position: int, user: FakeUser) -> bool:
        number = numbers[user.id]
        if position < WITH_DOCUMENT:
            return any(r["method"] == "sendDocument" for r in api.messages_to(user.id)) and bool(
                texts_to(bot, user.id, f"Dokumen storm untuk tiket {number}")
            )
        return bool(texts_to(bot, user.id, f"Jawaban storm untuk tiket {number}"))

    await wait_until(
        lambda: all(answered(p, u) for p, u in enumerate(escalating)),
        30,
        lambda: [u.id for p, u in enumerate(escalating) if not answered(p, u)],
    )

    async def settled() -> bool:
        return api.faults_left() == 0 and await drained(database)

    async def left() -> str:
        waiting = [r for r in await outbox_rows(database) if r.status != "sent"]
        return f"{api.faults_left()} faults left; unsent {[tuple(r)[:9] for r in waiting]}"

    # A chat's later messages wait for its failed one, which may meet several faults in a
    # row: 1 + 2 + 4 + 8 + 16 s of backoff for five.
    await wait_until(settled, 60, left)

    # Nothing lost, nothing given up.
    rows = await outbox_rows(database)
    assert Counter(row.status for row in rows) == {"sent": len(rows)}
    assert all(offered(user) for user in users)
    assert all(answered(p, u) for p, u in enumerate(escalating))

    # Every update stored once and handled once, the lost getUpdates answer included.
    lost_polls = [result for method, result in api.lost_results if method == "getUpdates"]
    assert len(lost_polls) == 1 and lost_polls[0], "the lost poll carried updates"
    pushed = REQUESTERS + 3 * ESCALATED  # questions, presses, takes, answers
    assert await scalar(database, select(func.count()).select_from(TelegramUpdateRow)) == pushed
    once = (
        select(func.count())
        .select_from(TelegramUpdateRow)
        .where(TelegramUpdateRow.processed_at.is_not(None), TelegramUpdateRow.attempts == 1)
    )
    assert await scalar(database, once) == pushed
    assert await scalar(database, select(func.count()).select_from(FaqInteractionRow)) == (
        REQUESTERS
    )
    assert await scalar(database, select(func.count()).select_from(TicketRow)) == ESCALATED
    staff_answers = (
        select(func.count())
        .select_from(MessageRow)
        .where(MessageRow.text.like("% storm untuk tiket %"))
    )
    assert await scalar(database, staff_answers) == ESCALATED

    # Duplicates: exactly one for each send whose answer the stand-in lost, and it is that
    # same message again.
    lost_sends = [result for method, result in api.lost_results if method in SEND_METHODS]
    assert len(lost_sends) == LOST_SENDS
    deliveries = [r for r in api.sent if r["method"] in SEND_METHODS]
    messages_made = sum(1 for row in rows if row.channel == "telegram" and row.sent_ref)
    assert len(deliveries) == messages_made + LOST_SENDS
    delivered = Counter((r["chat_id"], r["text"]) for r in deliveries)
    for result in lost_sends:
        text = result.get("text", result.get("caption", ""))
        assert delivered[(result["chat"]["id"], text)] >= 2
    # One card per ticket, but for a card whose answer was lost.
    lost_cards = Counter(
        str(result.get("text", "")).split("\n", 1)[0]
        for result in lost_sends
        if result["chat"]["id"] == STAFF_CHAT
    )
    for number in numbers.values():
        cards = [
            r
            for r in deliveries
            if r["chat_id"] == STAFF_CHAT and r["text"].startswith(f"Tiket #{number}\n")
        ]
        assert len(cards) == 1 + lost_cards[f"Tiket #{number}"]


# ------------------------------------------------------------------ order within a chat


async def test_a_failed_card_holds_back_the_files_that_follow_it(bot: BotUnderTest) -> None:
    api = bot.api
    api.fail_next("sendMessage", status=500, chat_id=STAFF_CHAT)
    api.send_document(
        bot.requester,
        bot.requester.id,
        b"%PDF-1.4 surat penawaran",
        "penawaran.pdf",
        "application/pdf",
        caption="zzqx wvvq dokumen penawaran tidak bisa diunggah",
    )
    card = await bot.card(1)
    document = await bot.said_to(STAFF_CHAT, lambda r: r["method"] == "sendDocument")
    await bot.api.wait_until_idle(timeout=10)
    assert api.faults_left() == 0
    staff = api.messages_to(STAFF_CHAT)
    assert staff.index(card) < staff.index(document), "the file went before its card"
    assert document["reply_to_message_id"] == card["message_id"]


async def test_a_failed_second_part_does_not_repeat_the_first(bot: BotUnderTest) -> None:
    api = bot.api
    card = await bot.escalate(bot.requester, "zzqx wvvq pertanyaan panjang plorkh", 1)
    answer = ("Langkah & catatan penting. " * 160)[:3990] + " AKHIR"
    api.fail_next(
        "sendMessage",
        status=500,
        chat_id=bot.requester.id,
        where=lambda params: "AKHIR" in str(params.get("text", "")),
    )
    api.send_text(bot.rina, STAFF_CHAT, answer, reply_to=card["message_id"])
    await wait_until(
        lambda: texts_to(bot, bot.requester.id, "AKHIR") and api.faults_left() == 0,
        15,
        "the last part never arrived",
    )
    parts = texts_to(bot, bot.requester.id, "Langkah & catatan")
    assert len(parts) == 2, f"{len(parts)} parts delivered for a two-part answer"


async def test_an_edit_never_overtakes_the_card_it_edits(
    bot: BotUnderTest, database: AsyncEngine
) -> None:
    api = bot.api

    def is_card(params: Any) -> bool:
        shown = re.sub(r"<[^>]+>", "", str(params.get("text", "")))  # as Telegram shows it
        return shown.startswith("Tiket #1\n") and "Status: baru" in shown  # not yet taken

    # The card reaches the group but its answer is lost; its retry is then held off a while.
    api.drop_next("sendMessage", after_processing=True, chat_id=STAFF_CHAT, where=is_card)
    api.fail_next("sendMessage", status=429, retry_after=3, chat_id=STAFF_CHAT, where=is_card)
    card = await bot.escalate(bot.requester, "zzqx wvvq pertanyaan nomor 7 plorkh", 1)
    # Rina takes the ticket on the card she sees, while the bot still retries sending it.
    api.press_button(bot.rina, STAFF_CHAT, card["message_id"], button_data(card, "Ambil"))

    async def settled() -> bool:
        return api.faults_left() == 0 and await drained(database)

    await wait_until(settled, 15, "outbox not drained")
    cards = [
        r
        for r in api.messages_to(STAFF_CHAT)
        if not r["edited"] and r["text"].startswith("Tiket #1\n")
    ]
    assert len(cards) == 2, f"{len(cards)} cards for one ticket (one lost answer)"
    latest = api.message(STAFF_CHAT, cards[-1]["message_id"])
    assert latest is not None and "Status: baru" not in latest["text"], "the card is stale"
