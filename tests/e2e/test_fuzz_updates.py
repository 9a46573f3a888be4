"""Random sequences of Telegram updates against the whole running bot (Hypothesis, bounded).

Requesters and staff send random Unicode, commands with junk arguments, giant texts, files
with random names and bytes, edits, replies to any bot message, messages of kinds the bot does
not handle (stickers, locations, service messages), and press buttons with real, mutated or
random callback data. Whatever the sequence: no handler raises (no ERROR record), the bot keeps
running, the requester who wrote last gets an answer, and a plain FAQ question afterwards is
still answered. Each example starts a fresh bot and stand-in; the number of examples is small so
that the file runs in well under a minute.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import STAFF_CHAT, BotUnderTest, bot_settings, harness_for, started_api
from tests.support.bot_api import FakeUser

COMMANDS = ["/start", "/status", "/batal", "/help", "/laporan", "/reload", "/xyz", "/start@bot"]
MIME_TYPES = ["application/pdf", "image/png", "image/jpeg", "application/x-msdownload", ""]
FILE_HEADS = [b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"MZ\x90\x00", b""]
ODD_MESSAGES: list[dict[str, Any]] = [
    {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "u1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    {"location": {"latitude": -3.2, "longitude": 104.6}},
    {"contact": {"phone_number": "+6281234567890", "first_name": "Budi"}},
    {"dice": {"emoji": "🎲", "value": 3}},
    {"new_chat_title": "Grup baru"},
]

SENDERS = st.sampled_from(["requester", "other_requester", "rina", "outsider"])
texts = st.one_of(
    st.text(max_size=300),
    st.builds(lambda c, a: f"{c} {a}", st.sampled_from(COMMANDS), st.text(max_size=40)),
    st.sampled_from(["a" * 4096, "😀" * 2048, "<b>x</b> &amp; *y* _z_ [l](http://x)", " ", "\x00"]),
)
callback_data = st.one_of(
    st.text(min_size=1, max_size=20),
    st.builds(
        lambda p, n: f"{p}:{n}",
        st.sampled_from(["t", "s", "f", "r", "x", "menu"]),
        st.integers(-5, 10**12),
    ),
)


@dataclass(frozen=True)
class Text:
    sender: str
    text: str
    reply_to_bot_message: int | None  # index into the bot's messages to that chat, if any


@dataclass(frozen=True)
class Button:
    sender: str
    message: int  # index into the bot's messages to the sender's chat
    real: bool  # press one of the message's own buttons (possibly mutated) or random data
    data: str


@dataclass(frozen=True)
class Document:
    sender: str
    name: str
    head: bytes
    body: bytes
    mime_type: str
    caption: str | None


@dataclass(frozen=True)
class Edit:
    text: str


@dataclass(frozen=True)
class Odd:
    sender: str
    content: int  # index into ODD_MESSAGES


Action = Text | Button | Document | Edit | Odd

actions = st.one_of(
    st.builds(Text, SENDERS, texts, st.one_of(st.none(), st.integers(0, 30))),
    st.builds(Button, SENDERS, st.integers(0, 30), st.booleans(), callback_data),
    st.builds(
        Document,
        SENDERS,
        st.text(max_size=80),
        st.sampled_from(FILE_HEADS),
        st.binary(max_size=512),
        st.sampled_from(MIME_TYPES),
        st.one_of(st.none(), texts),
    ),
    st.builds(Edit, texts),
    st.builds(Odd, SENDERS, st.integers(0, len(ODD_MESSAGES) - 1)),
)


class Scenario:
    """Applies actions to a running bot through the stand-in."""

    def __init__(self, bot: BotUnderTest) -> None:
        self.bot = bot
        self.people: dict[str, FakeUser] = {
            "requester": bot.requester,
            "other_requester": bot.api.user(90002, "Ani", "ani_cv"),
            "rina": bot.rina,
            "outsider": bot.outsider,
        }
        self.last_requester_text: dict[int, int] = {}  # user id -> index into api.sent

    def chat_of(self, sender: str) -> int:
        return STAFF_CHAT if sender in ("rina", "outsider") else self.people[sender].id

    def bot_message(self, chat_id: int, index: int | None) -> dict[str, Any] | None:
        sent = self.bot.api.messages_to(chat_id)
        return sent[index % len(sent)] if sent and index is not None else None

    def apply(self, action: Action) -> None:
        api = self.bot.api
        if isinstance(action, Text):
            user, chat_id = self.people[action.sender], self.chat_of(action.sender)
            replied = self.bot_message(chat_id, action.reply_to_bot_message)
            api.send_text(
                user, chat_id, action.text, reply_to=replied["message_id"] if replied else None
            )
            if chat_id == user.id and action.text.strip("\x00 "):
                self.last_requester_text[user.id] = len(api.sent)
        elif isinstance(action, Button):
            user, chat_id = self.people[action.sender], self.chat_of(action.sender)
            message = self.bot_message(chat_id, action.message)
            if message is None:
                return
            data = action.data
            buttons = [
                b["callback_data"]
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
                if "callback_data" in b
            ]
            if action.real and buttons:
                real = buttons[len(action.data) % len(buttons)]
                # Half the time the real payload, otherwise one character tampered.
                data = real if len(action.data) % 2 else real[:-1] + action.data[0]
            api.press_button(user, chat_id, message["message_id"], data[:64] or "x")
        elif isinstance(action, Document):
            user, chat_id = self.people[action.sender], self.chat_of(action.sender)
            api.send_document(
                user,
                chat_id,
                action.head + action.body,
                action.name or "berkas",
                action.mime_type or "application/octet-stream",
                caption=action.caption,
            )
        elif isinstance(action, Edit):
            user = self.bot.requester
            mine = [
                m
                for (chat, _), m in api._messages.items()
                if chat == user.id and m.get("from", {}).get("id") == user.id and "text" in m
            ]
            if mine:
                api.edit_text(user, user.id, mine[-1]["message_id"], action.text or ".")
        elif isinstance(action, Odd):
            user, chat_id = self.people[action.sender], self.chat_of(action.sender)
            api._user_message(user, chat_id, dict(ODD_MESSAGES[action.content]), None, None)


def bot_errors(records: list[logging.LogRecord]) -> list[str]:
    return [
        r.getMessage()
        for r in records
        if r.levelno >= logging.ERROR and r.name.startswith(("handlers.", "bot."))
    ]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def run_scenario(steps: list[Action], workdir: Path) -> None:
    api = await started_api()
    bot = harness_for(api, bot_settings(workdir, api), workdir)
    collect = Collect()
    logging.getLogger().addHandler(collect)
    await bot.start()
    try:
        # A menu in the requester's chat and a ticket card in the staff group, so that
        # random presses and replies have real buttons and messages to land on.
        await bot.ask(bot.requester, "/start")
        await bot.escalate(bot.requester, "Zzqx wvvq plorkh", 1)
        scenario = Scenario(bot)
        for step in steps:
            scenario.apply(step)
            await asyncio.sleep(0)  # let the bot interleave with the sender now and then
        await api.wait_until_idle(timeout=30, quiet=0.5)
        assert bot._task is not None and not bot._task.done(), "the bot stopped"
        for user_id, mark in scenario.last_requester_text.items():
            # Waited for, not just checked: the outbox paces each chat (about 1 message/s).
            await api.wait_for(
                lambda r, user_id=user_id: r["chat_id"] == user_id, since=mark, timeout=20
            )
        # Still serving: a fresh requester's plain question is answered.
        newcomer = api.user(90003, "Citra")
        reply = await bot.ask(newcomer, "bagaimana cara mendaftar sebagai penyedia?", timeout=15)
        assert reply["text"]
        assert bot_errors(collect.records) == []
    finally:
        logging.getLogger().removeHandler(collect)
        await bot.stop()
        await api.stop()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(actions, min_size=10, max_size=40))
def test_random_update_sequences_never_break_the_bot(steps: list[Action]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(run_scenario(steps, Path(directory)))
