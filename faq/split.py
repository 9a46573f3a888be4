"""Long messages -> weighted candidate sentences, without quoted replies and signatures.

E-mail bodies carry a story, the quoted previous mail and a signature around the question.
Quoted text and the signature are cut (:mod:`faq.own_words`); the rest is split into
sentences, and sentences that ask something weigh more than the story around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from faq.own_words import strip_quotes_and_signature
from faq.question_words import INDIRECT_QUESTION_WORDS, QUESTION_WORDS

QUESTION_WEIGHT = 1.0
STATEMENT_WEIGHT = 0.6
# A condition or time clause after the main clause ("berapa lama verifikasi, jika dokumen
# sudah lengkap?") qualifies the question rather than naming its topic.
SUBORDINATE_FACTOR = 0.5
_SUBORDINATOR_TEXT = "jika kalau klo kalo apabila bila seandainya setelah sesudah if after once"
_SUBORDINATORS = frozenset(_SUBORDINATOR_TEXT.split())
_MIN_MAIN_CLAUSE_WORDS = 3

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|(?<=\?)(?=\S)")
_QUESTION_PHRASES = ("di mana", "ke mana", "mau tanya", "ingin tanya", "ingin bertanya")
# Asking without a question word up front: "sy mau nanya ...", "we would like to know ...".
_REQUEST_PHRASES = (
    "mau nanya",
    "mau bertanya",
    "numpang tanya",
    "izin bertanya",
    "ijin bertanya",
    "ingin tahu",
    "mau tahu",
    "ingin mengetahui",
    "like to know",
    "want to know",
    "like to ask",
)
# Up to this many words before a comma only address someone ("Pak, ...", "Rina-san, ...").
_MAX_VOCATIVE_WORDS = 2


@dataclass(frozen=True, slots=True)
class Sentence:
    """One candidate sentence of a message and how much it counts."""

    text: str
    weight: float


def split_sentences(text: str) -> list[Sentence]:
    """Candidate sentences (and clauses) of a message, questions weighted above the rest."""
    body = strip_quotes_and_signature(text)
    parts = [part.strip() for part in _SENTENCE_END.split(body)]
    parts = [part for part in parts if part]
    pieces: list[Sentence] = []
    for part in parts:
        question = len(parts) == 1 or is_question(part)
        weight = QUESTION_WEIGHT if question else STATEMENT_WEIGHT
        main, subordinate = _split_clause(part)
        pieces.append(Sentence(main, weight))
        if subordinate:
            pieces.append(Sentence(subordinate, weight * SUBORDINATE_FACTOR))
    return pieces


def is_question(sentence: str) -> bool:
    """A question mark, an opening question word or request ("mohon", "please"), after a
    form of address if any, a request phrase ("mau nanya"), or a question word inside."""
    stripped = sentence.strip()
    if stripped.endswith("?"):
        return True
    lowered = stripped.lower()
    head, comma, rest = lowered.partition(",")
    if comma and len(head.split()) <= _MAX_VOCATIVE_WORDS and rest.strip():
        lowered = rest.strip()  # the sentence proper starts after the form of address
    first = re.split(r"[\s,]+", lowered, maxsplit=1)[0]
    return (
        first in QUESTION_WORDS
        or lowered.startswith(_QUESTION_PHRASES)
        or any(phrase in lowered for phrase in _REQUEST_PHRASES)
        or not INDIRECT_QUESTION_WORDS.isdisjoint(re.findall(r"\w+", lowered))
    )


def _split_clause(sentence: str) -> tuple[str, str]:
    """Main clause and a trailing condition/time clause ("", if there is none)."""
    words = sentence.split()
    for index in range(_MIN_MAIN_CLAUSE_WORDS, len(words)):
        if words[index].lower().strip(",;:") in _SUBORDINATORS:
            return " ".join(words[:index]), " ".join(words[index:])
    return sentence, ""
