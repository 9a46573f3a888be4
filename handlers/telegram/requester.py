"""Private chats: questions answered from the FAQ, tickets, follow-ups, forms and ratings.

Every reply goes through the outbox; what the requester sends is stored before anything is
answered. Dialogue state (a form, a pending choice) lives in the database, so it survives a
restart.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update, User
from telegram.ext import ContextTypes

from bot import forms, services, texts
from bot.core.errors import DomainError
from bot.core.flood import FloodGuard
from bot.core.outbound import Purpose
from bot.core.privacy import contains_credential
from bot.core.tickets import AttachmentRef, Channel, Requester, TicketStatus
from bot.runtime import Runtime
from bot.services import OpenTicket
from handlers.telegram import callbacks
from handlers.telegram.common import (
    AlreadyHandled,
    FileMeta,
    RefusedFile,
    UpdateClaim,
    claim_update,
    clean_text,
    fetch_and_store,
    file_of,
    say,
    text_message,
)
from handlers.telegram.render import Keyboard, button, escape
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

#: Largest file a bot may download through the Bot API (getFile), in bytes.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024

FORM, ASK, CHOOSE_TICKET, RATING_COMMENT = "form", "ask", "choose_ticket", "rating_comment"
MENU_FORMS = {"sop01": "sop01", "sop03_04": "sop03_04", "sop05": "sop05", "sop06": "sop06"}
#: How many FAQ titles are offered when the bot is not confident.
SUGGESTIONS = 3


def identity_of(user: User, **details: str | None) -> Requester:
    """The requester behind a Telegram user."""
    return Requester(
        channel=Channel.TELEGRAM,
        telegram_id=user.id,
        name=details.get("name") or user.full_name,
        email=details.get("email"),
        phone=details.get("phone"),
        instansi=details.get("instansi"),
    )


def menu_keyboard() -> Keyboard:
    return [
        [button(texts.MENU_ASK, callbacks.menu("ask"))],
        [button(texts.MENU_SOP01, callbacks.menu("sop01"))],
        [button(texts.MENU_SOP03_04, callbacks.menu("sop03_04"))],
        [button(texts.MENU_SOP05, callbacks.menu("sop05"))],
        [button(texts.MENU_PENYEDIA_PASSWORD, callbacks.menu("pwpenyedia"))],
        [button(texts.MENU_SOP06, callbacks.menu("sop06"))],
        [button(texts.MENU_MY_TICKETS, callbacks.menu("mine"))],
    ]


class RequesterHandlers:
    """Callbacks for private chats; registered by ``handlers.telegram.application``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.flood = FloodGuard()

    # --- commands -------------------------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: greeting and the service menu."""
        user = _user(update)
        if not await claim_update(self.runtime, update.update_id):
            return
        await self._clear_state(user.id)
        office = self.runtime.catalog.office_name
        await self._say(user.id, escape(texts.WELCOME.format(office=office)), menu_keyboard())

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/bantuan: how the bot works."""
        user = _user(update)
        if await claim_update(self.runtime, update.update_id):
            await self._say(user.id, escape(texts.HELP))

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/status: the requester's tickets with status and next step."""
        user = _user(update)
        if await claim_update(self.runtime, update.update_id):
            await self._send_status(user)

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/batal: leave the current form."""
        user = _user(update)
        if not await claim_update(self.runtime, update.update_id):
            return
        state = await self._state(user.id)
        await self._clear_state(user.id)
        cancelled = state is not None and state[0] == FORM
        await self._say(
            user.id, escape(texts.FORM_CANCELLED if cancelled else texts.NOTHING_TO_CANCEL)
        )

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any other /command."""
        user = _user(update)
        if await claim_update(self.runtime, update.update_id):
            await self._say(user.id, escape(texts.UNKNOWN_COMMAND))

    # --- messages -------------------------------------------------------------------------

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Text, documents and photos in a private chat.

        The main effect (a ticket message, a new ticket, an FAQ answer) claims the update in
        its own transaction: after a crash the update is handled again and either that
        effect is already there (skipped) or it happens now, exactly once.
        """
        user, message = _user(update), update.effective_message
        update_id = update.update_id
        if message is None:
            return
        text = clean_text(message.text or message.caption or "")
        meta = file_of(message)
        claim = UpdateClaim(update_id, self.runtime.clock())
        async with self.runtime.unit_of_work() as uow:
            snapshot = await uow.chat_snapshots.read(update_id, user.id)
            if snapshot.handled:
                return
            flooded = self.flood.notice_due(user.id, claim.now)
            if (
                not flooded
                and snapshot.state is None
                and snapshot.open_tickets == 0
                and meta is None
                and text
                and not contains_credential(text)
            ):
                # The common case, a new question: read, claim and answer in one transaction.
                try:
                    await self._answer_from_faq(user, text, claim, uow)
                except AlreadyHandled:
                    log.info("update %d was handled before the restart; skipped", update_id)
                return
        if flooded:
            await self._say(user.id, escape(texts.TOO_MANY_MESSAGES))
        kind, data = snapshot.state if snapshot.state else (None, {})
        side_path = (
            (text and contains_credential(text))
            or kind == FORM
            or (kind == RATING_COMMENT and text)
        )
        if side_path and not await claim_update(self.runtime, update_id):
            return
        if text and contains_credential(text):
            await self._say(user.id, escape(texts.PASSWORD_HELD_BACK))
            return
        if kind == FORM:
            await self._form_input(context, user, data, text, meta)
            return
        if kind == RATING_COMMENT and text:
            await self._clear_state(user.id)
            await self._rate(user, int(data["ticket"]), None, comment=text)
            return
        if kind is not None:
            await self._clear_state(user.id)
        files: tuple[AttachmentRef, ...] = ()
        if meta is not None:
            try:
                files = (await fetch_and_store(self.runtime, context.bot, meta),)
            except RefusedFile as refused:
                if await claim_update(self.runtime, update_id):
                    await self._say(user.id, escape(refused.reason))
                return
        if not text and not files:
            # Only control characters or blanks: nothing to store, but say so (bad input
            # gets a clear message, never silence).
            if (message.text or message.caption) and await claim_update(self.runtime, update_id):
                await self._say(user.id, escape(texts.UNREADABLE_TEXT))
            return
        try:
            if kind != ASK:
                if files or snapshot.open_tickets > 1:  # after a download: read them again
                    open_tickets = await self._open_tickets(user)
                else:
                    first = snapshot.first_open_ticket
                    open_tickets = [first] if first is not None else []
                if len(open_tickets) == 1:
                    await self._follow_up(
                        user, message.message_id, open_tickets[0], text, files, claim
                    )
                    return
                if len(open_tickets) > 1:
                    if await claim_update(self.runtime, update_id):
                        await self._ask_which_ticket(user, message, open_tickets, text, files)
                    return
            if files:
                command = OpenTicket(identity_of(user), text, attachments=files)
                await self._open_ticket(user, message, command, claim)
                return
            await self._answer_from_faq(user, text, claim)
        except AlreadyHandled:
            log.info("update %d was handled before the restart; skipped", update_id)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message that belongs to a ticket shows to staff as an edit."""
        message = update.edited_message
        if (
            message is None
            or not message.text
            or not await claim_update(self.runtime, update.update_id)
        ):
            return
        if contains_credential(message.text):
            await self._say(message.chat_id, escape(texts.PASSWORD_HELD_BACK))
            return
        async with self.runtime.unit_of_work() as uow:
            number = await uow.chat_messages.ticket_for(message.chat_id, message.message_id)
        if number is None:
            return
        try:
            await services.record_requester_edit(
                self.runtime.unit_of_work(),
                number,
                message.text,
                self.runtime.clock(),
                self.runtime.notifier,
            )
        except DomainError:
            return  # an edit of a closed ticket's message changes nothing
        self.runtime.outbox_wake()

    # --- buttons --------------------------------------------------------------------------

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline buttons in a private chat."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        user = query.from_user
        if not await claim_update(self.runtime, update.update_id):
            await query.answer()
            return
        prefix, fields = callbacks.split(query.data)
        await query.answer()
        try:
            await self._on_button(context, user, prefix, fields)
        except (ValueError, IndexError):
            log.warning("ignored malformed button data %r from %s", query.data, user.id)

    async def _on_button(
        self, context: ContextTypes.DEFAULT_TYPE, user: User, prefix: str, fields: list[str]
    ) -> None:
        if prefix == "m":
            await self._menu(user, fields[0])
        elif prefix == "fb":
            await self._feedback(user, int(fields[0]), helpful=fields[1] == "1")
        elif prefix == "esc":
            await self._escalate(user, int(fields[0]))
        elif prefix == "c":
            await self._show_candidate(user, int(fields[0]), int(fields[1]))
        elif prefix == "j":
            await self._join_choice(user, None if fields[0] == "new" else int(fields[0]))
        elif prefix == "r":
            score = None if fields[1] == "skip" else int(fields[1])
            await self._rate(user, int(fields[0]), score)
        elif prefix == "f":
            state = await self._state(user.id)
            if state is not None and state[0] == FORM:
                form = forms.FormState.from_dict(state[1])
                await self._form_step(user, form, forms.handle_choice(form, fields[0]))

    async def _menu(self, user: User, item: str) -> None:
        if item == "ask":
            await self._set_state(user.id, ASK, {})
            await self._say(user.id, escape(texts.ASK_PROMPT))
        elif item in MENU_FORMS:
            form, step = forms.start(MENU_FORMS[item])
            await self._form_step(user, form, step)
        elif item == "pwpenyedia":
            await self._say(user.id, escape(texts.PENYEDIA_PASSWORD_SELF_SERVICE))
        elif item == "mine":
            await self._send_status(user)

    # --- FAQ ------------------------------------------------------------------------------

    async def _answer_from_faq(
        self,
        user: User,
        question: str,
        claim: UpdateClaim | None = None,
        uow: SqlUnitOfWork | None = None,
    ) -> None:
        """The FAQ's answer or suggestions, logged; in ``uow`` when given (it is committed)."""
        if uow is None:
            async with self.runtime.unit_of_work() as own:
                await self._answer_from_faq(user, question, claim, own)
            return
        result = self.runtime.faq.match(question, top=SUGGESTIONS)
        candidates = [scored.entry.id for scored in result.matches]
        answer = result.answer
        if claim is not None:
            await claim(uow)
        interaction = await uow.faq_interactions.add(
            channel="telegram",
            requester_key=f"telegram:{user.id}",
            question=question,
            answered_entry_id=answer.id if answer else None,
            candidate_ids=candidates,
            now=self.runtime.clock(),
        )
        if answer is not None:
            reply = text_message(
                user.id,
                escape(texts.FAQ_ANSWER.format(answer=answer.answer)),
                _feedback_keyboard(interaction),
                purpose=Purpose.FAQ_ANSWER,
            )
        else:
            rows = [
                [button(_title(scored.entry.question), callbacks.candidate(interaction, i))]
                for i, scored in enumerate(result.matches[:SUGGESTIONS])
            ]
            rows.append([button(texts.CONTACT_STAFF, callbacks.escalate(interaction))])
            if result.closing_remark:
                intro = texts.FAQ_CLOSING_REMARK
            else:
                intro = texts.FAQ_SUGGESTIONS if result.matches else texts.FAQ_NO_SUGGESTION
            reply = text_message(user.id, escape(intro), rows, purpose=Purpose.FAQ_ANSWER)
        await uow.outbox.enqueue([reply], self.runtime.clock())
        await uow.commit()
        self.runtime.outbox_wake()

    async def _show_candidate(self, user: User, interaction_id: int, position: int) -> None:
        interaction = await self._interaction(user, interaction_id)
        if interaction is None or position >= len(interaction.candidate_ids):
            return
        entry = self.runtime.faq.entry(interaction.candidate_ids[position])
        if entry is None:
            return
        async with self.runtime.unit_of_work() as uow:
            await uow.faq_interactions.update(interaction_id, answered_entry_id=entry.id)
            await uow.outbox.enqueue(
                [
                    text_message(
                        user.id,
                        escape(texts.FAQ_ANSWER.format(answer=entry.answer)),
                        _feedback_keyboard(interaction_id),
                        purpose=Purpose.FAQ_ANSWER,
                    )
                ],
                self.runtime.clock(),
            )
            await uow.commit()
        self.runtime.outbox_wake()

    async def _feedback(self, user: User, interaction_id: int, *, helpful: bool) -> None:
        interaction = await self._interaction(user, interaction_id)
        if interaction is None:
            return
        async with self.runtime.unit_of_work() as uow:
            await uow.faq_interactions.update(interaction_id, helpful=helpful)
            await uow.commit()
        if helpful:
            await self._say(user.id, escape(texts.THANKS_FOR_FEEDBACK))
        else:
            await self._escalate(user, interaction_id)

    async def _escalate(self, user: User, interaction_id: int) -> None:
        """ "Hubungi petugas": the question becomes a ticket at once."""
        interaction = await self._interaction(user, interaction_id)
        if interaction is None:
            return
        if interaction.ticket_id is not None:  # a second press must not open a second ticket
            await self._say(
                user.id, escape(texts.FOLLOW_UP_ADDED.format(number=interaction.ticket_id))
            )
            return
        # A question is SOP-02 (helpdesk) whatever FAQ entry it resembles: the procedures
        # start from the menu forms, or staff move the ticket from its card.
        entry_id = interaction.answered_entry_id
        entry = self.runtime.faq.entry(entry_id) if entry_id else None
        command = OpenTicket(
            identity_of(user),
            interaction.question,
            faq_entry_id=entry.id if entry else None,
        )
        ticket = await self._open_ticket(user, None, command)
        if ticket is not None:
            async with self.runtime.unit_of_work() as uow:
                await uow.faq_interactions.update(interaction_id, ticket_id=ticket)
                await uow.commit()

    async def _interaction(self, user: User, interaction_id: int) -> Any:
        async with self.runtime.unit_of_work() as uow:
            interaction = await uow.faq_interactions.get(interaction_id)
        # Buttons carry ids: one requester must not act on another's question.
        if interaction is None or interaction.requester_key != f"telegram:{user.id}":
            return None
        return interaction

    # --- tickets --------------------------------------------------------------------------

    async def _open_ticket(
        self,
        user: User,
        message: Message | None,
        command: OpenTicket,
        claim: UpdateClaim | None = None,
    ) -> int | None:
        try:
            ticket = await services.open_ticket(
                self.runtime.unit_of_work(),
                self.runtime.catalog,
                command,
                self.runtime.clock(),
                self.runtime.notifier,
                claim,
            )
        except DomainError as error:
            await self._say(user.id, escape(error.user_message))
            return None
        self.runtime.outbox_wake()
        if message is not None and ticket.number is not None:
            await self._remember(message, ticket.number)
        return ticket.number

    async def _follow_up(
        self,
        user: User,
        message_id: int,
        number: int,
        text: str,
        files: tuple[AttachmentRef, ...],
        claim: UpdateClaim | None = None,
    ) -> None:
        """Add the message to ticket ``number`` (or a new ticket when that one is long closed)."""
        try:
            ticket = await services.add_requester_message_or_open(
                self.runtime.unit_of_work(),
                self.runtime.catalog,
                number,
                identity_of(user),
                text,
                self.runtime.clock(),
                files,
                self.runtime.notifier,
                claim,
            )
        except DomainError as error:
            await self._say(user.id, escape(error.user_message))
            return
        self.runtime.outbox_wake()
        if ticket.number is not None:
            await self._remember_id(user.id, message_id, ticket.number)

    async def _ask_which_ticket(
        self,
        user: User,
        message: Message,
        open_tickets: list[int],
        text: str,
        files: tuple[AttachmentRef, ...],
    ) -> None:
        await self._set_state(
            user.id,
            CHOOSE_TICKET,
            {
                "text": text,
                "message_id": message.message_id,
                "files": [file.as_dict() for file in files],
                "tickets": open_tickets,
            },
        )
        rows = [
            [button(f"Tiket #{number}", callbacks.join_ticket(number))] for number in open_tickets
        ]
        rows.append([button(texts.NEW_QUESTION, callbacks.join_ticket(None))])
        await self._say(user.id, escape(texts.WHICH_TICKET), rows)

    async def _join_choice(self, user: User, number: int | None) -> None:
        state = await self._state(user.id)
        if state is None or state[0] != CHOOSE_TICKET:
            return
        data = state[1]
        await self._clear_state(user.id)
        files = tuple(AttachmentRef(**file) for file in data.get("files", []))
        text = str(data.get("text", ""))
        if number is not None and number in data.get("tickets", []):
            await self._follow_up(user, int(data["message_id"]), number, text, files)
        elif files:
            await self._open_ticket(
                user, None, OpenTicket(identity_of(user), text, attachments=files)
            )
        elif text:
            await self._answer_from_faq(user, text)

    async def _open_tickets(self, user: User) -> list[int]:
        async with self.runtime.unit_of_work() as uow:
            requester = await uow.requesters.by_telegram_id(user.id)
            if requester is None or requester.id is None:
                return []
            return [
                t.number
                for t in await uow.tickets.open_for_requester(requester.id)
                if t.number is not None
            ]

    async def _send_status(self, user: User) -> None:
        async with self.runtime.unit_of_work() as uow:
            requester: Requester | None = await uow.requesters.by_telegram_id(user.id)
            tickets = (
                await uow.tickets.for_requester(requester.id)
                if requester is not None and requester.id is not None
                else []
            )
        if not tickets:
            await self._say(user.id, escape(texts.NO_TICKETS))
            return
        lines = [texts.STATUS_HEADER]
        for ticket in tickets:
            if ticket.status is TicketStatus.CLOSED:
                next_step = texts.STATUS_DONE
            else:
                step = ticket.current_step
                next_step = texts.STATUS_NEXT_STEP.format(
                    uraian=step.uraian or "-", role=ticket.step_role
                )
            lines.append(
                texts.STATUS_LINE.format(
                    number=ticket.number,
                    sop=ticket.sop_id,
                    status=texts.STATUS_NAMES[ticket.status.value],
                    next_step=next_step,
                )
            )
        await self._say(user.id, escape("\n".join(lines)))

    async def _rate(
        self, user: User, number: int, score: int | None, comment: str | None = None
    ) -> None:
        async with self.runtime.unit_of_work() as uow:
            requester = await uow.requesters.by_telegram_id(user.id)
            try:
                ticket = await uow.tickets.get(number)
            except DomainError:
                return  # a forged button for a ticket that does not exist
        if requester is None or ticket.requester_id != requester.id:
            return  # a button for someone else's ticket
        if score is None and comment is None:
            await self._clear_state(user.id)
            await self._say(user.id, escape(texts.THANKS_FOR_FEEDBACK))
            return
        try:
            await services.rate_ticket(
                self.runtime.unit_of_work(),
                number,
                score or ticket.rating or 0,
                self.runtime.clock(),
                comment,
                self.runtime.notifier,
            )
        except DomainError as error:
            await self._say(user.id, escape(error.user_message))
            return
        self.runtime.outbox_wake()
        if comment is None:
            await self._set_state(user.id, RATING_COMMENT, {"ticket": number})
            await self._say(
                user.id,
                escape(texts.RATING_THANKS),
                [[button(texts.SKIP, callbacks.rating(number, None))]],
            )
        else:
            await self._say(user.id, escape(texts.RATING_COMMENT_SAVED))

    # --- forms ----------------------------------------------------------------------------

    async def _form_input(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        data: dict[str, Any],
        text: str,
        meta: FileMeta | None,
    ) -> None:
        form = forms.FormState.from_dict(data)
        if meta is None:
            await self._form_step(user, form, forms.handle_text(form, text))
            return
        incoming = forms.IncomingFile(meta.filename, meta.content_type, meta.size)
        problem = forms.check_file(form, incoming, self.runtime.settings.max_attachment_bytes)
        if meta.size > TELEGRAM_DOWNLOAD_LIMIT and meta.filename.casefold().endswith(".rhs"):
            problem = self._rhs_by_mail(meta)
        if problem is not None:
            await self._form_step(user, form, forms.current_step(form, error=problem))
            return
        try:
            stored = await fetch_and_store(self.runtime, context.bot, meta)
        except RefusedFile as refused:
            await self._form_step(user, form, forms.current_step(form, error=refused.reason))
            return
        await self._form_step(user, form, forms.add_file(form, stored.as_dict()))

    async def _form_step(self, user: User, form: forms.FormState, step: forms.Step) -> None:
        if step.cancelled:
            await self._clear_state(user.id)
            await self._say(user.id, escape(texts.FORM_CANCELLED))
            return
        if step.finished:
            await self._clear_state(user.id)
            request = forms.ticket_request(form)
            identity = identity_of(
                user,
                name=request.name,
                email=request.email,
                phone=request.phone,
                instansi=request.instansi,
            )
            await self._open_ticket(
                user,
                None,
                OpenTicket(
                    identity,
                    request.text,
                    request.sop_id,
                    request.subject,
                    attachments=request.attachments,
                    details=request.details,
                    documents=request.documents,
                ),
            )
            return
        await self._set_state(user.id, FORM, form.to_dict())
        # The error and the question again in one message: the user reads them together.
        parts = [part for part in (step.error, step.prompt.text if step.prompt else None) if part]
        rows = [
            [button(label, callbacks.form_choice(value))]
            for label, value in (step.prompt.buttons if step.prompt else ())
        ]
        if parts:
            await self._say(user.id, escape("\n\n".join(parts)), rows or None)

    def _rhs_by_mail(self, meta: FileMeta) -> str:
        """An .rhs file too big for the bot to download from Telegram: send it by e-mail."""
        settings = self.runtime.settings
        size = f"{meta.size / (1024 * 1024):.0f} MB"
        if settings.helpdesk_email and meta.size <= settings.max_attachment_bytes:
            return texts.RHS_TOO_LARGE_FOR_TELEGRAM.format(
                filename=meta.filename,
                size=size,
                email=settings.helpdesk_email,
                max_mb=f"{settings.max_attachment_mb:g}",
            )
        return texts.RHS_TOO_LARGE_NO_EMAIL.format(filename=meta.filename, size=size)

    # --- plumbing -------------------------------------------------------------------------

    async def _say(self, chat_id: int, text_html: str, buttons: Keyboard | None = None) -> None:
        await say(self.runtime, text_message(chat_id, text_html, buttons))

    async def _state(self, telegram_id: int) -> tuple[str, dict[str, Any]] | None:
        async with self.runtime.unit_of_work() as uow:
            return await uow.conversations.get(telegram_id)

    async def _set_state(self, telegram_id: int, state: str, data: dict[str, Any]) -> None:
        async with self.runtime.unit_of_work() as uow:
            await uow.conversations.put(telegram_id, state, data, self.runtime.clock())
            await uow.commit()

    async def _clear_state(self, telegram_id: int) -> None:
        async with self.runtime.unit_of_work() as uow:
            await uow.conversations.clear(telegram_id)
            await uow.commit()

    async def _remember(self, message: Message, number: int) -> None:
        await self._remember_id(message.chat_id, message.message_id, number)

    async def _remember_id(self, chat_id: int, message_id: int, number: int) -> None:
        """Map the requester's message to its ticket, so an edit of it finds the ticket."""
        async with self.runtime.unit_of_work() as uow:
            await uow.chat_messages.record(
                chat_id, message_id, number, "requester_message", self.runtime.clock()
            )
            await uow.commit()


def _user(update: Update) -> User:
    user = update.effective_user
    if user is None:
        raise ValueError("update without a user")
    return user


def _feedback_keyboard(interaction: int) -> Keyboard:
    return [
        [
            button(texts.FAQ_HELPFUL, callbacks.feedback(interaction, True)),
            button(texts.FAQ_NOT_HELPFUL, callbacks.feedback(interaction, False)),
        ]
    ]


def _title(question: str, limit: int = 60) -> str:
    return question if len(question) <= limit else question[: limit - 1] + "…"
