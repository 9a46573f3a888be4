"""SQLAlchemy table models. They stay in the adapter layer: the domain never sees them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    column,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: JSON}


class RequesterRow(Base):
    __tablename__ = "requesters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    instansi: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_owner", "status", "owner_role"),
        {"sqlite_autoincrement": True},  # a ticket number is never reused
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("requesters.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    sop_id: Mapped[str] = mapped_column(String(16))
    step: Mapped[int]
    owner_role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    faq_entry_id: Mapped[str | None] = mapped_column(String(120))
    # Every FAQ entry sent to the requester, faq_entry_id first (issue #18: several questions).
    faq_entry_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The mail's questions no FAQ entry answered: the card names them for staff (issue #18).
    faq_unanswered: Mapped[list[str]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime]
    step_started_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    # SLA clock of the current step (working minutes; paused while waiting on the requester)
    step_worked_minutes: Mapped[float] = mapped_column(default=0.0)
    step_running_since: Mapped[datetime | None]
    step_due_at: Mapped[datetime | None]
    step_cycle: Mapped[int] = mapped_column(Integer, default=0)
    breached: Mapped[bool] = mapped_column(default=False)
    # Answered by the FAQ in the acknowledgement: staff see it only if the requester says
    # it did not help; otherwise it closes itself (FAQ_AUTOCLOSE_HOURS).
    awaiting_faq_feedback: Mapped[bool] = mapped_column(default=False)
    # The procedure's record (issue 15): letter agenda number, form details, documents held
    # per checklist item, the approval decision, the outcome told on closing, SOP-01's
    # register number and visit, SOP-06's one letter to LKPP, a clock stopped by an outage.
    agenda: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    documents: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decision: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(Text)
    register_number: Mapped[str | None] = mapped_column(String(40))
    awaiting_visit: Mapped[bool] = mapped_column(default=False)
    lkpp_mailed: Mapped[bool] = mapped_column(default=False)
    outage_paused: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
    # Optimistic locking: two instances changing one ticket cannot overwrite each other.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy API)


class MessageRow(Base):
    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class AttachmentRow(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("ticket_messages.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)


class EventRow(Base):
    """Append-only audit trail; repositories only ever insert here."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any]]


class FaqEntryRow(Base):
    """An FAQ entry published by staff from a ticket (SOP-02 step 5); the YAML KB is the seed."""

    __tablename__ = "faq_entries"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    category: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    variants: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    route: Mapped[str] = mapped_column(String(32))
    sop: Mapped[str] = mapped_column(String(16))
    source_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime]


PENDING_OUTBOX = column("status") == "pending"


class OutboxRow(Base):
    """A message to send, fixed when queued and retried unchanged until it is delivered."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # A claim looks up the earlier rows still to send of each chat or address (its order).
        Index(
            "ix_outbox_pending_lane",
            "channel",
            "destination",
            "id",
            sqlite_where=PENDING_OUTBOX,
            postgresql_where=PENDING_OUTBOX,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    destination: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    sent_ref: Mapped[str | None] = mapped_column(String(64))


class OutboxStateRow(Base):
    """Outbox state shared by all instances, one row per name (inserted by the migration).

    ``claims`` is locked by every claim on PostgreSQL, so two instances never take rows of
    one chat at once; ``backlog_warning`` holds when the staff group was last warned.
    """

    __tablename__ = "outbox_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime | None]


class ChatMessageRow(Base):
    """Which ticket a Telegram message belongs to, so a reply to it finds its ticket."""

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_ticket_purpose", "ticket_id", "chat_id", "purpose"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class ProcessedUpdateRow(Base):
    """Telegram updates already handled: a re-delivered update is skipped."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime]


class FaqInteractionRow(Base):
    """A question the FAQ saw: what it answered or offered, the feedback, the ticket it became."""

    __tablename__ = "faq_interactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    requester_key: Mapped[str] = mapped_column(String(320), index=True)
    question: Mapped[str] = mapped_column(Text)
    answered_entry_id: Mapped[str | None] = mapped_column(String(120))
    candidate_ids: Mapped[list[str]] = mapped_column(JSON)
    helpful: Mapped[bool | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime]


class ConversationRow(Base):
    """Where a Telegram requester is in a form or dialogue; survives restarts."""

    __tablename__ = "conversations"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class InboundMailRow(Base):
    """A mail as received, stored (and committed) before the SMTP server answers 250."""

    __tablename__ = "inbound_mail"
    __table_args__ = (Index("ix_inbound_mail_due", "status", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    mail_from: Mapped[str] = mapped_column(String(320))
    rcpt_tos: Mapped[list[str]] = mapped_column(JSON)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending, processed, ignored, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    note: Mapped[str | None] = mapped_column(Text)


class MailMessageRow(Base):
    """Message-IDs of mail in and out of a ticket, for threading replies."""

    __tablename__ = "mail_messages"

    message_id: Mapped[str] = mapped_column(String(998), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]


class TicketParticipantRow(Base):
    """Addresses that may write into a ticket by mail: the requester, people copied, roles."""

    __tablename__ = "ticket_participants"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    created_at: Mapped[datetime]


class AutoMailRow(Base):
    """Automatic mails sent per recipient: the loop brake counts these."""

    __tablename__ = "auto_mail_log"
    __table_args__ = (Index("ix_auto_mail_log_recipient_sent", "recipient", "sent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime]


# Rendered like the sweep's own WHERE clause, so both planners see the index applies.
PENDING_REMINDER = and_(column("sent_at").is_(None), column("cancelled").is_(False))


class SlaReminderRow(Base):
    """A reminder (80 %) or breach notice (100 %) of one ticket step, sent once."""

    __tablename__ = "sla_reminders"
    __table_args__ = (
        UniqueConstraint("ticket_id", "step", "kind", "cycle", name="uq_sla_reminders_once"),
        # Only rows still to send: sent and cancelled ones pile up and must not be scanned
        # by the sweep every two seconds.
        Index(
            "ix_sla_reminders_pending",
            "due_at",
            sqlite_where=PENDING_REMINDER,
            postgresql_where=PENDING_REMINDER,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    step: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # reminder, breach
    cycle: Mapped[int] = mapped_column(Integer)  # bumps when a step restarts (reopen)
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    cancelled: Mapped[bool] = mapped_column(default=False)
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class DigestRow(Base):
    """Daily digests sent: one per office day, also with several instances."""

    __tablename__ = "digests"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, office zone
    sent_at: Mapped[datetime]


class TelegramUpdateRow(Base):
    """An update as Telegram sent it, stored before it is confirmed (polling) or answered
    200 (webhook), then handled once; several instances share the work."""

    __tablename__ = "telegram_inbox"
    __table_args__ = (Index("ix_telegram_inbox_pending", "processed_at", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]]
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]


class OfficeCounterRow(Base):
    """Per-year office registers: letter agenda numbers, verification register numbers."""

    __tablename__ = "office_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False)


class OutageRow(Base):
    """An SPSE or internet outage declared with /gangguan: SLA clocks stand still during it."""

    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(64))


# --- issue 16: mail trust --------------------------------------------------------------------
class HelpdeskSecretRow(Base):
    """Random secrets made once per installation (e.g. the reference token's HMAC key)."""

    __tablename__ = "helpdesk_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class MailAcknowledgementRow(Base):
    """Acknowledgements sent, per budget key ("ip:…", "domain:…", "all"): backscatter limits."""

    __tablename__ = "mail_ack_log"
    __table_args__ = (Index("ix_mail_ack_log_key_sent", "key", "sent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(330))
    sent_at: Mapped[datetime]
