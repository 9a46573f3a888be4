"""The whole bot (`bot.app.run`) against the local Bot API stand-in, on a SQLite file."""

from __future__ import annotations

import asyncio
import socket
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot import app
from bot.core.sop import load_catalog
from bot.settings import Settings
from tests.support.bot_api import BotApiStandIn, FakeUser

STAFF_CHAT = -1001234567890
ROSTER = """
staff:
  - {telegram_id: 111, name: Rina, roles: [helpdesk]}
  - {telegram_id: 222, name: Andi, roles: [sekretaris, kepala]}
  - {telegram_id: 333, name: Dedi, roles: [admin_agency, verifikator]}
  - {telegram_id: 444, name: Sari, roles: [staf]}
roles:
  lkpp: {email: lpse-support@example.go.id}
"""


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``condition()`` holds: handlers run concurrently with the test."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def button_data(record: dict[str, Any], label: str) -> str:
    """The callback data of the button labelled ``label`` in a sent message."""
    markup = record.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {markup}")


@dataclass
class BotUnderTest:
    """A running bot and the stand-in it talks to, with the people of the tests."""

    api: BotApiStandIn
    settings: Settings
    workdir: Path
    requester: FakeUser
    rina: FakeUser
    andi: FakeUser
    dedi: FakeUser
    outsider: FakeUser
    _task: asyncio.Task[None] | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(app.run(self.settings, self._stop))
        # Started when the bot has asked for updates once.
        for _ in range(200):
            if self.api.calls_of("getUpdates"):
                return
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.05)
        raise AssertionError("bot did not start polling")

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            await asyncio.wait_for(self._task, timeout=20)
            self._task = None

    async def restart(self) -> None:
        await self.stop()
        calls_before = len(self.api.calls_of("getUpdates"))
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(app.run(self.settings, self._stop))
        for _ in range(200):
            if len(self.api.calls_of("getUpdates")) > calls_before:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("bot did not restart")

    async def said_to(
        self,
        chat_id: int,
        predicate: Callable[[dict[str, Any]], bool],
        *,
        since: int = 0,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """The first message to ``chat_id`` after ``since`` that satisfies ``predicate``."""
        return await self.api.wait_for(
            lambda r: r["chat_id"] == chat_id and predicate(r), timeout=timeout, since=since
        )

    async def ask(self, user: FakeUser, text: str, *, timeout: float = 10.0) -> dict[str, Any]:
        """A private message from ``user``; returns the bot's next reply to them."""
        mark = len(self.api.sent)
        self.api.send_text(user, user.id, text)
        return await self.said_to(user.id, lambda r: not r["edited"], since=mark, timeout=timeout)

    async def press(self, user: FakeUser, record: dict[str, Any], label: str) -> int:
        """``user`` presses the button ``label`` on a sent message; returns a ``since`` mark."""
        mark = len(self.api.sent)
        self.api.press_button(
            user, record["chat_id"], record["message_id"], button_data(record, label)
        )
        return mark

    async def escalate(self, user: FakeUser, question: str, number: int) -> dict[str, Any]:
        """Ask ``question`` and ask for staff whatever the FAQ offers; returns card ``#number``."""
        reply = await self.ask(user, question)
        labels = [
            b["text"]
            for row in (reply["reply_markup"] or {}).get("inline_keyboard", [])
            for b in row
        ]
        label = "Hubungi petugas" if "Hubungi petugas" in labels else "Belum, hubungi petugas"
        mark = await self.press(user, reply, label)
        await self.said_to(user.id, lambda r: f"Tiket #{number}" in r["text"], since=mark)
        return await self.card(number, since=mark)

    async def press_swapped(self, user: FakeUser, record: dict[str, Any], label: str) -> None:
        """Press ``label`` on the keyboard that a button swapped into ``record`` in place (an
        edit of the markup only, so no new message to wait for)."""
        chat, message_id = record["chat_id"], record["message_id"]
        shown: dict[str, Any] = {}

        def swapped() -> bool:
            current = self.api.message(chat, message_id) or {}
            labels = str(current.get("reply_markup"))
            shown.update(current)
            return f"'text': '{label}'" in labels

        await eventually(swapped)
        self.api.press_button(user, chat, message_id, button_data(shown, label))

    async def card(self, number: int, *, since: int = 0) -> dict[str, Any]:
        """The (latest version of the) card of ticket ``number`` in the staff group."""
        return await self.said_to(
            STAFF_CHAT, lambda r: r["text"].startswith(f"Tiket #{number}\n"), since=since
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_settings(
    tmp_path: Path, api: BotApiStandIn, roster: str = ROSTER, **overrides: Any
) -> Settings:
    """Settings of a bot under test: Telegram on the stand-in, SQLite in ``tmp_path``."""
    staff_file = tmp_path / "staff.yaml"
    staff_file.write_text(roster, encoding="utf-8")
    values: dict[str, Any] = {
        "telegram_bot_token": api.token,
        "telegram_api_base_url": api.base_url,
        "telegram_file_base_url": api.file_base_url,
        "telegram_staff_chat_id": STAFF_CHAT,
        "staff_file": staff_file,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}",
        "smtp_listen_port": 0,
        "attachments_dir": tmp_path / "attachments",
        "office_hours": "24/7",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


#: Stand-ins started by the running test: their private chats are checked after it.
_STAND_INS: weakref.WeakSet[BotApiStandIn] = weakref.WeakSet()
#: The catalog's English readings: developers' notes that no requester may ever read.
ENGLISH_ACTIONS = tuple(
    step.action for sop in load_catalog().sops.values() for step in sop.steps if step.action
)


async def started_api() -> BotApiStandIn:
    api = BotApiStandIn()
    await api.start()
    api.add_group(STAFF_CHAT, "Staf LPSE Ogan Ilir")
    _STAND_INS.add(api)
    return api


@pytest.fixture(autouse=True)
def no_english_catalog_text_to_requesters() -> Iterator[None]:
    """After every test: no message to a private chat carried the catalog's English text."""
    _STAND_INS.clear()
    yield
    for api in _STAND_INS:
        for record in api.sent:
            if record["chat_id"] > 0:
                said = record.get("text") or record.get("caption") or ""
                leaked = [action for action in ENGLISH_ACTIONS if action in said]
                assert not leaked, f"English catalog text reached a requester: {leaked}"
    _STAND_INS.clear()


def harness_for(api: BotApiStandIn, settings: Settings, workdir: Path) -> BotUnderTest:
    """The people of the tests, registered with the stand-in and the staff group."""
    harness = BotUnderTest(
        api=api,
        settings=settings,
        workdir=workdir,
        requester=api.user(90001, "Budi", "budi_cv"),
        rina=api.user(111, "Rina"),
        andi=api.user(222, "Andi"),
        dedi=api.user(333, "Dedi"),
        outsider=api.user(999, "Orang", "luar"),
    )
    for member in (harness.rina, harness.andi, harness.dedi, harness.outsider):
        api.add_member(STAFF_CHAT, member)
    return harness


@asynccontextmanager
async def running_bot(
    api: BotApiStandIn, settings: Settings, workdir: Path
) -> AsyncIterator[BotUnderTest]:
    """The bot under test on ``api`` with ``settings``; on leaving, the bot stops, then
    the stand-in (what every fixture of a running bot does)."""
    harness = harness_for(api, settings, workdir)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
        await api.stop()


@pytest.fixture
async def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotUnderTest]:
    api = await started_api()
    monkeypatch.chdir(tmp_path)
    async with running_bot(api, bot_settings(tmp_path, api), tmp_path) as harness:
        yield harness
