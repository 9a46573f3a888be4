"""IMAP intake and relay settings, and the pure parts of the IMAP intake."""

from __future__ import annotations

import pytest

from bot.app import channel_states
from bot.settings import SettingsError, load_settings
from handlers.email.imap import FetchedMail, envelope_of, parse_fetch
from tests.unit import test_settings as settings_tests

# The same clean environment as the other settings tests.
clean_environment = settings_tests.clean_environment


def test_defaults_match_the_design() -> None:
    settings = load_settings()
    assert settings.imap_host is None
    assert (settings.imap_port, settings.imap_folder, settings.imap_tls) == (993, "INBOX", True)
    assert settings.smtp_relay_max_connections == 3


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"IMAP_HOST": "imap.example.go.id"}, "invalid setting IMAP_USER: IMAP_USER and"),
        ({"IMAP_PORT": "0"}, "invalid setting IMAP_PORT:"),
        ({"IMAP_TLS": "kadang"}, "invalid setting IMAP_TLS:"),
        ({"SMTP_RELAY_MAX_CONNECTIONS": "0"}, "invalid setting SMTP_RELAY_MAX_CONNECTIONS:"),
    ],
)
def test_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], fragment: str
) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert fragment in str(error.value)


def test_envelope_from_delivery_headers() -> None:
    raw = (
        b"Return-Path: <budi@cvmaju.co.id>\r\nDelivered-To: helpdesk@lpse.go.id\r\n"
        b"X-Original-To: Helpdesk@LPSE.go.id\r\nReturn-Path: <other@x.id>\r\n"
        b"From: Budi <budi@cvmaju.co.id>\r\n\r\nReturn-Path: <body@x.id>\r\n"
    )
    assert envelope_of(raw, "box@lpse.go.id") == ("budi@cvmaju.co.id", ["helpdesk@lpse.go.id"])


def test_a_bounce_keeps_its_null_sender_and_a_missing_return_path_is_none() -> None:
    assert envelope_of(b"Return-Path: <>\r\nSubject: x\r\n\r\n", "box@lpse.go.id") == (
        "",
        ["box@lpse.go.id"],
    )
    # No Return-Path at all (not added by every host): the From address, not a bounce.
    assert envelope_of(b"From: Sari <sari@pt.id>\r\n\r\nbody", "box@lpse.go.id") == (
        "sari@pt.id",
        ["box@lpse.go.id"],
    )


def test_fetch_answer_with_the_uid_before_or_after_the_literal() -> None:
    lines = [
        b"1 FETCH (UID 5 BODY[] {3}",
        bytearray(b"one"),
        b")",
        b"2 FETCH (BODY[] {3}",
        bytearray(b"two"),
        b" UID 9)",
        b"3 FETCH (FLAGS (\\Seen))",
        b"Fetch completed.",
    ]
    assert parse_fetch(lines) == [FetchedMail(5, b"one"), FetchedMail(9, b"two")]


def test_imap_intake_is_on_only_with_a_host_and_the_helpdesk_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert channel_states(load_settings())["imap intake"] == "IMAP_HOST is not set"
    for name, value in {
        "IMAP_HOST": "imap.example.go.id",
        "IMAP_USER": "helpdesk",
        "IMAP_PASSWORD": "rahasia",
    }.items():
        monkeypatch.setenv(name, value)
    assert channel_states(load_settings())["imap intake"] == "HELPDESK_EMAIL is not set"
    monkeypatch.setenv("HELPDESK_EMAIL", "helpdesk@lpse.go.id")
    monkeypatch.setenv("SMTP_LISTEN_PORT", "0")
    states = channel_states(load_settings())
    assert states["imap intake"] is None
    assert states["email intake"] == "SMTP_LISTEN_PORT is 0"
