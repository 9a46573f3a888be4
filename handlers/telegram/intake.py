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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.background import Rounds
from bot.runtime import Runtime
from handlers.telegram.common import AnyApplication, raw_call, retry_seconds
from storage.telegram_inbox import StoredUpdate
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10
CLAIM_LEASE = timedelta(minutes=2)
BATCH = 100
IDLE_POLL_SECONDS = 1.0
CONCURRENT_CHATS = 4
#: An update whose handling failed this often is given up (marked done, logged as an error).
MAX_ATTEMPTS = 5
#: A failed update is tried again after this many seconds times its attempts.
RETRY_SECONDS = 2.0
#: Header Telegram sends with every webhook request (setWebhook's secret_token).
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"


@dataclass
class Outcomes:
    """What a round did with its claimed updates, until it is written to the inbox."""

    done: list[int] = field(default_factory=list)
    #: Failed updates, free again at their time.
    held: dict[int, datetime] = field(default_factory=dict)
    #: A chat's updates after a failed one, not tried.
    untried: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.done or self.held or self.untried)


class TelegramIntake:
    """Receives updates (polling or webhook) into the inbox and hands them to PTB."""

    def __init__(self, runtime: Runtime, application: AnyApplication) -> None:
        self.runtime = runtime
        self.application = application
        self.rounds = Rounds("telegram updates", self.handle_pending, IDLE_POLL_SECONDS)
        # A few chats at a time: more only queue on the database's write lock (SQLite), and
        # more sessions at once than the connection pool holds open and close connections.
        self._slots = asyncio.Semaphore(CONCURRENT_CHATS)
        # PTB hands handler exceptions to the error handlers, not to process_update's caller.
        self._failed: dict[int, BaseException | None] = {}
        application.add_error_handler(self._note_failure)
        # Outcomes the database did not take (it was down): written first thing next round.
        self._unwritten = Outcomes()

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
                updates: list[dict[str, Any]] = await raw_call(
                    bot,
                    "getUpdates",
                    {
                        "offset": offset,
                        "timeout": POLL_TIMEOUT_SECONDS,
                        "allowed_updates": Update.ALL_TYPES,
                    },
                    read_timeout=2 * POLL_TIMEOUT_SECONDS + 10,  # the long poll, then 10 s
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
                await self.store(updates)
            except Exception:
                log.exception("telegram: could not store updates; they will be fetched again")
                await _sleep(stop, 2)
                continue
            offset = int(updates[-1]["update_id"]) + 1

    async def handle_pending(self) -> int:
        """One round: claim stored updates, handle them, then record the round at once;
        returns how many, or 0 when the batch was not full (nothing else was waiting; what
        arrived meanwhile has woken the rounds, so no empty claim follows every round).

        One write per round instead of per update: an update handled but not yet marked
        when the process dies is handled again after the restart, and its effect is
        skipped by the ``processed_updates`` claim (see ``handlers.telegram.common``).
        A failed update is given back with a short hold and tried again, a chat's later
        updates with it (their order holds); after MAX_ATTEMPTS it is given up.
        """
        async with self.runtime.unit_of_work() as uow:
            await self._write(uow, self._unwritten)
            claimed = await uow.telegram_inbox.claim_pending(
                self.runtime.clock(), limit=BATCH, lease=CLAIM_LEASE
            )
            await uow.commit()
        self._unwritten = Outcomes()
        if not claimed:
            return 0
        per_chat: dict[int | None, list[StoredUpdate]] = defaultdict(list)
        for stored in claimed:
            per_chat[stored.chat_id].append(stored)
        outcomes = Outcomes()
        await asyncio.gather(
            *(self._handle_in_order(items, outcomes) for items in per_chat.values())
        )
        # Kept until written: if the database is down now, the next round that reaches it
        # writes them, so nothing waits for CLAIM_LEASE.
        self._unwritten = outcomes
        async with self.runtime.unit_of_work() as uow:
            await self._write(uow, outcomes)
            await uow.commit()
        self._unwritten = Outcomes()
        return len(claimed) if len(claimed) >= BATCH else 0

    async def _write(self, uow: SqlUnitOfWork, outcomes: Outcomes) -> None:
        if outcomes:
            await uow.telegram_inbox.mark_done(outcomes.done, self.runtime.clock())
            await uow.telegram_inbox.give_back(outcomes.held, outcomes.untried)

    async def _handle_in_order(self, items: list[StoredUpdate], outcomes: Outcomes) -> None:
        async with self._slots:
            for position, stored in enumerate(items):
                if await self._handle(stored):
                    outcomes.done.append(stored.update_id)
                    continue
                if stored.attempts >= MAX_ATTEMPTS:
                    log.error(
                        "telegram: update %d (chat %s) failed %d times; given up",
                        stored.update_id,
                        stored.chat_id,
                        stored.attempts,
                    )
                    outcomes.done.append(stored.update_id)
                    continue
                hold = timedelta(seconds=RETRY_SECONDS * stored.attempts)
                outcomes.held[stored.update_id] = self.runtime.clock() + hold
                outcomes.untried += [later.update_id for later in items[position + 1 :]]
                return

    async def _handle(self, stored: StoredUpdate) -> bool:
        """Hand one update to PTB; False when it failed and may succeed when tried again."""
        try:
            update = Update.de_json(stored.payload, self.application.bot)
            await self.application.process_update(update)
        except Exception:
            log.exception("telegram: update %d could not be handled", stored.update_id)
            return False
        finally:
            failed = stored.update_id in self._failed
            error = self._failed.pop(stored.update_id, None)
        # Telegram refused a request as such: the same request fails again (already logged).
        return not failed or isinstance(error, BadRequest | Forbidden)

    async def _note_failure(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Error handler: remember which update failed, for ``_handle``."""
        if isinstance(update, Update):
            self._failed[update.update_id] = context.error

    def webhook_app(self, secret: str) -> web.Application:
        """The webhook endpoint: check the secret, store, then answer 200."""

        expected = secret.encode("utf-8")

        async def receive(request: web.Request) -> web.Response:
            # Compared as bytes: compare_digest refuses non-ASCII str (a TypeError, HTTP 500
            # and a traceback per request); aiohttp keeps undecodable bytes as surrogates.
            given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
            if not hmac.compare_digest(given, expected):
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
