"""The Telegram Bot API stand-in (tests/support/bot_api.py) driven by the real PTB client.

These prove that PTB understands the stand-in's answers (JSON shapes, error codes) and that the
strictness rules fire, so end-to-end tests of the bot can rely on it.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.support.bot_api import (
    BOT_ID,
    BOT_USERNAME,
    BotApiStandIn,
    FakeUser,
    parse_html,
)

STAFF_GROUP = -1001234567890
PDF = b"%PDF-1.4\n% test document\n"
# 1x1 PNG: sendPhoto only accepts real images
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn() as stand_in:
        stand_in.add_group(STAFF_GROUP, "Helpdesk LPSE")
        yield stand_in


@pytest.fixture
async def bot(api: BotApiStandIn) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.file_base_url) as client:
        yield client


def api_error(
    kind: type[TelegramError], text: str
) -> AbstractContextManager[pytest.ExceptionInfo[TelegramError]]:
    """Expects a Bot API error containing ``text``; case-insensitive because PTB strips
    "Bad Request: " and capitalises the rest ("Chat not found")."""
    return pytest.raises(kind, match=re.compile(re.escape(text), re.IGNORECASE))


def _retry_seconds(error: RetryAfter) -> float:
    # PTB 22 returns int or timedelta, depending on PTB_TIMEDELTA
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# PTB 22 itself reads RetryAfter.retry_after while constructing it, which warns
_RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


# ------------------------------------------------------------------ basics


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (BOT_ID, BOT_USERNAME, True)
    assert me.can_read_all_group_messages is False  # privacy mode, like BotFather's default


async def test_wrong_token_and_unknown_method(api: BotApiStandIn, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123456:WRONG", base_url=api.base_url) as wrong:
            await wrong.get_me()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert ("sendTelepathy", {"chat_id": 1}) in api.calls  # failed calls are recorded too


async def test_send_message_round_trip_is_recorded(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Selesai", callback_data="t:1:done")]])
    message = await bot.send_message(
        budi.id,
        "Tiket <b>#12</b> &amp; SLA &lt;2 hari&gt;",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    assert message.text == "Tiket #12 & SLA <2 hari>"
    assert message.from_user is not None and message.from_user.id == BOT_ID
    assert message.reply_markup == keyboard
    assert message.entities[0].type == "bold" and message.parse_entity(message.entities[0]) == "#12"

    [record] = api.messages_to(budi.id)
    assert record["message_id"] == message.message_id
    assert record["text"] == "Tiket #12 & SLA <2 hari>"
    assert record["raw_text"] == "Tiket <b>#12</b> &amp; SLA &lt;2 hari&gt;"
    assert record["parse_mode"] == "HTML"
    assert record["reply_markup"] == keyboard.to_dict()
    assert record["edited"] is False and record["reply_to_message_id"] is None
    method, params = api.calls[-1]
    assert method == "sendMessage" and params["chat_id"] == budi.id  # decoded to int


# ------------------------------------------------------------------ text strictness


@pytest.mark.parametrize(
    "text",
    [
        "a <b>bold</i>",  # mismatched nesting
        "<b>never closed",
        "closing only</b>",
        "SLA < 2 hari",  # a bare "<" that starts no tag
        "<div>unsupported</div>",
        "<span>not a spoiler</span>",
        "AT&T",  # a bare "&" (stricter than Telegram, see parse_html)
        "&nbsp;",
    ],
)
async def test_html_parse_errors(bot: Bot, budi: FakeUser, text: str) -> None:
    with api_error(BadRequest, "can't parse entities"):
        await bot.send_message(budi.id, text, parse_mode="HTML")


def test_html_parser_accepts_every_supported_tag() -> None:
    text, entities = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>x</s><strike>k</strike>"
        '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://lpse.example.go.id/?a=1&amp;b=2">l</a><code>c</code>'
        '<pre><code class="language-python">py</code></pre><blockquote expandable>z</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>&#33;&#x21;&quot;'
    )
    assert text == 'bsieunxkdpqlcpyz👍!!"'
    types = [entity["type"] for entity in entities]
    assert types.count("bold") == 2 and types.count("spoiler") == 2
    assert {"type": "pre", "offset": 13, "length": 2, "language": "python"} in entities
    assert entities[-1] == {
        "type": "custom_emoji",
        "offset": 16,
        "length": 2,
        "custom_emoji_id": "5368324170671202286",
    }  # offsets and lengths are UTF-16 code units: 👍 counts as 2
    assert any(e.get("url") == "https://lpse.example.go.id/?a=1&b=2" for e in entities)
    assert "expandable_blockquote" in types


async def test_length_limits_count_text_after_markup(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    with api_error(BadRequest, "message is too long"):
        await bot.send_message(budi.id, "x" * 4097)
    # tags do not count: 4096 visible characters are fine
    await bot.send_message(budi.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with api_error(BadRequest, "message is too long"):
        await bot.send_message(budi.id, "😀" * 2049)  # 4098 UTF-16 code units
    with api_error(BadRequest, "message text is empty"):
        await bot.send_message(budi.id, "<b> </b>", parse_mode="HTML")
    with api_error(BadRequest, "message caption is too long"):
        await bot.send_document(budi.id, PDF, filename="a.pdf", caption="c" * 1025)
    with api_error(BadRequest, "unsupported parse_mode"):
        await bot.send_message(budi.id, "hi", parse_mode="BBCode")
    assert len(api.sent) == 1  # failed sends are not recorded as sent


async def test_markdown_v2_reserved_characters(bot: Bot, budi: FakeUser) -> None:
    with api_error(BadRequest, "character '.' is reserved"):
        await bot.send_message(budi.id, "Tiket selesai.", parse_mode="MarkdownV2")
    message = await bot.send_message(budi.id, r"*Tiket* \#12 selesai\.", parse_mode="MarkdownV2")
    assert message.text == "Tiket #12 selesai."
    with api_error(BadRequest, "can't find end of bold"):
        await bot.send_message(budi.id, "*tebal", parse_mode="MarkdownV2")


# ------------------------------------------------------------------ chats and replies


async def test_unknown_chat_and_user_who_never_started(api: BotApiStandIn, bot: Bot) -> None:
    with api_error(BadRequest, "chat not found"):
        await bot.send_message(999_999, "halo")
    silent = api.user(7002, "Sari")  # known to Telegram (e.g. seen in a group), never pressed Start
    with api_error(Forbidden, "can't initiate conversation"):
        await bot.send_message(silent.id, "halo")
    api.send_text(silent, silent.id, "halo bot")
    await bot.send_message(silent.id, "halo juga")
    api.block_bot(silent)
    with api_error(Forbidden, "blocked by the user"):
        await bot.send_message(silent.id, "masih di sana?")


async def test_reply_to_missing_message(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    question = api.send_text(budi, budi.id, "Bagaimana cara reset password?")
    with api_error(BadRequest, "message to be replied not found"):
        await bot.send_message(budi.id, "jawaban", reply_parameters=ReplyParameters(9999))
    with api_error(BadRequest, "message to be replied not found"):
        await bot.send_message(budi.id, "jawaban", reply_to_message_id=9999)
    await bot.send_message(
        budi.id,
        "tanpa kutipan",
        reply_parameters=ReplyParameters(9999, allow_sending_without_reply=True),
    )
    answer = await bot.send_message(
        budi.id,
        "Lewat menu Lupa Password.",
        reply_parameters=ReplyParameters(question["message_id"]),
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "Bagaimana cara reset password?"
    assert api.sent[-1]["reply_to_message_id"] == question["message_id"]


async def test_leave_chat_then_sending_is_forbidden(api: BotApiStandIn, bot: Bot) -> None:
    assert await bot.leave_chat(STAFF_GROUP)
    assert STAFF_GROUP in api.left_chats
    with api_error(Forbidden, "not a member"):
        await bot.send_message(STAFF_GROUP, "halo")


async def test_chat_and_member_lookups(api: BotApiStandIn, bot: Bot) -> None:
    rina = api.user(111, "Rina", "rina_lpse")
    api.add_member(STAFF_GROUP, rina)
    chat = await bot.get_chat(STAFF_GROUP)
    assert (chat.type, chat.title) == ("supergroup", "Helpdesk LPSE")
    assert (await bot.get_chat_member(STAFF_GROUP, rina.id)).status == "member"
    assert (await bot.get_chat_member(STAFF_GROUP, BOT_ID)).status == "administrator"
    outsider = api.user(7777, "Tamu")
    assert (await bot.get_chat_member(STAFF_GROUP, outsider.id)).status == "left"


async def test_forum_topics(api: BotApiStandIn, bot: Bot) -> None:
    api.add_group(-1009, "Staf (forum)", forum=True)
    with api_error(BadRequest, "not a forum"):
        await bot.create_forum_topic(STAFF_GROUP, "Tiket 12")
    topic = await bot.create_forum_topic(-1009, "Tiket 12")
    sent = await bot.send_message(-1009, "dibuka", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    with api_error(BadRequest, "message thread not found"):
        await bot.send_message(-1009, "salah topik", message_thread_id=424242)


# ------------------------------------------------------------------ faults and limits


@_RETRY_AFTER_DEPRECATION
async def test_retry_after_via_fail_next(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    api.fail_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(budi.id, "halo")
    assert _retry_seconds(caught.value) == 7
    await bot.send_message(budi.id, "halo lagi")  # only the next call failed
    assert [r["text"] for r in api.sent] == ["halo lagi"]
    assert [name for name, _ in api.calls].count("sendMessage") == 2


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_are_network_errors(
    api: BotApiStandIn, bot: Bot, budi: FakeUser, status: int
) -> None:
    api.fail_next("sendMessage", status=status, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(budi.id, "halo")
    await bot.send_message(budi.id, "halo")


async def test_dropped_connection(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    api.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(budi.id, "hilang")
    assert api.sent == []
    # the answer is lost after the message was delivered: a blind retry duplicates it
    api.drop_next("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(budi.id, "terkirim")
    assert [r["text"] for r in api.sent] == ["terkirim"]


async def test_delayed_answer_beyond_the_read_timeout(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    # The bot gave up before the call was performed: nothing was sent.
    api.delay_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(budi.id, "tidak sampai", read_timeout=0.2)
    await _until(lambda: bool(api.abandoned_calls))
    assert api.sent == [] and api.lost_results == []
    assert api.abandoned_calls[0][1]["text"] == "tidak sampai"

    # Performed, then the answer came too late: delivered, and the bot does not know it.
    api.delay_next("sendMessage", 1.0, after_processing=True)
    with pytest.raises(TimedOut):
        await bot.send_message(budi.id, "sampai", read_timeout=0.2)
    assert [r["text"] for r in api.sent] == ["sampai"]
    await _until(lambda: bool(api.lost_results))
    assert api.lost_results[0][0] == "sendMessage"
    assert api.faults_left() == 0


async def test_delay_within_the_read_timeout_is_only_slow(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    api.delay_next("sendMessage", 0.1, times=2)
    api.delay_next("sendMessage", 0.1, after_processing=True)
    for text in ("satu", "dua", "tiga"):
        await bot.send_message(budi.id, text, read_timeout=5)
    assert [r["text"] for r in api.sent] == ["satu", "dua", "tiga"]
    assert api.lost_results == [] and api.abandoned_calls == []


async def test_faults_for_some_calls_leave_the_others_alone(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    api.fail_next("sendMessage", status=500, chat_id=STAFF_GROUP)
    await bot.send_message(budi.id, "pribadi")  # another chat: not hit
    assert api.faults_left("sendMessage") == 1
    with pytest.raises(NetworkError):
        await bot.send_message(STAFF_GROUP, "grup")
    await bot.send_message(STAFF_GROUP, "grup")
    assert [r["text"] for r in api.sent] == ["pribadi", "grup"]
    assert api.faults_left() == 0

    api.drop_next("sendMessage", where=lambda params: "bagian 2" in params.get("text", ""))
    await bot.send_message(budi.id, "bagian 1")
    with pytest.raises(NetworkError):
        await bot.send_message(budi.id, "bagian 2")
    assert [r["text"] for r in api.sent][-1] == "bagian 1"
    assert api.faults_left() == 0


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """The stand-in notices a client that hung up a moment after the client raised."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


