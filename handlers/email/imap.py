"""IMAP intake, for an office whose mail stays at its mail host (``IMAP_*`` settings).

New (unseen) mail of ``IMAP_FOLDER`` is fetched with ``BODY.PEEK[]`` (which leaves it unseen),
stored exactly as the SMTP intake stores it (``GroupCommitWriter``: the same raw bytes, the
same dedupe, then the same processing, threading and loop rules), and only once that commit
is done marked ``\\Seen``. The server is watched with IDLE (RFC 2177) where it offers it, else
polled. A lost connection is retried with a growing pause (1 s doubling to 5 minutes).

Nothing lost, nothing twice: a mail stays unseen until it is stored, so a crash, a server
restart or a dropped connection at any point means it is fetched again; a mail fetched again
(stored before, marked seen never) has the same bytes and is recognised as a copy by
``storage.mail.store_mails`` (same content hash, or same Message-ID and sender), so it makes
no second ticket. This needs no UID bookkeeping, and so survives a UIDVALIDITY change.

The mailbox should be the bot's own: a mail that a person marks as read in a mail client
before the bot fetched it is not fetched (the bot reads unseen mail only).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any, TypeVar

import aioimaplib

from bot import texts
from bot.runtime import Runtime
from handlers.email.server import (
    SIZE_OVERHEAD,
    GroupCommitWriter,
    IntakeActivity,
    header_message_id,
)
from storage.mail import IncomingMail

log = logging.getLogger(__name__)

#: RFC 2177: a client should re-issue IDLE at least every 29 minutes.
IDLE_RENEW_SECONDS = 25 * 60
#: Without IDLE, how often the folder is searched for new mail.
POLL_SECONDS = 30.0
#: Most mails fetched (and committed) at once.
FETCH_BATCH = 20
#: Pause before reconnecting: doubles from the first to the last value.
RECONNECT_FIRST_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 300.0
#: A session that lasted this long (or fetched mail) was healthy: the next pause starts short.
HEALTHY_SESSION_SECONDS = 60.0
#: A command that gets no answer this long counts as a lost connection.
COMMAND_TIMEOUT_SECONDS = 60.0

_T = TypeVar("_T")
_FETCH_UID = re.compile(rb"\bUID (\d+)")
_FETCH_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_MEGABYTE = 1024 * 1024
_HEADER_END = re.compile(rb"\r?\n\r?\n")


class ImapError(Exception):
    """The server refused a command, or the connection broke."""


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    raw: bytes


def envelope_of(raw: bytes, mailbox_address: str) -> tuple[str, list[str]]:
    """(MAIL FROM, RCPT TO) as the mail host received them, from the header fields its
    delivery adds: the first ``Return-Path`` (``<>`` for a bounce, which the loop rules need;
    without one, the From address: a missing field is no null sender) and ``Delivered-To`` /
    ``X-Original-To``; the mailbox's address without them."""
    end = _HEADER_END.search(raw)
    headers = BytesHeaderParser().parsebytes(raw[: end.start() if end else len(raw)])
    return_paths = headers.get_all("Return-Path") or []
    if return_paths:
        mail_from = parseaddr(str(return_paths[0]))[1]
    else:
        mail_from = parseaddr(str(headers.get("From", "")))[1]
    recipients: list[str] = []
    for value in (headers.get_all("Delivered-To") or []) + (headers.get_all("X-Original-To") or []):
        address = parseaddr(str(value))[1].lower()
        if address and address not in recipients:
            recipients.append(address)
    return mail_from, recipients or [mailbox_address]


def parse_fetch(lines: Sequence[bytes | bytearray]) -> list[FetchedMail]:
    """The (UID, message) pairs of a ``UID FETCH ... (BODY.PEEK[])`` answer as aioimaplib
    gives it: ``b'1 FETCH (UID 5 BODY[] {123}'``, the literal, ``b')'`` (the UID may also
    come after the literal)."""
    mails: list[FetchedMail] = []
    for position, line in enumerate(lines):
        if not isinstance(line, bytearray):
            continue
        around = [lines[position - 1] if position else b""]
        if position + 1 < len(lines):
            around.append(lines[position + 1])
        for text in around:
            found = _FETCH_UID.search(bytes(text))
            if found:
                mails.append(FetchedMail(int(found.group(1)), bytes(line)))
                break
    return mails


def oversized_stand_in(header: bytes, size: int, attachment_limit_mb: float) -> bytes:
    """What is stored for a mail over the size limit: its header (sender, subject, thread)
    with a short text saying so instead of its body, so that it still makes a ticket."""
    mail = BytesHeaderParser().parsebytes(header)
    for name in ("Content-Type", "Content-Transfer-Encoding", "MIME-Version"):
        del mail[name]
    mail["MIME-Version"] = "1.0"
    note = texts.EMAIL_TOO_LARGE.format(
        size=f"{size / _MEGABYTE:.1f}", limit=f"{attachment_limit_mb:g}"
    )
    mail.set_payload(note + "\n", "utf-8")
    return mail.as_bytes()


