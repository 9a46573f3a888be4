"""Reading a YAML configuration file with one clear error line."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.errors import ConfigError


def read_yaml(path: Path, what: str) -> object:
    """The parsed contents of ``path``; unreadable or invalid YAML is a ``ConfigError``
    naming ``what`` (e.g. "SOP catalog") and the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} {path}: not valid YAML: {exc}") from None
