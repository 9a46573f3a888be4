"""What a step needs, ticked for what a ticket holds: the card's checklist and "Minta data".

The catalog's ``kelengkapan`` mixes documents and data (a request letter, the provider's
e-mail) with office equipment (ATK, komputer, internet). People see only the first kind; an
item is ticked when the ticket holds what it names, and shown as a plain bullet when the
ticket cannot know (e.g. a user ID that the verifier looks up in SPSE).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.core.sop import ChecklistItem, Sop
from bot.core.tickets import Direction, Ticket, TicketMessage

#: Words of office equipment in ``kelengkapan``: not something a requester can bring.
EQUIPMENT_WORDS: Final = ("atk", "alat tulis", "komputer", "internet", "jaringan")

# Facts a ticket can hold, and which ``kelengkapan`` wording asks for which (first match wins).
EMAIL: Final = "email"
NIP: Final = "nip"
QUESTION: Final = "pertanyaan"
ANSWER: Final = "jawaban"
DISPOSITION: Final = "disposisi"
CHECKLIST_COMPLETE: Final = "checklist_lengkap"
_NEED_RULES: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    ("12 item", frozenset({CHECKLIST_COMPLETE})),
    ("data calon user id", frozenset({EMAIL, NIP, "sk_pengangkatan"})),
    ("surat permohonan", frozenset({"surat_permohonan"})),
    ("disposisi", frozenset({DISPOSITION})),
    ("kertas pertanyaan", frozenset({QUESTION})),
    ("kertas jawaban", frozenset({ANSWER})),
    ("email", frozenset({EMAIL})),
    (".rhs", frozenset({"berkas_rhs"})),
)


@dataclass(frozen=True)
class NeedLine:
    """One item of a step's ``kelengkapan``: ``present`` is None when the ticket can't know."""

    label: str
    present: bool | None


def is_equipment(item: str) -> bool:
    """Whether a ``kelengkapan`` item is office equipment rather than a document or data."""
    lowered = item.casefold()
    return any(word in lowered for word in EQUIPMENT_WORDS)


def ticket_facts(
    ticket: Ticket, messages: Sequence[TicketMessage], requester_email: str | None
) -> frozenset[str]:
    """What the ticket holds: its documents, form data, conversation and the outputs of the
    steps already done."""
    documents, details = ticket.documents, ticket.details
    facts = {key for key, count in documents.items() if count > 0}
    facts |= {key for key, value in details.items() if value}
    if requester_email or details.get(EMAIL):
        facts.add(EMAIL)
    if any(m.direction is Direction.INBOUND for m in messages):
        facts.add(QUESTION)
    if any(m.direction is Direction.OUTBOUND for m in messages):
        facts.add(ANSWER)
    sop = ticket.sop
    done_outputs = " ".join(o for s in sop.steps if s.n < ticket.step for o in s.outputs)
    if DISPOSITION in done_outputs.casefold():
        facts.add(DISPOSITION)
    if sop.checklist and all(documents.get(item.id, 0) > 0 for item in sop.checklist):
        facts.add(CHECKLIST_COMPLETE)
    return frozenset(facts)


def step_needs(sop: Sop, step: int, facts: frozenset[str]) -> list[NeedLine]:
    """The step's documents and data, each ticked or not (equipment left out)."""
    lines = []
    for item in sop.step(step).needs:
        if is_equipment(item):
            continue
        lowered = item.casefold()
        required = next((needed for words, needed in _NEED_RULES if words in lowered), None)
        lines.append(NeedLine(item, None if required is None else required <= facts))
    return lines


def checklist_status(
    items: Iterable[ChecklistItem], documents: Mapping[str, int]
) -> list[tuple[ChecklistItem, bool]]:
    """Each checklist item (SOP-01's 12 documents) and whether an upload is labelled with it."""
    return [(item, documents.get(item.id, 0) > 0) for item in items]


def missing_items(
    sop: Sop, step: int, facts: frozenset[str], documents: Mapping[str, int]
) -> list[str]:
    """What staff may tick in "Minta data": the step's missing items, then missing documents
    of the procedure's checklist."""
    missing = [line.label for line in step_needs(sop, step, facts) if line.present is False]
    missing += [
        item.nama for item, present in checklist_status(sop.checklist, documents) if not present
    ]
    return missing
