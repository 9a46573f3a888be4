"""Channel bookkeeping: message-to-ticket map, handled updates, dialogue state, FAQ log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.tickets import TicketStatus
from storage.models import (
    ChatMessageRow,
    ConversationRow,
    FaqInteractionRow,
    ProcessedUpdateRow,
    RequesterRow,
    TicketRow,
)

_PROCESSED = cast(Table, ProcessedUpdateRow.__table__)
_CONVERSATIONS = cast(Table, ConversationRow.__table__)
_INTERACTIONS = cast(Table, FaqInteractionRow.__table__)
_TICKETS = cast(Table, TicketRow.__table__)
_REQUESTERS = cast(Table, RequesterRow.__table__)


class SqlChatMessages:
    """Which ticket each chat message belongs to (bot messages and relayed ones)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, chat_id: int, message_id: int, ticket_id: int | None, purpose: str, now: datetime
    ) -> None:
        await self._session.merge(
            ChatMessageRow(
                chat_id=chat_id,
                message_id=message_id,
                ticket_id=ticket_id,
                purpose=purpose,
                created_at=now,
            )
        )

    async def ticket_for(self, chat_id: int, message_id: int) -> int | None:
        row = await self._session.get(ChatMessageRow, (chat_id, message_id))
        return row.ticket_id if row else None

    async def purpose_for(self, chat_id: int, message_id: int) -> str | None:
        """Why the bot sent that message (a card, a prompt...), when it was recorded."""
        row = await self._session.get(ChatMessageRow, (chat_id, message_id))
        return row.purpose if row else None

    async def latest(self, ticket_id: int, chat_id: int, purpose: str) -> int | None:
        """The newest message of ``purpose`` about a ticket in a chat (e.g. its card)."""
        message_id: int | None = await self._session.scalar(
            select(ChatMessageRow.message_id)
            .where(
                ChatMessageRow.ticket_id == ticket_id,
                ChatMessageRow.chat_id == chat_id,
                ChatMessageRow.purpose == purpose,
            )
            .order_by(ChatMessageRow.created_at.desc(), ChatMessageRow.message_id.desc())
            .limit(1)
        )
        return message_id


# Every update is claimed with this statement. Written as text: the dialects' insert(...)
# .on_conflict_do_nothing() has no cache key, so SQLAlchemy compiled it on every execution
# (0.2 ms a question); the same SQL is valid on SQLite (3.24+) and PostgreSQL.
_CLAIM = text(
    "INSERT INTO processed_updates (update_id, processed_at) "
    "VALUES (:update_id, :processed_at) ON CONFLICT (update_id) DO NOTHING"
).bindparams(
    bindparam("update_id", type_=_PROCESSED.c.update_id.type),
    bindparam("processed_at", type_=_PROCESSED.c.processed_at.type),
)


