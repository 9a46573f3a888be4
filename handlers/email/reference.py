"""Threading helpers: ticket tags in subjects, body reference tokens and our Message-IDs.

A reply finds its ticket by any of three clues, from the most to the least reliable: the
In-Reply-To / References headers (RFC 5322 3.6.4), a ``[#N]`` tag in the subject, and a signed
``LPSE-N-xxxxxx`` token in the quoted body for clients that drop both.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from email.utils import getaddresses

from bot import texts

MAX_SUBJECT_LENGTH = 200

# "[#12]", "[# 12]", "[Tiket #12]"; the first one in a subject names the ticket.
_TICKET_TAG = re.compile(r"\[\s*(?:tiket\s*)?#\s*(\d{1,9})\s*\]", re.IGNORECASE)
# Reply/forward prefixes that clients stack up ("Re: RE: Fwd: Balas: ..."). BLS/TRS are what
# Indonesian Outlook writes for Balas/Teruskan; "Re[2]:" is the counted form of some clients.
_REPLY_PREFIXES = re.compile(
    r"^(?:\s*(?:re|fwd?|balas|bls|trs)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
_WHITESPACE = re.compile(r"\s+")
_MAX_TAG_PASSES = 8
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_TOKEN_PREFIX = "LPSE"
# 6 hex digits = 24 bits: enough that a guessed token rarely hits; the token only threads a
# mail to a ticket (as a [#N] subject tag does), it never grants anything.
_TOKEN_DIGEST_LENGTH = 6
_TOKEN = re.compile(r"\bLPSE-(\d{1,9})-([0-9a-f]{6})\b", re.IGNORECASE)

#: The subject of our mail when the sender's one carried a link.
NEUTRAL_SUBJECT = texts.EMAIL_SUBJECT_NEUTRAL
# A URL, "www.", or a dotted host name ("evil.example", "bit.ly/x").
_LINK = re.compile(
    r"[a-z][a-z0-9+.-]*://|\bwww\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\b", re.IGNORECASE
)

_MESSAGE_ID = re.compile(r"^<lpse\.(\d{1,9})\.[0-9a-f]+@([^<>@\s]+)>$", re.IGNORECASE)
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def ticket_number_in_subject(subject: str) -> int | None:
    """The ticket number of the first ``[#N]`` / ``[Tiket #N]`` tag in ``subject``."""
    match = _TICKET_TAG.search(subject)
    return int(match.group(1)) if match else None


def subject_with_number(subject: str, number: int, *, reply: bool = False) -> str:
    """``subject`` carrying exactly one ``[#N]`` tag at its end, safe to put in a header.

    Any ticket tags already there and the stacked reply/forward prefixes are removed; a reply
    gets a single "Re: ". A subject carrying a link becomes ``NEUTRAL_SUBJECT``. Control
    characters (CR/LF above all: header injection) become spaces
    and the result is at most ``MAX_SUBJECT_LENGTH`` characters, the tag always intact.
    """
    if number < 0:
        raise ValueError(f"ticket number must not be negative: {number}")
    base = _REPLY_PREFIXES.sub("", _without_ticket_tags(_single_line(subject))).strip()
    if _LINK.search(base):
        # Never echo a link from an untrusted subject in mail from the office's address: a
        # forged sender would make it a phishing mail (backscatter).
        base = NEUTRAL_SUBJECT
    prefix = "Re: " if reply else ""
    tag = f"[#{number}]"
    room = MAX_SUBJECT_LENGTH - len(prefix) - len(tag) - 1
    if len(base) > room:
        base = base[: room - 1].rstrip() + "…"
    return f"{prefix}{base} {tag}" if base else f"{prefix}{tag}"


def _without_ticket_tags(text: str) -> str:
    """``text`` with no ``[#N]`` tag left, nested ones included.

    Removing "[#1]" from "[[#1]#2]" makes a new "[ #2]", so tags are removed until none is
    found; a subject nested deeper than any client would write loses its brackets instead
    (bounded work on hostile input).
    """
    for _ in range(_MAX_TAG_PASSES):
        text, found = _TICKET_TAG.subn(" ", text)
        if not found:
            return _single_line(text)
    return _single_line(text.replace("[", " ").replace("]", " "))


def reference_token(number: int, secret: str) -> str:
    """The signed ``LPSE-N-xxxxxx`` token that our outgoing mail carries in its body."""
    return f"{_TOKEN_PREFIX}-{number}-{_token_digest(number, secret)}"


def tickets_in_tokens(text: str, secret: str) -> list[int]:
    """Ticket numbers of the genuine reference tokens in ``text``, first seen first.

    Tokens whose suffix does not match the HMAC of their number are forged (or mangled) and
    ignored.
    """
    numbers: list[int] = []
    for match in _TOKEN.finditer(text):
        number = int(match.group(1))
        expected = _token_digest(number, secret)
        if hmac.compare_digest(match.group(2).lower(), expected) and number not in numbers:
            numbers.append(number)
    return numbers


def message_id(number: int, domain: str) -> str:
    """A new, globally unique Message-ID ``<lpse.N.<random hex>@domain>`` for ticket ``N``.

    Like ``email.utils.make_msgid`` (RFC 5322 3.6.4: id-left "." id-right), with the ticket
    number readable in it and 64 random bits instead of time and pid, so ids made by several
    instances at once never collide.
    """
    if number < 0:
        raise ValueError(f"ticket number must not be negative: {number}")
    if not _DOMAIN.match(domain):
        raise ValueError(f"not a domain for a Message-ID: {domain!r}")
    return f"<lpse.{number}.{secrets.token_hex(8)}@{domain.lower()}>"


def ticket_number_in_message_id(value: str, domain: str) -> int | None:
    """The ticket number in one of our own Message-IDs (made by ``message_id`` for ``domain``)."""
    match = _MESSAGE_ID.match(value.strip())
    if match is None or match.group(2).lower() != domain.lower():
        return None
    return int(match.group(1))


def normalise_address(value: str) -> str | None:
    """The lower-cased addr-spec in ``value`` ("Name <A@B>", "<a@b>" or "a@b"), or None.

    None when there is no plausible ``local@domain``: empty parts, whitespace, control
    characters or angle brackets left over from a malformed header.
    """
    try:
        pairs = getaddresses([_single_line(value)])
    except Exception:  # the stdlib address parser has raised on odd input before
        return None
    for _name, address in pairs:
        candidate = address.strip().strip("<>").strip().lower()
        local, at, domain = candidate.rpartition("@")
        if (
            at
            and local
            and domain
            and not any(char.isspace() or char in "<>()," for char in candidate)
            and not _CONTROL.search(candidate)
        ):
            return candidate
    return None


def _token_digest(number: int, secret: str) -> str:
    if not secret:
        # An empty key would make every token forgeable by anyone who reads this code.
        raise ValueError("the reference token secret must not be empty")
    digest = hmac.new(secret.encode("utf-8"), str(number).encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:_TOKEN_DIGEST_LENGTH]


def _single_line(value: str) -> str:
    return _WHITESPACE.sub(" ", _CONTROL.sub(" ", value)).strip()
