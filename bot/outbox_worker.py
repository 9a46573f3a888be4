"""Sends what the outbox holds: one lane per destination, retries with backoff, never loses.

Lanes run concurrently, so a throttled chat (a staff group at its per-minute limit) never
holds back sends to other chats or to the mail relay; inside a lane messages keep their order.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.background import Rounds
from bot.core.outbound import DeliveryError, QueuedMessage
from storage.models import ChatMessageRow
from storage.outbox import SqlOutbox, lane_cap

log = logging.getLogger(__name__)

#: Tries to record a delivery before giving up (the message may then go out again).
MARK_SENT_ATTEMPTS = 10
#: A lane takes at most this many rows per claim (see ``SqlOutbox.claim_due``).
PER_DESTINATION = 10
#: On shutdown, lanes get this long to finish what they hold.
SHUTDOWN_GRACE_SECONDS = 5.0


class ChannelSender(Protocol):
    """Delivers one queued message; returns a reference (Telegram message id, Message-ID)."""

    async def send(self, message: QueuedMessage) -> str | None: ...


def utc_now() -> datetime:
    """The worker's default clock."""
    return datetime.now(UTC)


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    """Wait before the next try: the channel's ``retry_after``, else 2^n s capped at 5 min."""
    if retry_after is not None:
        return timedelta(seconds=max(retry_after, 0.5))
    return timedelta(seconds=min(2 ** max(attempts, 0), 300))


