"""Durable Telegram intake: every update is stored before Telegram hears it was received.

Polling confirms an update (the next ``getUpdates`` offset) only after it is committed to
``telegram_inbox``; a webhook answers 200 only after the commit. Handling happens afterwards,
from the table: one chat's updates in order, different chats concurrently, and with several
instances each update is claimed by one of them. A crash at any point loses nothing; updates
stored but not handled are handled after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections import defaultdict
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TelegramError

from bot.background import Rounds
from bot.runtime import Runtime
from handlers.telegram.common import AnyApplication, retry_seconds
from storage.telegram_inbox import StoredUpdate

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10
CLAIM_LEASE = timedelta(minutes=2)
BATCH = 100
IDLE_POLL_SECONDS = 1.0
CONCURRENT_CHATS = 4
#: Header Telegram sends with every webhook request (setWebhook's secret_token).
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"


class TelegramIntake:
    """Receives updates (polling or webhook) into the inbox and hands them to PTB."""

    def __init__(self, runtime: Runtime, application: AnyApplication) -> None:
        self.runtime = runtime
        self.application = application
        self.rounds = Rounds("telegram updates", self.handle_pending, IDLE_POLL_SECONDS)
        # A few chats at a time: more only queue on the database's write lock (SQLite), and
        # more sessions at once than the connection pool holds open and close connections.
        self._slots = asyncio.Semaphore(CONCURRENT_CHATS)

    async def store(self, payloads: list[dict[str, Any]]) -> int:
        """Commit raw updates; only then may they be confirmed to Telegram."""
        async with self.runtime.unit_of_work() as uow:
            fresh = await uow.telegram_inbox.store(payloads, self.runtime.clock())
            await uow.commit()
        self.rounds.wake()
        return fresh

    async def poll(self, stop: asyncio.Event) -> None:
        """Long polling: fetch, store, and confirm by asking with the next offset."""
        bot = self.application.bot
        async with self.runtime.unit_of_work() as uow:
            offset = await uow.telegram_inbox.next_offset()
        delay = 1.0
        while not stop.is_set():
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT_SECONDS,
                    allowed_updates=Update.ALL_TYPES,
                    read_timeout=POLL_TIMEOUT_SECONDS + 10,
                )
            except RetryAfter as error:
                await _sleep(stop, retry_seconds(error))
                continue
            except Conflict as error:  # another process polls with this token
                log.error("telegram: %s; only one instance may poll (use a webhook)", error)
                await _sleep(stop, 10)
                continue
            except (NetworkError, TelegramError) as error:
                log.warning("telegram: getUpdates failed (%s); retrying in %.0f s", error, delay)
                await _sleep(stop, delay)
                delay = min(delay * 2, 30)
                continue
            delay = 1.0
            if not updates:
                continue
            try:
                await self.store([update.to_dict() for update in updates])
            except Exception:
                log.exception("telegram: could not store updates; they will be fetched again")
                await _sleep(stop, 2)
                continue
            offset = updates[-1].update_id + 1

    async def handle_pending(self) -> int:
        """One round: claim stored updates, handle them, then mark the round done at once;
        returns how many, or 0 when the batch was not full (nothing else was waiting; what
        arrived meanwhile has woken the rounds, so no empty claim follows every round).

        One ``mark_done`` per round instead of per update: an update handled but not yet
        marked when the process dies is handled again after the restart, and its effect is
        skipped by the ``processed_updates`` claim (see ``handlers.telegram.common``).
        """
        async with self.runtime.unit_of_work() as uow:
            claimed = await uow.telegram_inbox.claim_pending(
                self.runtime.clock(), limit=BATCH, lease=CLAIM_LEASE
            )
            await uow.commit()
        if not claimed:
            return 0
        per_chat: dict[int | None, list[StoredUpdate]] = defaultdict(list)
        for stored in claimed:
            per_chat[stored.chat_id].append(stored)
        await asyncio.gather(*(self._handle_in_order(items) for items in per_chat.values()))
        async with self.runtime.unit_of_work() as uow:
            await uow.telegram_inbox.mark_done(
                [stored.update_id for stored in claimed], self.runtime.clock()
            )
            await uow.commit()
        return len(claimed) if len(claimed) >= BATCH else 0

    async def _handle_in_order(self, items: list[StoredUpdate]) -> None:
        async with self._slots:
            for stored in items:
                update = Update.de_json(stored.payload, self.application.bot)
                # Handler exceptions go to the application's error handler; never stop the chat.
                await self.application.process_update(update)

    def webhook_app(self, secret: str) -> web.Application:
        """The webhook endpoint: check the secret, store, then answer 200."""

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given, secret):
                return web.Response(status=403, text="forbidden")
            try:
                payload = await request.json()
            except ValueError:
                return web.Response(status=400, text="not JSON")
            if not isinstance(payload, dict) or "update_id" not in payload:
                return web.Response(status=400, text="not an update")
            try:
                await self.store([payload])
            except Exception:
                log.exception("telegram: could not store a webhook update")
                return web.Response(status=503, text="try again")  # Telegram retries
            return web.Response(text="ok")

        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post(WEBHOOK_PATH, receive)
        return app


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
