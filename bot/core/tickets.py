"""Tickets: a requester's matter walking the steps of one SOP, with an append-only audit trail.

A ``Ticket`` is a plain object; its methods enforce the rules (who may do what, in which status)
and record each change as a ``TicketEvent``. New messages and events wait in ``pending_*`` lists
until a repository persists them, so history is only ever appended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from bot import texts
from bot.core import sla
from bot.core.errors import InvalidTransition, NotAllowed, TicketClosedForGood
from bot.core.roles import ALL_ROLES, SUPERVISOR_ROLES
from bot.core.roster import StaffMember
from bot.core.sla import StepClock
from bot.core.sop import Sop, SopStep
from bot.core.worktime import WorkCalendar

#: Audit-trail name of the bot itself (automatic closes, SLA notices).
SYSTEM_ACTOR: Final = "system"

#: Who publishes answers to the FAQ (SOP-02 step 5).
FAQ_PUBLISHER_ROLE: Final = "helpdesk"

#: A requester's message within this time after closing reopens the ticket.
REOPEN_WINDOW: Final = timedelta(days=7)


class TicketStatus(StrEnum):
    """Life-cycle states; the values are the Indonesian words staff see."""

    NEW = "baru"
    IN_PROGRESS = "diproses"
    WAITING_FOR_REQUESTER = "menunggu_pemohon"
    FORWARDED = "diteruskan"
    CLOSED = "selesai"


class Channel(StrEnum):
    """Where the requester wrote from, and where answers go back."""

    TELEGRAM = "telegram"
    EMAIL = "email"
    #: Registered by staff for a telephone or walk-in case (``/catat``) without an e-mail
    #: address: nothing can be sent, staff call or meet the person.
    OFFICE = "kantor"


class Direction(StrEnum):
    """Who a ticket message came from."""

    INBOUND = "in"  # from the requester
    OUTBOUND = "out"  # from staff to the requester
    NOTE = "note"  # internal, staff only


class EventKind(StrEnum):
    """What happened to a ticket."""

    OPENED = "opened"
    MESSAGE = "message"
    TAKEN = "taken"
    FORWARDED = "forwarded"
    DATA_REQUESTED = "data_requested"
    REQUESTER_REPLIED = "requester_replied"
    STEP_ADVANCED = "step_advanced"
    CLOSED = "closed"
    REOPENED = "reopened"
    FAQ_PUBLISHED = "faq_published"
    RATED = "rated"
    REMINDED = "reminded"
    BREACHED = "breached"
    DECIDED = "decided"  # an approval step: approved or rejected (with the reason)
    VISIT_STARTED = "visit_started"  # SOP-01: the provider is at the office
    REGISTERED = "registered"  # SOP-01 step 6: the verification's register number
    OUTCOME_RECORDED = "outcome_recorded"  # SOP-06 step 6: LKPP's result
    SOP_CHANGED = "sop_changed"
    LKPP_MAILED = "lkpp_mailed"  # SOP-06 step 3: the one letter to LKPP
    OUTAGE_PAUSED = "outage_paused"  # /gangguan: SPSE or internet down, clocks stop
    OUTAGE_RESUMED = "outage_resumed"


class Decision(StrEnum):
    """The outcome of an approval step (SOP-03/04/05 step 3)."""

    APPROVED = "disetujui"
    REJECTED = "ditolak"


class LkppResult(StrEnum):
    """What LKPP's test of an .rhs file found (SOP-06 step 6)."""

    SUCCESS = "berhasil"
    FAILURE = "gagal"


#: The provider registration and verification procedure: its office clock starts when the
#: provider arrives with the paper file, and its last steps give a register number and a card.
VERIFICATION_SOP: Final = "SOP-01"
#: The .rhs procedure, which the secretary escalates to LKPP by one letter.
RHS_SOP: Final = "SOP-06"
#: The step of SOP-06 whose completion sends the letter to LKPP.
LKPP_LETTER_STEP: Final = 3
#: The step of SOP-06 where LKPP's result is recorded (Berhasil / Gagal).
LKPP_RESULT_STEP: Final = 6
#: SOP-01 step that gives the register number.
REGISTER_STEP: Final = 6
#: Procedures that start with an official letter, which gets an agenda number.
LETTER_SOPS: Final = frozenset({"SOP-03", "SOP-04", "SOP-05", "SOP-06"})
#: Who may record that a provider arrived for verification, besides supervisors.
VISIT_ROLES: Final = frozenset({"sekretaris", "verifikator", "piket", "helpdesk"})


