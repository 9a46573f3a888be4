"""Data retention: purge personal data of tickets closed long ago, keep anonymised statistics.

``purge`` walks the tickets closed (status ``selesai``) before a cutoff in batches, one
transaction per batch, and for each ticket:

- deletes its attachment rows, then (after the commit) the files on disk that no row, open
  form or pending outbox message refers to any more (files are stored once per content, so a
  file shared with a newer ticket stays);
- blanks message texts, the subject, the rating comment, the form's details (names, NIP,
  addresses) and the mail's questions the FAQ left to staff, anonymises requester actors in
  messages and the audit trail and strips free text from audit details;
- empties the raw bodies and addresses of its inbound mail, blanks its outbox payloads and
  requester destinations, blanks the FAQ questions that led to it;
- deletes its chat-message map, mail thread ids and mail participants;
- scrubs the FAQ entries published from it: the requester's name and identifiers and any
  personal data the patterns of ``bot.core.redaction`` find are replaced (staff checked the
  texts when publishing; this catches what slipped through, and the entry stays useful).

Requesters whose every ticket is closed before the cutoff (or already purged) lose name,
instansi, phone, Telegram id and e-mail. What stays: ticket rows (SOP, step, status, channel,
owner role, timestamps, rating score, breached) with the office's agenda record (agenda and
register numbers, decision, outcome), the kinds and times of the audit trail, SLA
reminders and outbox rows, so every report still counts the same.

Besides tickets it deletes handled Telegram updates (ids and raw payloads; the newest stays
for the polling offset), dialogue state (form answers) idle since before the cutoff and the
loop-brake log, and purges inbound mail and FAQ questions that never became a ticket once
they are older than the cutoff. Messages queued without a ticket (a form's summary shown
before it was sent, FAQ answers, notices) lose their text and, for a requester, the chat id
once they are older than the cutoff. Files that nothing refers to any more and that were
written before the cutoff (uploads of forms that were abandoned or cancelled) are deleted.

Blanked text is gone from the tables but not yet from the disk: SQLite keeps it in free
pages and in the write-ahead log until they are reused. So a real run on SQLite ends with
``VACUUM`` (the file is rewritten without free pages) and a WAL checkpoint that truncates the
log; bot writes wait meanwhile, so run it at a quiet hour (``compact=False`` skips it). On
PostgreSQL old row versions stay in the table files until ``VACUUM`` reuses their space,
and even then the bytes stay until overwritten: run ``VACUUM FULL`` on the tables of
``docs/operations.md`` (Retention) after a purge if that matters, and keep the disk encrypted.

A purged ticket is recognised by its content (subject ``[dihapus]``, no rating comment, every
message text ``[dihapus]``, no attachment): a re-run skips it, and a ticket that was reopened
after its purge qualifies again once it is closed long enough. Every step is idempotent, so an
interrupted run is simply run again; the files of a batch that committed just before an
interruption are named in a journal (``.retention-pending`` in ATTACHMENTS_DIR) that the next
run finishes. ``dry_run`` only reads and reports what a real run would do.

Do not run two purges at once (they share that journal); the bot itself may keep running.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    Select,
    and_,
    delete,
    exists,
    func,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Result
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.core.outbound import Purpose
from bot.core.redaction import redact
from bot.core.tickets import TicketStatus
from storage.attachments import AttachmentStore
from storage.mail import PENDING as MAIL_PENDING
from storage.models import (
    AttachmentRow,
    AutoMailRow,
    ChatMessageRow,
    ConversationRow,
    EventRow,
    FaqEntryRow,
    FaqInteractionRow,
    InboundMailRow,
    MailMessageRow,
    MessageRow,
    OutboxRow,
    ProcessedUpdateRow,
    RequesterRow,
    TelegramUpdateRow,
    TicketParticipantRow,
    TicketRow,
)
from storage.outbox import FAILED as OUTBOX_FAILED
from storage.outbox import PENDING as OUTBOX_PENDING

log = logging.getLogger(__name__)

#: What replaces purged text: subjects, messages, FAQ questions, mail senders, notes.
PURGED: Final = "[dihapus]"

#: Audit-trail actor of every requester once purged (``requester:<id>`` before).
REQUESTER_ACTOR: Final = "requester"

#: Ticket file deletions of a batch that committed; see ``_JournalledDeletions``.
JOURNAL_NAME: Final = ".retention-pending"

_CLOSED: Final = TicketStatus.CLOSED.value

# Audit details are structured (SOP ids, roles, step numbers, reason codes). Only these keys
# may keep a text value, and only an identifier-like one: anything else could be free text.
_STRUCTURAL_DETAIL_KEYS: Final = frozenset(
    {"sop", "role", "channel", "direction", "from_role", "to_role", "reason", "entry"}
)
#: Ticket-less outbox rows addressed to a requester (their destination is a person's chat).
_REQUESTER_PURPOSES: Final = (Purpose.TO_REQUESTER.value, Purpose.FAQ_ANSWER.value)
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_SHA256 = re.compile(r"[0-9a-f]{64}")

K = TypeVar("K")
E = TypeVar("E", bound=Executable)


@dataclass
class PurgeReport:
    """What a purge changed (or, in a dry run, would change)."""

    closed_before: datetime
    dry_run: bool
    tickets: int = 0
    messages: int = 0
    attachment_rows: int = 0
    files_deleted: int = 0
    bytes_freed: int = 0
    requesters_anonymised: int = 0
    inbound_mails: int = 0
    faq_questions: int = 0
    outbox_rows: int = 0
    processed_updates: int = 0
    telegram_inbox: int = 0
    conversations: int = 0
    auto_mail_log: int = 0
    faq_entries_scrubbed: int = 0
    orphan_files: int = 0
    database_compacted: int = 0
    batches: int = 0
    # Dry run only: what was counted already, so a file or requester counts once, as it is
    # deleted or anonymised once in a real run.
    counted_files: set[str] = field(default_factory=set, init=False, repr=False, compare=False)
    counted_requesters: set[int] = field(default_factory=set, init=False, repr=False, compare=False)

    def rows(self) -> list[tuple[str, int]]:
        """(what, how many) in the order an operator reads them."""
        return [
            ("tickets purged", self.tickets),
            ("messages blanked", self.messages),
            ("attachment rows deleted", self.attachment_rows),
            ("files deleted", self.files_deleted),
            ("bytes freed", self.bytes_freed),
            ("requesters anonymised", self.requesters_anonymised),
            ("inbound mails emptied", self.inbound_mails),
            ("FAQ questions blanked", self.faq_questions),
            ("outbox rows blanked", self.outbox_rows),
            ("telegram update ids deleted", self.processed_updates),
            ("telegram inbox rows deleted", self.telegram_inbox),
            ("idle dialogues deleted", self.conversations),
            ("loop-brake entries deleted", self.auto_mail_log),
            ("published FAQ entries scrubbed", self.faq_entries_scrubbed),
            ("unreferenced old files deleted", self.orphan_files),
            ("database compacted (VACUUM)", self.database_compacted),
        ]


async def purge(
    session_factory: async_sessionmaker[AsyncSession],
    attachments: AttachmentStore,
    *,
    closed_before: datetime,
    dry_run: bool,
    batch: int = 500,
    compact: bool = True,
) -> PurgeReport:
    """Purge personal data of tickets closed before ``closed_before``; see the module doc.

    One transaction per ``batch`` tickets (or rows), so the bot keeps working meanwhile and an
    interrupted run loses nothing: run it again. ``dry_run`` writes nothing and reports what a
    real run would do. ``compact`` rewrites a SQLite file afterwards (see the module doc).
    """
    if closed_before.tzinfo is None:
        raise ValueError("closed_before must be an aware datetime")
    if batch < 1:
        raise ValueError("batch must be at least 1")
    report = PurgeReport(closed_before=closed_before, dry_run=dry_run)
    journal = _JournalledDeletions(attachments)
    if not dry_run:
        # Files of a batch whose run stopped between its commit and the file deletions.
        await _delete_unneeded_files(
            session_factory, attachments, journal.leftover(), closed_before, report
        )
        journal.clear()
    # Dialogue state goes first: an idle form's uploads then no longer hold a file back.
    await _purge_bookkeeping(session_factory, closed_before, dry_run, batch, report)
    after = 0
    while True:
        async with session_factory() as session:
            candidates = list(
                await session.execute(
                    select(TicketRow.id, TicketRow.requester_id)
                    .where(_is_candidate(TicketRow, closed_before), TicketRow.id > after)
                    .order_by(TicketRow.id)
                    .limit(batch)
                )
            )
            if not candidates:
                break
            # Keyset paging: a dry run changes nothing, so it must move on by itself.
            after = max(ticket_id for ticket_id, _ in candidates)
            report.batches += 1
            if dry_run:
                await _count_ticket_batch(session, candidates, closed_before, attachments, report)
                continue
            shas = await _purge_ticket_batch(session, candidates, closed_before, report)
            await asyncio.to_thread(journal.write, shas)
            await session.commit()
        log.info("retention: batch up to ticket #%d committed", after)
        # Only after the commit: a rolled-back batch must still find its files.
        await _delete_unneeded_files(session_factory, attachments, shas, closed_before, report)
        await asyncio.to_thread(journal.clear)
    await _purge_unlinked(session_factory, closed_before, dry_run, batch, report)
    await _purge_unlinked_outbox(session_factory, closed_before, dry_run, batch, report)
    await _delete_orphan_files(session_factory, attachments, closed_before, dry_run, report)
    if compact and dry_run:
        changed = any(count for _, count in report.rows())
        report.database_compacted = int(_on_sqlite(session_factory) and changed)
    elif compact:
        changed = any(count for _, count in report.rows())
        report.database_compacted = int(await _erase_free_space(session_factory, changed))
    log.info("retention: %s", ", ".join(f"{what} {count}" for what, count in report.rows()))
    return report


# --- which tickets ----------------------------------------------------------------------


def _is_purged(tickets: type[TicketRow]) -> ColumnElement[bool]:
    """The ticket carries nothing personal any more (its content says so, no flag needed)."""
    message = aliased(MessageRow)
    unblanked_message = exists(
        select(message.id).where(message.ticket_id == tickets.id, message.text != PURGED)
    )
    attached = exists(
        select(AttachmentRow.id)
        .join(message, message.id == AttachmentRow.message_id)
        .where(message.ticket_id == tickets.id)
    )
    return and_(
        tickets.subject == PURGED,
        tickets.rating_comment.is_(None),
        not_(unblanked_message),
        not_(attached),
    )


def _is_candidate(tickets: type[TicketRow], cutoff: datetime) -> ColumnElement[bool]:
    """Closed before the cutoff and not purged yet (again, after a reopen and close)."""
    return and_(
        tickets.status == _CLOSED,
        tickets.closed_at < cutoff,
        not_(_is_purged(tickets)),
    )


def _is_settled(tickets: type[TicketRow], cutoff: datetime) -> ColumnElement[bool]:
    """Closed and past retention: purged already, or due in this run."""
    return and_(
        tickets.status == _CLOSED,
        or_(tickets.closed_at < cutoff, _is_purged(tickets)),
    )


def _anonymisable_requesters(cutoff: datetime) -> ColumnElement[bool]:
    """Requesters with personal data and no ticket that still needs it."""
    ticket = aliased(TicketRow)
    still_needed = exists(
        select(ticket.id).where(
            ticket.requester_id == RequesterRow.id, not_(_is_settled(ticket, cutoff))
        )
    )
    identifiable = or_(
        RequesterRow.telegram_id.is_not(None),
        RequesterRow.email.is_not(None),
        RequesterRow.name.is_not(None),
        RequesterRow.instansi.is_not(None),
        RequesterRow.phone.is_not(None),
    )
    return and_(identifiable, not_(still_needed))


# --- one batch of tickets ---------------------------------------------------------------


async def _purge_ticket_batch(
    session: AsyncSession,
    candidates: Sequence[Any],
    cutoff: datetime,
    report: PurgeReport,
) -> set[str]:
    """Purge the candidates in the session's transaction; the sha256 of their files."""
    # The status and time are checked again in the UPDATE itself: a ticket reopened since it
    # was selected is left alone. Bumping the version makes a save of that ticket loaded
    # before this purge fail (optimistic lock) instead of writing its subject back.
    result = await session.execute(
        update(TicketRow)
        .where(
            TicketRow.id.in_([ticket_id for ticket_id, _ in candidates]),
            TicketRow.status == _CLOSED,
            TicketRow.closed_at < cutoff,
        )
        # The agenda record stays (agenda number, SOP, decision, outcome, register number);
        # the form's details (names, NIP, addresses) and the questions of the mail the FAQ left
        # to staff (the person's own words, issue #18) go.
        .values(
            subject=PURGED,
            rating_comment=None,
            details={},
            faq_unanswered=[],
            version=TicketRow.version + 1,
        )
        .returning(TicketRow.id, TicketRow.requester_id)
        .execution_options(synchronize_session=False)
    )
    purged = list(result)
    ids = [ticket_id for ticket_id, _ in purged]
    if not ids:
        return set()
    report.tickets += len(ids)

    report.messages += _rowcount(
        await session.execute(
            _dml(update(MessageRow))
            .where(MessageRow.ticket_id.in_(ids), MessageRow.text != PURGED)
            .values(text=PURGED)
        )
    )
    await session.execute(
        _dml(update(MessageRow))
        .where(MessageRow.ticket_id.in_(ids), MessageRow.author.like(f"{REQUESTER_ACTOR}:%"))
        .values(author=REQUESTER_ACTOR)
    )

    files = list(await session.execute(_attachments_of(ids)))
    if files:
        report.attachment_rows += _rowcount(
            await session.execute(
                _dml(delete(AttachmentRow)).where(
                    AttachmentRow.id.in_([row_id for row_id, _, _ in files])
                )
            )
        )

    # The audit trail is otherwise append-only; retention is the one deliberate rewrite, and
    # it keeps what the reports read (kinds, times, steps, roles).
    for event in await session.scalars(select(EventRow).where(EventRow.ticket_id.in_(ids))):
        actor, detail = _anonymous_actor(event.actor), _scrub_detail(event.detail)
        if actor != event.actor:
            event.actor = actor
        if detail != event.detail:
            event.detail = detail  # a new dict: the JSON column only sees reassignment

    for mapping in (ChatMessageRow, MailMessageRow, TicketParticipantRow):
        await session.execute(_dml(delete(mapping)).where(mapping.ticket_id.in_(ids)))

    report.inbound_mails += await _empty_inbound_mail(session, InboundMailRow.ticket_id.in_(ids))
    report.faq_questions += await _blank_faq_questions(
        session, FaqInteractionRow.ticket_id.in_(ids)
    )

    # A message still queued for a ticket closed this long ago is stale; once its text is
    # gone it must never go out, so it is parked as failed first.
    await session.execute(
        _dml(update(OutboxRow))
        .where(OutboxRow.ticket_id.in_(ids), OutboxRow.status == OUTBOX_PENDING)
        .values(status=OUTBOX_FAILED, claimed_until=None, last_error=PURGED)
    )
    report.outbox_rows += _rowcount(
        await session.execute(
            _dml(update(OutboxRow)).where(OutboxRow.ticket_id.in_(ids)).values(payload={})
        )
    )
    # A requester's chat id or address; staff-group and role rows keep theirs.
    await session.execute(
        _dml(update(OutboxRow))
        .where(OutboxRow.ticket_id.in_(ids), OutboxRow.purpose == Purpose.TO_REQUESTER.value)
        .values(destination=PURGED)
    )
    # Delivery errors quote addresses ("550 <x@y>: no such user").
    await session.execute(
        _dml(update(OutboxRow))
        .where(OutboxRow.ticket_id.in_(ids), OutboxRow.last_error.is_not(None))
        .values(last_error=PURGED)
    )

    report.faq_entries_scrubbed += await _scrub_published(session, ids, dry_run=False)

    await session.flush()  # the requester check below reads the purged tickets
    requester_ids = sorted({requester_id for _, requester_id in purged})
    report.requesters_anonymised += _rowcount(
        await session.execute(
            _dml(update(RequesterRow))
            .where(RequesterRow.id.in_(requester_ids), _anonymisable_requesters(cutoff))
            # NULL, not a token: the unique constraints allow many NULLs, and a hash of a
            # Telegram id (a small number space) could be reversed by trying them all.
            .values(telegram_id=None, email=None, name=None, instansi=None, phone=None)
        )
    )
    return {sha256 for _, sha256, _ in files}