class SqlProcessedUpdates:
    """At-most-once processing of Telegram updates."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def seen(self, update_id: int) -> bool:
        """True when ``update_id`` was handled (its claim committed)."""
        return await self._session.get(ProcessedUpdateRow, update_id) is not None

    async def claim(self, update_id: int, now: datetime) -> bool:
        """True the first time ``update_id`` is claimed (one statement, no savepoint)."""
        result = await self._session.execute(_CLAIM, {"update_id": update_id, "processed_at": now})
        return bool(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class ChatSnapshot:
    """What handling a private message needs first: handled before? dialogue state? open
    tickets? (``first_open_ticket`` is the only one when ``open_tickets`` is 1)."""

    handled: bool
    state: tuple[str, dict[str, Any]] | None
    open_tickets: int
    first_open_ticket: int | None


def _snapshot_statement() -> Any:
    telegram_id = bindparam("telegram_id", type_=_CONVERSATIONS.c.telegram_id.type)
    conversation = _CONVERSATIONS.c.telegram_id == telegram_id
    open_of_requester = (
        select(_TICKETS.c.id)
        .join(_REQUESTERS, _REQUESTERS.c.id == _TICKETS.c.requester_id)
        .where(
            _REQUESTERS.c.telegram_id == telegram_id, _TICKETS.c.status != TicketStatus.CLOSED.value
        )
    )
    opened = open_of_requester.subquery()
    return select(
        exists().where(_PROCESSED.c.update_id == bindparam("update_id")).label("handled"),
        select(_CONVERSATIONS.c.state).where(conversation).scalar_subquery().label("state"),
        select(_CONVERSATIONS.c.data).where(conversation).scalar_subquery().label("data"),
        select(func.count()).select_from(opened).scalar_subquery().label("open_tickets"),
        select(func.min(opened.c.id)).scalar_subquery().label("first_open"),
    )


#: Built once: a statement object reused keeps its cache key (no per-call key generation).
_SNAPSHOT = _snapshot_statement()


class SqlChatSnapshots:
    """The read every private message starts with."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def read(self, update_id: int, telegram_id: int) -> ChatSnapshot:
        """One statement instead of three reads (handled update, dialogue state, open
        tickets): this runs for every private message."""
        row = (
            await self._session.execute(
                _SNAPSHOT, {"update_id": update_id, "telegram_id": telegram_id}
            )
        ).one()
        state = (row.state, dict(row.data)) if row.state is not None else None
        return ChatSnapshot(bool(row.handled), state, int(row.open_tickets), row.first_open)


class SqlConversations:
    """Where each Telegram requester is in a dialogue (a form, a choice)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, telegram_id: int) -> tuple[str, dict[str, Any]] | None:
        row = await self._session.get(ConversationRow, telegram_id)
        return (row.state, dict(row.data)) if row else None

    async def put(self, telegram_id: int, state: str, data: dict[str, Any], now: datetime) -> None:
        await self._session.merge(
            ConversationRow(telegram_id=telegram_id, state=state, data=data, updated_at=now)
        )

    async def clear(self, telegram_id: int) -> None:
        await self._session.execute(
            delete(ConversationRow).where(ConversationRow.telegram_id == telegram_id)
        )


@dataclass(frozen=True)
class FaqInteraction:
    """A question the FAQ saw and what came of it."""

    id: int
    channel: str
    requester_key: str
    question: str
    answered_entry_id: str | None
    candidate_ids: tuple[str, ...]
    helpful: bool | None
    ticket_id: int | None


_ADD_INTERACTION = insert(_INTERACTIONS).returning(_INTERACTIONS.c.id)


class SqlFaqInteractions:
    """Questions, FAQ answers and feedback: the data of FAQ quality and deflection reports."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        channel: str,
        requester_key: str,
        question: str,
        answered_entry_id: str | None,
        candidate_ids: list[str],
        now: datetime,
    ) -> int:
        # A Core insert: one question each time the FAQ answers, no ORM object needed.
        row_id: int = (
            await self._session.execute(
                _ADD_INTERACTION,
                {
                    "channel": channel,
                    "requester_key": requester_key,
                    "question": question,
                    "answered_entry_id": answered_entry_id,
                    "candidate_ids": candidate_ids,
                    "created_at": now,
                },
            )
        ).scalar_one()
        return row_id

    async def get(self, interaction_id: int) -> FaqInteraction | None:
        row = await self._session.get(FaqInteractionRow, interaction_id)
        if row is None:
            return None
        return FaqInteraction(
            id=row.id,
            channel=row.channel,
            requester_key=row.requester_key,
            question=row.question,
            answered_entry_id=row.answered_entry_id,
            candidate_ids=tuple(row.candidate_ids),
            helpful=row.helpful,
            ticket_id=row.ticket_id,
        )

    async def update(
        self,
        interaction_id: int,
        *,
        helpful: bool | None = None,
        ticket_id: int | None = None,
        answered_entry_id: str | None = None,
    ) -> None:
        row = await self._session.get(FaqInteractionRow, interaction_id)
        if row is None:
            return
        if helpful is not None:
            row.helpful = helpful
        if ticket_id is not None:
            row.ticket_id = ticket_id
        if answered_entry_id is not None:
            row.answered_entry_id = answered_entry_id