@dataclass(frozen=True)
class Requester:
    """Someone who asks: a Telegram user or an e-mail address, with details when known."""

    channel: Channel
    telegram_id: int | None = None
    email: str | None = None
    name: str | None = None
    instansi: str | None = None
    phone: str | None = None
    id: int | None = None

    @property
    def actor(self) -> str:
        """Audit-trail name of this requester."""
        return f"requester:{self.id}"

    @property
    def display_name(self) -> str:
        """Name for staff: the name when given, else the address or Telegram id."""
        return self.name or self.email or f"telegram:{self.telegram_id}"


@dataclass(frozen=True)
class AttachmentRef:
    """A stored file: content hash on disk plus what the sender called it."""

    sha256: str
    filename: str
    content_type: str
    size: int

    def as_dict(self) -> dict[str, str | int]:
        """JSON form, as kept in outbox payloads and dialogue state."""
        return {
            "sha256": self.sha256,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
        }


@dataclass(frozen=True)
class TicketMessage:
    """One message in a ticket's conversation."""

    direction: Direction
    author: str
    text: str
    created_at: datetime
    attachments: tuple[AttachmentRef, ...] = ()


@dataclass(frozen=True)
class TicketEvent:
    """One audit-trail row: who did what, when."""

    kind: EventKind
    actor: str
    at: datetime
    detail: dict[str, str | int | None] = field(default_factory=dict)


def staff_actor(member: StaffMember) -> str:
    """Audit-trail name of a staff member."""
    return f"staff:{member.telegram_id}"


