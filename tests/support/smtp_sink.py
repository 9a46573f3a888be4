"""An aiosmtpd handler that records mail: the office's relay in tests.

``Relay`` runs it on a fixed port that a test can take down (connection refused), make answer
4yz/5yz at a chosen command, and bring back, to show the outbox riding out a relay outage.
With ``max_connections`` it refuses a connection beyond that many open at once with
``421 4.7.0``, as hosted mail services do (Office 365: 3 per mailbox), and counts them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

#: What the relay says to a connection over its limit.
TOO_MANY_CONNECTIONS = b"421 4.7.0 Too many concurrent SMTP connections from this client\r\n"

#: The commands at which the relay can be told to refuse.
REFUSABLE = ("MAIL", "RCPT", "DATA")


@dataclass
class Sink:
    """The relay: records every mail the bot sends (and every refused attempt)."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    #: (command, reply) of every MAIL/RCPT/DATA the relay refused, in order.
    refused: list[tuple[str, str]] = field(default_factory=list)
    _refusals: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(self, command: str, reply: str) -> None:
        """Answer ``reply`` (e.g. ``451 4.3.0 Try again later``) to every ``command`` from now."""
        if command not in REFUSABLE:
            raise ValueError(f"can refuse only {REFUSABLE}")
        with self._lock:
            self._refusals = {command: reply}

    def accept(self) -> None:
        """Accept mail again."""
        with self._lock:
            self._refusals = {}

    def _refusal(self, command: str) -> str | None:
        with self._lock:
            reply = self._refusals.get(command)
            if reply is not None:
                self.refused.append((command, reply))
            return reply

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if refusal := self._refusal("MAIL"):
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if refusal := self._refusal("RCPT"):
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if refusal := self._refusal("DATA"):
            return refusal
        self.envelopes.append(envelope)
        raw = envelope.original_content or b""
        self.messages.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    async def wait_for(
        self, predicate: Callable[[EmailMessage], bool], timeout: float = 10.0
    ) -> EmailMessage:
        for _ in range(int(timeout / 0.05)):
            for message in self.messages:
                if predicate(message):
                    return message
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"no relayed mail matched; got {[m['Subject'] for m in self.messages]}"
        )


@dataclass
class ConnectionGate:
    """Connections to the relay: how many are open, the most at once, how many had a
    session (EHLO/HELO), and how many were refused for being over the limit."""

    limit: int | None = None
    open: int = 0
    peak: int = 0
    sessions: int = 0
    refused: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self) -> bool:
        with self._lock:
            if self.limit is not None and self.open >= self.limit:
                self.refused += 1
                return False
            self.open += 1
            self.peak = max(self.peak, self.open)
            return True

    def leave(self) -> None:
        with self._lock:
            self.open -= 1

    def session(self) -> None:
        with self._lock:
            self.sessions += 1


class _GatedSMTP(SMTP):
    """aiosmtpd's server, refusing connections beyond the gate's limit with 421 4.7.0."""

    def __init__(self, handler: object, gate: ConnectionGate, **kwargs: object) -> None:
        super().__init__(handler, **kwargs)  # type: ignore[arg-type]
        self._gate = gate
        self._admitted = False
        self._greeted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self._gate.admit():
            transport.write(TOO_MANY_CONNECTIONS)  # type: ignore[attr-defined]
            transport.close()
            return
        self._admitted = True
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self._admitted:
            self._gate.leave()
            super().connection_lost(error)

    async def smtp_EHLO(self, hostname: str) -> None:
        self._count_session()
        await super().smtp_EHLO(hostname)

    async def smtp_HELO(self, hostname: str) -> None:
        self._count_session()
        await super().smtp_HELO(hostname)

    def _count_session(self) -> None:
        if not self._greeted:
            self._greeted = True
            self._gate.session()


class _GatedController(Controller):
    def __init__(self, handler: object, gate: ConnectionGate, **kwargs: object) -> None:
        super().__init__(handler, **kwargs)  # type: ignore[arg-type]
        self._gate = gate

    def factory(self) -> SMTP:
        return _GatedSMTP(self.handler, self._gate, **self.SMTP_kwargs)


class Relay:
    """The sink listening on ``port`` (in its own thread, like a separate server), which a
    test stops (nothing listens: connection refused) and starts again on the same port."""

    def __init__(self, sink: Sink, port: int, max_connections: int | None = None) -> None:
        self.sink = sink
        self.port = port
        self.connections = ConnectionGate(max_connections)
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = _GatedController(
                self.sink, self.connections, hostname="127.0.0.1", port=self.port
            )
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
