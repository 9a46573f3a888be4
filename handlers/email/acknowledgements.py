"""Backscatter limits: who may get an automatic acknowledgement of a new mail ticket.

Anyone can put any address in ``From:``; the acknowledgement then goes from the office's
official address to that victim. The bot cannot know a forgery for sure (that is the MX's job:
SPF, DKIM, DMARC), so it bounds the harm: acknowledgements are counted per client IP (from the
``Received:`` line the MX in front of the bot adds), per recipient domain and in total, each
per hour, in the database (all instances share the counts). Over any of them the ticket is
still opened and shown to staff; only the automatic mail is left out. The mail itself never
decides what the acknowledgement says beyond its ticket number: no display name in the
greeting, no subject carrying a link (see ``handlers.email.reference.subject_with_number``).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta
from typing import Any, Final, cast

from bot.core.changes import TicketChange
from bot.core.outbound import Outbound, OutboundKind
from bot.core.ports import Notifier, UnitOfWork
from handlers.email.parse import ParsedMail

WINDOW: Final = timedelta(hours=1)
#: Acknowledgements per hour to mail that came through one client IP.
PER_IP: Final = 10
#: Defaults of MAIL_ACKS_PER_DOMAIN_PER_HOUR (a victim's whole office) and MAIL_ACKS_PER_HOUR
#: (the office's address never turns into a spam cannon).
PER_DOMAIN: Final = 30
IN_TOTAL: Final = 120

# "from mx.example (mx.example [203.0.113.5])", "from [2001:db8::1]", "... (IPv6:2001:db8::1)".
_RECEIVED_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]|\((?:IPv6:)?([0-9A-Fa-f:.]{7,})\)")


def client_ip(mail: ParsedMail) -> str | None:
    """The connecting client's IP in the topmost ``Received:`` line (the MX's own), if any."""
    received = mail.headers.get("received", "")
    head = received.split(" by ", 1)[0]
    for match in _RECEIVED_IP.finditer(head):
        candidate = match.group(1) or match.group(2)
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def budgets(
    mail: ParsedMail, sender: str, *, in_total: int = IN_TOTAL, per_domain: int = PER_DOMAIN
) -> list[tuple[str, int]]:
    """The ``(key, per hour)`` budgets one acknowledgement to ``sender`` is counted in."""
    domain = sender.rpartition("@")[2].lower()
    keyed = [("all", in_total), (f"domain:{domain}", per_domain)]
    ip = client_ip(mail)
    if ip is not None:
        keyed.append((f"ip:{ip}", PER_IP))
    return keyed


class WithoutAcknowledgement:
    """A notifier that queues what ``inner`` does, except automatic mail to ``recipient``."""

    def __init__(self, inner: Notifier, recipient: str) -> None:
        self._inner = inner
        self._recipient = recipient.lower()

    async def notify(self, uow: UnitOfWork, change: TicketChange, now: datetime) -> None:
        await self._inner.notify(cast(UnitOfWork, _FilteredUnitOfWork(uow, self)), change, now)

    def keeps(self, message: Outbound) -> bool:
        return not (
            message.kind is OutboundKind.EMAIL
            and message.destination.lower() == self._recipient
            and message.payload.get("automatic")
        )


class _FilteredUnitOfWork:
    """``uow`` with an outbox that drops what the filter does not keep."""

    def __init__(self, uow: UnitOfWork, keeper: WithoutAcknowledgement) -> None:
        self._uow = uow
        self.outbox = _FilteredOutbox(uow, keeper)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)


class _FilteredOutbox:
    def __init__(self, uow: UnitOfWork, keeper: WithoutAcknowledgement) -> None:
        self._uow = uow
        self._keeper = keeper

    async def enqueue(self, messages: list[Outbound], now: datetime) -> list[int]:
        kept = [message for message in messages if self._keeper.keeps(message)]
        return await self._uow.outbox.enqueue(kept, now) if kept else []
