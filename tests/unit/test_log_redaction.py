"""Log lines never carry the bot token, relay or database passwords, or credential values."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.observability import REDACTED, Redactor, configure_logging, settings_secrets
from bot.settings import Settings

TOKEN = "7312345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
TOKEN_SECRET = TOKEN.split(":", 1)[1]
RELAY_PASSWORD = "relay-Pa55word"
DB_PASSWORD = "db/pa:ss@word"  # needs URL quoting inside DATABASE_URL
DB_URL = "postgresql+asyncpg://lpse:db%2Fpa%3Ass%40word@db.example:5432/helpdesk"


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_staff_chat_id=-100123,
        smtp_relay_host="relay.example",
        smtp_relay_password=RELAY_PASSWORD,
        database_url=DB_URL,
    )


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes the root logger; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "apscheduler")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in quiet.items():
        logging.getLogger(name).setLevel(value)


def capture(settings: Settings, *, json_format: bool = False) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(logging.DEBUG, json_format, settings_secrets(settings), stream=stream)
    return stream


def test_settings_secrets_lists_token_relay_and_database_passwords(settings: Settings) -> None:
    assert settings_secrets(settings) == [TOKEN, RELAY_PASSWORD, DB_PASSWORD]
    assert settings_secrets(Settings(_env_file=None)) == []


@pytest.mark.usefixtures("restore_logging")
def test_token_in_a_url_argument_is_redacted(settings: Settings) -> None:
    stream = capture(settings)
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    logging.getLogger("telegram.ext").info("HTTP Request: POST %s %r", url, {"url": url})
    logging.getLogger("bot.test").warning("half of it: %s", TOKEN_SECRET)
    output = stream.getvalue()
    assert TOKEN not in output and TOKEN_SECRET not in output
    assert f"/bot{REDACTED}/getUpdates" in output
    assert "half of it: [redacted]" in output


@pytest.mark.usefixtures("restore_logging")
def test_token_of_another_bot_and_url_encoded_token_are_redacted(settings: Settings) -> None:
    stream = capture(settings)
    other = "5550001111:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2"
    encoded = TOKEN.replace(":", "%3A")
    logging.getLogger("bot.test").info("tokens %s and %s", other, encoded)
    output = stream.getvalue()
    assert other not in output and encoded not in output and TOKEN_SECRET not in output
    assert "tokens [redacted] and [redacted]" in output


@pytest.mark.usefixtures("restore_logging")
def test_token_in_an_exception_traceback_is_redacted(settings: Settings) -> None:
    stream = capture(settings)
    log = logging.getLogger("handlers.telegram.application")

    def poll() -> None:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")

    try:
        poll()
    except ConnectionError:
        log.exception("polling failed")
    try:
        raise RuntimeError("relay login")
    except RuntimeError as exc:
        log.error("relay said no for %s", RELAY_PASSWORD, exc_info=exc)
    output = stream.getvalue()
    assert "Traceback (most recent call last)" in output
    assert "in poll" in output  # the traceback itself is kept, only the secret goes
    assert f"ConnectionError: cannot reach https://api.telegram.org/bot{REDACTED}/getMe" in output
    assert TOKEN not in output and TOKEN_SECRET not in output and RELAY_PASSWORD not in output


@pytest.mark.usefixtures("restore_logging")
def test_database_and_relay_passwords_are_redacted(settings: Settings) -> None:
    stream = capture(settings)
    log = logging.getLogger("storage")
    log.info("connecting to %s", DB_URL)
    log.info("password as typed: %s", DB_PASSWORD)
    log.info("relay auth with %s", RELAY_PASSWORD)
    log.info("some other url postgresql://app:hunter2x@elsewhere/db")
    output = stream.getvalue()
    for secret in (DB_PASSWORD, "db%2Fpa%3Ass%40word", RELAY_PASSWORD, "hunter2x"):
        assert secret not in output
    assert f"postgresql+asyncpg://lpse:{REDACTED}@db.example:5432/helpdesk" in output
    assert f"postgresql://app:{REDACTED}@elsewhere/db" in output


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("pesan dari 9001: password saya Rahasia123", "Rahasia123"),
        ("pw: bintang", "bintang"),
        ("Passwordnya adalah kucing", "kucing"),
        ("kata sandi = qwerty!", "qwerty!"),
        ("sandi akun: Lpse2024", "Lpse2024"),
        ("my password is hunter2", "hunter2"),
        ("pw abc123", "abc123"),
        ("sandi lama 12345", "12345"),
        ("{'smtp_relay_password': 'tops3cret'}", "tops3cret"),
        ("GET /login?user=budi&password=xyz987&next=/", "xyz987"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9"),
    ],
)
def test_credential_values_in_messages_are_redacted(text: str, value: str) -> None:
    redacted = Redactor([])(text)
    assert value not in redacted
    assert REDACTED in redacted
    # Records are scrubbed at creation and again by the handler: a second pass changes nothing.
    assert Redactor([])(redacted) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "pagi min, sy lupa pw akun lpse gmn ya",
        "Bagaimana cara reset password penyedia?",
        "password tidak bisa dipakai login",
        "apakah pass untuk aplikasi apendo sama?",
        "bypass: 3 rows, passport: A1234",
        "outbox: sending #12 to 7312345 failed",
    ],
)
def test_questions_about_passwords_stay_readable(text: str) -> None:
    assert Redactor([TOKEN])(text) == text


@pytest.mark.usefixtures("restore_logging")
def test_password_in_a_message_is_redacted_in_the_log(settings: Settings) -> None:
    stream = capture(settings)
    logging.getLogger("handlers.telegram.requester").info(
        "held back a message from %s: %s", 9001, "password saya Rahasia123"
    )
    line = stream.getvalue().rstrip()
    assert line.endswith("held back a message from 9001: password saya [redacted]")


@pytest.mark.usefixtures("restore_logging")
def test_json_format_is_one_parseable_object_per_line(settings: Settings) -> None:
    stream = capture(settings, json_format=True)
    log = logging.getLogger("bot.app")
    before = datetime.now(UTC)
    log.info("FAQ loaded: %d entries (kata sandi: %s)", 42, "Rahasia123")
    try:
        raise ValueError(f"bad token {TOKEN}\nsecond line")
    except ValueError:
        log.exception("multi\nline")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # newlines inside message and traceback are escaped
    first: dict[str, Any] = json.loads(lines[0])
    second: dict[str, Any] = json.loads(lines[1])
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["level"] == "INFO" and first["logger"] == "bot.app"
    assert first["message"] == "FAQ loaded: 42 entries (kata sandi: [redacted])"
    assert first["time"].endswith("Z")
    stamp = datetime.fromisoformat(first["time"].replace("Z", "+00:00"))
    assert stamp.utcoffset() is not None and stamp.utcoffset() == UTC.utcoffset(None)
    assert abs((stamp - before).total_seconds()) < 5
    assert second["level"] == "ERROR" and second["message"] == "multi\nline"
    assert second["exception"].startswith("Traceback (most recent call last)")
    assert f"ValueError: bad token {REDACTED}\nsecond line" in second["exception"]
    assert TOKEN_SECRET not in stream.getvalue()


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_replaces_its_handler_and_quiets_chatty_loggers(
    settings: Settings,
) -> None:
    first = capture(settings)
    second = capture(settings, json_format=True)
    logging.getLogger("bot.test").info("once")
    assert first.getvalue() == ""
    assert json.loads(second.getvalue())["message"] == "once"
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("apscheduler").level == logging.WARNING
    logging.getLogger("httpx").info(f"HTTP Request: POST https://x/bot{TOKEN}/getMe")
    assert "HTTP Request" not in second.getvalue()


@pytest.mark.usefixtures("restore_logging")
def test_bad_log_arguments_do_not_raise_and_are_still_redacted(settings: Settings) -> None:
    stream = io.StringIO()
    handler = configure_logging(logging.INFO, False, settings_secrets(settings), stream=stream)
    # Straight to the handler: pytest's own capture handler would trip over the record first.
    record = logging.LogRecord("bot.test", logging.INFO, __file__, 1, "two %s %s", (TOKEN,), None)
    handler.handle(record)  # one argument short
    output = stream.getvalue()
    assert "two %s %s" in output and TOKEN_SECRET not in output