async def _count_ticket_batch(
    session: AsyncSession,
    candidates: Sequence[Any],
    cutoff: datetime,
    attachments: AttachmentStore,
    report: PurgeReport,
) -> None:
    """What ``_purge_ticket_batch`` would change, read only."""
    ids = [ticket_id for ticket_id, _ in candidates]
    report.tickets += len(ids)
    report.messages += await _count(
        session,
        select(MessageRow.id).where(MessageRow.ticket_id.in_(ids), MessageRow.text != PURGED),
    )
    files = list(await session.execute(_attachments_of(ids)))
    report.attachment_rows += len(files)
    report.inbound_mails += await _count(
        session,
        select(InboundMailRow.id).where(InboundMailRow.ticket_id.in_(ids), _mail_unemptied()),
    )
    report.faq_questions += await _count(
        session,
        select(FaqInteractionRow.id).where(
            FaqInteractionRow.ticket_id.in_(ids), _question_unblanked()
        ),
    )
    report.outbox_rows += await _count(
        session, select(OutboxRow.id).where(OutboxRow.ticket_id.in_(ids))
    )
    report.faq_entries_scrubbed += await _scrub_published(session, ids, dry_run=True)
    requester_ids = sorted({requester_id for _, requester_id in candidates})
    for requester_id in await session.scalars(
        select(RequesterRow.id).where(
            RequesterRow.id.in_(requester_ids), _anonymisable_requesters(cutoff)
        )
    ):
        # A requester with tickets in several batches counts once, as in a real run.
        if requester_id not in report.counted_requesters:
            report.counted_requesters.add(requester_id)
            report.requesters_anonymised += 1
    shas = {sha256 for _, sha256, _ in files}
    needed = await _needed_files(session, shas, cutoff, dry_run=True)
    for sha256 in sorted(shas - needed - report.counted_files):
        size = await asyncio.to_thread(_file_size, attachments.path_for(sha256))
        if size is not None:
            report.counted_files.add(sha256)
            report.files_deleted += 1
            report.bytes_freed += size


