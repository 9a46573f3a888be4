"""Telegram's webhook delivery plus a reverse proxy, for tests with several bot instances.

The Bot API stand-in (tests/support/bot_api.py) accepts ``setWebhook`` but only queues
updates. This module plays the rest: it takes the stand-in's queued updates and POSTs each,
with the ``X-Telegram-Bot-Api-Secret-Token`` header set by ``setWebhook``, to the instances
behind it in turn (round robin), as a reverse proxy in front of ``lpse-helpdesk run``
processes would. Like Telegram, it delivers again until an instance answers 200; some updates
are delivered twice on purpose, to two instances at once (a proxy retrying after a timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.support.bot_api import BotApiStandIn

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Delivery:
    """One POST of an update to one instance and what came back (status 0: no answer)."""

    update_id: int
    instance: int
    status: int


class WebhookProxy:
    """Delivers the stand-in's updates to ``instances`` (``http://host:port/path`` each).

    ``duplicate_every``: every n-th update goes to two different instances concurrently.
    ``concurrency``: requests in flight at once (Telegram's ``max_connections``, default 40).
    """

    def __init__(
        self,
        api: BotApiStandIn,
        instances: list[str],
        *,
        duplicate_every: int = 0,
        concurrency: int = 20,
        retry_seconds: float = 0.2,
        request_timeout: float = 10.0,
    ) -> None:
        self.api = api
        self.instances = instances
        self.duplicate_every = duplicate_every
        self.retry_seconds = retry_seconds
        self.request_timeout = request_timeout
        self.deliveries: list[Delivery] = []
        self.confirmed: set[int] = set()
        self._started: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(concurrency)
        self._next_instance = itertools.count()

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.request_timeout)
        )
        self._runner = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    @property
    def secret(self) -> str | None:
        """The secret token the bot registered with ``setWebhook`` (None before that)."""
        webhook = self.api.webhook
        return webhook["secret_token"] if webhook else None

    def attempts(self) -> Counter[int]:
        """POSTs per update id (first deliveries, retries and deliberate duplicates)."""
        return Counter(delivery.update_id for delivery in self.deliveries)

    async def wait_confirmed(self, update_ids: set[int], timeout: float) -> None:
        """Until every one of ``update_ids`` was answered 200 by some instance."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not update_ids <= self.confirmed:
            if loop.time() > deadline:
                missing = sorted(update_ids - self.confirmed)
                raise AssertionError(f"{len(missing)} updates never confirmed: {missing[:10]}")
            await asyncio.sleep(0.1)

    async def post(self, instance: int, payload: dict[str, Any], secret: str | None) -> int:
        """One POST; the HTTP status, or 0 when the instance did not answer."""
        assert self._session is not None
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        try:
            async with self._session.post(
                self.instances[instance], json=payload, headers=headers
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    async def _run(self) -> None:
        """Watch the stand-in's queue; start a delivery for each update not yet started."""
        while True:
            if self.secret is not None:  # nothing is delivered before setWebhook
                for update in self.api.pending_updates:
                    update_id = int(update["update_id"])
                    if update_id in self._started:
                        continue
                    self._started.add(update_id)
                    first = next(self._next_instance) % len(self.instances)
                    targets = [first]
                    if self.duplicate_every and len(self._started) % self.duplicate_every == 0:
                        targets.append((first + 1) % len(self.instances))
                    for target in targets:
                        task = asyncio.create_task(self._deliver(update, target))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
            await asyncio.sleep(0.05)

    async def _deliver(self, update: dict[str, Any], instance: int) -> None:
        """POST until an instance answers 200, moving on to the next instance after a failure."""
        update_id = int(update["update_id"])
        while True:
            async with self._slots:
                status = await self.post(instance, update, self.secret)
            self.deliveries.append(Delivery(update_id, instance, status))
            if status == 200:
                self.confirmed.add(update_id)
                return
            instance = (instance + 1) % len(self.instances)
            await asyncio.sleep(self.retry_seconds)
