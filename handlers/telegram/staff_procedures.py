"""The staff group's procedure actions: decisions, data requests, visits, LKPP results, SOP
changes, the SOP-01 verification card, ``/catat`` and ``/gangguan``.

Card buttons that need a follow-up ask for it in the group: ``Tolak`` posts a question whose
reply is the reason; ``Minta data`` posts the step's missing items as toggles (and a reply to
that message is a request in the staff member's own words).
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

from bot import services, texts
from bot.core import checklist
from bot.core.errors import DomainError, InvalidTransition, NotAllowed
from bot.core.outbound import Purpose
from bot.core.roster import StaffMember
from bot.core.tickets import (
    REGISTER_STEP,
    VERIFICATION_SOP,
    AttachmentRef,
    Channel,
    LkppResult,
    Requester,
    Ticket,
)
from bot.documents.verification_card import VerificationCard, render_verification_card
from bot.forms import FieldError, parse_email, parse_phone
from bot.runtime import Runtime
from handlers.telegram import callbacks, render
from handlers.telegram.common import say, show_buttons, tell_group, text_message
from handlers.telegram.sender import keyboard

log = logging.getLogger(__name__)

#: The SOP-01 step that hands the provider the verification card.
CARD_STEP = REGISTER_STEP + 1
#: ``/catat`` fields, separated by this character.
CATAT_SEPARATOR = "|"


class ProcedureActions:
    """What the staff group does beyond take/forward/close: the SOPs' own steps."""

    def __init__(self, runtime: Runtime, staff_chat_id: int) -> None:
        self.runtime = runtime
        self.staff_chat_id = staff_chat_id

    async def act(
        self, query: CallbackQuery, member: StaffMember, pressed: callbacks.StaffButton
    ) -> bool:
        """Handle a procedure button; False when ``pressed`` is not one of them."""
        number, now, notifier = pressed.number, self.runtime.clock(), self.runtime.notifier
        uow = self.runtime.unit_of_work()
        action = pressed.action
        if action == "approve":
            await services.approve(uow, number, member, now, notifier)
        elif action == "reject":
            await self._ask_reason(number, member, query)
        elif action == "visit":
            await services.record_visit(uow, number, member, now, notifier)
        elif action in ("lkppok", "lkppfail"):
            result = LkppResult.SUCCESS if action == "lkppok" else LkppResult.FAILURE
            await services.record_lkpp_result(uow, number, member, result, now, notifier)
        elif action == "sops":
            async with self.runtime.unit_of_work() as reader:
                current = (await reader.tickets.get(number)).sop_id
            choices = [sop_id for sop_id in self.runtime.catalog.sops if sop_id != current]
            await show_buttons(query, keyboard(render.sop_keyboard(number, choices)))
        elif action == "tosop":
            await services.change_sop(
                uow, self.runtime.catalog, number, member, pressed.role or "", now, notifier
            )
        elif action == "data":
            await self._offer_items(number, member, query)
        elif action == "tick":
            await self._toggle(number, query, int(pressed.role or -1))
        elif action == "ask":
            await self._send_request(number, member, query)
        elif action == "noask":
            await show_buttons(query, None)
        elif action == "next":
            await self._advance(number, member)
        else:
            return False
        await query.answer()
        return True

    async def reply(self, message: Message, member: StaffMember, number: int, text: str) -> bool:
        """A reply to a prompt of ours (the reason of a rejection, what data is missing);
        False when the replied message is not such a prompt."""
        replied = message.reply_to_message
        assert replied is not None
        async with self.runtime.unit_of_work() as uow:
            purpose = await uow.chat_messages.purpose_for(replied.chat.id, replied.message_id)
        if purpose not in (Purpose.REJECT_PROMPT, Purpose.DATA_PROMPT):
            return False
        now, notifier = self.runtime.clock(), self.runtime.notifier
        try:
            if purpose == Purpose.REJECT_PROMPT:
                await services.reject(
                    self.runtime.unit_of_work(), number, member, text, now, notifier
                )
            else:
                await services.request_data(
                    self.runtime.unit_of_work(), number, member, text, now, notifier
                )
        except DomainError as error:
            await self._tell(error.user_message, message.message_id)
        self.runtime.outbox_wake()
        return True

    async def register_case(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/catat SOP | nama | kontak | ringkasan``: a telephone or walk-in case, registered
        by staff on the person's behalf; answers go by e-mail when the contact is an address."""
        found = await self._member_of(update)
        if found is None:
            return
        message, _ = found
        arguments = (message.text or "").partition(" ")[2]
        fields = [part.strip() for part in arguments.split(CATAT_SEPARATOR)]
        if len(fields) != 4 or not all(fields):
            await self._tell(texts.CATAT_USAGE, message.message_id)
            return
        sop_id, name, contact, summary = fields
        sop_id = sop_id.upper()
        if sop_id not in self.runtime.catalog.sops:
            await self._tell(texts.UNKNOWN_SOP.format(sop_id=sop_id), message.message_id)
            return
        identity = _identity_from_contact(name, contact)
        if identity is None:
            await self._tell(texts.CATAT_BAD_CONTACT, message.message_id)
            return
        command = services.OpenTicket(
            requester=identity, text=summary, sop_id=sop_id, subject=summary
        )
        try:
            ticket = await services.open_ticket(
                self.runtime.unit_of_work(),
                self.runtime.catalog,
                command,
                self.runtime.clock(),
                self.runtime.notifier,
            )
        except DomainError as error:
            await self._tell(error.user_message, message.message_id)
            return
        done = texts.CATAT_DONE.format(number=ticket.number, name=name, sop_id=sop_id)
        await self._tell(done, message.message_id)

    async def outage(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/gangguan`` pauses every running SLA clock; ``/gangguan selesai`` resumes them."""
        found = await self._member_of(update)
        if found is None:
            return
        message, member = found
        ending = "selesai" in (message.text or "").casefold().split()
        now = self.runtime.clock()
        uow, notifier = self.runtime.unit_of_work(), self.runtime.notifier
        if ending:
            ended = await services.end_outage(uow, member, now, notifier)
            reply = (
                texts.OUTAGE_NONE
                if ended is None
                else texts.OUTAGE_ENDED.format(name=member.name, count=ended)
            )
        else:
            started = await services.start_outage(uow, member, now, notifier)
            if isinstance(started, datetime):
                since = started.astimezone(self.runtime.zone).strftime("%d-%m-%Y %H:%M")
                reply = texts.OUTAGE_ALREADY.format(since=since)
            else:
                reply = texts.OUTAGE_STARTED.format(name=member.name, count=started)
        await self._tell(reply, message.message_id)

    # --- buttons that ask first --------------------------------------------------------------

    async def _ask_reason(self, number: int, member: StaffMember, query: CallbackQuery) -> None:
        async with self.runtime.unit_of_work() as uow:
            ticket = await uow.tickets.get(number)
        if not ticket.awaits_decision:
            raise InvalidTransition(texts.NO_DECISION_HERE.format(number=number))
        if ticket.step_role not in member.roles:
            raise NotAllowed(
                texts.WRONG_ROLE_FOR_STEP.format(
                    step=ticket.step, sop_id=ticket.sop_id, role=ticket.step_role
                )
            )
        prompt = render.plain(texts.STAFF_REJECT_PROMPT, number=number)
        await self._prompt(number, prompt, Purpose.REJECT_PROMPT)

    async def _offer_items(self, number: int, member: StaffMember, query: CallbackQuery) -> None:
        _, items = await self._missing_items(number)
        buttons = render.data_request_keyboard(number, items, [False] * len(items))
        prompt = render.plain(texts.STAFF_DATA_PROMPT, number=number)
        await self._prompt(number, prompt, Purpose.DATA_PROMPT, buttons)

    async def _toggle(self, number: int, query: CallbackQuery, index: int) -> None:
        _, items = await self._missing_items(number)
        ticked = _ticked(query, len(items))
        if 0 <= index < len(items):
            ticked[index] = not ticked[index]
        markup = keyboard(render.data_request_keyboard(number, items, ticked))
        await show_buttons(query, markup)

    async def _send_request(self, number: int, member: StaffMember, query: CallbackQuery) -> None:
        _, items = await self._missing_items(number)
        chosen = [item for item, on in zip(items, _ticked(query, len(items)), strict=True) if on]
        if not chosen:
            raise InvalidTransition(texts.STAFF_NOTHING_TICKED)
        request = "\n".join(f"- {item}" for item in chosen)
        await services.request_data(
            self.runtime.unit_of_work(),
            number,
            member,
            request,
            self.runtime.clock(),
            self.runtime.notifier,
        )
        await show_buttons(query, None)

    async def _missing_items(self, number: int) -> tuple[Ticket, list[str]]:
        async with self.runtime.unit_of_work() as uow:
            ticket = await uow.tickets.get(number)
            messages = await uow.tickets.messages(number)
            requester = await uow.requesters.get(ticket.requester_id)
        facts = checklist.ticket_facts(ticket, messages, requester.email)
        return ticket, checklist.missing_items(ticket.sop, ticket.step, facts, ticket.documents)

    async def _advance(self, number: int, member: StaffMember) -> None:
        """``Langkah berikutnya``; at SOP-01's last step the provider gets the card as a PDF."""
        async with self.runtime.unit_of_work() as uow:
            ticket = await uow.tickets.get(number)
            requester = await uow.requesters.get(ticket.requester_id)
        documents: tuple[AttachmentRef, ...] = ()
        if ticket.sop_id == VERIFICATION_SOP and ticket.step == CARD_STEP and ticket.is_open:
            documents = (await self._verification_card(ticket, requester, member),)
        await services.advance_step(
            self.runtime.unit_of_work(),
            number,
            member,
            self.runtime.clock(),
            self.runtime.notifier,
            documents,
        )

    async def _verification_card(
        self, ticket: Ticket, requester: Requester, member: StaffMember
    ) -> AttachmentRef:
        assert ticket.number is not None
        card = VerificationCard(
            office_name=self.runtime.catalog.office_name,
            provider_name=ticket.details.get("perusahaan") or requester.display_name,
            npwp=ticket.details.get("npwp"),
            register_number=ticket.register_number or "-",
            verified_on=self.runtime.clock().astimezone(self.runtime.zone).date(),
            verifier_name=member.name,
            ticket_number=ticket.number,
        )
        pdf = render_verification_card(card)
        filename = f"kartu-tanda-lulus-verifikasi-{ticket.number}.pdf"
        return await self.runtime.attachments.put(pdf, filename, "application/pdf")

    async def _prompt(
        self,
        number: int,
        prompt_html: str,
        purpose: Purpose,
        buttons: render.Keyboard | None = None,
    ) -> None:
        await say(
            self.runtime,
            text_message(
                self.staff_chat_id,
                prompt_html,
                buttons,
                purpose=purpose,
                ticket_id=number,
                reply_to=Purpose.CARD.value,
            ),
        )

    async def _tell(self, text: str, reply_to_message_id: int) -> None:
        await tell_group(self.runtime, self.staff_chat_id, text, reply_to_message_id)

    async def _member_of(self, update: Update) -> tuple[Message, StaffMember] | None:
        """The command's message and its roster member; a non-member is refused politely."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return None
        member = self.runtime.roster.current.member(user.id)
        if member is None:
            await self._tell(texts.STAFF_NOT_MEMBER, message.message_id)
            return None
        return message, member


def _identity_from_contact(name: str, contact: str) -> Requester | None:
    """The requester of a ``/catat`` case: by e-mail (answers go there) or telephone."""
    try:
        return Requester(channel=Channel.EMAIL, email=parse_email(contact), name=name)
    except FieldError:
        pass
    try:
        return Requester(channel=Channel.OFFICE, phone=parse_phone(contact), name=name)
    except FieldError:
        return None


def _ticked(query: CallbackQuery, count: int) -> list[bool]:
    """Which items of the "Minta data" keyboard are ticked, read from the message itself."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    rows = markup.inline_keyboard[:count] if markup is not None else ()
    marks = [row[0].text.startswith(texts.BUTTON_TICKED.format(item="")) for row in rows]
    return marks + [False] * (count - len(marks))