def _search_uids(lines: Sequence[bytes | bytearray]) -> list[int]:
    """UIDs of a ``UID SEARCH`` answer (all lines but the tagged status)."""
    uids: list[int] = []
    for line in lines[:-1]:
        uids += [int(token) for token in bytes(line).split() if token.isdigit()]
    return sorted(set(uids))


class ImapIntake:
    """Fetches new mail from the office's mailbox into the inbound mail table."""

    def __init__(
        self,
        runtime: Runtime,
        on_stored: Callable[[], None],
        activity: IntakeActivity,
        *,
        poll_seconds: float | None = None,
    ) -> None:
        settings = runtime.settings
        assert settings.imap_host and settings.imap_user and settings.imap_password
        self.runtime = runtime
        self.on_stored = on_stored
        self.activity = activity
        self.poll_seconds = POLL_SECONDS if poll_seconds is None else poll_seconds
        self.writer = GroupCommitWriter(runtime)
        self.mailbox_address = (settings.helpdesk_email or settings.imap_user).lower()
        #: The SMTP intake's limit (IntakeServer.size_limit): larger mail is not fetched whole.
        self.size_limit = int(settings.max_attachment_bytes * SIZE_OVERHEAD) + _MEGABYTE
        self._lost = asyncio.Event()
        #: Counters for logs and tests: mails stored new, and copies met again.
        self.stored = 0
        self.copies = 0
        self.connections = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch until ``stop`` is set; a broken session is retried with backoff."""
        pause = RECONNECT_FIRST_SECONDS
        while not stop.is_set():
            fetched_before, started = self.stored + self.copies, time.monotonic()
            try:
                await self._session(stop)
            except (ImapError, aioimaplib.AioImapException, OSError, TimeoutError) as error:
                worked = self.stored + self.copies > fetched_before
                if worked or time.monotonic() - started >= HEALTHY_SESSION_SECONDS:
                    pause = RECONNECT_FIRST_SECONDS  # a break, not a server that keeps failing
                log.warning(
                    "IMAP intake: %s (%s); reconnecting in %.3g s",
                    type(error).__name__,
                    error,
                    pause,
                )
            except Exception:  # a bug must not end the intake for good
                log.exception("IMAP intake failed; reconnecting in %.3g s", pause)
            else:
                return
            if await _wait(stop, pause):
                return
            pause = min(pause * 2, RECONNECT_MAX_SECONDS)

    async def _session(self, stop: asyncio.Event) -> None:
        """One connection: log in, select, then fetch whenever the server has news."""
        settings = self.runtime.settings
        assert settings.imap_host and settings.imap_user and settings.imap_password
        # This connection's own event: a late callback of an earlier one must not set it.
        lost = self._lost = asyncio.Event()
        client = aioimaplib.IMAP4(
            host=settings.imap_host,
            port=settings.imap_port,
            timeout=COMMAND_TIMEOUT_SECONDS,
            conn_lost_cb=lambda _error: lost.set(),
            ssl_context=ssl.create_default_context() if settings.imap_tls else None,
        )
        try:
            await self._call(client.wait_hello_from_server())
            _check(
                "LOGIN",
                await self._call(
                    client.login(settings.imap_user, settings.imap_password.get_secret_value())
                ),
            )
            # Capabilities change after login (RFC 3501 6.2.3): ask again, IDLE among them.
            await self._call(
                asyncio.wait_for(client.protocol.capability(), COMMAND_TIMEOUT_SECONDS)
            )
            _check("SELECT", await self._call(client.select(settings.imap_folder)))
            self.connections += 1
            idle = client.has_capability("IDLE")
            log.info(
                "IMAP intake: %s@%s:%d/%s selected (%s)",
                settings.imap_user,
                settings.imap_host,
                settings.imap_port,
                settings.imap_folder,
                "IDLE" if idle else f"polling every {self.poll_seconds:.0f} s",
            )
            while not stop.is_set():
                await self.fetch_new(client)
                if idle:
                    await self._idle(client, stop)
                elif await _wait(stop, self.poll_seconds, self._lost):
                    break
                if self._lost.is_set():
                    raise ImapError("connection lost")
            with contextlib.suppress(aioimaplib.AioImapException, OSError, TimeoutError):
                await asyncio.wait_for(client.logout(), 5)
        finally:
            transport = client.protocol.transport
            if transport is not None:
                transport.close()

    async def fetch_new(self, client: aioimaplib.IMAP4) -> int:
        """Store every unseen mail of the folder, then mark it seen; returns how many."""
        found = await self._call(client.uid_search("UNSEEN", charset=None))
        _check("UID SEARCH", found)
        uids = _search_uids(found.lines)
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            sizes = await self.sizes(client, batch)
            fitting = [uid for uid in batch if sizes.get(uid, 0) <= self.size_limit]
            mails = await self.fetch_batch(client, fitting) if fitting else []
            for uid in batch:
                if sizes.get(uid, 0) > self.size_limit:
                    mails.append(await self.fetch_oversized(client, uid, sizes[uid]))
            if mails:
                await self.store(mails)
                await self.mark_seen(client, [mail.uid for mail in mails])
        return len(uids)

    async def fetch_batch(self, client: aioimaplib.IMAP4, uids: list[int]) -> list[FetchedMail]:
        """The raw bytes of ``uids``, leaving them unseen (``BODY.PEEK``)."""
        fetched = await self._call(
            client.uid("fetch", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
        )
        _check("UID FETCH", fetched)
        return parse_fetch(fetched.lines)

    async def sizes(self, client: aioimaplib.IMAP4, uids: list[int]) -> dict[int, int]:
        """The size in bytes of each of ``uids``."""
        answer = await self._call(
            client.uid("fetch", ",".join(map(str, uids)), "(UID RFC822.SIZE)")
        )
        _check("UID FETCH", answer)
        found: dict[int, int] = {}
        for line in answer.lines:
            uid, size = _FETCH_UID.search(bytes(line)), _FETCH_SIZE.search(bytes(line))
            if uid and size:
                found[int(uid.group(1))] = int(size.group(1))
        return found

    async def fetch_oversized(self, client: aioimaplib.IMAP4, uid: int, size: int) -> FetchedMail:
        """A mail over the size limit: its header only, with a note for staff."""
        answer = await self._call(client.uid("fetch", str(uid), "(UID BODY.PEEK[HEADER])"))
        _check("UID FETCH", answer)
        [header] = parse_fetch(answer.lines) or [FetchedMail(uid, b"")]
        log.warning(
            "IMAP uid %d is %d bytes, over the %d limit: header kept", uid, size, self.size_limit
        )
        return FetchedMail(
            uid,
            oversized_stand_in(header.raw, size, self.runtime.settings.max_attachment_mb),
        )

    async def store(self, mails: list[FetchedMail]) -> None:
        """Commit ``mails`` (one transaction: concurrent stores share the writer's commit)."""
        self.activity.begin()
        try:
            results = await asyncio.gather(
                *(self.writer.store(self._incoming(mail.raw)) for mail in mails)
            )
        finally:
            self.activity.end()
        for mail, (mail_id, fresh) in zip(mails, results, strict=True):
            if fresh:
                self.stored += 1
            else:
                self.copies += 1
            log.info(
                "mail #%d stored from IMAP uid %d%s",
                mail_id,
                mail.uid,
                "" if fresh else " (copy of an earlier one)",
            )
        self.on_stored()

    async def mark_seen(self, client: aioimaplib.IMAP4, uids: list[int]) -> None:
        """Flag stored mail as seen: from now on the server need not offer it again."""
        response = await self._call(
            client.uid("store", ",".join(map(str, uids)), "+FLAGS.SILENT", r"(\Seen)")
        )
        _check("UID STORE", response)

    def _incoming(self, raw: bytes) -> IncomingMail:
        mail_from, recipients = envelope_of(raw, self.mailbox_address)
        return IncomingMail(raw, mail_from, recipients, header_message_id(raw))

    async def _idle(self, client: aioimaplib.IMAP4, stop: asyncio.Event) -> None:
        """Wait in IDLE until the server reports a change, IDLE is due for renewal, the
        connection breaks or ``stop`` is set; then leave IDLE."""
        idling = await self._call(client.idle_start(timeout=IDLE_RENEW_SECONDS))
        push = asyncio.ensure_future(client.wait_server_push(timeout=IDLE_RENEW_SECONDS + 60))
        stopping = asyncio.ensure_future(stop.wait())
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait({push, stopping, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (push, stopping, lost):
                waiter.cancel()
        if self._lost.is_set():
            idling.cancel()
            raise ImapError("connection lost while idling")
        client.idle_done()
        _check("IDLE", await self._call(asyncio.wait_for(idling, COMMAND_TIMEOUT_SECONDS)))

    async def _call(self, awaitable: Awaitable[_T]) -> _T:
        """``awaitable``, or ImapError as soon as the connection is lost (aioimaplib would
        otherwise wait for its timeout)."""
        task = asyncio.ensure_future(awaitable)
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
        if task.done():
            return task.result()
        task.cancel()
        raise ImapError("connection lost")


def _check(command: str, response: Any) -> None:
    if response is None or response.result != "OK":
        detail = b" ".join(bytes(line) for line in response.lines[-1:]) if response else b""
        raise ImapError(
            f"{command}: {response.result if response else 'no answer'} "
            f"{detail.decode('utf-8', 'replace')}"
        )


async def _wait(stop: asyncio.Event, seconds: float, *others: asyncio.Event) -> bool:
    """Sleep ``seconds`` or until ``stop`` (or one of ``others``) is set; True when stopped."""
    waiters = [asyncio.ensure_future(event.wait()) for event in (stop, *others)]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return stop.is_set()
