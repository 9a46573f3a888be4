"""E-mail bookkeeping: raw inbound mail, thread Message-IDs, participants, the loop brake."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import claim_rows
from storage.models import AutoMailRow, InboundMailRow, MailMessageRow, TicketParticipantRow

PENDING, PROCESSED, IGNORED, FAILED = "pending", "processed", "ignored", "failed"


@dataclass(frozen=True)
class StoredMail:
    """An inbound mail claimed for processing."""

    id: int
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    attempts: int


class SqlInboundMail:
    """Raw inbound mail: stored before 250, processed (once) after."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def store(
        self,
        raw: bytes,
        mail_from: str,
        rcpt_tos: list[str],
        message_id: str | None,
        now: datetime,
    ) -> tuple[int, bool]:
        """Keep ``raw``; returns (id, True) or, for a resent copy, (existing id, False).

        A copy is the same bytes, or the same Message-ID from the same sender (a client that
        retries after a lost 250 may rebuild the message with a new Date or Received line).
        Two statements at most: the sending server waits for this.
        """
        content_hash = hashlib.sha256(raw).hexdigest()
        if message_id:
            existing = await self._session.scalar(
                select(InboundMailRow.id).where(
                    InboundMailRow.message_id == message_id,
                    InboundMailRow.mail_from == mail_from,
                )
            )
            if existing is not None:
                return existing, False
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        new_id = await self._session.scalar(
            insert(InboundMailRow)
            .values(
                content_hash=content_hash,
                message_id=message_id,
                mail_from=mail_from,
                rcpt_tos=rcpt_tos,
                raw=raw,
                received_at=now,
                status=PENDING,
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=["content_hash"])
            .returning(InboundMailRow.id)
        )
        if new_id is not None:
            return new_id, True
        same_bytes = await self._session.scalar(
            select(InboundMailRow.id).where(InboundMailRow.content_hash == content_hash)
        )
        assert same_bytes is not None
        return same_bytes, False

    async def claim_pending(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> list[StoredMail]:
        """Take pending mail for ``lease`` (skip rows other instances hold), oldest first."""
        rows = await claim_rows(
            self._session,
            select(InboundMailRow)
            .where(InboundMailRow.status == PENDING)
            .order_by(InboundMailRow.id)
            .limit(limit),
            InboundMailRow.claimed_until,
            now,
            lease,
        )
        for row in rows:
            row.attempts += 1
        await self._session.flush()
        return [
            StoredMail(row.id, row.mail_from, tuple(row.rcpt_tos), row.raw, row.attempts)
            for row in rows
        ]

    async def finish(
        self,
        mail_id: int,
        status: str,
        now: datetime,
        *,
        ticket_id: int | None = None,
        note: str | None = None,
        scrub: bool = False,
    ) -> None:
        """Record the outcome; ``scrub`` drops the raw bytes (they held a password)."""
        values: dict[str, object] = {
            "status": status,
            "processed_at": now,
            "ticket_id": ticket_id,
            "note": note,
            "claimed_until": None,
        }
        if scrub:
            values["raw"] = b""
        await self._session.execute(
            update(InboundMailRow).where(InboundMailRow.id == mail_id).values(**values)
        )

    async def hold_until(self, mail_id: int, until: datetime) -> None:
        """Keep a pending mail aside until ``until`` (a short backoff after a failure)."""
        await self._session.execute(
            update(InboundMailRow).where(InboundMailRow.id == mail_id).values(claimed_until=until)
        )

    async def count(self, status: str | None = None) -> int:
        query = select(func.count()).select_from(InboundMailRow)
        if status is not None:
            query = query.where(InboundMailRow.status == status)
        return int(await self._session.scalar(query) or 0)


class SqlMailThreads:
    """Message-IDs per ticket, and who may write into a ticket by mail."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, message_id: str, ticket_id: int, direction: str, now: datetime) -> None:
        if await self._session.get(MailMessageRow, message_id) is None:
            self._session.add(
                MailMessageRow(
                    message_id=message_id, ticket_id=ticket_id, direction=direction, created_at=now
                )
            )
            await self._session.flush()

    async def ticket_for(self, message_ids: list[str]) -> int | None:
        """The ticket of the first of ``message_ids`` that we know."""
        for message_id in message_ids:
            row = await self._session.get(MailMessageRow, message_id)
            if row is not None:
                return row.ticket_id
        return None

    async def thread(self, ticket_id: int) -> list[str]:
        """The ticket's Message-IDs, oldest first (for In-Reply-To and References)."""
        return list(
            await self._session.scalars(
                select(MailMessageRow.message_id)
                .where(MailMessageRow.ticket_id == ticket_id)
                .order_by(MailMessageRow.created_at, MailMessageRow.message_id)
            )
        )

    async def add_participants(self, ticket_id: int, emails: list[str], now: datetime) -> None:
        for email in {address.lower() for address in emails if address}:
            if await self._session.get(TicketParticipantRow, (ticket_id, email)) is None:
                self._session.add(
                    TicketParticipantRow(ticket_id=ticket_id, email=email, created_at=now)
                )
        await self._session.flush()

    async def is_participant(self, ticket_id: int, email: str) -> bool:
        return await self._session.get(TicketParticipantRow, (ticket_id, email.lower())) is not None


class SqlAutoMailLog:
    """Automatic mails per recipient, for the loop brake."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def sent_since(self, recipient: str, since: datetime) -> list[datetime]:
        return list(
            await self._session.scalars(
                select(AutoMailRow.sent_at).where(
                    AutoMailRow.recipient == recipient.lower(), AutoMailRow.sent_at >= since
                )
            )
        )

    async def record(self, recipient: str, now: datetime) -> None:
        self._session.add(AutoMailRow(recipient=recipient.lower(), sent_at=now))
        await self._session.flush()
