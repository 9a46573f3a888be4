"""Turns stored inbound mail into ticket messages: once each, resumed after a crash.

Order of threading (as mature helpdesks do): In-Reply-To, then References (at most
``MAX_REFERENCES`` of its ids, newest first), then ``[#N]`` in the subject, then the reference
token our mail carries in its body. A match joins the ticket only when the sender may write
into it (DESIGN "Trust rules"):

- the requester's own address: the mail is the requester's words, and only such a mail (or the
  one that opened the ticket) adds its To/Cc addresses to the ticket's participants;
- an address the requester's own mail copied: shown to staff under the card as a note from that
  address, "bukan pemohon", never stored as the requester's words and never reopening anything;
- a role address of the roster the bot forwarded the ticket to: that role's reply.

A mail whose ``Authentication-Results`` (added by the MX in front of the bot) says
``dmarc=fail`` never joins a ticket: it opens a new one, marked for staff as possibly forged,
with no automatic answer and no participants. Anything else opens a new ticket. Marking the
mail processed happens in the same transaction as the ticket change.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot import services, texts
from bot.background import Rounds
from bot.core.errors import DomainError
from bot.core.faq_reply import FaqReply
from bot.core.filetypes import EXTENSIONS, sniff
from bot.core.ports import Notifier, UnitOfWork
from bot.core.privacy import contains_credential
from bot.core.tickets import AttachmentRef, Channel, Requester, Ticket
from bot.runtime import Runtime
from bot.services import OpenTicket
from handlers.email import acknowledgements, loops, oversize, reference
from handlers.email.parse import ParsedMail, parse_mail
from handlers.email.server import IntakeActivity
from storage.mail import FAILED, IGNORED, PROCESSED, StoredMail, take_acknowledgement
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

#: A mail that fails this often is parked as failed (kept, visible in the database).
MAX_ATTEMPTS = 5
CLAIM_LEASE = timedelta(minutes=5)
#: After a failure, a mail is tried again after this many seconds times its attempts.
RETRY_SECONDS = 5.0
BATCH = 20
IDLE_POLL_SECONDS = 2.0
#: Longest a mail waits for the SMTP intake to go quiet before it is processed anyway.
YIELD_TO_INTAKE_SECONDS = 0.5
#: How automatic mail (out-of-office, bounces) in a ticket's thread is labelled for staff.
AUTOMATIC_AUTHOR = "balasan otomatis"
#: Ids of In-Reply-To / References looked up (DESIGN): the newest ones name the thread.
MAX_REFERENCES = 100
#: Attachments kept from one mail (DESIGN); the rest are listed to staff as refused.
MAX_ATTACHMENTS = 20
#: Text given to the FAQ matcher: a question is short, a hostile body is megabytes.
MAX_MATCHED_CHARACTERS = 5000
#: Longest sender label stored as a note's author (the author column holds 64 characters).
_MAX_AUTHOR = 58
_DMARC_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)


class Relation(Enum):
    """How the sender of a threaded mail stands to the ticket."""

    REQUESTER = "requester"
    COPIED = "copied"  # a participant: copied by the requester, or a role we forwarded to


@dataclass(frozen=True)
class Reading:
    """What processing needs from a stored mail, worked out off the event loop."""

    mail: ParsedMail
    sender: str | None
    #: A password somewhere in the subject, the whole body (quotes too) or a file name.
    held_back: bool
    #: The receiving MX says the From domain's DMARC check failed: the sender may be forged.
    dmarc_failed: bool
    #: Tickets named by genuine reference tokens in the body (searched here: it may be MBs).
    in_tokens: tuple[int, ...] = ()


def _listed(names: list[str]) -> str:
    """The refused files' names: a flood of them is summed up, not listed one by one."""
    if len(names) <= MAX_ATTACHMENTS:
        return ", ".join(names)
    shown = ", ".join(names[:MAX_ATTACHMENTS])
    return texts.EMAIL_FILES_REFUSED_MORE.format(names=shown, count=len(names) - MAX_ATTACHMENTS)