def _attachments_of(ticket_ids: list[int]) -> Select[tuple[int, str, int]]:
    return (
        select(AttachmentRow.id, AttachmentRow.sha256, AttachmentRow.size)
        .join(MessageRow, MessageRow.id == AttachmentRow.message_id)
        .where(MessageRow.ticket_id.in_(ticket_ids))
    )


def _anonymous_actor(actor: str) -> str:
    return REQUESTER_ACTOR if actor.startswith(f"{REQUESTER_ACTOR}:") else actor


def _scrub_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """Numbers, flags and structural codes stay; any other text goes."""
    return {
        key: value
        for key, value in (detail or {}).items()
        if value is None
        or isinstance(value, bool | int | float)
        or (
            isinstance(value, str)
            and key in _STRUCTURAL_DETAIL_KEYS
            and _IDENTIFIER.fullmatch(value) is not None
        )
    }


# --- inbound mail and FAQ questions -----------------------------------------------------


def _mail_unemptied() -> ColumnElement[bool]:
    return or_(InboundMailRow.mail_from != PURGED, func.length(InboundMailRow.raw) > 0)


async def _empty_inbound_mail(session: AsyncSession, which: ColumnElement[bool]) -> int:
    # Processing notes may quote the mail (an error's repr, a refused file's name). First,
    # while ``which`` still matches: it may ask for mail not emptied yet.
    await session.execute(
        _dml(update(InboundMailRow))
        .where(which, InboundMailRow.note.is_not(None), InboundMailRow.note != PURGED)
        .values(note=PURGED)
    )
    # content_hash stays: it is not personal and keeps a late resend of the same bytes from
    # being processed as new mail.
    return _rowcount(
        await session.execute(
            _dml(update(InboundMailRow))
            .where(which, _mail_unemptied())
            .values(raw=b"", mail_from=PURGED, rcpt_tos=[], message_id=None)
        )
    )