@dataclass
class Ticket:
    """A requester's matter; ``number`` is the ``#N`` everyone refers to (None until stored)."""

    requester_id: int
    channel: Channel
    sop: Sop
    calendar: WorkCalendar
    step: int
    owner_role: str
    status: TicketStatus
    subject: str
    opened_at: datetime
    step_started_at: datetime
    number: int | None = None
    assignee_id: int | None = None
    faq_entry_id: str | None = None
    #: Every FAQ entry sent to the requester (``faq_entry_id`` is the first), issue #18.
    faq_entry_ids: tuple[str, ...] = ()
    #: The mail's questions no FAQ entry answered, in its order: staff answer these (#18).
    faq_unanswered: tuple[str, ...] = ()
    closed_at: datetime | None = None
    rating: int | None = None
    rating_comment: str | None = None
    clock: StepClock = field(default_factory=StepClock)
    breached: bool = False
    awaiting_faq_feedback: bool = False
    #: Letter register number (SOP-03..06), e.g. ``0007/2026``.
    agenda: str | None = None
    #: What a form recorded (tender code, company, NPWP...), by field key.
    details: dict[str, str] = field(default_factory=dict)
    #: Documents the ticket holds, by checklist item or form field key: how many files.
    documents: dict[str, int] = field(default_factory=dict)
    decision: Decision | None = None
    #: One line of result told to the requester on closing (or the reason of a rejection).
    outcome: str | None = None
    register_number: str | None = None
    #: SOP-01: submitted online, the office clock waits for the provider's visit.
    awaiting_visit: bool = False
    lkpp_mailed: bool = False
    #: SLA clock stopped by an SPSE or internet outage (``/gangguan``).
    outage_paused: bool = False
    version: int = 0
    pending_messages: list[TicketMessage] = field(default_factory=list)
    pending_events: list[TicketEvent] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        *,
        requester: Requester,
        sop: Sop,
        calendar: WorkCalendar,
        subject: str,
        text: str,
        now: datetime,
        owner_role: str,
        attachments: tuple[AttachmentRef, ...] = (),
        faq_entry_id: str | None = None,
        answered_by_faq: bool = False,
        faq_entry_ids: tuple[str, ...] = (),
        faq_unanswered: tuple[str, ...] = (),
        agenda: str | None = None,
        details: dict[str, str] | None = None,
        documents: dict[str, int] | None = None,
    ) -> Ticket:
        """A new ticket in the SOP's first office step, that step's clock starting now.

        ``answered_by_faq``: the acknowledgement carries an FAQ answer, so the ticket waits for
        the requester to say it did not help before it goes to staff. ``faq_entry_ids``: every
        entry sent (a mail with several questions); ``faq_entry_id`` alone counts as one.
        ``faq_unanswered``: that mail's questions no entry answered, which staff still owe.
        """
        if requester.id is None:
            raise ValueError("requester must be stored before a ticket is opened")
        if not text.strip() and not attachments:
            raise InvalidTransition(texts.EMPTY_MESSAGE)
        step = sop.first_office_step()
        if not faq_entry_ids and faq_entry_id is not None:
            faq_entry_ids = (faq_entry_id,)
        ticket = cls(
            requester_id=requester.id,
            channel=requester.channel,
            sop=sop,
            calendar=calendar,
            step=step.n,
            owner_role=owner_role,
            status=TicketStatus.WAITING_FOR_REQUESTER if answered_by_faq else TicketStatus.NEW,
            subject=subject.strip()[:200] or text.strip()[:200],
            opened_at=now,
            step_started_at=now,
            faq_entry_id=faq_entry_id or (faq_entry_ids[0] if faq_entry_ids else None),
            faq_entry_ids=tuple(faq_entry_ids),
            faq_unanswered=tuple(faq_unanswered),
            awaiting_faq_feedback=answered_by_faq,
            agenda=agenda,
            details=dict(details or {}),
            documents=dict(documents or {}),
            awaiting_visit=sop.id == VERIFICATION_SOP,
        )
        ticket.clock = sla.start_step(ticket.clock, now, step.minutes, calendar)
        if answered_by_faq or ticket.awaiting_visit:  # the requester has the next word
            ticket.clock = sla.pause(ticket.clock, now, calendar)
        ticket._record(
            EventKind.OPENED,
            requester.actor,
            now,
            sop=sop.id,
            step=step.n,
            role=owner_role,
            channel=requester.channel.value,
            agenda=agenda,
        )
        ticket._append(Direction.INBOUND, requester.actor, text, now, attachments)
        return ticket

    @property
    def current_step(self) -> SopStep:
        """The catalog step the ticket is in."""
        return self.sop.step(self.step)

    @property
    def awaits_decision(self) -> bool:
        """The current step is an approval that nobody has decided yet."""
        return self.current_step.is_approval and self.is_open

    @property
    def awaits_lkpp_result(self) -> bool:
        """SOP-06 at step 6: staff record LKPP's result with Berhasil / Gagal."""
        return self.is_open and self.sop_id == RHS_SOP and self.step == LKPP_RESULT_STEP

    @property
    def sop_id(self) -> str:
        """Id of the ticket's SOP."""
        return self.sop.id

    @property
    def step_role(self) -> str:
        """The office role that advances the current step."""
        return self.sop.responsible_role(self.step)

    @property
    def is_open(self) -> bool:
        """True until the ticket is closed."""
        return self.status is not TicketStatus.CLOSED

    # --- requester side -------------------------------------------------------------------

    def add_requester_message(
        self,
        text: str,
        now: datetime,
        attachments: tuple[AttachmentRef, ...] = (),
    ) -> None:
        """The requester wrote again: resumes a paused clock, reopens a recently closed ticket."""
        actor = f"requester:{self.requester_id}"
        if not text.strip() and not attachments:
            raise InvalidTransition(texts.EMPTY_MESSAGE)
        if self.status is TicketStatus.CLOSED:
            if self.closed_at is not None and now - self.closed_at > REOPEN_WINDOW:
                raise TicketClosedForGood(
                    texts.TICKET_CLOSED_FOR_GOOD.format(number=self.number, days=REOPEN_WINDOW.days)
                )
            self.closed_at = None
            self.status = self._working_status()
            self.step_started_at = now
            self.decision = None if self.decision is Decision.REJECTED else self.decision
            self.outcome = None
            self._start_clock(now)
            self._record(EventKind.REOPENED, actor, now)
        elif self.status is TicketStatus.WAITING_FOR_REQUESTER:
            self.status = self._working_status()
            self._resume_clock(now)
            self._record(EventKind.REQUESTER_REPLIED, actor, now)
        # Any reply to an FAQ answer means it did not settle the matter: staff take over.
        self.awaiting_faq_feedback = False
        self._append(Direction.INBOUND, actor, text, now, attachments)

    def record_deadline(self, breach: bool, now: datetime) -> None:
        """The step reached 80 % (reminder) or 100 % (breach) of its budget."""
        if breach:
            self.breached = True
        kind = EventKind.BREACHED if breach else EventKind.REMINDED
        self._record(kind, SYSTEM_ACTOR, now, step=self.step)

    def close_unanswered_faq(self, now: datetime) -> None:
        """The FAQ answer went unchallenged long enough: the system closes the ticket."""
        if not self.awaiting_faq_feedback or self.status is TicketStatus.CLOSED:
            raise InvalidTransition(texts.TICKET_ALREADY_CLOSED.format(number=self.number))
        self.awaiting_faq_feedback = False
        self._close(SYSTEM_ACTOR, now, reason="faq_answered")

    def add_partner_message(
        self, role: str, text: str, now: datetime, attachments: tuple[AttachmentRef, ...] = ()
    ) -> None:
        """A reply from an outside party (LKPP, ULP) the ticket was forwarded to: staff only."""
        self._require_open()
        self._append(Direction.NOTE, f"role:{role}", text, now, attachments)

    def record_requester_edit(self, text: str, now: datetime) -> None:
        """The requester edited an earlier message: kept as a marked message, not a question."""
        self._require_open()
        actor = f"requester:{self.requester_id}"
        self.pending_messages.append(
            TicketMessage(direction=Direction.INBOUND, author=actor, text=text, created_at=now)
        )
        self._record(EventKind.MESSAGE, actor, now, direction=Direction.INBOUND.value, edited=1)

    def rate(self, score: int, now: datetime, comment: str | None = None) -> None:
        """The requester rates the help after closing (1-5); a later rating replaces it."""
        if self.status is not TicketStatus.CLOSED:
            raise InvalidTransition(texts.TICKET_NOT_CLOSED.format(number=self.number))
        if not 1 <= score <= 5:
            raise InvalidTransition(texts.RATING_OUT_OF_RANGE)
        self.rating = score
        if comment is not None:
            self.rating_comment = comment.strip()[:1000] or None
        self._record(EventKind.RATED, f"requester:{self.requester_id}", now, rating=score)

    # --- staff side -----------------------------------------------------------------------

    def add_staff_message(
        self,
        member: StaffMember,
        text: str,
        now: datetime,
        attachments: tuple[AttachmentRef, ...] = (),
        *,
        internal: bool = False,
    ) -> None:
        """A staff answer to the requester (or an internal note); any roster member may write."""
        self._require_open()
        if not text.strip() and not attachments:
            raise InvalidTransition(texts.EMPTY_MESSAGE)
        direction = Direction.NOTE if internal else Direction.OUTBOUND
        self._append(direction, staff_actor(member), text, now, attachments)

    def take(self, member: StaffMember, now: datetime) -> None:
        """A member of the owner role (or a supervisor) takes the ticket on."""
        self._require_open()
        self._require_role(member, self._acting_roles())
        if self.assignee_id == member.telegram_id and self.status is TicketStatus.IN_PROGRESS:
            raise InvalidTransition(texts.ALREADY_TAKEN_BY_YOU.format(number=self.number))
        previous = self.assignee_id
        self.assignee_id = member.telegram_id
        if self.status is not TicketStatus.WAITING_FOR_REQUESTER:
            self.status = TicketStatus.IN_PROGRESS
        self._record(EventKind.TAKEN, staff_actor(member), now, previous_assignee=previous)

    def forward(self, member: StaffMember, role: str, now: datetime) -> None:
        """Hand the ticket to another role (SOP-02 step 4, or a wrong routing)."""
        self._require_open()
        if role not in ALL_ROLES:
            raise InvalidTransition(texts.UNKNOWN_ROLE.format(role=role))
        self._require_role(member, self._acting_roles())
        if role == self.owner_role:
            raise InvalidTransition(
                texts.FORWARD_TO_SAME_ROLE.format(number=self.number, role=role)
            )
        self._record(
            EventKind.FORWARDED, staff_actor(member), now, from_role=self.owner_role, to_role=role
        )
        self.owner_role = role
        self.assignee_id = None
        self.status = TicketStatus.FORWARDED

    def request_data(self, member: StaffMember, request_text: str, now: datetime) -> None:
        """Ask the requester for more (what exactly: ``request_text``); the SLA clock pauses
        until they answer."""
        self._require_open()
        self._require_role(member, self._acting_roles())
        if self.status is TicketStatus.WAITING_FOR_REQUESTER:
            raise InvalidTransition(texts.ALREADY_WAITING_FOR_REQUESTER.format(number=self.number))
        self.status = TicketStatus.WAITING_FOR_REQUESTER
        self.clock = sla.pause(self.clock, now, self.calendar)
        self._record(EventKind.DATA_REQUESTED, staff_actor(member), now)
        if request_text.strip():
            self._append(Direction.OUTBOUND, staff_actor(member), request_text, now, ())

    def advance(self, member: StaffMember, now: datetime) -> None:
        """Complete the current step; only its role may. After the last office step, close.

        An approval step is completed only by a decision (``approve`` / ``reject``), SOP-06's
        result step only by LKPP's result, and SOP-01's office steps wait for the visit.
        """
        self._require_step_role(member)
        if self.awaits_decision:
            raise InvalidTransition(texts.DECISION_REQUIRED.format(number=self.number))
        if self.awaits_lkpp_result:
            raise InvalidTransition(texts.LKPP_RESULT_REQUIRED.format(number=self.number))
        if self.awaiting_visit:
            raise InvalidTransition(texts.VISIT_REQUIRED.format(number=self.number))
        self._complete_step(member, now)

    def approve(self, member: StaffMember, now: datetime) -> None:
        """``Setujui`` on an approval step: recorded, and the procedure goes on."""
        self._require_open()
        if not self.awaits_decision:  # a stale button: the decision was taken already
            raise InvalidTransition(texts.NO_DECISION_HERE.format(number=self.number))
        self._require_step_role(member)
        self.decision = Decision.APPROVED
        self._record(EventKind.DECIDED, staff_actor(member), now, decision=Decision.APPROVED.value)
        self._complete_step(member, now)

    def reject(self, member: StaffMember, reason: str, now: datetime) -> None:
        """``Tolak`` on an approval step: the ticket closes as rejected, with the reason."""
        self._require_open()
        if not self.awaits_decision:  # a stale button: the decision was taken already
            raise InvalidTransition(texts.NO_DECISION_HERE.format(number=self.number))
        self._require_step_role(member)
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidTransition(texts.REJECTION_REASON_REQUIRED)
        self.decision = Decision.REJECTED
        self.outcome = reason[:500]
        self._record(
            EventKind.DECIDED,
            staff_actor(member),
            now,
            decision=Decision.REJECTED.value,
            reason=self.outcome,
        )
        self._close(staff_actor(member), now, reason="rejected")

    def record_lkpp_result(self, member: StaffMember, result: LkppResult, now: datetime) -> None:
        """``Berhasil`` / ``Gagal`` at SOP-06 step 6: LKPP's result closes the ticket."""
        self._require_step_role(member)
        if not self.awaits_lkpp_result:
            raise InvalidTransition(texts.NO_LKPP_RESULT_HERE.format(number=self.number))
        self.outcome = texts.OUTCOME_LKPP[result.value]
        self._record(EventKind.OUTCOME_RECORDED, staff_actor(member), now, result=result.value)
        self._complete_step(member, now)

    def record_visit(self, member: StaffMember, now: datetime) -> None:
        """``Pemohon hadir``: the provider arrived with the paper file; the office clock runs."""
        self._require_open()
        self._require_role(member, set(VISIT_ROLES))
        if not self.awaiting_visit:
            raise InvalidTransition(texts.VISIT_ALREADY_RECORDED.format(number=self.number))
        self.awaiting_visit = False
        self.step_started_at = now
        self._start_clock(now)
        self._record(EventKind.VISIT_STARTED, staff_actor(member), now)

    def record_lkpp_letter(self, now: datetime) -> bool:
        """Mark the one letter to LKPP as sent; False when it already was (never twice)."""
        if self.lkpp_mailed:
            return False
        self.lkpp_mailed = True
        self._record(EventKind.LKPP_MAILED, SYSTEM_ACTOR, now)
        return True

    def change_sop(
        self, member: StaffMember, sop: Sop, now: datetime, agenda: str | None = None
    ) -> None:
        """Staff move the ticket to another procedure (a question that is really a request):
        it starts over at that SOP's first office step."""
        self._require_open()
        self._require_role(member, self._acting_roles())
        if sop.id == self.sop_id:
            raise InvalidTransition(texts.SAME_SOP.format(number=self.number, sop_id=sop.id))
        previous = self.sop_id
        self.sop = sop
        first = sop.first_office_step()
        self.step = first.n
        self.owner_role = sop.responsible_role(first.n)
        self.assignee_id = None
        self.status = TicketStatus.NEW
        self.decision = None
        self.awaiting_visit = sop.id == VERIFICATION_SOP
        self.awaiting_faq_feedback = False
        if agenda is not None and self.agenda is None:
            self.agenda = agenda
        self.step_started_at = now
        self._start_clock(now)
        self._record(
            EventKind.SOP_CHANGED,
            staff_actor(member),
            now,
            from_sop=previous,
            to_sop=sop.id,
            agenda=self.agenda,
        )

    def pause_for_outage(self, actor: str, now: datetime) -> None:
        """An SPSE or internet outage: the SOPs exempt it, so the step's clock stops."""
        if not self.is_open or self.outage_paused:
            return
        self.outage_paused = True
        self.clock = sla.pause(self.clock, now, self.calendar)
        self._record(EventKind.OUTAGE_PAUSED, actor, now)

    def resume_after_outage(self, actor: str, now: datetime) -> None:
        """The outage is over: the clock runs again where it may."""
        if not self.outage_paused:
            return
        self.outage_paused = False
        self._resume_clock(now)
        self._record(EventKind.OUTAGE_RESUMED, actor, now)

    def _complete_step(self, member: StaffMember, now: datetime) -> None:
        sop = self.sop
        if sop.id == VERIFICATION_SOP and self.step == REGISTER_STEP and not self.register_number:
            raise InvalidTransition(texts.REGISTER_NUMBER_MISSING.format(number=self.number))
        following = sop.next_office_step(self.step)
        if following is None:
            self._record(EventKind.STEP_ADVANCED, staff_actor(member), now, from_step=self.step)
            self._close(staff_actor(member), now, reason="sop_completed")
            return
        self._record(
            EventKind.STEP_ADVANCED,
            staff_actor(member),
            now,
            from_step=self.step,
            to_step=following.n,
        )
        self.step = following.n
        self.step_started_at = now
        next_role = sop.responsible_role(following.n)
        if next_role != self.owner_role:
            # The next step belongs to another role: hand it over, nobody has taken it yet.
            self.owner_role = next_role
            self.assignee_id = None
            self.status = TicketStatus.FORWARDED
        else:
            self.status = self._working_status()
        self._start_clock(now)

    def close(self, member: StaffMember, now: datetime, reason: str = "answered") -> None:
        """Close the ticket: the assignee, the owner role or a supervisor may.

        Not past an approval step still to be decided: such a request ends with ``Tolak``.
        """
        self._require_open()
        if self.assignee_id != member.telegram_id:
            self._require_role(member, self._acting_roles())
        pending = self.sop.approval_pending(self.step)
        if pending is not None and self.decision is None:
            raise InvalidTransition(
                texts.CLOSE_NEEDS_DECISION.format(number=self.number, step=pending.n)
            )
        self._close(staff_actor(member), now, reason)

    def set_register_number(self, member: StaffMember, register_number: str, now: datetime) -> None:
        """SOP-01 step 6 gives the verification its register number (counted by the office)."""
        self._require_step_role(member)
        if self.register_number is None:
            self.register_number = register_number
            self._record(
                EventKind.REGISTERED, staff_actor(member), now, register_number=register_number
            )

    def publish_to_faq(self, member: StaffMember, entry_id: str, now: datetime) -> None:
        """Record that the answer became FAQ entry ``entry_id`` (SOP-02 step 5, helpdesk)."""
        self._require_role(member, {FAQ_PUBLISHER_ROLE} | SUPERVISOR_ROLES)
        self._record(EventKind.FAQ_PUBLISHED, staff_actor(member), now, entry=entry_id)

    # --- internals ------------------------------------------------------------------------

    def _budget(self) -> float | None:
        return self.sop.step(self.step).minutes

    def _clock_held(self) -> bool:
        """Whether the step's clock must stand still: waiting on the requester, on the
        provider's visit, or on an outage."""
        return (
            self.status is TicketStatus.WAITING_FOR_REQUESTER
            or self.awaiting_visit
            or self.outage_paused
        )

    def _start_clock(self, now: datetime) -> None:
        self.clock = sla.start_step(self.clock, now, self._budget(), self.calendar)
        if self._clock_held():
            self.clock = sla.pause(self.clock, now, self.calendar)

    def _resume_clock(self, now: datetime) -> None:
        if not self._clock_held():
            self.clock = sla.resume(self.clock, now, self._budget(), self.calendar)

    def _require_step_role(self, member: StaffMember) -> None:
        self._require_open()
        role = self.step_role
        if role not in member.roles:
            raise NotAllowed(
                texts.WRONG_ROLE_FOR_STEP.format(step=self.step, sop_id=self.sop_id, role=role)
            )

    def _close(self, actor: str, now: datetime, reason: str) -> None:
        if self.outcome is None:
            self.outcome = _default_outcome(self.sop_id, reason)
        self.status = TicketStatus.CLOSED
        self.closed_at = now
        self.clock = sla.pause(self.clock, now, self.calendar)
        self._record(EventKind.CLOSED, actor, now, reason=reason)

    def _working_status(self) -> TicketStatus:
        return TicketStatus.IN_PROGRESS if self.assignee_id is not None else TicketStatus.NEW

    def _require_open(self) -> None:
        if self.status is TicketStatus.CLOSED:
            raise InvalidTransition(texts.TICKET_ALREADY_CLOSED.format(number=self.number))

    def _acting_roles(self) -> set[str]:
        # The step's role keeps the ticket in hand while an outside party (ULP, LKPP) has it.
        return {self.owner_role, self.step_role} | SUPERVISOR_ROLES

    def _require_role(self, member: StaffMember, roles: set[str]) -> None:
        if not member.has_any_role(roles):
            raise NotAllowed(
                texts.WRONG_ROLE_FOR_TICKET.format(number=self.number, role=self.owner_role)
            )

    def _append(
        self,
        direction: Direction,
        author: str,
        text: str,
        now: datetime,
        attachments: tuple[AttachmentRef, ...],
    ) -> None:
        self.pending_messages.append(
            TicketMessage(
                direction=direction,
                author=author,
                text=text,
                created_at=now,
                attachments=attachments,
            )
        )
        self._record(
            EventKind.MESSAGE, author, now, direction=direction.value, files=len(attachments)
        )

    def _record(
        self, kind: EventKind, actor: str, now: datetime, **detail: str | int | None
    ) -> None:
        self.pending_events.append(TicketEvent(kind=kind, actor=actor, at=now, detail=detail))


def _default_outcome(sop_id: str, reason: str) -> str:
    """The one line of result a closing tells the requester when staff gave none."""
    if reason == "sop_completed":
        return texts.OUTCOME_COMPLETED.get(sop_id, texts.OUTCOME_CLOSED_DEFAULT)
    return texts.OUTCOME_CLOSED_BY_STAFF.get(sop_id, texts.OUTCOME_CLOSED_DEFAULT)
