"""The roster file, reloaded when it changes (or on demand) without a restart."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.core.errors import ConfigError
from bot.core.roster import Roster, load_roster

log = logging.getLogger(__name__)


class RosterSource:
    """Holds the current roster; a broken edit keeps the last good roster and logs why."""

    def __init__(self, path: Path, *, required: bool) -> None:
        self.path = path
        self._stamp: tuple[float, int] | None = None
        self.current = Roster()
        if path.exists() or required:
            self.current = load_roster(path)  # at start-up a broken roster is fatal
            self._stamp = self._file_stamp()
        else:
            log.warning("staff roster %s not found: no staff can act on tickets yet", path)

    def _file_stamp(self) -> tuple[float, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime, stat.st_size

    def reload(self) -> Roster:
        """Read the file now; raises ``ConfigError`` and keeps the old roster if it is bad."""
        roster = load_roster(self.path)
        self.current = roster
        self._stamp = self._file_stamp()
        log.info("staff roster reloaded: %d members", len(roster.members))
        return roster

    def reload_if_changed(self) -> bool:
        """Reload when the file's time or size changed; True when a new roster is in place."""
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return False
        try:
            self.reload()
        except ConfigError as exc:
            self._stamp = stamp  # do not log the same broken edit every sweep
            log.error("staff roster not reloaded, keeping the previous one: %s", exc)
            return False
        return True
