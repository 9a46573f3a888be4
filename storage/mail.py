"""E-mail bookkeeping: raw inbound mail, thread Message-IDs, participants, the loop brake."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import (
    Insert,
    Table,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.claims import claim_rows
from storage.models import (
    AutoMailRow,
    HelpdeskSecretRow,
    InboundMailRow,
    MailAcknowledgementRow,
    MailMessageRow,
    RequesterRow,
    TicketParticipantRow,
    TicketRow,
)

PENDING, PROCESSED, IGNORED, FAILED = "pending", "processed", "ignored", "failed"


@dataclass(frozen=True)
class StoredMail:
    """An inbound mail claimed for processing."""

    id: int
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    attempts: int


@dataclass(frozen=True)
class IncomingMail:
    """A mail as the SMTP intake received it, not stored yet."""

    raw: bytes
    mail_from: str
    rcpt_tos: list[str]
    message_id: str | None

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


_INBOUND = InboundMailRow.__table__.c
# Built once, with expanding parameters: SQLAlchemy then reuses their compiled form (a
# dialect ``insert(...).on_conflict_do_nothing()`` is compiled anew on every execution).
_KNOWN = (
    select(_INBOUND.id, _INBOUND.content_hash, _INBOUND.message_id, _INBOUND.mail_from)
    .where(
        or_(
            _INBOUND.content_hash.in_(bindparam("hashes", expanding=True)),
            _INBOUND.message_id.in_(bindparam("message_ids", expanding=True)),
        )
    )
    .order_by(_INBOUND.id)
)
_INSERT = insert(InboundMailRow).returning(_INBOUND.id, _INBOUND.content_hash)


async def store_mails(
    connection: AsyncConnection, mails: Sequence[IncomingMail], now: datetime
) -> list[tuple[int, bool]]:
    """Keep each of ``mails``: (id, True) for a new one, (earlier id, False) for a copy.

    A copy is the same bytes, or the same Message-ID from the same sender (a client that
    retries after a lost 250 may rebuild the message with a new Date or Received line), also
    within ``mails``. Two statements however many mails: the sending servers wait for this.
    The caller commits. The same bytes stored meanwhile by another instance (PostgreSQL)
    fail the insert on the unique hash: the caller answers 451 and the retry finds the row.
    """
    hashes = [mail.content_hash for mail in mails]
    by_hash: dict[str, int] = {}
    by_message_id: dict[tuple[str, str], int] = {}
    known = await connection.execute(
        _KNOWN,
        {
            "hashes": hashes,
            "message_ids": sorted({mail.message_id for mail in mails if mail.message_id}),
        },
    )
    for row in known:
        by_hash[row.content_hash] = row.id
        if row.message_id:
            by_message_id.setdefault((row.message_id, row.mail_from), row.id)

    # Each mail is a copy of a stored row (its id), of a new mail earlier in ``mails`` (that
    # one's hash), or new itself (None).
    copy_of: list[int | str | None] = []
    new_by_message_id: dict[tuple[str, str], str] = {}
    fresh: dict[str, dict[str, object]] = {}
    for mail, content_hash in zip(mails, hashes, strict=True):
        key = (mail.message_id, mail.mail_from) if mail.message_id else None
        earlier: int | str | None = None
        if key is not None:
            earlier = by_message_id.get(key) or new_by_message_id.get(key)
        if earlier is None:
            earlier = by_hash.get(content_hash) or (content_hash if content_hash in fresh else None)
        copy_of.append(earlier)
        if earlier is not None:
            continue
        if key is not None:
            new_by_message_id[key] = content_hash
        fresh[content_hash] = {
            "content_hash": content_hash,
            "message_id": mail.message_id,
            "mail_from": mail.mail_from,
            "rcpt_tos": mail.rcpt_tos,
            "raw": mail.raw,
            "received_at": now,
            "status": PENDING,
            "attempts": 0,
        }
    if fresh:
        inserted = await connection.execute(_INSERT, list(fresh.values()))
        by_hash.update({row.content_hash: row.id for row in inserted})
    results: list[tuple[int, bool]] = []
    for content_hash, earlier in zip(hashes, copy_of, strict=True):
        if earlier is None:
            results.append((by_hash[content_hash], True))
        else:
            results.append((by_hash[earlier] if isinstance(earlier, str) else earlier, False))
    return results


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
        """Keep ``raw``; returns (id, True) or, for a resent copy, (existing id, False)."""
        connection = await self._session.connection()
        [result] = await store_mails(
            connection, [IncomingMail(raw, mail_from, rcpt_tos, message_id)], now
        )
        return result

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
        # Only a pending mail: an outcome written late never overwrites another one.
        await self._session.execute(
            update(InboundMailRow)
            .where(InboundMailRow.id == mail_id, InboundMailRow.status == PENDING)
            .values(**values)
        )

    async def hold_until(self, mail_id: int, until: datetime) -> None:
        """Keep a pending mail aside until ``until`` (a short backoff after a failure)."""
        await self._session.execute(
            update(InboundMailRow)
            .where(InboundMailRow.id == mail_id, InboundMailRow.status == PENDING)
            .values(claimed_until=until)
        )

    async def give_back(self, mail_ids: list[int]) -> None:
        """Release claimed mail that was not tried: free at once, the claim not counted."""
        if mail_ids:
            await self._session.execute(
                update(InboundMailRow)
                .where(InboundMailRow.id.in_(mail_ids), InboundMailRow.status == PENDING)
                .values(claimed_until=None, attempts=InboundMailRow.attempts - 1)
            )

    async def count(self, status: str | None = None) -> int:
        query = select(func.count()).select_from(InboundMailRow)
        if status is not None:
            query = query.where(InboundMailRow.status == status)
        return int(await self._session.scalar(query) or 0)


def _insert_if_absent(model: type[MailMessageRow | TicketParticipantRow], *key: str) -> Insert:
    """``INSERT ... SELECT <parameters> WHERE NOT EXISTS <row with the same key>``: one cached
    statement instead of a read, an insert and an ORM flush."""
    table = cast(Table, model.__table__)
    columns = table.c
    names = [column.name for column in columns]
    # On the table, not the mapped class: the ORM's bulk-insert path is not needed here.
    return insert(table).from_select(
        names,
        select(*(bindparam(name, type_=columns[name].type) for name in names)).where(
            ~exists().where(*(columns[name] == bindparam(name) for name in key))
        ),
    )


_RECORD_MESSAGE = _insert_if_absent(MailMessageRow, "message_id")
_ADD_PARTICIPANT = _insert_if_absent(TicketParticipantRow, "ticket_id", "email")


class SqlMailThreads:
    """Message-IDs per ticket, and who may write into a ticket by mail."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, message_id: str, ticket_id: int, direction: str, now: datetime) -> None:
        await self._session.execute(
            _RECORD_MESSAGE,
            {
                "message_id": message_id,
                "ticket_id": ticket_id,
                "direction": direction,
                "created_at": now,
            },
        )

    async def ticket_for(self, message_ids: list[str]) -> int | None:
        """The ticket of the first of ``message_ids`` that we know.

        One statement for all ids (the caller caps how many: a hostile References header
        carries hundreds of thousands).
        """
        wanted = list(dict.fromkeys(message_ids))
        if not wanted:
            return None
        rows = await self._session.execute(
            select(MailMessageRow.message_id, MailMessageRow.ticket_id).where(
                MailMessageRow.message_id.in_(wanted)
            )
        )
        known = {row.message_id: row.ticket_id for row in rows}
        return next((known[i] for i in wanted if i in known), None)

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
        addresses = sorted({address.lower() for address in emails if address})
        if addresses:
            await self._session.execute(
                _ADD_PARTICIPANT,
                [
                    {"ticket_id": ticket_id, "email": email, "created_at": now}
                    for email in addresses
                ],
            )

    async def is_participant(self, ticket_id: int, email: str) -> bool:
        return await self._session.get(TicketParticipantRow, (ticket_id, email.lower())) is not None

    async def requester_address(self, ticket_id: int) -> str | None:
        """The e-mail address of the ticket's requester (None: no such ticket or no address)."""
        address = await self._session.scalar(
            select(RequesterRow.email)
            .join(TicketRow, TicketRow.requester_id == RequesterRow.id)
            .where(TicketRow.id == ticket_id)
        )
        return address.lower() if address else None


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


