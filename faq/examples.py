"""Nearest labelled questions: which entries answered the questions most like this one.

The learned translations (:mod:`faq.translation`) carry a message word by word into an
entry's words. Whole questions say more: "admin lama resign, user id perusahaan kami gak
ada yg tau" is close to questions people asked before about the forgotten-user-ID entry,
and a question about a SiRUP password is close to the out-of-scope questions about SiRUP.
This is example-based retrieval (a nearest neighbour vote over answered questions, as FAQ
retrieval from question logs does): the cosine between the message's term masses and each
labelled question's, then per candidate entry the closest question it answered and its
share of the nearest ``VOTERS`` questions, and for the message the closest out-of-scope
question and their share.

The examples are the labelled pool the rerankers learn from, as term masses (no text), kept
with the learned translations (``faq/data/translations.json``); like them they speak only
for the entries they were labelled against (:meth:`faq.translation.Translations.knows`).
Scoring uses numpy: a Python loop over the few thousand postings a message touches cost
2.6 ms a message, the vectorised sums about 0.16 ms on average.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: The nearest questions that vote (5: round 11 of issue #18, grouped by set, +231 utility
#: of 7183 queries over the translations alone).
VOTERS = 5
#: Decimals of the term masses kept (the learnt index and the shipped one are equal).
MASS_DECIMALS = 4
#: The inputs per candidate, in this order (``faq.rerank.TRANSLATION_FEATURES`` ends with
#: them): the closest question the entry answered, that minus the best candidate's, the
#: entry's share of the nearest questions, the closest out-of-scope question, the
#: out-of-scope share of the nearest questions; then how the entry's closest question
#: differs from the message: the share of the message's mass on words it lacks, and the
#: share of its mass on words the message lacks (round 12: "online" in "pemeriksaan
#: dokumen online sebelum verifikasi tatap muka" is the word its closest question, about
#: where the office is, lacks; +35 utility of 8257 grouped by set, within noise, dev +1).
EXAMPLE_FEATURES: tuple[str, ...] = (
    "example_best",
    "example_gap",
    "example_vote",
    "example_elsewhere",
    "example_elsewhere_vote",
    "example_unshared",
    "example_extra",
)


@dataclass(frozen=True)
class Example:
    """A labelled question: its term masses and the entries that answer it (none: out of
    the FAQ's scope)."""

    masses: Mapping[str, float]
    answers: tuple[str, ...]


@dataclass(frozen=True)
class _Postings:
    """The index proper: term -> (example numbers, normalised masses), entry id -> the
    examples it answered, and the out-of-scope examples."""

    terms: dict[str, tuple[NDArray[np.intp], NDArray[np.float64]]]
    answered: dict[str, NDArray[np.intp]]
    elsewhere: NDArray[np.intp]


@dataclass(frozen=True)
class ExampleIndex:
    """Labelled questions, indexed by term for cosine similarity. The index is built on
    first use: a bot whose KB the examples do not know (the shipped one) never reads them
    and should not pay for it at start-up."""

    examples: tuple[Example, ...] = ()

    @functools.cached_property
    def _postings(self) -> _Postings:
        rows: dict[str, list[int]] = {}
        values: dict[str, list[float]] = {}
        answered: dict[str, list[int]] = {}
        elsewhere: list[int] = []
        for number, example in enumerate(self.examples):
            norm = _norm(example.masses)
            for term, mass in example.masses.items():
                rows.setdefault(term, []).append(number)
                values.setdefault(term, []).append(mass / norm)
            for entry_id in example.answers:
                answered.setdefault(entry_id, []).append(number)
            if not example.answers:
                elsewhere.append(number)
        return _Postings(
            {term: (np.array(rows[term], dtype=np.intp), np.array(values[term])) for term in rows},
            {e: np.array(n, dtype=np.intp) for e, n in answered.items()},
            np.array(elsewhere, dtype=np.intp),
        )

    def features(
        self, masses: Mapping[str, float], candidates: Sequence[str]
    ) -> list[tuple[float, ...]]:
        """:data:`EXAMPLE_FEATURES` for each candidate entry id (all zero without examples)."""
        if not self.examples or not masses:
            return [(0.0,) * len(EXAMPLE_FEATURES) for _ in candidates]
        similarity = self._similarity(masses)
        nearest = _nearest(similarity)
        total = float(similarity[nearest].sum()) or 1.0
        votes: dict[str, float] = {}
        elsewhere_vote = 0.0
        for number in nearest.tolist():
            share = float(similarity[number]) / total
            answers = self.examples[number].answers
            if not answers:
                elsewhere_vote += share
            for entry_id in answers:
                votes[entry_id] = votes.get(entry_id, 0.0) + share / len(answers)
        index = self._postings
        elsewhere = _cosine(similarity, _argbest(similarity, index.elsewhere))
        closest_numbers = [_argbest(similarity, index.answered.get(e)) for e in candidates]
        best = [_cosine(similarity, number) for number in closest_numbers]
        lead = max(best, default=0.0)
        mass = math.fsum(masses.values()) or 1.0
        return [
            (
                closest,
                closest - lead,
                votes.get(entry_id, 0.0),
                elsewhere,
                elsewhere_vote,
                *self._difference(masses, mass, number),
            )
            for entry_id, closest, number in zip(candidates, best, closest_numbers, strict=True)
        ]

    def _difference(
        self, masses: Mapping[str, float], mass: float, number: int
    ) -> tuple[float, float]:
        """How the message (``mass``: its total) and its closest example differ: the share
        of the message's mass on terms the example lacks, and the share of the example's
        mass on terms the message lacks (a cosine cannot tell one shared rare word from a
        paraphrase)."""
        if number < 0:
            return (1.0, 1.0)
        example = self.examples[number].masses
        unshared = math.fsum(m for t, m in masses.items() if t not in example) / mass
        extra = math.fsum(m for t, m in example.items() if t not in masses)
        return (unshared, extra / (math.fsum(example.values()) or 1.0))

    def _similarity(self, masses: Mapping[str, float]) -> NDArray[np.float64]:
        """The cosine of the message with every example (one bincount over the postings
        of its terms)."""
        norm = _norm(masses)
        numbers: list[NDArray[np.intp]] = []
        values: list[NDArray[np.float64]] = []
        postings = self._postings.terms
        for term, mass in masses.items():
            posting = postings.get(term)
            if posting is not None:
                numbers.append(posting[0])
                values.append(posting[1] * (mass / norm))
        if not numbers:
            return np.zeros(len(self.examples))
        weighted = np.bincount(
            np.concatenate(numbers), weights=np.concatenate(values), minlength=len(self.examples)
        )
        return weighted.astype(np.float64, copy=False)  # float already; the stubs say int


def _nearest(similarity: NDArray[np.float64]) -> NDArray[np.intp]:
    """The ``VOTERS`` examples most like the message that share a term with it, ties to
    the earlier example. Only the non-zero ones are sorted: a partition over thousands of
    equal zeros costs several times more."""
    touched = np.flatnonzero(similarity)
    if touched.size <= VOTERS:
        return touched
    values = similarity[touched]
    bar = np.partition(values, -VOTERS)[-VOTERS]
    above = touched[values > bar]
    return np.concatenate([above, touched[values == bar][: VOTERS - above.size]])


def learn_examples(labelled: Iterable[tuple[Mapping[str, float], Collection[str]]]) -> ExampleIndex:
    """The index of (term masses, answering entry ids) pairs, masses rounded as stored."""
    return ExampleIndex(
        tuple(
            Example(
                {t: r for t, m in masses.items() if (r := round(m, MASS_DECIMALS)) > 0.0},
                tuple(sorted(answers)),
            )
            for masses, answers in labelled
        )
    )


def dump_examples(index: ExampleIndex) -> list[object]:
    """The JSON structure of the examples: ``[[entry ids], {term: mass}]`` each."""
    return [[list(e.answers), dict(sorted(e.masses.items()))] for e in index.examples]


def parse_examples(data: Sequence[object]) -> ExampleIndex:
    """An :class:`ExampleIndex` from :func:`dump_examples`'s structure (``ValueError``,
    ``TypeError`` or ``AttributeError`` when it is malformed)."""
    examples = []
    for item in data:
        if not isinstance(item, list) or len(item) != 2:
            raise ValueError("an example is not [entry ids, masses]")
        answers, masses = item
        parsed = {str(term): float(mass) for term, mass in masses.items()}
        if not all(math.isfinite(m) and m > 0.0 for m in parsed.values()):
            raise ValueError("an example's mass is not a positive number")
        examples.append(Example(parsed, tuple(str(entry_id) for entry_id in answers)))
    return ExampleIndex(tuple(examples))


def _norm(masses: Mapping[str, float]) -> float:
    return math.sqrt(math.fsum(m * m for m in masses.values())) or 1.0


def _argbest(similarity: NDArray[np.float64], numbers: NDArray[np.intp] | None) -> int:
    """The example among ``numbers`` most like the message (-1: none, or none shares a
    term with it)."""
    if numbers is None or not numbers.size:
        return -1
    number = int(numbers[int(np.argmax(similarity[numbers]))])
    return number if similarity[number] > 0.0 else -1


def _cosine(similarity: NDArray[np.float64], number: int) -> float:
    """The message's cosine with example ``number`` (0.0 for -1: no such example)."""
    return float(similarity[number]) if number >= 0 else 0.0
