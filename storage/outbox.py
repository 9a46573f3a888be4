"""The persistent outbox: queue in the caller's transaction, claim with a lease, mark results.

A claim is one ``UPDATE ... RETURNING`` whose condition (pending, due, not held) is checked
again on the current row, so several instances never take the same row; the lease
(``claimed_until``) makes a row claimed by a crashed process available again once it runs out.
A chat or address keeps its order: a row waits while an earlier one of its destination is not
due (a retry) or any of its rows is held, which also keeps each destination with one instance.
In the staff group each ticket keeps its order and tickets take turns (``_fair_order``), and a
requester's follow-ups join one row while it waits (``_join_batches``): a chatty requester
cannot hold back another ticket's card.
The hot statements are Core statements built once (every answer goes through them).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outbound import BATCH, Outbound, OutboundKind, Purpose, QueuedMessage
from handlers.telegram.render import split_long_texts, utf16_length
from storage.models import OutboxRow, OutboxStateRow

PENDING, SENT, FAILED = "pending", "sent", "failed"

#: Rows one claim takes for a group (``lane_cap``): about 9 s of sending at 20 a minute.
GROUP_CLAIM = 3
#: Longest text a batch of follow-ups grows to (UTF-16 units; Telegram's limit is 4096 and
#: the escaped HTML is at least as long as the text Telegram counts).
BATCH_LIMIT = 3500

_OUTBOX = cast(Table, OutboxRow.__table__)
_ENQUEUE = insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=True)
_DUE = and_(
    _OUTBOX.c.status == PENDING,
    _OUTBOX.c.next_attempt_at <= bindparam("now"),
    or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until < bindparam("now")),
)
_OTHER = _OUTBOX.alias("other")
#: The row must wait: an earlier row of its chat or address waits for a retry, or one of
#: them is being sent (by any instance).
_HELD_BACK = (
    select(_OTHER.c.id)
    .where(
        _OTHER.c.channel == _OUTBOX.c.channel,
        _OTHER.c.destination == _OUTBOX.c.destination,
        _OTHER.c.status == PENDING,
        or_(
            and_(_OTHER.c.id < _OUTBOX.c.id, _OTHER.c.next_attempt_at > bindparam("now")),
            _OTHER.c.claimed_until >= bindparam("now"),
        ),
    )
    .exists()
)
_CLAIMABLE = and_(
    _DUE,
    _OUTBOX.c.channel.in_(bindparam("channels", expanding=True)),
    # The caller's own busy destinations are listed (held back or not) so that it knows
    # they have more waiting.
    or_(~_HELD_BACK, _OUTBOX.c.destination.in_(bindparam("busy", expanding=True))),
)
_CANDIDATES = (
    select(_OUTBOX.c.id, _OUTBOX.c.channel, _OUTBOX.c.destination, _OUTBOX.c.ticket_id)
    .where(_CLAIMABLE)
    .order_by(_OUTBOX.c.id)
    .limit(bindparam("candidates"))
)
#: The next row of every ticket in every chat: with a backlog, the oldest rows may all be one
#: ticket's, and another ticket's card must not wait behind them.
_TICKET_HEADS = (
    select(
        func.min(_OUTBOX.c.id).label("id"),
        _OUTBOX.c.channel,
        _OUTBOX.c.destination,
        _OUTBOX.c.ticket_id,
    )
    .where(_CLAIMABLE)
    .group_by(_OUTBOX.c.channel, _OUTBOX.c.destination, _OUTBOX.c.ticket_id)
)
_STATE = cast(Table, OutboxStateRow.__table__)
#: Claims take turns on PostgreSQL: each claim sees the rows the one before it took.
_CLAIM_LOCK = select(_STATE.c.name).where(_STATE.c.name == "claims").with_for_update()
_CLAIM = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _DUE, ~_HELD_BACK)
    .values(claimed_until=bindparam("claimed_until"))
    .returning(
        _OUTBOX.c.id,
        _OUTBOX.c.channel,
        _OUTBOX.c.destination,
        _OUTBOX.c.kind,
        _OUTBOX.c.payload,
        _OUTBOX.c.purpose,
        _OUTBOX.c.ticket_id,
        _OUTBOX.c.attempts,
        _OUTBOX.c.created_at,
    )
)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(status=SENT, claimed_until=None, attempts=_OUTBOX.c.attempts + 1)
)


class SqlOutbox:
    """Outbox rows on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, messages: list[Outbound], now: datetime) -> list[int]:
        """Queue messages; they go out after the surrounding transaction commits.

        A Telegram text too long for one message is queued as its parts (one row each), so
        every caller gets the same split and a retry resends only the part that failed.
        """
        if not messages:
            return []
        await self._session.flush()  # ORM rows they refer to (a new ticket) go in first
        messages = await self._join_batches(messages, now)
        if not messages:
            return []
        messages = split_long_texts(messages)
        # A Core insert (one statement for all rows): queueing happens on every answer.
        result = await self._session.execute(
            _ENQUEUE,
            [
                {
                    "channel": message.channel,
                    "destination": message.destination,
                    "kind": message.kind.value,
                    "payload": message.payload,
                    "ticket_id": message.ticket_id,
                    "purpose": message.purpose.value,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for message in messages
            ],
        )
        return list(result.scalars())

    async def _join_batches(self, messages: list[Outbound], now: datetime) -> list[Outbound]:
        """The messages still to insert once the batched ones joined their ticket's latest
        unsent row (see ``bot.core.outbound.batched``).

        Only a row nobody holds is changed, checked again in the UPDATE itself (a claim
        between the read and the write leaves it alone: the message is then inserted), and
        only the newest row of the ticket in that chat, so the ticket's order stays. A text
        that would grow past :data:`BATCH_LIMIT` starts a new row.
        """
        remaining: list[Outbound] = []
        inserted: set[tuple[str, str, int]] = set()
        for message in messages:
            batch = message.payload.get(BATCH)
            if batch is None or message.channel != "telegram" or message.ticket_id is None:
                remaining.append(message)
                continue
            lane = (message.channel, message.destination, message.ticket_id)
            if lane in inserted or not await self._join(message, batch, now):
                inserted.add(lane)  # later ones of this call must not jump ahead of it
                remaining.append(message)
        return remaining

    async def _join(self, message: Outbound, batch: dict[str, Any], now: datetime) -> bool:
        latest = (
            await self._session.execute(
                select(_OUTBOX.c.id, _OUTBOX.c.payload, _OUTBOX.c.claimed_until)
                .where(
                    _OUTBOX.c.channel == message.channel,
                    _OUTBOX.c.destination == message.destination,
                    _OUTBOX.c.ticket_id == message.ticket_id,
                    _OUTBOX.c.status == PENDING,
                )
                .order_by(_OUTBOX.c.id.desc())
                .limit(1)
            )
        ).first()
        if latest is None or (latest.claimed_until is not None and latest.claimed_until >= now):
            return False
        payload = dict(latest.payload or {})
        theirs = payload.get(BATCH)
        if not isinstance(theirs, dict) or theirs.get("key") != batch["key"]:
            return False
        addition = batch.get("add")
        if addition is None:  # a repeat: dropped when the same text still waits
            return bool(payload.get("text") == message.payload.get("text"))
        text = f"{payload.get('text', '')}\n\n{addition}"
        if utf16_length(text) > BATCH_LIMIT:
            return False
        payload["text"] = text
        result = await self._session.execute(
            update(_OUTBOX)
            .where(
                _OUTBOX.c.id == latest.id,
                _OUTBOX.c.status == PENDING,
                or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until < now),
            )
            .values(payload=payload)
        )
        return bool(cast(CursorResult[Any], result).rowcount)

    async def claim_due(
        self,
        now: datetime,
        *,
        limit: int,
        lease: timedelta,
        channels: set[str],
        busy: frozenset[tuple[str, str]] = frozenset(),
        per_destination: int = 10,
        waiting: set[tuple[str, str]] | None = None,
    ) -> list[QueuedMessage]:
        """Take due rows of ``channels`` for ``lease``, oldest first, at most
        ``per_destination`` for each chat or address and none for the ``busy`` ones (those
        with due rows are added to ``waiting``).

        The cap keeps a rate-limited chat's batch short enough to be sent well within its
        lease. A destination with rows held (by any instance) gets none, and one whose earlier
        row waits for a retry gets none after it, so its messages go out in order.
        """
        busy_destinations = {destination for _, destination in busy}
        parameters = {
            "now": now,
            "channels": sorted(channels),
            "busy": sorted(busy_destinations),
            "candidates": limit * 5,
        }
        candidates = list((await self._session.execute(_CANDIDATES, parameters)).all())
        if len(candidates) >= limit * 5:  # a backlog: some tickets' rows may not be listed
            listed = {row.id for row in candidates}
            heads = (await self._session.execute(_TICKET_HEADS, parameters)).all()
            candidates += [row for row in heads if row.id not in listed]
        taken: Counter[tuple[str, str]] = Counter()
        picked: list[int] = []
        for row_id, channel, destination in _fair_order(candidates):
            lane = (channel, destination)
            if destination in busy_destinations:  # may be held back: left for a later round
                if lane in busy and waiting is not None:
                    waiting.add(lane)
                continue
            if taken[lane] >= lane_cap(channel, destination, per_destination):
                continue
            taken[lane] += 1
            picked.append(row_id)
            if len(picked) >= limit:
                break
        if not picked:
            return []
        position = {row_id: index for index, row_id in enumerate(picked)}
        if self._session.get_bind().dialect.name == "postgresql":
            # Held until commit: another instance claiming meanwhile waits, then its UPDATE
            # sees these rows held. (SQLite runs one instance; its writers take turns anyway.)
            await self._session.execute(_CLAIM_LOCK)
        # One UPDATE ... RETURNING takes the rows. Its WHERE is checked again, after the
        # lock, so a row or destination another instance claimed or sent meanwhile is not
        # taken.
        rows = (
            await self._session.execute(
                _CLAIM, {"ids": picked, "now": now, "claimed_until": now + lease}
            )
        ).all()
        return [
            QueuedMessage(
                id=row.id,
                channel=row.channel,
                destination=row.destination,
                kind=OutboundKind(row.kind),
                payload=row.payload,
                purpose=Purpose(row.purpose),
                ticket_id=row.ticket_id,
                attempts=row.attempts,
                created_at=row.created_at,
            )
            for row in sorted(rows, key=lambda row: position[row.id])
        ]

    async def mark_sent(self, row_id: int, sent_ref: str | None, now: datetime) -> None:
        await self.mark_sent_many([(row_id, sent_ref)], now)

    async def mark_sent_many(self, sent: list[tuple[int, str | None]], now: datetime) -> None:
        """Record deliveries, (row id, reference) each, in one statement."""
        if sent:
            await self._session.execute(
                _MARK_SENT,
                [{"row_id": row_id, "sent_ref": ref, "sent_at": now} for row_id, ref in sent],
            )

    async def mark_retry(self, row_id: int, error: str, retry_at: datetime) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id)
            .values(
                next_attempt_at=retry_at,
                last_error=error[:2000],
                claimed_until=None,
                attempts=OutboxRow.attempts + 1,
            )
        )

    async def release(self, row_ids: list[int]) -> None:
        """Give claimed rows back untouched (their lane stopped on an earlier failure)."""
        if row_ids:
            await self._session.execute(
                update(OutboxRow).where(OutboxRow.id.in_(row_ids)).values(claimed_until=None)
            )

    async def mark_failed(self, row_id: int, error: str, now: datetime) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id)
            .values(
                status=FAILED,
                last_error=error[:2000],
                claimed_until=None,
                sent_at=None,
                attempts=OutboxRow.attempts + 1,
                next_attempt_at=now,
            )
        )

    async def post_pending(
        self, before_id: int, channel: str, destination: str, ticket_id: int, purpose: str
    ) -> bool:
        """A message of ``purpose`` about the ticket, queued before row ``before_id`` for
        this destination, is still to be sent (not an edit: a new message)."""
        row = await self._session.scalar(
            select(OutboxRow.id)
            .where(
                OutboxRow.id < before_id,
                OutboxRow.channel == channel,
                OutboxRow.destination == destination,
                OutboxRow.status == PENDING,
                OutboxRow.ticket_id == ticket_id,
                OutboxRow.purpose == purpose,
                OutboxRow.kind != OutboundKind.EDIT.value,
            )
            .limit(1)
        )
        return row is not None

    async def claim_backlog_warning(self, now: datetime, every: timedelta) -> bool:
        """Record a backlog warning at ``now`` unless one was given less than ``every`` ago
        (by any instance, before any restart); True when this caller is to warn."""
        result = await self._session.execute(
            update(OutboxStateRow)
            .where(
                OutboxStateRow.name == "backlog_warning",
                or_(OutboxStateRow.at.is_(None), OutboxStateRow.at <= now - every),
            )
            .values(at=now)
        )
        return bool(cast(CursorResult[Any], result).rowcount)

    async def depth(self) -> int:
        """Rows still waiting to be sent."""
        return int(
            await self._session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == PENDING)
            )
            or 0
        )

    async def backlog(self) -> tuple[int, datetime | None]:
        """Rows still waiting and when the oldest of them was queued."""
        row = (
            await self._session.execute(
                select(func.count(), func.min(OutboxRow.created_at)).where(
                    OutboxRow.status == PENDING
                )
            )
        ).one()
        return int(row[0]), row[1]


