"""A KB entry for tests that build their own small knowledge base."""

from __future__ import annotations

from collections.abc import Sequence

from faq.kb import KbEntry


def kb_entry(
    entry_id: str, question: str, variants: Sequence[str] = (), keywords: Sequence[str] = ()
) -> KbEntry:
    """An entry of the general category, routed to the helpdesk, answering "Jawaban untuk
    <id>." (tests read which entry answered, not what it says)."""
    return KbEntry(
        id=entry_id,
        category="umum",
        question=question,
        variants=tuple(variants),
        keywords=tuple(keywords),
        answer=f"Jawaban untuk {entry_id}.",
        route="helpdesk",
        sop="SOP-02",
    )
