"""Logging that never leaks secrets, in readable text or one JSON object per line.

Every record that reaches the root handler passes ``RedactingFilter``: the formatted message,
the exception text and the stack are scrubbed of the configured secrets (the Telegram bot
token, the SMTP relay password, the database password), of anything shaped like a Telegram bot
token or a password inside a URL, and of the value in credential phrases ("password: x",
"sandi saya Abc123"), the same idea as ``bot.core.privacy.contains_credential``.

The filter sits on the *handler*, not on a logger: logger filters only see records logged to
that very logger, while a handler filter sees every record that propagates to the root,
whichever library (httpx, python-telegram-bot, aiosmtplib, SQLAlchemy) produced it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings

REDACTED = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Loggers that are chatty at INFO (httpx logs every request URL, which holds the bot token).
QUIET_LOGGERS = ("httpx", "apscheduler")
#: Shorter secrets are not searched for: replacing every "abc" in the logs would mangle them
#: and, by the holes it leaves, tell a reader what the secret is.
MIN_SECRET_LENGTH = 4

# Anything shaped like a Telegram bot token (bot id, colon, 35-character secret), configured or
# not: a token of a second bot, or one pasted by a user, is just as sensitive. No \b at the
# start: in ".../bot123:ABC..." the "t1" boundary is not a word boundary.
_TELEGRAM_TOKEN = re.compile(r"(?<![0-9])[0-9]{5,12}:[A-Za-z0-9_-]{30,}")
_TELEGRAM_TOKEN_EXACT = re.compile(r"[0-9]{5,12}:[A-Za-z0-9_-]{20,}")
# user:password@ in any URL (database, relay, proxy); the user stays, it helps debugging.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)(?P<value>[^\s@/]+)(?=@)")
_BEARER = re.compile(r"(?P<head>\bBearer\s+)(?P<value>[A-Za-z0-9._~+/=-]{8,})")

# Credential phrases. The word may end a longer identifier ("smtp_relay_password") but not sit
# inside a word ("bypass", "passport"), hence letter look-arounds instead of \b.
_WORD = (
    r"(?<![A-Za-z])(?:password|passwd|passphrase|pass|pwd|pw|sandi|kata\s*sandi|kata\s*kunci"
    r"|secret|api[_-]?key|access[_-]?token)(?:nya)?(?![A-Za-z])"
)
_FILLER = r"(?:\s+(?:saya|sy|ku|aku|baru|lama|akun|login|spse|lpse|kami|anda|my|new|old))*"
# A value already replaced is left alone, so that scrubbing twice changes nothing.
_VALUE = r"""(?P<value>(?!\[redacted\])[^\s'",;&)}\]]+)"""
# With a separator ("password: x", "'password': 'x'", "password=x&", "sandi adalah x") any
# value is redacted; without one ("password saya Abc123") only a value that looks like a
# secret, so "password reset failed" stays readable.
_EXPLICIT = re.compile(
    rf"""(?P<head>{_WORD}['"]?{_FILLER}\s*(?:[:=]|\b(?:adalah|is|ialah|yaitu)\b)\s*['"]?){_VALUE}""",
    re.IGNORECASE,
)
_IMPLICIT = re.compile(rf"(?P<head>{_WORD}{_FILLER}\s+){_VALUE}", re.IGNORECASE)
_SECRET_LIKE = re.compile(r"(?=.*\d)|(?=.*[^\w\s])|(?=.*[a-z])(?=.*[A-Z])")


def _keep_head(match: re.Match[str]) -> str:
    return match.group("head") + REDACTED


def _implicit(match: re.Match[str]) -> str:
    value = match.group("value").rstrip(".!?:")
    if len(value) < 4 or not _SECRET_LIKE.match(value) or value == REDACTED:
        return match.group(0)
    return match.group("head") + REDACTED + match.group("value")[len(value) :]


def _variants(secret: str) -> set[str]:
    """The ways a secret shows up in text: as is, URL-encoded, and a token's secret half."""
    found = {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
    if _TELEGRAM_TOKEN_EXACT.fullmatch(secret):
        # The part after "bot-id:" is the actual credential; it may be logged on its own.
        found.add(secret.split(":", 1)[1])
    return {variant for variant in found if len(variant) >= MIN_SECRET_LENGTH}


class Redactor:
    """Replaces secrets and credential values in text with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        variants = set().union(*(_variants(secret) for secret in secrets if secret))
        # Longest first, so a secret that contains another one is removed whole.
        ordered = sorted(variants, key=lambda text: (-len(text), text))
        self._literal = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        """``text`` without the configured secrets, token-like strings and credential values."""
        if self._literal is not None:
            text = self._literal.sub(REDACTED, text)
        text = _TELEGRAM_TOKEN.sub(REDACTED, text)
        text = _URL_PASSWORD.sub(_keep_head, text)
        text = _BEARER.sub(_keep_head, text)
        text = _EXPLICIT.sub(_keep_head, text)
        return _IMPLICIT.sub(_implicit, text)


class RedactingFilter(logging.Filter):
    """Scrubs each record in place; install it on handlers so it sees every logger's records."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad %-arguments: keep what was said instead of raising here
            message = f"{record.msg!s} (log arguments: {record.args!r})"
        # The merged message replaces msg and args: args (an URL, an exception) would otherwise
        # be formatted again, unredacted, by the formatter.
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        # A handler that formats exc_info itself (instead of exc_text) would see the raw
        # exception and its arguments; the rendered, redacted text is all that is passed on.
        record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class _RedactingRecordFactory:
    """Wraps the log record factory so that records are scrubbed as they are created."""

    def __init__(self, inner: Callable[..., logging.LogRecord], secrets: Iterable[str]) -> None:
        self.inner, self.scrub = inner, RedactingFilter(secrets)

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        self.scrub.filter(record)
        return record


def redact_log_records(secrets: Iterable[str]) -> None:
    """Scrub every log record at creation, whoever handles it later.

    The handler filter of ``configure_logging`` protects our own output only; pytest's
    capture, Sentry or an operator's ``dictConfig`` get the records themselves. Calling this
    again replaces the secrets instead of wrapping twice.
    """
    current = logging.getLogRecordFactory()
    inner = current.inner if isinstance(current, _RedactingRecordFactory) else current
    logging.setLogRecordFactory(_RedactingRecordFactory(inner, secrets))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii=False keeps Indonesian text readable; json escapes newlines, so a
        # traceback never breaks the one-record-per-line framing.
        return json.dumps(entry, ensure_ascii=False)


class _RootHandler(logging.StreamHandler[TextIO]):
    """The handler ``configure_logging`` owns; a second call replaces it instead of adding."""


def configure_logging(
    level: int = logging.INFO,
    json_format: bool = False,
    secrets: Iterable[str] = (),
    *,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Log to ``stream`` (stderr) through the redacting filter, as text or JSON lines.

    Replaces ``bot.cli_support.configure_logging``. Handlers installed by others (pytest's log
    capture, for instance) are left alone; the one this function installed before is replaced.
    Returns the installed handler.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _RootHandler):
            root.removeHandler(handler)
    handler = _RootHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if json_format else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler


def settings_secrets(settings: Settings) -> list[str]:
    """The secrets in ``settings`` that must never reach a log line."""
    found: list[str] = []
    if settings.telegram_bot_token is not None:
        found.append(settings.telegram_bot_token.get_secret_value())
    if settings.smtp_relay_password is not None:
        found.append(settings.smtp_relay_password.get_secret_value())
    if settings.imap_password is not None:
        found.append(settings.imap_password.get_secret_value())
    try:
        database_password = make_url(settings.database_url).password
    except ArgumentError:  # validated by Settings already; nothing to hide in a non-URL
        database_password = None
    if database_password:
        found.append(str(database_password))
    return found
