"""Telegram updates kept before they are confirmed, then handled once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import claim_rows
from storage.models import TelegramUpdateRow


@dataclass(frozen=True)
class StoredUpdate:
    """An update claimed for handling."""

    update_id: int
    payload: dict[str, Any]
    chat_id: int | None
    attempts: int


class SqlTelegramInbox:
    """The ``telegram_inbox`` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def store(self, updates: list[dict[str, Any]], now: datetime) -> int:
        """Keep updates not seen before; returns how many were new."""
        if not updates:
            return 0
        ids = [int(item["update_id"]) for item in updates]
        known = set(
            await self._session.scalars(
                select(TelegramUpdateRow.update_id).where(TelegramUpdateRow.update_id.in_(ids))
            )
        )
        fresh = [item for item in updates if int(item["update_id"]) not in known]
        self._session.add_all(
            TelegramUpdateRow(
                update_id=int(item["update_id"]),
                payload=item,
                chat_id=_chat_of(item),
                received_at=now,
                attempts=0,
            )
            for item in fresh
        )
        await self._session.flush()
        return len(fresh)

    async def next_offset(self) -> int | None:
        """The getUpdates offset after the newest stored update (None when empty)."""
        newest = await self._session.scalar(select(func.max(TelegramUpdateRow.update_id)))
        return int(newest) + 1 if newest is not None else None

    async def claim_pending(
        self, now: datetime, *, limit: int, lease: timedelta
    ) -> list[StoredUpdate]:
        rows = await claim_rows(
            self._session,
            select(TelegramUpdateRow)
            .where(TelegramUpdateRow.processed_at.is_(None))
            .order_by(TelegramUpdateRow.update_id)
            .limit(limit),
            TelegramUpdateRow.claimed_until,
            now,
            lease,
        )
        for row in rows:
            row.attempts += 1
        await self._session.flush()
        return [StoredUpdate(row.update_id, row.payload, row.chat_id, row.attempts) for row in rows]

    async def mark_done(self, update_ids: list[int], now: datetime) -> None:
        if update_ids:
            await self._session.execute(
                update(TelegramUpdateRow)
                .where(TelegramUpdateRow.update_id.in_(update_ids))
                # Handled: the raw text (which may hold a password that was held back) goes.
                .values(processed_at=now, claimed_until=None, payload={})
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
