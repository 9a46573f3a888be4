"""The persistent outbox: queue in the caller's transaction, claim with a lease, mark results.

A claim is one ``UPDATE ... RETURNING`` whose condition (pending, due, not held) is checked
again on the current row, so several instances never take the same row; the lease
(``claimed_until``) makes a row claimed by a crashed process available again once it runs out.
The hot statements are Core statements built once (every answer goes through them).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outbound import Outbound, OutboundKind, Purpose, QueuedMessage
from storage.models import OutboxRow

PENDING, SENT, FAILED = "pending", "sent", "failed"

_OUTBOX = cast(Table, OutboxRow.__table__)
_ENQUEUE = insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=True)
_DUE = and_(
    _OUTBOX.c.status == PENDING,
    _OUTBOX.c.next_attempt_at <= bindparam("now"),
    or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until < bindparam("now")),
)
_CANDIDATES = (
    select(_OUTBOX.c.id, _OUTBOX.c.channel, _OUTBOX.c.destination)
    .where(_DUE, _OUTBOX.c.channel.in_(bindparam("channels", expanding=True)))
    .order_by(_OUTBOX.c.id)
    .limit(bindparam("candidates"))
)
_CLAIM = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _DUE)
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
        """Queue messages; they go out after the surrounding transaction commits."""
        if not messages:
            return []
        await self._session.flush()  # ORM rows they refer to (a new ticket) go in first
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
        lease, so no other instance takes those rows again while they are being sent.
        """
        candidates = (
            await self._session.execute(
                _CANDIDATES,
                {"now": now, "channels": sorted(channels), "candidates": limit * 5},
            )
        ).all()
        taken: Counter[tuple[str, str]] = Counter()
        picked: list[int] = []
        for row_id, channel, destination in candidates:
            lane = (channel, destination)
            if lane in busy:
                if waiting is not None:
                    waiting.add(lane)
                continue
            if taken[lane] >= per_destination:
                continue
            taken[lane] += 1
            picked.append(row_id)
            if len(picked) >= limit:
                break
        if not picked:
            return []
        # One UPDATE ... RETURNING takes the rows. Its WHERE is checked again on the row as it
        # is when the statement gets it (PostgreSQL waits for a concurrent claim to commit),
        # so a row another instance claimed or sent in the meantime is not taken.
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
            for row in sorted(rows, key=lambda row: row.id)
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