class OutboxWorker:
    """Claims due rows and hands each lane to its channel's sender."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        senders: Mapping[str, ChannelSender],
        *,
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = 100,
        lease: timedelta = timedelta(minutes=2),
        give_up_after: timedelta = timedelta(hours=72),
        idle_poll_seconds: float = 1.0,
        on_give_up: Callable[[QueuedMessage, str], Awaitable[None]] | None = None,
    ) -> None:
        self._sessions = session_factory
        self._senders = dict(senders)
        self._clock = clock
        self._batch_size = batch_size
        self._lease = lease
        self._give_up_after = give_up_after
        self._on_give_up = on_give_up
        self._rounds = Rounds("outbox", self._dispatch, idle_poll_seconds)
        self._lanes: dict[tuple[str, str], asyncio.Task[bool]] = {}
        #: Lanes that had due rows a round left alone (busy), or got a full batch.
        self._waiting: set[tuple[str, str]] = set()
        self._full: dict[tuple[str, str], bool] = {}
        #: Delivered messages waiting to be marked sent, and the task marking them.
        self._sent: list[tuple[QueuedMessage, str | None, asyncio.Future[None]]] = []
        self._marking: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        self._rounds.wake()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set, then give lanes a moment to finish."""
        await self._rounds.run(stop)
        lanes = list(self._lanes.values())
        if lanes:
            _, unfinished = await asyncio.wait(lanes, timeout=SHUTDOWN_GRACE_SECONDS)
            for task in unfinished:  # their rows come back when the lease runs out
                task.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)
        if self._marking is not None:  # deliveries already made are recorded before we go
            await asyncio.wait([self._marking], timeout=SHUTDOWN_GRACE_SECONDS)

    async def _dispatch(self) -> int:
        """Start a lane task for each chat or address with due rows and no lane running.

        Lanes run on their own: a chat throttled by Telegram's per-group limit never holds
        back the others, and a new round does not wait for it. Returns how many rows were
        claimed, or 0 when fewer than a batch (no other row was ready: a round right after
        would find nothing; new rows wake the rounds, lanes that may have more do too).
        """
        lanes = await self._claim_lanes(busy=frozenset(self._lanes))
        for key, lane in lanes.items():
            task = asyncio.create_task(self._drain(lane), name=f"outbox:{key[1]}")
            self._lanes[key] = task
            self._full[key] = len(lane) >= lane_cap(*key, PER_DESTINATION)
            task.add_done_callback(functools.partial(self._lane_done, key))
        claimed = sum(len(lane) for lane in lanes.values())
        return claimed if claimed >= self._batch_size else 0

    def _lane_done(self, key: tuple[str, str], task: asyncio.Task[bool]) -> None:
        self._lanes.pop(key, None)
        # Look again only when that chat may have more waiting: a round saw due rows while
        # the lane was busy, the lane got a full batch, or it stopped early. Waking after
        # every lane would cost a claim query per message sent.
        complete = not task.cancelled() and task.exception() is None and task.result()
        if key in self._waiting or not complete or self._full.pop(key, False):
            self._waiting.discard(key)
            self._rounds.wake()

    async def run_once(self) -> int:
        """Claim due rows and send them all before returning (tools and tests)."""
        lanes = await self._claim_lanes(busy=frozenset())
        await asyncio.gather(*(self._drain(lane) for lane in lanes.values()))
        return sum(len(lane) for lane in lanes.values())

    async def _claim_lanes(
        self, busy: frozenset[tuple[str, str]]
    ) -> dict[tuple[str, str], list[QueuedMessage]]:
        """Due rows, claimed, grouped by (channel, destination) in their queued order."""
        lanes: dict[tuple[str, str], list[QueuedMessage]] = defaultdict(list)
        if not self._senders:
            return lanes
        async with self._sessions() as session, session.begin():
            claimed = await SqlOutbox(session).claim_due(
                self._clock(),
                limit=self._batch_size,
                lease=self._lease,
                channels=set(self._senders),
                busy=busy,
                per_destination=PER_DESTINATION,
                waiting=self._waiting,
            )
        for message in claimed:
            lanes[(message.channel, message.destination)].append(message)
        return lanes

    async def _drain(self, lane: list[QueuedMessage]) -> bool:
        """Send a lane in order; False when it stopped early and gave its later rows back."""
        for position, message in enumerate(lane):
            try:
                reference = await self._senders[message.channel].send(message)
            except DeliveryError as error:
                if not await self._handle_failure(message, error):
                    await self._release([later.id for later in lane[position + 1 :]])
                    return False
                continue
            except Exception as error:  # a bug in a sender must not lose the message
                log.exception("outbox: sending #%d raised", message.id)
                await self._handle_failure(message, DeliveryError(repr(error)))
                await self._release([later.id for later in lane[position + 1 :]])
                return False
            await self._record_sent(message, reference)
        return True

    async def _record_sent(self, message: QueuedMessage, reference: str | None) -> None:
        """Mark a delivered message sent, together with what other lanes delivered meanwhile
        (one transaction for them all); returns once it is recorded or given up."""
        done = asyncio.get_running_loop().create_future()
        self._sent.append((message, reference, done))
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._mark_sent_batches(), name="outbox:marks")
        await done

    async def _mark_sent_batches(self) -> None:
        """Write the waiting sent marks until none are left, retrying the marking (never the
        send): a busy database here must not make a message go out a second time."""
        while self._sent:
            batch, self._sent = self._sent, []
            for attempt in range(MARK_SENT_ATTEMPTS):
                try:
                    await self._mark_sent([(message, ref) for message, ref, _ in batch])
                    break
                except Exception:
                    if attempt == MARK_SENT_ATTEMPTS - 1:
                        log.exception(
                            "outbox: %s sent but could not be marked",
                            ", ".join(f"#{message.id}" for message, _, _ in batch),
                        )
                        break
                    await asyncio.sleep(0.2 * (attempt + 1))
            for _, _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _handle_failure(self, message: QueuedMessage, error: DeliveryError) -> bool:
        """Record the failure; True when the message is given up (the lane may go on).

        A transient failure is retried however often it happened (an outage of hours loses
        nothing); only a message older than ``give_up_after`` is given up.
        """
        now = self._clock()
        async with self._sessions() as session, session.begin():
            outbox = SqlOutbox(session)
            if error.permanent or now - message.created_at >= self._give_up_after:
                log.error(
                    "outbox: giving up on #%d to %s: %s", message.id, message.destination, error
                )
                await outbox.mark_failed(message.id, str(error), now)
            else:
                retry_at = now + backoff(message.attempts, error.retry_after)
                log.warning(
                    "outbox: #%d to %s failed (%s); retry at %s",
                    message.id,
                    message.destination,
                    error,
                    retry_at.isoformat(timespec="seconds"),
                )
                await outbox.mark_retry(message.id, str(error), retry_at)
                return False
        if self._on_give_up is not None:
            try:
                await self._on_give_up(message, str(error))
            except Exception:
                log.exception("outbox: reporting the failure of #%d failed", message.id)
        return True

    async def _release(self, row_ids: list[int]) -> None:
        if row_ids:
            async with self._sessions() as session, session.begin():
                await SqlOutbox(session).release(row_ids)

    async def _mark_sent(self, sent: list[tuple[QueuedMessage, str | None]]) -> None:
        now = self._clock()
        async with self._sessions() as session, session.begin():
            await SqlOutbox(session).mark_sent_many(
                [(message.id, reference) for message, reference in sent], now
            )
            for message, reference in sent:
                if (
                    message.channel == "telegram"
                    and message.ticket_id is not None
                    and reference
                    and reference.isdigit()
                ):
                    # Remember the ticket of every bot message so a reply to it finds the ticket.
                    await session.merge(
                        ChatMessageRow(
                            chat_id=int(message.destination),
                            message_id=int(reference),
                            ticket_id=message.ticket_id,
                            purpose=message.purpose.value,
                            created_at=now,
                        )
                    )
