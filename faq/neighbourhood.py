"""Neighbouring topics: what an LPSE helpdesk is asked that its FAQ does not answer.

A question about a neighbouring system (SiRUP, catalogue operations, marketplaces) or topic
(procurement rules, organisation, a verifier's decision) often shares words with an entry:
"revisi produk di katalog elektronik" shares *katalog* with the entry on becoming a
catalogue provider. Words alone then answer it wrongly. Each topic of
``faq/data/neighbours.yaml`` is a bag of the words its questions are made of; the matcher
measures how much of a question each topic explains that the candidate entry does not, and
demotes the entry when a topic explains the question better (:mod:`faq.matcher`).

Decision: a referral entry (category ``rujukan``) whose keywords name a topic claims it: the
topic does not demote that entry, so the referral answers questions on it, while the other
entries that share a few of its words are still demoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from faq.kb import KbEntry
from faq.normalize import terms_of

TOPICS_PATH = Path(__file__).with_name("data") / "neighbours.yaml"
REFERRAL_CATEGORY = "rujukan"


@dataclass(frozen=True)
class NeighbourTopic:
    """One neighbouring topic: its names and the canonical terms of its questions."""

    id: str
    about: str
    names: tuple[str, ...]
    terms: frozenset[str]


@cache
def load_topics(path: Path = TOPICS_PATH) -> tuple[NeighbourTopic, ...]:
    """The topics of a neighbours file (the shipped one by default)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        NeighbourTopic(
            id=str(item["id"]),
            about=str(item["about"]),
            names=tuple(str(name) for name in item.get("names", [])),
            terms=frozenset(terms_of(str(item["text"]))),
        )
        for item in data["topics"]
    )


def claims(
    topics: Sequence[NeighbourTopic], entries: Sequence[KbEntry]
) -> dict[str, frozenset[str]]:
    """Referral entry id -> the topics it claims by naming them in its keywords."""
    # Names are compared as written (case aside): the lexicon maps some words onto one
    # term ("marketplace" and "katalog"), and a marketplace referral is no catalogue one.
    found: dict[str, frozenset[str]] = {}
    for entry in entries:
        if entry.category != REFERRAL_CATEGORY:
            continue
        keywords = {keyword.casefold() for keyword in entry.keywords}
        named = frozenset(
            topic.id for topic in topics if any(name.casefold() in keywords for name in topic.names)
        )
        if named:
            found[entry.id] = named
    return found
