"""The live FAQ: the YAML seed plus entries staff published, matchable without a restart."""

from __future__ import annotations

import logging

from bot.core.ports import UnitOfWork
from faq.kb import KbEntry
from faq.matcher import FaqMatcher, MatchResult

log = logging.getLogger(__name__)


class LiveFaq:
    """Wraps the matcher; published entries are added as they appear (also from other instances)."""

    def __init__(self, seed: list[KbEntry]) -> None:
        self._seed = list(seed)
        self._seed_by_id = {entry.id: entry for entry in self._seed}
        self._published: dict[str, KbEntry] = {}
        self._matcher = FaqMatcher(self._seed)

    @property
    def size(self) -> int:
        """Number of entries the matcher knows."""
        return len(self._seed) + len(self._published)

    def entry(self, entry_id: str) -> KbEntry | None:
        """The entry with that id (published entries first), if any."""
        if entry_id in self._published:
            return self._published[entry_id]
        return self._seed_by_id.get(entry_id)

    def match(self, text: str, top: int = 3) -> MatchResult:
        """Best entries for ``text`` and the answer the bot would give (None: abstain)."""
        return self._matcher.match(text, top)

    def publish(self, entries: list[KbEntry]) -> None:
        """Make ``entries`` matchable now; a changed entry rebuilds the index."""
        fresh = [entry for entry in entries if entry.id not in self._published]
        changed = [
            entry
            for entry in entries
            if entry.id in self._published and self._published[entry.id] != entry
        ]
        self._published.update((entry.id, entry) for entry in entries)
        if changed:
            self._matcher = FaqMatcher([*self._seed, *self._published.values()])
        elif fresh:
            self._matcher.add_entries(fresh)

    async def refresh(self, uow: UnitOfWork) -> int:
        """Pick up entries published in the database; returns how many were new or changed."""
        async with uow:
            stored = await uow.faq_entries.all()
        updates = [entry for entry in stored if self._published.get(entry.id) != entry]
        if updates:
            self.publish(updates)
            log.info("FAQ: %d published entries added or changed", len(updates))
        return len(updates)
