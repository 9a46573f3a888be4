"""The staff group: card buttons, replies relayed to requesters, roster reload.

Only roster members act; a non-member gets a polite refusal and nothing changes. A button is
honoured only on the card of the ticket it names, so forged or copied payloads do nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import CallbackQuery, MaybeInaccessibleMessage, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ContextTypes

from bot import services, texts
from bot.core.errors import ConfigError, DomainError
from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.core.privacy import contains_credential
from bot.core.roles import ALL_ROLES
from bot.core.roster import StaffMember
from bot.core.tickets import AttachmentRef, Ticket
from bot.runtime import Runtime
from handlers.telegram import callbacks, render
from handlers.telegram.common import (
    RefusedFile,
    claim_update,
    clean_text,
    fetch_and_store,
    file_of,
    say,
    show_buttons,
    tell_group,
)
from handlers.telegram.sender import keyboard
from handlers.telegram.staff_procedures import ProcedureActions
from handlers.telegram.staff_publish import FaqDrafts
from storage.report_queries import ReportPeriod, collect_report

log = logging.getLogger(__name__)

#: Longest text Telegram shows in a button's alert.
ALERT_LIMIT = 200
#: Days covered by /laporan.
REPORT_DAYS = 30


class StaffHandlers:
    """Callbacks for the configured staff group (and for groups the bot must leave)."""

    def __init__(self, runtime: Runtime, staff_chat_id: int) -> None:
        self.runtime = runtime
        self.staff_chat_id = staff_chat_id
        self.procedures = ProcedureActions(runtime, staff_chat_id)
        self.faq_drafts = FaqDrafts(runtime, staff_chat_id)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A card button pressed in the staff group."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        member = self.runtime.roster.current.member(query.from_user.id)
        if member is None:
            await query.answer(texts.STAFF_NOT_MEMBER, show_alert=True)
            return
        pressed = callbacks.parse_staff(query.data)
        if pressed is None or not await self._is_card_of(query, pressed.number):
            await query.answer()
            log.warning("ignored staff button %r from %s", query.data, member.telegram_id)
            return
        if not await claim_update(self.runtime, update.update_id):
            await query.answer()
            return
        try:
            await self._act(query, member, pressed)
        except DomainError as error:
            # Telegram shows at most 200 characters in an alert.
            await query.answer(error.user_message[:ALERT_LIMIT], show_alert=True)
            return
        self.runtime.outbox_wake()

    async def _act(
        self, query: CallbackQuery, member: StaffMember, pressed: callbacks.StaffButton
    ) -> None:
        if await self.procedures.act(query, member, pressed):
            return
        number, now, notifier = pressed.number, self.runtime.clock(), self.runtime.notifier
        uow = self.runtime.unit_of_work()
        if pressed.action == "fwd":
            roles = sorted(ALL_ROLES - {"penyedia"})
            await show_buttons(query, keyboard(render.forward_keyboard(number, roles)))
            await query.answer()
            return
        if pressed.action == "back":
            async with self.runtime.unit_of_work() as reader:
                ticket = await reader.tickets.get(number)
            await show_buttons(query, keyboard(render.card_keyboard(ticket)))
            await query.answer()
            return
        actions: dict[str, Callable[[], Awaitable[object]]] = {
            "take": lambda: services.take_ticket(uow, number, member, now, notifier),
            "to": lambda: services.forward_ticket(
                uow, number, member, pressed.role or "", now, notifier
            ),
            "close": lambda: services.close_ticket(uow, number, member, now, notifier=notifier),
            "pub": lambda: self.faq_drafts.post_draft(number, member),
            "pubok": lambda: self.faq_drafts.confirm(query, number, member),
            "pubno": lambda: self.faq_drafts.cancel(query, number, member),
        }
        await actions[pressed.action]()
        await query.answer()

    async def _is_card_of(self, query: CallbackQuery, number: int) -> bool:
        message = query.message
        assert message is not None
        return await self._ticket_of(message, query.get_bot().id) == number

    async def _ticket_of(self, message: MaybeInaccessibleMessage, bot_id: int) -> int | None:
        """The ticket a bot message in the group is about: recorded when it was sent, or,
        while that record is not yet written (a button pressed at once), the number of a
        card's title. Only the card is taken by its text: any other message naming ``#N``
        (the daily digest, a notice) routes nothing."""
        async with self.runtime.unit_of_work() as uow:
            number = await uow.chat_messages.ticket_for(message.chat.id, message.message_id)
        if number is not None or not isinstance(message, Message):
            return number
        if message.from_user is None or message.from_user.id != bot_id:
            return None
        return render.card_number(message.text or "")  # a card, not any text naming "#N"

    async def reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reply in the staff group to a bot message about a ticket: relayed to the requester."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or message.reply_to_message is None:
            return
        replied = message.reply_to_message
        number = await self._ticket_of(replied, context.bot.id)
        if number is None:
            if replied.from_user is not None and replied.from_user.id == context.bot.id:
                await self._tell_group(texts.STAFF_REPLY_UNKNOWN_TICKET, message.message_id)
            return  # a conversation between colleagues
        if not await claim_update(self.runtime, update.update_id):
            return
        member = self.runtime.roster.current.member(user.id)
        if member is None:
            await self._tell_group(texts.STAFF_NOT_MEMBER, message.message_id)
            return
        text = clean_text(message.text or message.caption or "")
        if text and contains_credential(text):
            await self._tell_group(texts.STAFF_PASSWORD_HELD_BACK, message.message_id)
            return
        if await self.faq_drafts.take_reply(replied, number, member, text, message.message_id):
            return
        if text and await self.procedures.reply(message, member, number, text):
            return
        files: tuple[AttachmentRef, ...] = ()
        meta = file_of(message)
        if meta is not None:
            try:
                files = (await fetch_and_store(self.runtime, context.bot, meta),)
            except RefusedFile as refused:
                await self._tell_group(refused.reason, message.message_id)
                return
        if not text and not files:
            return
        try:
            ticket: Ticket = await services.reply_to_requester(
                self.runtime.unit_of_work(),
                number,
                member,
                text,
                self.runtime.clock(),
                files,
                self.runtime.notifier,
            )
        except DomainError as error:
            await self._tell_group(error.user_message, message.message_id)
            return
        self.runtime.outbox_wake()
        async with self.runtime.unit_of_work() as uow:
            # A reply to this staff message also belongs to the ticket.
            await uow.chat_messages.record(
                message.chat_id,
                message.message_id,
                ticket.number,
                "staff_reply",
                self.runtime.clock(),
            )
            await uow.commit()

    async def reload_roster(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/reload in the staff group: re-read the roster file now."""
        user = update.effective_user
        message = update.effective_message
        if user is None or message is None:
            return
        if self.runtime.roster.current.member(user.id) is None:
            await self._tell_group(texts.STAFF_NOT_MEMBER, message.message_id)
            return
        try:
            roster = self.runtime.roster.reload()
        except ConfigError as error:
            await self._tell_group(texts.STAFF_ROSTER_ERROR.format(error=error), message.message_id)
            return
        await self._tell_group(
            texts.STAFF_ROSTER_RELOADED.format(count=len(roster.members)), message.message_id
        )

    async def report(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/laporan: the SLA compliance chart of the last 30 days, as a photo."""
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        if self.runtime.roster.current.member(user.id) is None:
            await self._tell_group(texts.STAFF_NOT_MEMBER, message.message_id)
            return
        from bot.reports import main_chart_png  # matplotlib: loaded on first use only

        runtime = self.runtime
        now = runtime.clock()
        end = now.astimezone(runtime.zone).date() + timedelta(days=1)
        period = ReportPeriod(end - timedelta(days=REPORT_DAYS), end, runtime.zone)
        async with runtime.session_factory() as session:
            data = await collect_report(session, period, runtime.catalog, runtime.calendar, now)
        png = await asyncio.to_thread(main_chart_png, data)  # drawing is CPU work
        chart = await runtime.attachments.put(png, "laporan-sla.png", "image/png")
        caption = texts.REPORT_CAPTION.format(
            start=period.first_day.strftime("%d-%m-%Y"),
            end=(period.end_day - timedelta(days=1)).strftime("%d-%m-%Y"),
        )
        await say(
            runtime,
            Outbound(
                channel="telegram",
                destination=str(self.staff_chat_id),
                kind=OutboundKind.PHOTO,
                payload={**chart.as_dict(), "caption": render.escape(caption)},
                purpose=Purpose.NOTICE,
            ),
        )

    async def leave_foreign_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was added to, or spoken to in, a group it is not configured for: leave."""
        chat = update.effective_chat
        if chat is None or chat.id == self.staff_chat_id or chat.type == "private":
            return
        change = update.my_chat_member
        if change is not None and change.new_chat_member.status in (
            ChatMemberStatus.LEFT,
            ChatMemberStatus.BANNED,
        ):
            return
        log.warning("leaving unconfigured group %s (%s)", chat.id, chat.title)
        await context.bot.leave_chat(chat.id)

    async def _tell_group(self, text: str, reply_to_message_id: int) -> None:
        await tell_group(self.runtime, self.staff_chat_id, text, reply_to_message_id)
