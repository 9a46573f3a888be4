"""What the FAQ answered of a message that asks several questions (issue #18).

A mail may ask two or three things. Each question found in the person's words is matched on
its own; the acknowledgement then carries every distinct answer, and names the questions no
entry answers, which staff answer within the SOP target. Only when every question has an
answer does the ticket wait for the requester (as after a single FAQ answer); otherwise it
goes to staff at once, and the card lists the entries already sent so nobody repeats them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class AnsweredQuestion:
    """A question of the message and the FAQ entry that answers it."""

    question: str
    entry_id: str


@dataclass(frozen=True)
class FaqReply:
    """The FAQ's part of the acknowledgement: distinct answers, and the questions left over."""

    answered: tuple[AnsweredQuestion, ...]
    unanswered: tuple[str, ...] = ()

    @classmethod
    def from_matches(cls, matches: Iterable[tuple[str, str | None]]) -> FaqReply | None:
        """From (question, answering entry id or None) pairs in the message's order.

        An entry that answers two questions is given once, with the first of them. None when
        no question has an answer: the message is staff's alone, as before.
        """
        answered: dict[str, AnsweredQuestion] = {}
        unanswered: list[str] = []
        for question, entry_id in matches:
            if entry_id is None:
                unanswered.append(question)
            else:
                answered.setdefault(entry_id, AnsweredQuestion(question, entry_id))
        if not answered:
            return None
        return cls(tuple(answered.values()), tuple(unanswered))

    @property
    def entry_ids(self) -> tuple[str, ...]:
        """Every entry sent, in the order of the questions."""
        return tuple(item.entry_id for item in self.answered)

    @property
    def complete(self) -> bool:
        """Every question has an answer: the requester has the next word."""
        return not self.unanswered

    @property
    def is_single_answer(self) -> bool:
        """One answer for the whole message: acknowledged exactly as a one-question mail."""
        return self.complete and len(self.answered) == 1