def _question_unblanked() -> ColumnElement[bool]:
    return or_(FaqInteractionRow.question != PURGED, FaqInteractionRow.requester_key != PURGED)


async def _blank_faq_questions(session: AsyncSession, which: ColumnElement[bool]) -> int:
    # The counts the FAQ report reads (answered entry, candidates, feedback) stay.
    return _rowcount(
        await session.execute(
            _dml(update(FaqInteractionRow))
            .where(which, _question_unblanked())
            .values(question=PURGED, requester_key=PURGED)
        )
    )


async def _purge_unlinked(
    session_factory: async_sessionmaker[AsyncSession],
    cutoff: datetime,
    dry_run: bool,
    batch: int,
    report: PurgeReport,
) -> None:
    """Inbound mail and FAQ questions older than the cutoff that never became a ticket.

    Mail still pending is never touched: it has not been processed yet.
    """
    old_mail = and_(
        InboundMailRow.ticket_id.is_(None),
        InboundMailRow.status != MAIL_PENDING,
        InboundMailRow.received_at < cutoff,
        _mail_unemptied(),
    )
    old_questions = and_(
        FaqInteractionRow.ticket_id.is_(None),
        FaqInteractionRow.created_at < cutoff,
        _question_unblanked(),
    )
    if dry_run:
        async with session_factory() as session:
            report.inbound_mails += await _count(session, select(InboundMailRow.id).where(old_mail))
            report.faq_questions += await _count(
                session, select(FaqInteractionRow.id).where(old_questions)
            )
        return
    report.inbound_mails += await _in_batches(
        session_factory,
        select(InboundMailRow.id).where(old_mail),
        batch,
        lambda session, keys: _empty_inbound_mail(
            session, and_(InboundMailRow.id.in_(keys), old_mail)
        ),
    )
    report.faq_questions += await _in_batches(
        session_factory,
        select(FaqInteractionRow.id).where(old_questions),
        batch,
        lambda session, keys: _blank_faq_questions(
            session, and_(FaqInteractionRow.id.in_(keys), old_questions)
        ),
    )


