"""Several questions in one message: find each, and answer each that the FAQ covers.

A long e-mail often asks two or three things ("Pertama, status KSWP kami tidak valid...?
Kedua, berapa ukuran maksimal file?"). Matching the whole body at once lets the questions
compete: the matcher sees a near tie and abstains, or answers one and drops the other.
Here the person's own words (quotes and signature already cut by :func:`split_sentences`)
are cut into question units: each question sentence together with the statements just
before it (the story that gives it its topic). Each unit is matched on its own; a message
with a single unit, or whose units get no answer on their own, is matched whole.

Decisions (for the helpdesk's users): an entry is given once even if two questions lead
to it; the questions left unanswered are listed, so that a channel can say which part
staff will answer instead of treating the whole message as answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from faq.kb import KbEntry
from faq.matcher import FaqMatcher, MatchResult
from faq.split import QUESTION_WEIGHT, STATEMENT_WEIGHT, split_sentences

# More units than this is a questionnaire, not a helpdesk mail: the rest is matched whole.
MAX_QUESTIONS = 5
# "Mohon bantuan atas e-mail di bawah ini", "please see the mail below": a request that
# points at the forwarded or quoted mail instead of asking something itself. Its question is
# the mail it points at, so it is no question of its own for staff to owe an answer to.
_POINTER = re.compile(
    r"\b(?:e-?mail|surel|pesan|surat)\s+(?:di\s*bawah|berikut)\b"
    r"|\b(?:e-?mail|mail|message)\s+below\b|\bbelow\s+(?:e-?mail|mail|message)\b"
    r"|\bforwarded\s+(?:e-?mail|message)\b",
    re.IGNORECASE,
)
# A longer unit that mentions the mail below, or one with a question mark, also asks
# something of its own.
_MAX_POINTER_WORDS = 12


@dataclass(frozen=True)
class QuestionMatch:
    """One question of a message (the person's words) and what the FAQ makes of it."""

    question: str
    result: MatchResult


@dataclass(frozen=True)
class MessageAnswers:
    """Every question found in a message, in order, with its own match."""

    questions: tuple[QuestionMatch, ...]

    @property
    def answers(self) -> list[KbEntry]:
        """Distinct entries that answer some question, in the order the questions came."""
        seen: dict[str, KbEntry] = {}
        for item in self.questions:
            if item.result.answer is not None:
                seen.setdefault(item.result.answer.id, item.result.answer)
        return list(seen.values())

    @property
    def unanswered(self) -> list[str]:
        """The questions no entry answers (for staff)."""
        return [item.question for item in self.questions if item.result.answer is None]

    @property
    def complete(self) -> bool:
        """Every question found has an FAQ answer."""
        return bool(self.questions) and not self.unanswered


def question_units(text: str) -> list[str]:
    """The questions of a message, each with the statements just before it.

    Statements after the last question belong to it; a message without any question
    sentence is one unit. Quoted replies and signatures are not part of any unit.
    """
    units: list[str] = []
    pending: list[str] = []
    in_question = False
    for sentence in split_sentences(text):
        if sentence.weight >= QUESTION_WEIGHT:  # a question's main clause opens a unit
            if in_question:
                units.append(" ".join(pending))
                pending = []
            in_question = True
        elif sentence.weight >= STATEMENT_WEIGHT and in_question:
            units.append(" ".join(pending))  # a statement after a question: next story
            pending = []
            in_question = False
        pending.append(sentence.text)  # clauses (lower weights) stay with their sentence
    if pending:
        if in_question or not units:
            units.append(" ".join(pending))
        else:
            units[-1] = f"{units[-1]} {' '.join(pending)}"
    units = [unit for unit in units if unit.strip()]
    own = [unit for unit in units if not _points_elsewhere(unit)]
    return own or units


def _points_elsewhere(unit: str) -> bool:
    """Whether a unit only asks for help with another (forwarded or quoted) mail."""
    return (
        len(unit.split()) <= _MAX_POINTER_WORDS
        and "?" not in unit
        and _POINTER.search(unit) is not None
    )


def match_questions(matcher: FaqMatcher, text: str, top: int = 3) -> MessageAnswers:
    """Match each question of ``text`` on its own (see module docstring)."""
    units = question_units(text)
    if 1 < len(units) <= MAX_QUESTIONS:
        matches = tuple(QuestionMatch(unit, matcher.match(unit, top)) for unit in units)
        if any(item.result.answer is not None for item in matches):
            return MessageAnswers(matches)
    return MessageAnswers((QuestionMatch(text.strip(), matcher.match(text, top)),))