@_RETRY_AFTER_DEPRECATION
async def test_group_flood_limit() -> None:
    now = [1000.0]  # a fake clock, so the one-minute window needs no sleeping

    def clock() -> float:
        return now[0]

    async with BotApiStandIn(clock=clock) as api:
        api.add_group(STAFF_GROUP, "Helpdesk LPSE")
        api.set_group_limit(STAFF_GROUP, 2)
        async with Bot(api.token, base_url=api.base_url) as bot:
            await bot.send_message(STAFF_GROUP, "1")
            now[0] += 10
            await bot.send_message(STAFF_GROUP, "2")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(STAFF_GROUP, "3")
            assert 1 <= _retry_seconds(caught.value) <= 51
            now[0] += 51  # the first message left the one-minute window
            await bot.send_message(STAFF_GROUP, "3")


# ------------------------------------------------------------------ updates


async def test_get_updates_offset_and_shapes(api: BotApiStandIn, bot: Bot) -> None:
    rina = api.user(111, "Rina", "rina_lpse")
    question = api.send_text(rina, rina.id, "/start")
    api.send_text(rina, rina.id, "/status@lpse_test_bot 12 lihat https://lpse.example.go.id")
    group_msg = api.send_text(rina, STAFF_GROUP, "Saya ambil")
    api.send_text(rina, STAFF_GROUP, "ok", reply_to=group_msg["message_id"])
    api.edit_text(rina, rina.id, question["message_id"], "/start ulang")

    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 5
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    first = updates[0].message
    assert first is not None and first.text == "/start" and first.chat.type == "private"
    assert first.entities[0].type == "bot_command" and first.entities[0].length == 6
    second = updates[1].message
    assert second is not None
    assert [e.type for e in second.entities] == ["bot_command", "url"]
    reply = updates[3].message
    assert reply is not None and reply.chat.type == "supergroup"
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "Saya ambil"
    assert updates[4].edited_message is not None
    assert updates[4].edited_message.text == "/start ulang"

    # limit, then confirm with offset: confirmed updates are gone for good
    assert len(await bot.get_updates(limit=2, timeout=0)) == 2
    rest = await bot.get_updates(offset=updates[2].update_id, timeout=0)
    assert [u.update_id for u in rest] == [u.update_id for u in updates[2:]]
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert api.pending_updates == []