# --- published FAQ entries, ticket-less outbox rows ----------------------------------------


async def _scrub_published(session: AsyncSession, ticket_ids: list[int], *, dry_run: bool) -> int:
    """Scrub the FAQ entries published from these tickets (before their requesters are
    anonymised: their names are what is looked for); how many changed (or would)."""
    entries = list(
        await session.scalars(
            select(FaqEntryRow).where(FaqEntryRow.source_ticket_id.in_(ticket_ids))
        )
    )
    if not entries:
        return 0
    known: dict[int, tuple[str, ...]] = {}
    for ticket_id, name, email, phone, telegram_id in await session.execute(
        select(
            TicketRow.id,
            RequesterRow.name,
            RequesterRow.email,
            RequesterRow.phone,
            RequesterRow.telegram_id,
        )
        .join(RequesterRow, RequesterRow.id == TicketRow.requester_id)
        .where(TicketRow.id.in_(ticket_ids))
    ):
        values = (name, email, phone, str(telegram_id) if telegram_id is not None else None)
        known[ticket_id] = tuple(value for value in values if value)
    changed = 0
    for entry in entries:
        names = known.get(entry.source_ticket_id or 0, ())
        question, answer = redact(entry.question, names), redact(entry.answer, names)
        if question.text == entry.question and answer.text == entry.answer:
            continue
        changed += 1
        if not dry_run:
            entry.question, entry.answer = question.text, answer.text
    return changed


