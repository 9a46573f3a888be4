"""Settings: defaults, and one clear line naming a bad setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

# Every setting, as the environment names it (the model's fields, upper-cased).
SETTING_NAMES = [name.upper() for name in Settings.model_fields]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting from the machine's environment or a stray .env reaches a test."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_match_the_design() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./data/helpdesk.db"
    assert settings.smtp_listen_port == 8025
    assert settings.office_hours == "mon-fri 08:00-16:00"
    assert settings.telegram_group_msgs_per_min == 20
    assert settings.max_attachment_bytes == 10 * 1024 * 1024
    assert settings.telegram_bot_token is None
    assert not settings.staff_file_required


def test_env_file_and_comma_separated_domains(tmp_path: Path) -> None:
    env = tmp_path / "custom.env"
    env.write_text("ACCEPTED_DOMAINS=Ogan-Ilir.go.id, example.org\nHELPDESK_EMAIL=\n")
    settings = load_settings(env)
    assert settings.accepted_domains == ["ogan-ilir.go.id", "example.org"]
    assert settings.helpdesk_email is None  # empty means unset


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("OFFICE_HOURS", "mon-fri 8-16", "invalid setting OFFICE_HOURS: expected a time range"),
        ("OFFICE_TIMEZONE", "Asia/Palembang", "invalid setting OFFICE_TIMEZONE: unknown IANA"),
        ("DATABASE_URL", "mysql://x", "invalid setting DATABASE_URL:"),
        ("DATABASE_URL", "sqlite:///x.db", "invalid setting DATABASE_URL: use an async driver"),
        ("SMTP_LISTEN_PORT", "99999", "invalid setting SMTP_LISTEN_PORT:"),
        ("HELPDESK_EMAIL", "helpdesk", "invalid setting HELPDESK_EMAIL: not an e-mail"),
        ("ACCEPTED_DOMAINS", "ok.id,bad domain", "invalid setting ACCEPTED_DOMAINS:"),
        ("HOLIDAYS", "US", "invalid setting HOLIDAYS:"),
        ("HOLIDAYS", "ID,/nope.txt", "invalid setting HOLIDAYS: holiday file"),
        ("FAQ_PATH", "/nope.yaml", "invalid setting FAQ_PATH: file /nope.yaml does not exist"),
        ("MAX_ATTACHMENT_MB", "0", "invalid setting MAX_ATTACHMENT_MB:"),
        ("TELEGRAM_BOT_TOKEN", "123:abc", "invalid setting TELEGRAM_STAFF_CHAT_ID: required"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "invalid setting TELEGRAM_API_BASE_URL:"),
    ],
)
def test_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert fragment in str(error.value)
    assert "\n" not in str(error.value)


def test_env_example_lists_every_setting() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    text = example.read_text(encoding="utf-8")
    missing = [name for name in SETTING_NAMES if f"{name}=" not in text]
    assert missing == []
