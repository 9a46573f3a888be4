"""The live FAQ: the YAML seed plus entries staff published, matchable without a restart."""

from __future__ import annotations

import logging

from bot.core.ports import UnitOfWork
from faq.kb import KbEntry
from faq.matcher import FaqMatcher, MatchResult
from faq.questions import MessageAnswers, match_questions

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

    def match_questions(self, text: str, top: int = 3) -> MessageAnswers:
        """Each question of a long message with its own match (see :mod:`faq.questions`).

        For e-mail: ``answers`` are the entries to send, ``unanswered`` the questions left for
        staff; a message is fully answered from the FAQ only when ``complete``.
        """
        return match_questions(self._matcher, text, top)

    def publish(self, entries: list[KbEntry]) -> int:
        """Make ``entries`` matchable now (a known id is replaced); returns how many changed."""
        changed = [entry for entry in entries if self._published.get(entry.id) != entry]
        if changed:
            self._published.update((entry.id, entry) for entry in changed)
            self._matcher.add_entries(changed)
        return len(changed)

    async def refresh(self, uow: UnitOfWork) -> int:
        """Pick up entries published in the database; returns how many were new or changed."""
        async with uow:
            stored = await uow.faq_entries.all()
        updates = self.publish(stored)
        if updates:
            log.info("FAQ: %d published entries added or changed", updates)
        return updates