def _ticketless_outbox(cutoff: datetime) -> ColumnElement[bool]:
    """Rows queued without a ticket before the cutoff that still carry their text."""
    return and_(
        OutboxRow.ticket_id.is_(None),
        OutboxRow.created_at < cutoff,
        or_(OutboxRow.last_error.is_(None), OutboxRow.last_error != PURGED),
    )


async def _purge_unlinked_outbox(
    session_factory: async_sessionmaker[AsyncSession],
    cutoff: datetime,
    dry_run: bool,
    batch: int,
    report: PurgeReport,
) -> None:
    """Messages queued without a ticket (a form's summary, FAQ answers, notices): text gone,
    and a requester's chat id too; ``last_error`` marks them done."""
    which = _ticketless_outbox(cutoff)
    if dry_run:
        async with session_factory() as session:
            report.outbox_rows += await _count(session, select(OutboxRow.id).where(which))
        return

    async def blank(session: AsyncSession, keys: list[int]) -> int:
        rows = and_(OutboxRow.id.in_(keys), which)
        # Still queued after this long: stale, and must never go out once blanked.
        await session.execute(
            _dml(update(OutboxRow))
            .where(rows, OutboxRow.status == OUTBOX_PENDING)
            .values(status=OUTBOX_FAILED, claimed_until=None)
        )
        await session.execute(
            _dml(update(OutboxRow))
            .where(rows, OutboxRow.purpose.in_(_REQUESTER_PURPOSES))
            .values(destination=PURGED)
        )
        return _rowcount(
            await session.execute(
                _dml(update(OutboxRow)).where(rows).values(payload={}, last_error=PURGED)
            )
        )

    report.outbox_rows += await _in_batches(
        session_factory, select(OutboxRow.id).where(which), batch, blank
    )


# --- bookkeeping tables -----------------------------------------------------------------


