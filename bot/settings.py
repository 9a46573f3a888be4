"""Typed settings from the environment and ``.env``; built once in ``main`` and passed down."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.sop import DEFAULT_CATALOG_PATH
from bot.core.worktime import OfficeHours
from faq.kb import DEFAULT_KB_PATH

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SettingsError(ValueError):
    """One line naming the bad setting and what is wrong with it."""


class Settings(BaseSettings):
    """Every setting of DESIGN.md; names are the environment variables, upper-cased."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_staff_chat_id: int | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1:8443"
    telegram_group_msgs_per_min: int = Field(default=20, gt=0, le=60)
    staff_file: Path = Path("./staff.yaml")
    database_url: str = "sqlite+aiosqlite:///./data/helpdesk.db"
    smtp_listen_host: str = "127.0.0.1"
    smtp_listen_port: int = Field(default=8025, ge=0, le=65535)
    helpdesk_email: str | None = None
    accepted_domains: Annotated[list[str], NoDecode] = Field(default_factory=list)
    smtp_relay_host: str | None = None
    smtp_relay_port: int = Field(default=587, gt=0, le=65535)
    smtp_relay_user: str | None = None
    smtp_relay_password: SecretStr | None = None
    smtp_relay_starttls: bool = True
    smtp_relay_tls: bool = False
    smtp_relay_max_connections: int = Field(default=3, gt=0, le=100)
    imap_host: str | None = None
    imap_port: int = Field(default=993, gt=0, le=65535)
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"
    imap_tls: bool = True
    faq_autoclose_hours: float = Field(default=72, gt=0, le=24 * 90)
    #: Backscatter limits: automatic acknowledgements per hour, in total and per domain.
    mail_acks_per_hour: int = Field(default=120, ge=1, le=100_000)
    mail_acks_per_domain_per_hour: int = Field(default=30, ge=1, le=100_000)
    faq_path: Path = DEFAULT_KB_PATH
    sop_catalog: Path = DEFAULT_CATALOG_PATH
    office_hours: str = "mon-fri 08:00-16:00"
    office_timezone: str = "Asia/Jakarta"
    holidays: str = "ID"
    log_format: Literal["text", "json"] = "text"
    health_listen: str | None = None
    attachments_dir: Path = Path("./data/attachments")
    max_attachment_mb: float = Field(default=10, gt=0, le=2000)
    outbox_give_up_hours: float = Field(default=72, gt=0, le=24 * 90)

    @field_validator("telegram_api_base_url", "telegram_file_base_url", "telegram_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("telegram_webhook_listen", "health_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is None:
            return None
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 127.0.0.1:8443")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not an SQLAlchemy URL ({exc})") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite+aiosqlite:// and postgresql+asyncpg:// are supported")
        if url.get_driver_name() not in ("aiosqlite", "asyncpg"):
            raise ValueError("use an async driver: sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("helpdesk_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value.lower() if value else value

    @field_validator("accepted_domains", mode="before")
    @classmethod
    def _domains(cls, value: object) -> list[str]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            raise ValueError("must be a comma-separated list of domains")
        domains = [str(item).strip().lower() for item in items if str(item).strip()]
        for domain in domains:
            if not _DOMAIN.match(domain):
                raise ValueError(f"{domain!r} is not a domain name")
        return domains

    @field_validator("faq_path", "sop_catalog")
    @classmethod
    def _existing_file(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"file {value} does not exist")
        return value

    @field_validator("office_hours")
    @classmethod
    def _office_hours(cls, value: str) -> str:
        OfficeHours.parse(value)
        return value

    @field_validator("office_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("holidays")
    @classmethod
    def _holidays(cls, value: str) -> str:
        source, _, extra_file = value.partition(",")
        if source.strip().lower() == "none" and not extra_file:
            return value
        if source.strip().upper() != "ID":
            raise ValueError("use ID, ID,<file of dates> or none")
        if extra_file and not Path(extra_file.strip()).is_file():
            raise ValueError(f"holiday file {extra_file.strip()} does not exist")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.telegram_bot_token is not None and self.telegram_staff_chat_id is None:
            raise ValueError("TELEGRAM_STAFF_CHAT_ID: required when TELEGRAM_BOT_TOKEN is set")
        if self.smtp_relay_starttls and self.smtp_relay_tls and self.smtp_relay_host:
            raise ValueError(
                "SMTP_RELAY_TLS: implicit TLS and SMTP_RELAY_STARTTLS cannot both be true"
            )
        if self.imap_host and not (self.imap_user and self.imap_password):
            raise ValueError("IMAP_USER: IMAP_USER and IMAP_PASSWORD are required with IMAP_HOST")
        return self

    @property
    def office_hours_parsed(self) -> OfficeHours:
        """``OFFICE_HOURS`` as a structure."""
        return OfficeHours.parse(self.office_hours)

    @property
    def staff_file_required(self) -> bool:
        """True when ``STAFF_FILE`` was given explicitly (so a missing file is an error)."""
        return "staff_file" in self.model_fields_set

    @property
    def max_attachment_bytes(self) -> int:
        """``MAX_ATTACHMENT_MB`` in bytes."""
        return int(self.max_attachment_mb * 1024 * 1024)


def load_settings(env_file: Path | None = None) -> Settings:
    """Build the settings; any problem becomes one ``SettingsError`` line naming the setting."""
    try:
        if env_file is not None:
            return Settings(_env_file=env_file)
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["loc"]:
            name = str(first["loc"][0]).upper()
            raise SettingsError(f"invalid setting {name}: {message}") from None
        raise SettingsError(f"invalid setting {message}") from None