def read_mail(raw: bytes, envelope_from: str, secret: str) -> Reading:
    """Parse ``raw`` and judge it; CPU-bound on megabytes, so callers run it in a thread.
    ``secret`` is the reference tokens' key."""
    mail = parse_mail(oversize.trim_headers(raw, MAX_REFERENCES))
    sender = mail.from_address or reference.normalise_address(envelope_from)
    looked_at = [mail.subject, mail.body, mail.text, mail.from_name or "", *mail.unshown]
    looked_at += [attachment.filename for attachment in mail.attachments]
    held_back = any(contains_credential(text) for text in looked_at if text)
    results = mail.headers.get("authentication-results", "")
    tokens = reference.tickets_in_tokens(mail.body, secret)[:MAX_REFERENCES] if secret else []
    return Reading(mail, sender, held_back, bool(_DMARC_FAIL.search(results)), tuple(tokens))


@dataclass(frozen=True)
class Outcome:
    """What becomes of a claimed mail that was not processed."""

    mail_id: int
    #: Parked as failed with this note.
    failed: str | None = None
    #: Else free again at this time; None: not tried, free at once.
    until: datetime | None = None


class MailProcessor:
    """Works through pending inbound mail."""

    def __init__(self, runtime: Runtime, activity: IntakeActivity | None = None) -> None:
        self.runtime = runtime
        self.activity = activity or IntakeActivity()
        settings = runtime.settings
        assert settings.helpdesk_email is not None
        self.own_addresses = frozenset({settings.helpdesk_email.lower()})
        # A random key stored once in the database (not derived from the public address).
        self.reference_secret = runtime.reference_secret
        self._rounds = Rounds("mail processing", self.run_once, IDLE_POLL_SECONDS)
        # Outcomes the database did not take (it was down): written first thing next round.
        self._unwritten: list[Outcome] = []

    def wake(self) -> None:
        """A mail was stored: look now."""
        self._rounds.wake()

    async def run(self, stop: asyncio.Event) -> None:
        """Process until ``stop``; pending mail from before a crash goes first."""
        await self._rounds.run(stop)

    async def run_once(self) -> int:
        """Claim and process one batch; returns how many mails were handled.

        A mail that fails is tried again after a short hold, the batch goes on. When its
        outcome cannot be written (the database is down) the rest of the batch is given
        back too, in memory, and written by the next round that reaches the database:
        nothing waits for CLAIM_LEASE.
        """
        await self.activity.wait_quiet(at_most=YIELD_TO_INTAKE_SECONDS)
        async with self.runtime.unit_of_work() as uow:
            await self._write(uow, self._unwritten)
            batch = await uow.inbound_mail.claim_pending(
                self.runtime.clock(), limit=BATCH, lease=CLAIM_LEASE
            )
            await uow.commit()
        self._unwritten = []
        for position, stored in enumerate(batch):
            await self.activity.wait_quiet(at_most=YIELD_TO_INTAKE_SECONDS)
            try:
                await self.process(stored)
                continue
            except Exception as error:
                log.exception(
                    "mail #%d could not be processed (attempt %d)", stored.id, stored.attempts
                )
                outcome = self._outcome_of_failure(stored, error)
            try:
                async with self.runtime.unit_of_work() as uow:
                    await self._write(uow, [outcome])
                    await uow.commit()
            except Exception as error:
                log.warning(
                    "mail #%d: outcome not recorded (%r); the next round records it",
                    stored.id,
                    error,
                )
                untried = [Outcome(later.id) for later in batch[position + 1 :]]
                self._unwritten = [outcome, *untried]
                break
        if batch:
            self.runtime.outbox_wake()
        return len(batch)

    def _outcome_of_failure(self, stored: StoredMail, error: Exception) -> Outcome:
        if stored.attempts >= MAX_ATTEMPTS:
            return Outcome(stored.id, failed=repr(error)[:500])
        # Try again soon, not only when the claim's lease runs out.
        seconds = RETRY_SECONDS * stored.attempts
        return Outcome(stored.id, until=self.runtime.clock() + timedelta(seconds=seconds))

    async def _write(self, uow: SqlUnitOfWork, outcomes: list[Outcome]) -> None:
        now = self.runtime.clock()
        for outcome in outcomes:
            if outcome.failed is not None:
                await uow.inbound_mail.finish(outcome.mail_id, FAILED, now, note=outcome.failed)
            elif outcome.until is not None:
                await uow.inbound_mail.hold_until(outcome.mail_id, outcome.until)
        await uow.inbound_mail.give_back(
            [o.mail_id for o in outcomes if o.failed is None and o.until is None]
        )

    async def process(self, stored: StoredMail) -> None:
        """Join or open the ticket this mail belongs to, or set it aside."""
        # Off the loop: a hostile mail (megabytes, 400,000 ids in References) must not hold
        # the bot's one event loop while it is parsed and searched.
        reading = await asyncio.to_thread(
            read_mail, stored.raw, stored.mail_from, self.reference_secret
        )
        mail, sender, held_back = reading.mail, reading.sender, reading.held_back
        if not sender:
            await self._finish(stored, IGNORED, note="no sender address", scrub=held_back)
            return
        automatic = loops.automatic_reason(mail, stored.mail_from, self.own_addresses)
        found = await self._thread(reading, sender)
        files, refused = await self._store_files(mail, anonymous=held_back)
        # A password in a mail is neither stored nor shown to staff (as on Telegram): not its
        # text, not its subject, not its raw bytes. A mail with no text takes its subject as
        # the question (DESIGN "E-mail reading").
        text = words = texts.MAIL_PASSWORD_HELD_BACK if held_back else mail.question
        subject = texts.MAIL_SUBJECT_HELD_BACK if held_back else mail.subject
        if refused:
            text += "\n\n" + texts.EMAIL_FILES_REFUSED.format(names=_listed(refused))
        if not text.strip() and not files:
            await self._finish(stored, IGNORED, note="empty: no text, subject or file")
            return
        number, relation = found if found is not None else (None, None)

        async def mark_processed(uow: UnitOfWork, ticket: Ticket) -> None:
            assert ticket.number is not None
            now = self.runtime.clock()
            if mail.message_id:
                await uow.mail_threads.record(mail.message_id, ticket.number, "in", now)
            # Only the requester decides who else may write into the ticket: the mail that
            # opened it, or a later one of theirs. A forged mail (DMARC fail) adds nobody.
            opened_by_it = relation is None or ticket.number != number
            trusted = not reading.dmarc_failed and (opened_by_it or relation is Relation.REQUESTER)
            if trusted and automatic is None:
                copied = [
                    a for a in (sender, *mail.to, *mail.cc) if a and a not in self.own_addresses
                ]
                await uow.mail_threads.add_participants(ticket.number, copied, now)
            await uow.inbound_mail.finish(
                stored.id, PROCESSED, now, ticket_id=ticket.number, scrub=held_back
            )

        runtime = self.runtime
        # A display name is whatever the sender typed: kept for staff, never for a forgery.
        name = None if held_back or reading.dmarc_failed else mail.from_name
        identity = Requester(channel=Channel.EMAIL, email=sender, name=name)
        if number is not None:
            # An auto-reply or bounce in a thread is shown to staff but never reopens,
            # escalates or answers anything (RFC 3834: no replies to automatic mail).
            partner = AUTOMATIC_AUTHOR if automatic else self._partner_role(sender)
            if partner is None and relation is Relation.COPIED:
                partner = sender[:_MAX_AUTHOR]  # someone copied: a note, "bukan pemohon"
            try:
                if partner is not None:
                    await services.add_partner_message(
                        runtime.unit_of_work(),
                        number,
                        partner,
                        text,
                        runtime.clock(),
                        files,
                        runtime.notifier,
                        mark_processed,
                    )
                else:
                    await services.add_requester_message_or_open(
                        runtime.unit_of_work(),
                        runtime.catalog,
                        number,
                        identity,
                        text,
                        runtime.clock(),
                        files,
                        runtime.notifier,
                        mark_processed,
                    )
                return
            except DomainError as error:  # e.g. a partner replying to a closed ticket
                log.info(
                    "mail #%d could not join #%d (%s); opening a new ticket",
                    stored.id,
                    number,
                    error,
                )
        if automatic is not None:
            note = "automatic" if held_back else f"automatic: {automatic}"
            await self._finish(stored, IGNORED, note=note, scrub=held_back)
            return
        may_acknowledge = not reading.dmarc_failed and await take_acknowledgement(
            runtime.engine,
            acknowledgements.budgets(
                mail,
                sender,
                in_total=runtime.settings.mail_acks_per_hour,
                per_domain=runtime.settings.mail_acks_per_domain_per_hour,
            ),
            runtime.clock(),
            acknowledgements.WINDOW,
        )
        notifier: Notifier = runtime.notifier
        if not may_acknowledge:
            notifier = acknowledgements.WithoutAcknowledgement(runtime.notifier, sender)
            log.info("mail #%d from %s opens a ticket without acknowledgement", stored.id, sender)
        if reading.dmarc_failed:  # the card's question line carries the warning
            text = texts.MAIL_DMARC_FAILED.format(sender=sender) + "\n\n" + text
            subject = texts.MAIL_DMARC_SUBJECT.format(subject=subject)
        # An FAQ answer goes out in the acknowledgement: without one, staff answer. A mail with
        # attachments is an official letter: staff see it at once, the FAQ never answers it
        # (pictures shown in its HTML body, such as a signature logo, are no attachments).
        # Any question is SOP-02 whatever FAQ entry it resembles; staff move a request to its
        # procedure from the card.
        # Issue #18: each question of the mail is matched on its own; the ticket waits for the
        # requester only when every question has an answer (see bot/core/faq_reply.py).
        reply = None
        if may_acknowledge and not mail.has_letter_files:
            # The sender's words only: our note on refused files is not their question.
            questions = runtime.faq.match_questions(words[:MAX_MATCHED_CHARACTERS])
            reply = FaqReply.from_matches(
                (item.question, item.result.answer.id if item.result.answer else None)
                for item in questions.questions
            )
        command = OpenTicket(
            requester=identity,
            text=text,
            subject=subject,
            attachments=files,
            faq_entry_id=reply.entry_ids[0] if reply else None,
            answered_by_faq=reply is not None and reply.complete,
            faq_reply=reply,
        )
        await services.open_ticket(
            runtime.unit_of_work(),
            runtime.catalog,
            command,
            runtime.clock(),
            notifier,
            mark_processed,
        )

    async def _thread(self, reading: Reading, sender: str) -> tuple[int, Relation] | None:
        """The ticket this mail continues and how its sender stands to it, if it may join."""
        if reading.dmarc_failed:
            return None  # a possibly forged sender joins nothing (DESIGN "Trust rules")
        mail, in_tokens = reading.mail, list(reading.in_tokens)
        in_subject = reference.ticket_number_in_subject(mail.subject)
        if not (mail.in_reply_to or mail.references or in_subject is not None or in_tokens):
            return None  # a new question: nothing to look up
        async with self.runtime.unit_of_work() as uow:
            candidates: list[int] = []
            newest_first = list(reversed(mail.references[-MAX_REFERENCES:]))
            for ids in (list(mail.in_reply_to[:MAX_REFERENCES]), newest_first):
                found = await uow.mail_threads.ticket_for(ids)
                if found is not None:
                    candidates.append(found)
            if in_subject is not None:
                candidates.append(in_subject)
            candidates += in_tokens
            for number in dict.fromkeys(candidates):
                if await uow.mail_threads.requester_address(number) == sender:
                    return number, Relation.REQUESTER
                # Participants exist only for stored tickets (foreign key): no ticket load.
                if await uow.mail_threads.is_participant(number, sender):
                    return number, Relation.COPIED
        return None

    def _partner_role(self, sender: str) -> str | None:
        for role, destination in self.runtime.roster.current.destinations.items():
            if destination.email and destination.email.lower() == sender:
                return role
        return None

    async def _store_files(
        self, mail: ParsedMail, *, anonymous: bool = False
    ) -> tuple[tuple[AttachmentRef, ...], list[str]]:
        """Keep attachments we accept (type by content, MAX_ATTACHMENT_MB, the first
        MAX_ATTACHMENTS of them); name the rest. ``anonymous``: the names are not kept
        either (the mail held a password, maybe in a name)."""
        kept: list[AttachmentRef] = []
        refused: list[str] = []
        limit = self.runtime.settings.max_attachment_bytes
        for position, attachment in enumerate(mail.attachments, start=1):
            filename = attachment.filename
            content_type = sniff(attachment.data, filename)
            if anonymous:
                extension = EXTENSIONS.get(content_type or "", ("",))[0]
                filename = f"lampiran-{position}{extension}"
            if content_type is None or len(attachment.data) > limit or len(kept) >= MAX_ATTACHMENTS:
                refused.append(filename)
                continue
            kept.append(await self.runtime.attachments.put(attachment.data, filename, content_type))
        return tuple(kept), refused

    async def _finish(
        self, stored: StoredMail, status: str, *, note: str, scrub: bool = False
    ) -> None:
        async with self.runtime.unit_of_work() as uow:
            await uow.inbound_mail.finish(
                stored.id, status, self.runtime.clock(), note=note, scrub=scrub
            )
            await uow.commit()