def is_group(channel: str, destination: str) -> bool:
    """A Telegram group (negative chat id): the staff group, limited to ~20 messages/min."""
    return channel == "telegram" and destination.startswith("-")


def lane_cap(channel: str, destination: str, per_destination: int) -> int:
    """Rows one claim takes for a destination. A group takes few: at 20 messages a minute,
    rows claimed are rows that can no longer take follow-ups or give way to a new card."""
    return min(per_destination, GROUP_CLAIM) if is_group(channel, destination) else per_destination


def _fair_order(candidates: list[Any]) -> list[tuple[int, str, str]]:
    """(id, channel, destination) of the candidates, oldest first, except that in a group
    (the staff group: a negative chat id) tickets take turns: each ticket's first row, then
    each one's second, and so on. The group keeps each ticket's order, and a ticket with
    many rows waiting (a chatty requester) no longer holds back a card queued after them.
    A private chat or an address keeps the order of all its rows."""
    turn: Counter[tuple[str, str, int | None]] = Counter()
    ranked: list[tuple[int, int, str, str]] = []
    for row_id, channel, destination, ticket_id in sorted(candidates, key=lambda row: row[0]):
        key = (channel, destination, ticket_id if is_group(channel, destination) else None)
        ranked.append((turn[key], row_id, channel, destination))
        turn[key] += 1
    return [(row_id, channel, destination) for _, row_id, channel, destination in sorted(ranked)]