async def test_get_updates_long_poll(api: BotApiStandIn, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= loop.time() - started < 3

    rina = api.user(111, "Rina")
    loop.call_later(0.2, lambda: api.send_text(rina, rina.id, "halo"))
    started = loop.time()
    updates = await bot.get_updates(timeout=10)
    assert loop.time() - started < 3  # returned as soon as the update arrived
    assert updates[0].message is not None and updates[0].message.text == "halo"


async def test_only_one_long_poll_at_a_time(api: BotApiStandIn, bot: Bot) -> None:
    # a second bot instance with the same token, as when a deployment runs twice
    async with Bot(api.token, base_url=api.base_url) as twin:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        assert await twin.get_updates(timeout=0) == ()
        with api_error(Conflict, "terminated by other getUpdates"):
            await first


async def test_allowed_updates_filter(api: BotApiStandIn, bot: Bot) -> None:
    rina = api.user(111, "Rina")
    api.send_text(rina, rina.id, "teks")
    sent = await bot.send_message(
        rina.id,
        "pilih",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    api.press_button(rina, rina.id, sent.message_id, "a")
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in updates] == [True]


async def test_unknown_group_and_payload_shapes_parse(api: BotApiStandIn, bot: Bot) -> None:
    stranger = api.user(8001, "Orang Asing")
    member_update = api.add_member_to_unknown_group(stranger, -100555, "Grup Liar")
    docs = api.send_document(stranger, -100555, PDF, "kontrak.pdf", "application/pdf", caption="x")
    photo = api.send_photo(stranger, -100555, PNG, caption="foto")
    api.send_text(stranger, -100555, "/start@lpse_test_bot")
    updates = await bot.get_updates(timeout=0)
    assert updates[0].my_chat_member is not None
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert updates[0].my_chat_member.chat.title == "Grup Liar"
    assert member_update["new_chat_member"]["user"]["id"] == BOT_ID
    assert updates[1].message is not None and updates[1].message.new_chat_members
    # a plain member with privacy mode sees commands for it, not ordinary group chatter
    assert len(updates) == 3
    assert updates[2].message is not None and updates[2].message.text == "/start@lpse_test_bot"
    # the undelivered payloads still have shapes PTB parses
    document = Update.de_json({"update_id": 1, "message": docs}, bot).message
    assert document is not None and document.document is not None
    assert (document.document.file_name, document.caption) == ("kontrak.pdf", "x")
    picture = Update.de_json({"update_id": 2, "message": photo}, bot).message
    assert picture is not None and len(picture.photo) == 2 and picture.photo[-1].width == 1


# ------------------------------------------------------------------ files


async def test_document_upload_is_recorded_with_bytes(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    message = await bot.send_document(
        budi.id, document=PDF, filename="x.pdf", caption="<i>BA</i>", parse_mode="HTML"
    )
    assert message.document is not None and message.document.file_name == "x.pdf"
    assert message.document.mime_type == "application/pdf" and message.caption == "BA"
    record = api.sent[-1]
    assert record["document"]["data"] == PDF and record["text"] == "BA"
    assert api.file_bytes(message.document.file_id) == PDF
    # resend by file_id; a document id cannot be used as a photo
    again = await bot.send_document(STAFF_GROUP, message.document.file_id)
    assert again.document is not None and again.document.file_id == message.document.file_id
    with api_error(BadRequest, "can't use file of type document as photo"):
        await bot.send_photo(STAFF_GROUP, message.document.file_id)
    with api_error(BadRequest, "wrong file identifier"):
        await bot.send_document(STAFF_GROUP, "no-such-file-id")
    with api_error(BadRequest, "image_process_failed"):
        await bot.send_photo(STAFF_GROUP, b"not an image", filename="x.jpg")
    photo = await bot.send_photo(STAFF_GROUP, PNG, caption="bukti")
    assert photo.photo[-1].width == 1 and api.sent[-1]["photo"]["data"] == PNG


async def test_user_files_can_be_downloaded(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    sent = api.send_document(budi, budi.id, PDF, "surat.pdf", "application/pdf")
    file = await bot.get_file(sent["document"]["file_id"])
    assert file.file_path is not None and file.file_path.startswith(api.file_base_url)
    assert bytes(await file.download_as_bytearray()) == PDF

    # Telegram's file path never carries the user's odd file name into the URL.
    odd = api.send_document(budi, budi.id, PDF, "a.p|d\nf %2F", "application/pdf")
    odd_file = await bot.get_file(odd["document"]["file_id"])
    assert bytes(await odd_file.download_as_bytearray()) == PDF

    photo = api.send_photo(budi, budi.id, PNG)
    largest = await bot.get_file(photo["photo"][-1]["file_id"])
    assert bytes(await largest.download_as_bytearray()) == PNG
    thumbnail = await bot.get_file(photo["photo"][0]["file_id"])
    assert bytes(await thumbnail.download_as_bytearray()) != PNG  # photo[0] is not the original

    huge = api.send_document(
        budi, budi.id, b"x", "besar.zip", "application/zip", file_size=21 * 1024 * 1024
    )
    with api_error(BadRequest, "file is too big"):
        await bot.get_file(huge["document"]["file_id"])
    with api_error(BadRequest, "invalid file_id"):
        await bot.get_file("nope")


# ------------------------------------------------------------------ keyboards, callbacks, edits


async def test_callback_answer(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    sent = await bot.send_message(
        budi.id,
        "Tutup tiket?",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="close:12")]]),
    )
    query = api.press_button(budi, budi.id, sent.message_id, "close:12")
    updates = await bot.get_updates(timeout=0)
    callback = updates[-1].callback_query
    assert callback is not None and callback.data == "close:12"
    assert callback.message is not None and callback.message.message_id == sent.message_id
    assert await bot.answer_callback_query(callback.id, text="Ditutup")
    assert api.answered_callbacks[-1]["callback_query_id"] == query["id"]
    assert api.answered_callbacks[-1]["text"] == "Ditutup"
    with api_error(BadRequest, "query is too old"):
        await bot.answer_callback_query(callback.id)  # only once
    with api_error(BadRequest, "query is too old"):
        await bot.answer_callback_query("12345")


