"""Telegram updates kept before they are confirmed, then handled once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import serialise_claims
from storage.models import TelegramUpdateRow


@dataclass(frozen=True)
class StoredUpdate:
    """An update claimed for handling."""

    update_id: int
    payload: dict[str, Any]
    chat_id: int | None
    attempts: int


_INBOX = cast(Table, TelegramUpdateRow.__table__)
_STORE_POSTGRESQL = (
    postgresql_insert(_INBOX)
    .on_conflict_do_nothing(index_elements=["update_id"])
    .returning(_INBOX.c.update_id)
)
_STORE_SQLITE = (
    sqlite_insert(_INBOX)
    .on_conflict_do_nothing(index_elements=["update_id"])
    .returning(_INBOX.c.update_id)
)


def _claim_statement() -> Any:
    """One UPDATE ... RETURNING: the free updates (unclaimed, or their lease ran out) of chats
    with no earlier update held, oldest first, get a lease and one more attempt."""
    now = bindparam("now", type_=_INBOX.c.claimed_until.type)
    candidate, earlier = _INBOX.alias("candidate"), _INBOX.alias("earlier")
    earlier_held = exists().where(
        earlier.c.chat_id == candidate.c.chat_id,
        earlier.c.update_id < candidate.c.update_id,
        earlier.c.processed_at.is_(None),
        earlier.c.claimed_until >= now,
    )
    picked = (
        select(candidate.c.update_id)
        .where(
            candidate.c.processed_at.is_(None),
            or_(candidate.c.claimed_until.is_(None), candidate.c.claimed_until < now),
            ~earlier_held,
        )
        .order_by(candidate.c.update_id)
        .limit(bindparam("limit"))
    )
    return (
        update(_INBOX)
        .where(_INBOX.c.update_id.in_(picked.scalar_subquery()))
        .values(
            claimed_until=bindparam("until", type_=_INBOX.c.claimed_until.type),
            attempts=_INBOX.c.attempts + 1,
        )
        .returning(_INBOX.c.update_id, _INBOX.c.payload, _INBOX.c.chat_id, _INBOX.c.attempts)
    )


_CLAIM = _claim_statement()


class SqlTelegramInbox:
    """The ``telegram_inbox`` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def store(self, updates: list[dict[str, Any]], now: datetime) -> int:
        """Keep updates not seen before; returns how many were new."""
        if not updates:
            return 0
        dialect = self._session.get_bind().dialect.name
        statement = _STORE_POSTGRESQL if dialect == "postgresql" else _STORE_SQLITE
        # One INSERT ... ON CONFLICT DO NOTHING for the whole getUpdates batch: an update
        # fetched again (not confirmed before a crash) is simply not inserted twice.
        result = await self._session.execute(
            statement,
            [
                {
                    "update_id": int(item["update_id"]),
                    "payload": item,
                    "chat_id": _chat_of(item),
                    "received_at": now,
                    "attempts": 0,
                }
                for item in updates
            ],
        )
        return len(result.all())

    async def next_offset(self) -> int | None:
        """The getUpdates offset after the newest stored update (None when empty)."""
        newest = await self._session.scalar(select(func.max(TelegramUpdateRow.update_id)))
        return int(newest) + 1 if newest is not None else None

    async def claim_pending(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> list[StoredUpdate]:
        """Take stored updates for ``lease``, oldest first; none of a chat whose earlier
        update is still held (by another instance, or given back with a hold after it
        failed), so a chat's updates are handled in order and by one instance at a time."""
        await serialise_claims(self._session, "telegram_inbox")
        rows = (
            await self._session.execute(_CLAIM, {"now": now, "until": now + lease, "limit": limit})
        ).all()
        return sorted(
            (StoredUpdate(row.update_id, row.payload, row.chat_id, row.attempts) for row in rows),
            key=lambda stored: stored.update_id,
        )

    async def mark_done(self, update_ids: list[int], now: datetime) -> None:
        if update_ids:
            await self._session.execute(
                update(TelegramUpdateRow)
                .where(TelegramUpdateRow.update_id.in_(update_ids))
                # Handled: the raw text (which may hold a password that was held back) goes.
                .values(processed_at=now, claimed_until=None, payload={})
            )

    async def give_back(self, held: dict[int, datetime], untried: list[int]) -> None:
        """Return claimed updates unhandled: ``held`` (failed) free again at their time,
        ``untried`` (a chat's updates after a failed one) at once, their claim not counted."""
        if held:
            await self._session.execute(
                update(TelegramUpdateRow),
                [{"update_id": key, "claimed_until": until} for key, until in held.items()],
            )
        if untried:
            await self._session.execute(
                update(TelegramUpdateRow)
                .where(
                    TelegramUpdateRow.update_id.in_(untried),
                    TelegramUpdateRow.processed_at.is_(None),
                )
                .values(claimed_until=None, attempts=TelegramUpdateRow.attempts - 1)
            )


def _chat_of(payload: dict[str, Any]) -> int | None:
    """The chat an update belongs to, so one chat's updates are handled in order."""
    for key in ("message", "edited_message", "channel_post", "my_chat_member", "chat_member"):
        if key in payload:
            chat = payload[key].get("chat", {})
            return int(chat["id"]) if "id" in chat else None
    query = payload.get("callback_query")
    if query is not None:
        message = query.get("message") or {}
        if "chat" in message:
            return int(message["chat"]["id"])
        return int(query["from"]["id"])
    return None