async def _purge_bookkeeping(
    session_factory: async_sessionmaker[AsyncSession],
    cutoff: datetime,
    dry_run: bool,
    batch: int,
    report: PurgeReport,
) -> None:
    """Handled updates, idle dialogue state (form answers) and the loop-brake log.

    None of them is needed after the cutoff: Telegram re-delivers an update for a day at
    most, a dialogue idle that long is abandoned, and the loop brake looks back ten minutes.
    """
    # The newest stored update stays whatever its age: polling resumes after its id, and an
    # empty inbox would poll without an offset.
    newest = aliased(TelegramUpdateRow)
    inbox_old = and_(
        TelegramUpdateRow.processed_at.is_not(None),
        TelegramUpdateRow.received_at < cutoff,
        TelegramUpdateRow.update_id < select(func.max(newest.update_id)).scalar_subquery(),
    )
    async with session_factory() as session:
        updates = select(ProcessedUpdateRow.update_id).where(
            ProcessedUpdateRow.processed_at < cutoff
        )
        inbox = select(TelegramUpdateRow.update_id).where(inbox_old)
        dialogues = select(ConversationRow.telegram_id).where(ConversationRow.updated_at < cutoff)
        brake_log = select(AutoMailRow.id).where(AutoMailRow.sent_at < cutoff)
        if dry_run:
            report.processed_updates += await _count(session, updates)
            report.telegram_inbox += await _count(session, inbox)
            report.conversations += await _count(session, dialogues)
            report.auto_mail_log += await _count(session, brake_log)
            return

    async def delete_updates(session: AsyncSession, keys: list[int]) -> int:
        return _rowcount(
            await session.execute(
                _dml(delete(ProcessedUpdateRow)).where(
                    ProcessedUpdateRow.update_id.in_(keys),
                    ProcessedUpdateRow.processed_at < cutoff,
                )
            )
        )

    async def delete_inbox(session: AsyncSession, keys: list[int]) -> int:
        # Raw updates: message texts, names, file ids. Only handled ones go.
        return _rowcount(
            await session.execute(
                _dml(delete(TelegramUpdateRow)).where(
                    TelegramUpdateRow.update_id.in_(keys), inbox_old
                )
            )
        )

    async def delete_dialogues(session: AsyncSession, keys: list[int]) -> int:
        # The age is checked again: the requester may have gone on with the form meanwhile.
        return _rowcount(
            await session.execute(
                _dml(delete(ConversationRow)).where(
                    ConversationRow.telegram_id.in_(keys), ConversationRow.updated_at < cutoff
                )
            )
        )

    async def delete_brake_log(session: AsyncSession, keys: list[int]) -> int:
        return _rowcount(
            await session.execute(
                _dml(delete(AutoMailRow)).where(
                    AutoMailRow.id.in_(keys), AutoMailRow.sent_at < cutoff
                )
            )
        )

    report.processed_updates += await _in_batches(session_factory, updates, batch, delete_updates)
    report.telegram_inbox += await _in_batches(session_factory, inbox, batch, delete_inbox)
    report.conversations += await _in_batches(session_factory, dialogues, batch, delete_dialogues)
    report.auto_mail_log += await _in_batches(session_factory, brake_log, batch, delete_brake_log)


async def _in_batches(
    session_factory: async_sessionmaker[AsyncSession],
    keys_query: Select[tuple[K]],
    batch: int,
    apply: Callable[[AsyncSession, list[K]], Awaitable[int]],
) -> int:
    """Apply ``apply`` to successive key lists of ``keys_query``, one transaction each.

    ``keys_query`` must stop matching rows once they are processed; the loop ends when it
    finds none, or when a batch changed nothing (its rows changed meanwhile: a later run
    takes them), so it cannot spin.
    """
    total = 0
    while True:
        async with session_factory() as session:
            keys = list(await session.scalars(keys_query.limit(batch)))
            if not keys:
                return total
            changed = await apply(session, keys)
            await session.commit()
        total += changed
        if not changed:
            return total


# --- files ------------------------------------------------------------------------------


async def _needed_files(
    session: AsyncSession, shas: set[str], cutoff: datetime, *, dry_run: bool
) -> set[str]:
    """Which of ``shas`` something still refers to: an attachment row, an open form's upload
    or a message waiting in the outbox (a staff document, a report chart).

    In a dry run nothing was deleted yet, so references from tickets (and their queued
    messages) that the run would purge do not count.
    """
    if not shas:
        return set()
    needed: set[str] = set()
    for chunk in _chunks(sorted(shas), 500):
        query = select(AttachmentRow.sha256).where(AttachmentRow.sha256.in_(chunk)).distinct()
        if dry_run:
            query = (
                query.join(MessageRow, MessageRow.id == AttachmentRow.message_id)
                .join(TicketRow, TicketRow.id == MessageRow.ticket_id)
                .where(not_(_is_candidate(TicketRow, cutoff)))
            )
        needed.update(await session.scalars(query))
    for data in await session.scalars(
        select(ConversationRow.data).where(ConversationRow.updated_at >= cutoff)
    ):
        needed.update(_hashes_in(data) & shas)
    queued = select(OutboxRow.payload).where(OutboxRow.status == OUTBOX_PENDING)
    if dry_run:
        doomed = select(TicketRow.id).where(_is_candidate(TicketRow, cutoff))
        queued = queued.where(
            or_(OutboxRow.ticket_id.is_(None), OutboxRow.ticket_id.not_in(doomed))
        )
    for payload in await session.scalars(queued):
        needed.update(_hashes_in(payload) & shas)
    return needed


async def _delete_unneeded_files(
    session_factory: async_sessionmaker[AsyncSession],
    attachments: AttachmentStore,
    shas: set[str],
    cutoff: datetime,
    report: PurgeReport,
) -> None:
    """Delete the files of ``shas`` that nothing refers to any more (checked just now)."""
    if not shas:
        return
    async with session_factory() as session:
        needed = await _needed_files(session, shas, cutoff, dry_run=False)
    for sha256 in sorted(shas - needed):
        freed = await asyncio.to_thread(_unlink, attachments.path_for(sha256))
        if freed is not None:
            report.files_deleted += 1
            report.bytes_freed += freed


