"""Turns stored inbound mail into ticket messages: once each, resumed after a crash.

Order of threading (as mature helpdesks do): In-Reply-To, then References, then ``[#N]`` in
the subject, then the reference token our mail carries in its body. A match joins the ticket
only when the sender takes part in it (the requester, someone copied, or the outside party
it was forwarded to); anything else opens a new ticket. Marking the mail processed happens in
the same transaction as the ticket change.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import services, texts
from bot.background import Rounds
from bot.core.errors import DomainError
from bot.core.filetypes import sniff
from bot.core.ports import UnitOfWork
from bot.core.privacy import contains_credential
from bot.core.tickets import AttachmentRef, Channel, Requester, Ticket
from bot.runtime import Runtime
from bot.services import OpenTicket
from handlers.email import loops, reference
from handlers.email.parse import ParsedMail, parse_mail
from handlers.email.server import IntakeActivity
from storage.mail import FAILED, IGNORED, PROCESSED, StoredMail
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
        self.reference_secret = f"lpse-helpdesk:{settings.helpdesk_email}"
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
        mail = parse_mail(stored.raw)
        sender = mail.from_address or reference.normalise_address(stored.mail_from)
        if not sender:
            await self._finish(stored, IGNORED, note="no sender address")
            return
        automatic = loops.automatic_reason(mail, stored.mail_from, self.own_addresses)
        number = await self._thread(mail, sender)
        files, refused = await self._store_files(mail)
        # A mail with no text takes its subject as the question (DESIGN "E-mail reading").
        words = mail.question
        # A password in a mail is neither stored nor shown to staff (as on Telegram).
        held_back = contains_credential(words)
        text = texts.MAIL_PASSWORD_HELD_BACK if held_back else words
        if refused:
            text += "\n\n" + texts.EMAIL_FILES_REFUSED.format(names=", ".join(refused))
        if not text.strip() and not files:
            await self._finish(stored, IGNORED, note="empty: no text, subject or file")
            return

        async def mark_processed(uow: UnitOfWork, ticket: Ticket) -> None:
            assert ticket.number is not None
            now = self.runtime.clock()
            if mail.message_id:
                await uow.mail_threads.record(mail.message_id, ticket.number, "in", now)
            copied = [a for a in (sender, *mail.to, *mail.cc) if a not in self.own_addresses]
            await uow.mail_threads.add_participants(ticket.number, copied, now)
            await uow.inbound_mail.finish(
                stored.id, PROCESSED, now, ticket_id=ticket.number, scrub=held_back
            )

        runtime = self.runtime
        identity = Requester(channel=Channel.EMAIL, email=sender, name=mail.from_name)
        if number is not None:
            # An auto-reply or bounce in a thread is shown to staff but never reopens,
            # escalates or answers anything (RFC 3834: no replies to automatic mail).
            partner = AUTOMATIC_AUTHOR if automatic else self._partner_role(sender)
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
            await self._finish(stored, IGNORED, note=f"automatic: {automatic}")
            return
        # A mail with attachments is an official letter: staff see it at once, the FAQ never
        # answers it. Any question is SOP-02 whatever FAQ entry it resembles; staff move a
        # request to its procedure from the card.
        answer = None if mail.attachments else runtime.faq.match(text).answer
        command = OpenTicket(
            requester=identity,
            text=text,
            subject=mail.subject,
            attachments=files,
            faq_entry_id=answer.id if answer else None,
            answered_by_faq=answer is not None,
        )
        await services.open_ticket(
            runtime.unit_of_work(),
            runtime.catalog,
            command,
            runtime.clock(),
            runtime.notifier,
            mark_processed,
        )

    async def _thread(self, mail: ParsedMail, sender: str) -> int | None:
        """The ticket this mail continues, if the sender may write into it."""
        in_subject = reference.ticket_number_in_subject(mail.subject)
        in_tokens = reference.tickets_in_tokens(mail.body, self.reference_secret)
        if not (mail.in_reply_to or mail.references or in_subject is not None or in_tokens):
            return None  # a new question: nothing to look up
        async with self.runtime.unit_of_work() as uow:
            candidates: list[int] = []
            for ids in (list(mail.in_reply_to), list(reversed(mail.references))):
                found = await uow.mail_threads.ticket_for(ids)
                if found is not None:
                    candidates.append(found)
            if in_subject is not None:
                candidates.append(in_subject)
            candidates += in_tokens
            for number in candidates:
                # Participants exist only for stored tickets (foreign key): no ticket load.
                if await uow.mail_threads.is_participant(number, sender):
                    return number
        return None

    def _partner_role(self, sender: str) -> str | None:
        for role, destination in self.runtime.roster.current.destinations.items():
            if destination.email and destination.email.lower() == sender:
                return role
        return None

    async def _store_files(self, mail: ParsedMail) -> tuple[tuple[AttachmentRef, ...], list[str]]:
        """Keep attachments we accept (type by content, MAX_ATTACHMENT_MB); name the rest."""
        kept: list[AttachmentRef] = []
        refused: list[str] = []
        limit = self.runtime.settings.max_attachment_bytes
        for attachment in mail.attachments:
            content_type = sniff(attachment.data, attachment.filename)
            if content_type is None or len(attachment.data) > limit:
                refused.append(attachment.filename)
                continue
            kept.append(
                await self.runtime.attachments.put(
                    attachment.data, attachment.filename, content_type
                )
            )
        return tuple(kept), refused

    async def _finish(self, stored: StoredMail, status: str, *, note: str) -> None:
        async with self.runtime.unit_of_work() as uow:
            await uow.inbound_mail.finish(stored.id, status, self.runtime.clock(), note=note)
            await uow.commit()
