"""The inbound SMTP server: a thin aiosmtpd handler that stores, commits, then answers 250.

Processing (parsing, tickets, acknowledgements) happens afterwards in
``handlers.email.processor``, so a crash after 250 never loses a mail: the stored row is
picked up again on the next start.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.runtime import Runtime
from handlers.email import replies
from storage.mail import IncomingMail, store_mails

log = logging.getLogger(__name__)

#: Sessions idle longer than this are closed (RFC 5321 4.5.3.2 suggests minutes).
SESSION_TIMEOUT_SECONDS = 120
#: Room for headers and MIME encoding around MAX_ATTACHMENT_MB of attachments.
SIZE_OVERHEAD = 1.5
#: Most mails committed together by the intake.
GROUP_COMMIT_MAX = 50
#: No DATA for this long ends a burst: processing may then use the loop and the database.
QUIET_SECONDS = 0.05


#: Longest line accepted in DATA. RFC 5321 4.5.3.1.6 says 1000 octets, but real clients (HTML
#: mail without line breaks, long pasted text) send more, and refusing them loses the question.
MAX_LINE_BYTES = 1024 * 1024


class _IntakeSMTP(SMTP):
    """aiosmtpd's SMTP session with long lines accepted (its limit also sizes its reader)."""

    line_length_limit = MAX_LINE_BYTES


_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*((?:.|\r?\n[ \t])*)", re.IGNORECASE | re.MULTILINE)


def header_message_id(raw: bytes) -> str | None:
    """The Message-ID, read from the header block only (the body may be megabytes)."""
    end = _HEADER_END.search(raw)
    found = _MESSAGE_ID.search(raw[: end.start() if end else len(raw)])
    if not found:
        return None
    value = "".join(found.group(1).decode("ascii", "replace").split())
    return value or None


def accepts(address: str, helpdesk_email: str, accepted_domains: Collection[str]) -> bool:
    """True for the helpdesk address and any address at an accepted domain."""
    address = address.strip().lower()
    if address == helpdesk_email.lower():
        return True
    _, _, domain = address.rpartition("@")
    return bool(domain) and domain in accepted_domains


class IntakeActivity:
    """When the intake last stored a mail. Processing waits for a quiet moment, so storing
    (what the sending servers wait for) gets the event loop and the database's write lock
    first during a burst, and the backlog is worked through after it."""

    def __init__(self) -> None:
        self.in_flight = 0
        self._last = -math.inf

    def begin(self) -> None:
        self.in_flight += 1
        self._last = time.monotonic()

    def end(self) -> None:
        self.in_flight -= 1
        self._last = time.monotonic()

    async def wait_quiet(self, at_most: float) -> None:
        """Until no DATA has been stored for QUIET_SECONDS, or ``at_most`` seconds (work must
        go on under a steady stream). Between two mails of a burst the clients only send
        MAIL and RCPT, so a mere moment without DATA in flight is not quiet."""
        deadline = time.monotonic() + at_most
        while True:
            now = time.monotonic()
            quiet_at = self._last + QUIET_SECONDS
            if (not self.in_flight and now >= quiet_at) or now >= deadline:
                return
            await asyncio.sleep(min(max(quiet_at - now, 0.01), deadline - now))


@dataclass
class _Pending:
    mail: IncomingMail
    done: asyncio.Future[tuple[int, bool]]


class GroupCommitWriter:
    """Stores mails of concurrent SMTP sessions in one transaction (group commit).

    Each session still hears 250 only after the commit that holds its mail; sessions that
    arrive while a commit is running share the next one, so a burst costs a few commits
    instead of one per mail.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._queue: list[_Pending] = []
        self._flushing: asyncio.Task[None] | None = None

    async def store(self, mail: IncomingMail) -> tuple[int, bool]:
        """Committed (mail id, new?) of this mail; raises when the commit failed."""
        done: asyncio.Future[tuple[int, bool]] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(mail, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:GROUP_COMMIT_MAX], self._queue[GROUP_COMMIT_MAX:]
            try:
                # Core on a bare connection: the ORM session costs more than the statements.
                async with self.runtime.engine.begin() as connection:
                    results = await store_mails(
                        connection, [item.mail for item in batch], self.runtime.clock()
                    )
            except Exception as error:  # every mail of the batch gets 451 and is resent
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(error)
                continue
            for item, result in zip(batch, results, strict=True):
                if not item.done.done():
                    item.done.set_result(result)


class IntakeHandler:
    """aiosmtpd handler: cheap recipient check at RCPT, durable store at DATA."""

    def __init__(
        self, runtime: Runtime, on_stored: Callable[[], None], activity: IntakeActivity
    ) -> None:
        self.runtime = runtime
        self.on_stored = on_stored
        self.activity = activity
        self.writer = GroupCommitWriter(runtime)
        settings = runtime.settings
        assert settings.helpdesk_email is not None
        self.helpdesk_email = settings.helpdesk_email
        self.accepted_domains = frozenset(settings.accepted_domains)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        """Refuse every recipient we do not serve: no open relay."""
        if not accepts(address, self.helpdesk_email, self.accepted_domains):
            return replies.RECIPIENT_UNKNOWN
        envelope.rcpt_tos.append(address)
        return replies.RECIPIENT_OK

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Store the raw bytes and commit; only then say 250."""
        raw = envelope.original_content or (
            envelope.content if isinstance(envelope.content, bytes) else b""
        )
        self.activity.begin()
        try:
            mail_id, fresh = await self.writer.store(
                IncomingMail(
                    raw, envelope.mail_from or "", list(envelope.rcpt_tos), header_message_id(raw)
                )
            )
        except Exception:
            log.exception("could not store inbound mail from %s", envelope.mail_from)
            return replies.TRY_AGAIN_LATER
        finally:
            self.activity.end()
        log.info(
            "mail #%d from %s stored%s",
            mail_id,
            envelope.mail_from,
            "" if fresh else " (copy of an earlier one)",
        )
        self.on_stored()
        return replies.OK

    async def handle_exception(self, error: Exception) -> str:
        """Anything unexpected is transient: the sender keeps the mail and retries."""
        log.exception("SMTP session failed", exc_info=error)
        return replies.TRY_AGAIN_LATER


class IntakeServer:
    """The SMTP listener on the bot's own event loop."""

    def __init__(
        self, runtime: Runtime, on_stored: Callable[[], None], activity: IntakeActivity
    ) -> None:
        self.runtime = runtime
        self.handler = IntakeHandler(runtime, on_stored, activity)
        self._server: asyncio.base_events.Server | None = None

    @property
    def size_limit(self) -> int:
        """Bytes accepted in DATA, announced in EHLO SIZE (RFC 1870); more gets 552."""
        return int(self.runtime.settings.max_attachment_bytes * SIZE_OVERHEAD) + 1024 * 1024

    async def start(self) -> None:
        settings = self.runtime.settings
        loop = asyncio.get_running_loop()
        hostname = settings.helpdesk_email.rpartition("@")[2] if settings.helpdesk_email else None
        self._server = await loop.create_server(
            lambda: _IntakeSMTP(
                self.handler,
                hostname=hostname,
                data_size_limit=self.size_limit,
                enable_SMTPUTF8=True,
                decode_data=False,
                timeout=SESSION_TIMEOUT_SECONDS,
            ),
            host=settings.smtp_listen_host,
            port=settings.smtp_listen_port,
        )
        log.info(
            "email intake: SMTP on %s:%d for %s",
            settings.smtp_listen_host,
            self.port,
            settings.helpdesk_email,
        )

    @property
    def port(self) -> int:
        """The bound port (useful when configured as a free port in tests)."""
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