async def _delete_orphan_files(
    session_factory: async_sessionmaker[AsyncSession],
    attachments: AttachmentStore,
    cutoff: datetime,
    dry_run: bool,
    report: PurgeReport,
) -> None:
    """Files written before the cutoff that nothing refers to any more: uploads of forms
    that were abandoned (their dialogue state is deleted above) or cancelled, charts sent
    long ago. A file written after the cutoff may belong to a form being filled in now."""
    old = await asyncio.to_thread(_files_older_than, attachments.root, cutoff.timestamp())
    if not old:
        return
    async with session_factory() as session:
        needed = await _needed_files(session, set(old), cutoff, dry_run=dry_run)
    for sha256 in sorted(set(old) - needed - report.counted_files):
        if dry_run:
            report.counted_files.add(sha256)
            report.orphan_files += 1
            report.files_deleted += 1
            report.bytes_freed += old[sha256]
            continue
        freed = await asyncio.to_thread(_unlink, attachments.path_for(sha256))
        if freed is not None:
            report.orphan_files += 1
            report.files_deleted += 1
            report.bytes_freed += freed


def _files_older_than(root: Path, timestamp: float) -> dict[str, int]:
    """sha256 -> size of the stored files last written before ``timestamp``."""
    found: dict[str, int] = {}
    if not root.is_dir():
        return found
    for path in root.glob("??/??/*"):
        if not _SHA256.fullmatch(path.name):
            continue
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        if status.st_mtime < timestamp:
            found[path.name] = status.st_size
    return found


async def _erase_free_space(
    session_factory: async_sessionmaker[AsyncSession], changed: bool
) -> bool:
    """SQLite: rewrite the file without free pages and empty the WAL, so blanked text is
    gone from the disk too. Done when this run changed something or free pages are left (an
    earlier VACUUM did not get through); True when done. False on PostgreSQL (see the module
    doc), with nothing to do, or when the database stayed busy (run again later)."""
    if not _on_sqlite(session_factory):
        return False
    engine = session_factory.kw["bind"]
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            free_pages = await autocommit.scalar(text("PRAGMA freelist_count"))
            if not changed and not free_pages:
                return False
            await autocommit.exec_driver_sql("VACUUM")
            await autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except OperationalError as error:
        log.warning("retention: VACUUM not done (%s); run retention again later", error)
        return False
    return True


def _on_sqlite(session_factory: async_sessionmaker[AsyncSession]) -> bool:
    engine = session_factory.kw.get("bind")
    return engine is not None and engine.dialect.name == "sqlite"


def _unlink(path: Path) -> int | None:
    """Delete a file; its size, or None when it was not there."""
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return None
    # The hash directories stay: an upload may be creating a file in them right now.
    return size


def _file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _hashes_in(value: Any) -> set[str]:
    """Every sha256-looking string in a JSON value (uploads sit at various depths)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SHA256.fullmatch(item):
                found.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


class _JournalledDeletions:
    """The sha256 of a batch's files, on disk from before its commit until they are deleted.

    The files may only go after the commit; a run stopped right between the two would leave
    them behind for good, since the rows naming them are gone. The next run reads the journal
    and deletes whatever is still unreferenced; if the commit never happened the rows still
    refer to the files and they stay.
    """

    def __init__(self, attachments: AttachmentStore) -> None:
        self._path = attachments.root / JOURNAL_NAME

    def leftover(self) -> set[str]:
        try:
            text = self._path.read_text(encoding="ascii")
        except FileNotFoundError:
            return set()
        return {line for line in text.split() if _SHA256.fullmatch(line)}

    def write(self, shas: set[str]) -> None:
        if not shas:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("w", encoding="ascii") as stream:
            stream.write("".join(f"{sha256}\n" for sha256 in sorted(shas)))
            stream.flush()
            os.fsync(stream.fileno())

    def clear(self) -> None:
        self._path.unlink(missing_ok=True)


# --- helpers ----------------------------------------------------------------------------


def _dml(statement: E) -> E:
    """ORM bulk statements without session synchronisation: nothing loaded needs updating."""
    return statement.execution_options(synchronize_session=False)


def _rowcount(result: Result[Any]) -> int:
    assert isinstance(result, CursorResult)
    return max(int(result.rowcount), 0)


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
