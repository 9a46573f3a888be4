"""Neighbouring topics: what an LPSE helpdesk is asked that its FAQ does not answer.

A question about a neighbouring system (SiRUP, catalogue operations, marketplaces) or topic
(procurement rules, organisation, a verifier's decision) often shares words with an entry:
"revisi produk di katalog elektronik" shares *katalog* with the entry on becoming a
catalogue provider. Words alone then answer it wrongly. Each topic of
``faq/data/neighbours.yaml`` is a bag of the words its questions are made of; the matcher
measures how much of a question each topic explains that the candidate entry does not, and
demotes the entry when a topic explains the question better (:mod:`faq.matcher`).

Decision: a referral entry (category ``rujukan``) whose keywords name a topic claims it;
that topic is then left out, so the referral answers questions on it.
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


def unclaimed_topics(
    topics: Sequence[NeighbourTopic], entries: Sequence[KbEntry]
) -> list[NeighbourTopic]:
    """The topics no referral entry of the KB claims by naming them in its keywords."""
    claimed: set[str] = set()
    for entry in entries:
        if entry.category == REFERRAL_CATEGORY:
            claimed.update(" ".join(terms_of(keyword)) for keyword in entry.keywords)
    return [
        topic
        for topic in topics
        if not any(" ".join(terms_of(name)) in claimed for name in topic.names)
    ]
