"""Learned term translations: which KB words a message's words stand for.

People rarely use the KB's words. "telat bbrp detik, tombol kirimnya udh ga ada" is about a
missed bid deadline, yet shares almost no term with that entry; the lexicon maps only what
someone wrote down. Answered questions show the rest: over many of them, a message word
keeps landing on entries that contain certain words. This module learns that as a
translation table, a simplified version of translation models for retrieval from query logs
(Berger & Lafferty, 1999): ``P(entry term w | message term t)``, from pairs of a message
and the entry that answers it, and tells the reranker how much of a message's weight
translates into a candidate entry's words.

Learning (:func:`learn_translations`): each labelled message gives each of its terms one
unit, spread over the answering entry's terms by their IDF (a rare word of the entry says
more about what it is than a common one); out-of-scope messages give their terms a unit
that goes nowhere, so words of questions the FAQ leaves to others translate weakly. A term
seen in ``n`` messages keeps ``count / (n + SMOOTHING)``: a word seen once says little.
The units that went nowhere are kept too (``elsewhere``): the share of each word that went
to out-of-scope questions, a learnt list of the neighbouring topics' words.

With the table come the labelled questions themselves, as term masses
(:mod:`faq.examples`): the entries that answered the questions nearest to a message.

The table is word to word and names no entry, but it has learnt from questions about
certain entries (``Translations.entries``): for an entry no labelled question was about
(added by staff, or in another KB) it is silent, and the matcher then leaves the message
to the lexical reranker (:mod:`faq.matcher`). It is data (``faq/data/translations.json``),
trained with the rerankers by ``python -m bench.rerank_train --write`` on the labelled
pool; a rare pair (under ``MIN_SHARE``) is dropped to keep the file small.
"""

from __future__ import annotations

import functools
import json
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faq.examples import ExampleIndex, dump_examples, learn_examples, parse_examples

DEFAULT_TRANSLATIONS_PATH = Path(__file__).with_name("data") / "translations.json"
# A term seen in n messages keeps count / (n + SMOOTHING) (2 against 5 on the pool: 5 worse).
SMOOTHING = 2.0
# Pairs under this share are dropped: within noise of keeping all (5-fold top-1 0.870
# against 0.873) with under half the pairs in the file.
MIN_SHARE = 0.01


@dataclass(frozen=True)
class LabelledMessage:
    """A message's term masses and, for each entry that answers it (id -> that entry's
    term IDFs; none: the message is out of the FAQ's scope)."""

    masses: Mapping[str, float]
    answers: Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class Translations:
    """``table[t][w]``: the share of message term ``t`` that lands on entry term ``w``."""

    table: Mapping[str, Mapping[str, float]]

    #: ids of the entries the table was learnt from (those the labelled messages named)
    entries: frozenset[str] = frozenset()
    #: term -> the share of it that went to out-of-scope messages: the words of questions
    #: the FAQ leaves to others (SiRUP, the catalogue, rules), learnt rather than listed
    elsewhere: Mapping[str, float] = field(default_factory=dict)
    #: the labelled questions the table was learnt from (nearest-question inputs)
    examples: ExampleIndex = field(default_factory=ExampleIndex)

    def knows(self, entry_id: str) -> bool:
        """Whether labelled messages about this entry taught the table. One written after
        it was learnt (by staff, or in another KB) has no messages yet: that few words
        translate into it would say nothing against it, so the matcher reads the
        translations only for messages whose candidates the table all knows."""
        return entry_id in self.entries

    def landing(self, masses: Mapping[str, float], unknown: Collection[str]) -> Landing:
        """Where the message's mass (``masses``: term -> weight x IDF) lands. Made once per
        message, then summed over each candidate's terms."""
        landing = Landing()
        total = sum(masses.values())
        if not total:
            return landing
        found, from_unknown = landing.found, landing.from_unknown
        for term, mass in masses.items():
            weight = mass / total
            landing.out_of_scope += weight * self.elsewhere.get(term, 0.0)
            row = self.table.get(term)
            if not row:
                continue
            for word, share in row.items():
                found[word] = found.get(word, 0.0) + weight * share
            if term in unknown:
                for word, share in row.items():
                    from_unknown[word] = from_unknown.get(word, 0.0) + weight * share
        return landing


@dataclass
class Landing:
    """Shares of a message's mass: entry term -> the share landing on it from all the
    message's terms (``found``) and from those the KB does not know (``from_unknown``);
    and the share that went to out-of-scope messages in training (``out_of_scope``)."""

    found: dict[str, float] = field(default_factory=dict)
    from_unknown: dict[str, float] = field(default_factory=dict)
    out_of_scope: float = 0.0


