"""Builds the python-telegram-bot Application, registers the handlers, starts and stops it."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.runtime import Runtime
from handlers.telegram.aiohttp_request import AiohttpRequest
from handlers.telegram.common import AnyApplication, silence_raw_call_advice
from handlers.telegram.intake import WEBHOOK_PATH, TelegramIntake
from handlers.telegram.requester import RequesterHandlers
from handlers.telegram.sender import TelegramSender
from handlers.telegram.staff import StaffHandlers

log = logging.getLogger(__name__)

#: Telegram allows about 30 messages per second overall.
OVERALL_MESSAGES_PER_SECOND = 30


def webhook_secret(token: str) -> str:
    """The secret Telegram echoes in every webhook request, derived from the token."""
    return hashlib.sha256(f"lpse-helpdesk:{token}".encode()).hexdigest()[:64]


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log first; a requester who was waiting is told something went wrong."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)


def build_application(runtime: Runtime) -> AnyApplication:
    """The bot with every handler registered, talking to ``TELEGRAM_API_BASE_URL``."""
    settings = runtime.settings
    assert settings.telegram_bot_token is not None
    assert settings.telegram_staff_chat_id is not None
    silence_raw_call_advice()
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        # aiohttp instead of PTB's default httpx: a third of the CPU per request (see there);
        # PTB's default pool sizes and timeouts.
        .request(AiohttpRequest(connection_pool_size=256))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=OVERALL_MESSAGES_PER_SECOND,
                group_max_rate=settings.telegram_group_msgs_per_min,
                group_time_period=60,
                max_retries=0,  # the outbox retries, with the row kept safe in the database
            )
        )
        .updater(None)  # updates come through the durable intake (handlers.telegram.intake)
        .build()
    )
    requester = RequesterHandlers(runtime)
    staff = StaffHandlers(runtime, settings.telegram_staff_chat_id)
    private = filters.ChatType.PRIVATE
    staff_chat = filters.Chat(settings.telegram_staff_chat_id)
    other_groups = filters.ChatType.GROUPS & ~staff_chat

    application.add_handlers(
        [
            CommandHandler("start", requester.start, private),
            CommandHandler(["bantuan", "help"], requester.help, private),
            CommandHandler("status", requester.status, private),
            CommandHandler("batal", requester.cancel, private),
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, requester.edited),
            MessageHandler(private & filters.COMMAND, requester.unknown_command),
            MessageHandler(
                private & (filters.TEXT | filters.Document.ALL | filters.PHOTO), requester.message
            ),
            CallbackQueryHandler(requester.button, pattern=r"^(m|fb|esc|c|j|r|f):"),
            CommandHandler("reload", staff.reload_roster, staff_chat),
            CommandHandler("laporan", staff.report, staff_chat),
            CommandHandler("catat", staff.procedures.register_case, staff_chat),
            CommandHandler("gangguan", staff.procedures.outage, staff_chat),
            MessageHandler(staff_chat & filters.REPLY & ~filters.COMMAND, staff.reply),
            CallbackQueryHandler(staff.button, pattern=r"^s:"),
            MessageHandler(other_groups, staff.leave_foreign_group),
            ChatMemberHandler(staff.leave_foreign_group, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    application.add_error_handler(on_error)
    return application


class TelegramChannel:
    """The Telegram side of the bot: the Application, its durable intake, the outbox sender."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.application = build_application(runtime)
        self.sender = TelegramSender(
            self.application.bot, runtime.session_factory, runtime.attachments
        )
        self.intake = TelegramIntake(runtime, self.application)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._webhook: web.AppRunner | None = None

    async def start(self) -> None:
        """Initialise, then poll (default) or listen for webhooks; handle stored updates."""
        settings = self.runtime.settings
        token = settings.telegram_bot_token
        assert token is not None
        await self.application.initialize()
        await self.application.start()
        bot = self.application.bot
        self._stop = asyncio.Event()
        if settings.telegram_webhook_url:
            secret = webhook_secret(token.get_secret_value())
            host, _, port = settings.telegram_webhook_listen.rpartition(":")
            self._webhook = web.AppRunner(self.intake.webhook_app(secret), access_log=None)
            await self._webhook.setup()
            await web.TCPSite(self._webhook, host, int(port)).start()
            await bot.set_webhook(
                settings.telegram_webhook_url.rstrip("/") + WEBHOOK_PATH,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
            log.info("telegram: webhook on %s%s", settings.telegram_webhook_listen, WEBHOOK_PATH)
        else:
            await bot.delete_webhook()
            self._tasks.append(asyncio.create_task(self.intake.poll(self._stop), name="poll"))
            log.info("telegram: long polling %s", settings.telegram_api_base_url)
        self._tasks.append(
            asyncio.create_task(self.intake.rounds.run(self._stop), name="telegram-updates")
        )

    async def stop_receiving(self) -> None:
        """Stop polling (or the webhook) and finish handling what was claimed."""
        self._stop.set()
        if self._webhook is not None:
            await self._webhook.cleanup()
            self._webhook = None
        for task in self._tasks:
            if task.get_name() == "poll":
                task.cancel()  # a long poll may wait for seconds; nothing is lost by cutting it
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def close(self) -> None:
        """Close the bot's HTTP client (after the outbox stopped sending through it)."""
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