async def test_inline_keyboard_validation(bot: Bot, budi: FakeUser) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("X", callback_data="x" * 65)]])
    with api_error(BadRequest, "BUTTON_DATA_INVALID"):
        await bot.send_message(budi.id, "pilih", reply_markup=too_long)
    multibyte = InlineKeyboardMarkup([[InlineKeyboardButton("X", callback_data="é" * 33)]])
    with api_error(BadRequest, "BUTTON_DATA_INVALID"):  # 66 bytes in UTF-8
        await bot.send_message(budi.id, "pilih", reply_markup=multibyte)
    text_only = InlineKeyboardMarkup([[InlineKeyboardButton("X")]])
    with api_error(BadRequest, "text buttons are unallowed"):
        await bot.send_message(budi.id, "pilih", reply_markup=text_only)
    bad_url = InlineKeyboardMarkup([[InlineKeyboardButton("X", url="lpse.example.go.id")]])
    with api_error(BadRequest, "BUTTON_URL_INVALID"):
        await bot.send_message(budi.id, "pilih", reply_markup=bad_url)


async def test_edit_message_text(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ambil", callback_data="take:3")]])
    sent = await bot.send_message(
        budi.id, "<b>Tiket 3</b>", parse_mode="HTML", reply_markup=keyboard
    )
    with api_error(BadRequest, "message is not modified"):
        await bot.edit_message_text(
            "<b>Tiket 3</b>", budi.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard
        )
    # same text without the keyboard is a change: Telegram drops the keyboard
    edited = await bot.edit_message_text(
        "<b>Tiket 3</b>", budi.id, sent.message_id, parse_mode="HTML"
    )
    assert not isinstance(edited, bool) and edited.text == "Tiket 3"
    assert edited.reply_markup is None and api.sent[-1]["edited"] is True
    assert api.sent[-1]["reply_markup"] is None
    current = api.message(budi.id, sent.message_id)
    assert current is not None and "reply_markup" not in current and "edit_date" in current

    users_message = api.send_text(budi, budi.id, "pesan saya")
    with api_error(BadRequest, "message can't be edited"):
        await bot.edit_message_text("diubah", budi.id, users_message["message_id"])
    with api_error(BadRequest, "message to edit not found"):
        await bot.edit_message_text("diubah", budi.id, 4242)
    with api_error(BadRequest, "message is not modified"):
        await bot.edit_message_reply_markup(budi.id, sent.message_id)


async def test_delete_copy_forward_and_chat_action(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    question = api.send_text(budi, budi.id, "Mohon bantuan")
    copied = await bot.copy_message(STAFF_GROUP, budi.id, question["message_id"])
    copy = api.message(STAFF_GROUP, copied.message_id)
    assert copy is not None and copy["text"] == "Mohon bantuan"
    assert copy["from"]["id"] == BOT_ID
    forwarded = await bot.forward_message(STAFF_GROUP, budi.id, question["message_id"])
    assert forwarded.forward_origin is not None
    with api_error(BadRequest, "message to copy not found"):
        await bot.copy_message(STAFF_GROUP, budi.id, 4242)
    assert await bot.delete_message(STAFF_GROUP, copied.message_id)
    assert (STAFF_GROUP, copied.message_id) in api.deleted
    with api_error(BadRequest, "message to delete not found"):
        await bot.delete_message(STAFF_GROUP, copied.message_id)
    assert await bot.send_chat_action(budi.id, "typing")
    with api_error(BadRequest, "wrong parameter action"):
        await bot.send_chat_action(budi.id, "dancing")
    assert api.chat_actions == [(budi.id, "typing")]


# ------------------------------------------------------------------ a real Application


async def test_application_polling_replies_to_start(api: BotApiStandIn) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Selamat datang di Helpdesk LPSE")

    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.file_base_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        ani = api.user(9001, "Ani", "ani_pokja")
        since = len(api.sent)
        api.send_text(ani, ani.id, "/start")
        reply = await api.wait_for(lambda r: r["chat_id"] == ani.id, since=since)
        assert reply["text"] == "Selamat datang di Helpdesk LPSE"
        await api.wait_until_idle()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert api.pending_updates == []  # the updater confirmed the update on shutdown
    assert "deleteWebhook" in [name for name, _ in api.calls]