def translation_features(
    translations: Translations,
    masses: Mapping[str, float],
    unknown: Collection[str],
    candidates: Sequence[tuple[str, Mapping[str, float]]],
) -> list[tuple[float, ...]]:
    """The reranker's translation inputs for each candidate (its id, its terms -> IDF): the share
    of the message that translates into it, that share minus the best candidate's, the
    share from words the KB does not know, the message's out-of-scope share, and from the
    entry's side the IDF-weighted mean of what lands on its terms with that minus the best
    candidate's (``faq.rerank.TRANSLATION_FEATURES``). The entry's side tells a message
    that lands on an entry's telling words from one that lands on a long entry's many.
    Then the nearest labelled questions' inputs (:data:`faq.examples.EXAMPLE_FEATURES`)."""
    landing = translations.landing(masses, unknown)
    found, from_unknown = landing.found, landing.from_unknown
    shares = [
        (
            sum(found[word] for word in terms if word in found),
            sum(from_unknown[word] for word in terms if word in from_unknown),
            _density(found, terms),
        )
        for _, terms in candidates
    ]
    best = max((share for share, _, _ in shares), default=0.0)
    densest = max((density for _, _, density in shares), default=0.0)
    nearest = translations.examples.features(masses, [entry_id for entry_id, _ in candidates])
    return [
        (
            share,
            share - best,
            unknown_share,
            landing.out_of_scope,
            density,
            density - densest,
            *near,
        )
        for (share, unknown_share, density), near in zip(shares, nearest, strict=True)
    ]


def _density(found: Mapping[str, float], terms: Mapping[str, float]) -> float:
    """The IDF-weighted mean over an entry's terms of the message share landing on each."""
    total = math.fsum(terms.values())
    if not total:
        return 0.0
    return math.fsum(idf * found[word] for word, idf in terms.items() if word in found) / total


def learn_translations(
    messages: Iterable[LabelledMessage], min_share: float = MIN_SHARE
) -> Translations:
    """The table learnt from labelled messages (see the module docstring), with the
    messages as examples."""
    messages = list(messages)
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seen: dict[str, int] = defaultdict(int)
    out_of_scope: dict[str, int] = defaultdict(int)
    entries: set[str] = set()
    for message in messages:
        for term in message.masses:
            seen[term] += 1
            if not message.answers:
                out_of_scope[term] += 1
        entries.update(message.answers)
        unit = 1.0 / len(message.answers) if message.answers else 0.0
        for answer in message.answers.values():
            total = math.fsum(answer.values())
            if not total:
                continue
            for term in message.masses:
                row = counts[term]
                for word, idf in answer.items():
                    row[word] += unit * idf / total

    def smoothed(term: str, count: float) -> float | None:
        """``count`` over the messages the term was seen in (+ SMOOTHING), rounded as the
        file stores it (the learnt table and the shipped one are equal); None if rare."""
        share = count * (1.0 / (seen[term] + SMOOTHING))
        return round(share, 4) if share >= min_share else None

    table: dict[str, dict[str, float]] = {}
    for term, counted in counts.items():
        row = {w: share for w, c in counted.items() if (share := smoothed(term, c)) is not None}
        if row:
            table[term] = row
    elsewhere = {
        term: share
        for term, count in out_of_scope.items()
        if (share := smoothed(term, count)) is not None
    }
    examples = learn_examples((message.masses, message.answers) for message in messages)
    return Translations(table, frozenset(entries), elsewhere, examples)


class TranslationsError(ValueError):
    """The translations file is malformed."""


def parse_translations(data: Mapping[str, Any]) -> Translations:
    """A :class:`Translations` from the JSON structure ``bench.rerank_train`` writes."""
    try:
        table = {
            str(term): {str(word): float(share) for word, share in row.items()}
            for term, row in data["table"].items()
        }
        entries = frozenset(str(entry_id) for entry_id in data["entries"])
        elsewhere = {str(term): float(share) for term, share in data["elsewhere"].items()}
        examples = parse_examples(data.get("examples", []))
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise TranslationsError(f"malformed translations: {error}") from error
    shares = [*(x for row in table.values() for x in row.values()), *elsewhere.values()]
    if not all(0.0 <= share <= 1.0 for share in shares):
        raise TranslationsError("malformed translations: a share is outside [0, 1]")
    return Translations(table, entries, elsewhere, examples)


def dump_translations(translations: Translations, about: str) -> dict[str, object]:
    """The JSON structure of a table, in sorted order (a retrained file diffs cleanly)."""
    table = {term: dict(sorted(row.items())) for term, row in sorted(translations.table.items())}
    return {
        "about": about,
        "smoothing": SMOOTHING,
        "min_share": MIN_SHARE,
        "entries": sorted(translations.entries),
        "elsewhere": dict(sorted(translations.elsewhere.items())),
        "table": table,
        "examples": dump_examples(translations.examples),
    }


def load_translations(path: Path = DEFAULT_TRANSLATIONS_PATH) -> Translations:
    """The shipped table (or another file in the same format)."""
    return parse_translations(json.loads(path.read_text(encoding="utf-8")))


@functools.cache
def shipped_translations() -> Translations:
    """The shipped table, read once per process."""
    return load_translations()
