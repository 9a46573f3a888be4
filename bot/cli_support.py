"""What every command of the CLI shares: settings, one-line errors, running coroutines."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import click

from bot import observability
from bot.core.errors import ConfigError, DomainError
from bot.observability import settings_secrets
from bot.settings import Settings, SettingsError, load_settings
from faq.kb import KbError

T = TypeVar("T")


def configure_logging(settings: Settings | None = None) -> None:
    """Log lines to stderr with secrets redacted; JSON lines when LOG_FORMAT=json."""
    observability.configure_logging(
        logging.INFO,
        json_format=settings is not None and settings.log_format == "json",
        secrets=settings_secrets(settings) if settings is not None else (),
    )


def fail(message: str) -> NoReturn:
    """Print one error line and exit with status 2."""
    click.echo(f"lpse-helpdesk: {message}", err=True)
    sys.exit(2)


def settings_of(context: click.Context) -> Settings:
    """Settings built once per invocation, from the environment and the env file."""
    obj = context.ensure_object(dict)
    if "settings" not in obj:
        try:
            obj["settings"] = load_settings(obj.get("env_file"))
        except SettingsError as exc:
            fail(str(exc))
    settings: Settings = obj["settings"]
    return settings


def run_async(coroutine_factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; configuration and domain errors become one clear line."""

    async def runner() -> T:
        return await coroutine_factory()

    try:
        return asyncio.run(runner())
    except (ConfigError, DomainError, KbError) as exc:
        fail(str(exc))
