"""Claiming work rows once across processes: row locks on PostgreSQL, a lease everywhere."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import InboundMailRow, OutboxRow, SlaReminderRow, TelegramUpdateRow

Row = TypeVar("Row")


async def claim_rows(
    session: AsyncSession,
    query: Select[tuple[Row]],
    claimed_until: InstrumentedAttribute[datetime | None],
    now: datetime,
    lease: timedelta,
) -> list[Row]:
    """The rows of ``query`` nobody holds, now held by this session's process for ``lease``.

    ``FOR UPDATE SKIP LOCKED`` keeps two PostgreSQL instances off the same rows while they
    claim (SQLite ignores it; its single writer serialises claims). The lease makes a row
    claimed by a process that then crashed available again when it runs out.
    """
    free = or_(claimed_until.is_(None), claimed_until < now)
    rows = list(await session.scalars(query.where(free).with_for_update(skip_locked=True)))
    for row in rows:
        setattr(row, claimed_until.key, now + lease)
    await session.flush()
    return rows


async def serialise_claims(session: AsyncSession, name: str) -> None:
    """Let only one transaction at a time claim ``name``'s rows, until it ends (PostgreSQL).

    Needed where what may be claimed depends on other rows (a chat's earlier update still
    held): two claims at once would each see the other's rows as free. Claims are short.
    SQLite needs nothing: its single writer already serialises them.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"lpse-helpdesk:claims:{name}".encode())
        await session.execute(select(func.pg_advisory_xact_lock(key)))


async def release_all_claims(session: AsyncSession) -> None:
    """Forget every lease: for a single instance starting up, any claim is its own, left by
    a process that died (SQLite serves one instance; on PostgreSQL leases simply run out)."""
    for model in (OutboxRow, InboundMailRow, SlaReminderRow, TelegramUpdateRow):
        await session.execute(
            update(model).where(model.claimed_until.is_not(None)).values(claimed_until=None)
        )