#: Name of the reference token's HMAC key in ``helpdesk_secrets``.
REFERENCE_SECRET = "reference_token"


async def installation_secret(engine: AsyncEngine, name: str = REFERENCE_SECRET) -> str:
    """The random secret ``name``, made once per database and the same for every instance.

    The migration stores the reference token's key; should the row be missing (a database
    made otherwise), the first instance to ask makes it and any racing one reads it back.
    """
    query = select(HelpdeskSecretRow.value).where(HelpdeskSecretRow.name == name)
    async with engine.begin() as connection:
        value = await connection.scalar(query)
    if value:
        return str(value)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(HelpdeskSecretRow).values(name=name, value=secrets.token_hex(32))
            )
    except IntegrityError:
        pass  # another instance made it meanwhile
    async with engine.begin() as connection:
        return str(await connection.scalar(query))


async def take_acknowledgement(
    engine: AsyncEngine, budgets: Sequence[tuple[str, int]], now: datetime, window: timedelta
) -> bool:
    """Spend one acknowledgement from every ``(key, per window)`` budget, or none if any is
    used up. Counted in the database: all instances share the budgets."""
    since = now - window
    async with engine.begin() as connection:
        for key, limit in budgets:
            used = await connection.scalar(
                select(func.count())
                .select_from(MailAcknowledgementRow)
                .where(MailAcknowledgementRow.key == key, MailAcknowledgementRow.sent_at > since)
            )
            if int(used or 0) >= limit:
                return False
        await connection.execute(
            insert(MailAcknowledgementRow),
            [{"key": key, "sent_at": now} for key, _limit in budgets],
        )
        # Old rows go as new ones come: the table stays at about one window's worth.
        await connection.execute(
            delete(MailAcknowledgementRow).where(MailAcknowledgementRow.sent_at < now - 2 * window)
        )
    return True
