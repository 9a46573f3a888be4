"""Long messages -> weighted candidate sentences, without quoted replies and signatures.

E-mail bodies carry a story, the quoted previous mail and a signature around the question.
Quoted text (``>`` lines, "On ... wrote:", "Pada ... menulis:", forwarded headers) and the
signature ("-- ", a closing such as "Salam," / "Hormat kami," followed by name lines,
"Sent from my ...", "Dikirim dari ...") are cut; the rest is split into sentences, and
sentences that ask something weigh more than the story around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUESTION_WEIGHT = 1.0
STATEMENT_WEIGHT = 0.6
# A condition or time clause after the main clause ("berapa lama verifikasi, jika dokumen
# sudah lengkap?") qualifies the question rather than naming its topic.
SUBORDINATE_FACTOR = 0.5
_SUBORDINATOR_TEXT = "jika kalau klo kalo apabila bila seandainya setelah sesudah if after once"
_SUBORDINATORS = frozenset(_SUBORDINATOR_TEXT.split())
_MIN_MAIN_CLAUSE_WORDS = 3

# A line that starts quoted or forwarded material: everything from it on is not the question.
_QUOTE_START = re.compile(
    r"""^\s*(?:
        on\s.{3,200}\swrote:\s*$
      | pada\s.{3,200}\smenulis:\s*$
      | -{2,}\s*(?:original\smessage|forwarded\smessage|pesan\sasli|pesan\sterusan
                 |pesan\syang\sditeruskan)\s*-{2,}
      | begin\sforwarded\smessage:
      | (?:from|dari):\s.*@
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_DEVICE_LINE = re.compile(
    r"^\s*(?:sent\s+from\s+my|dikirim\s+dari|get\s+outlook\s+for)\b", re.IGNORECASE
)
_SIGNATURE_MARK = re.compile(r"^\s*--\s*$|^\s*__+\s*$")
_CLOSING = re.compile(
    r"""^\s*(?:salam(?:\s+hormat)?|hormat\s+(?:kami|saya)|wassalam\w*|regards|best\s+regards
        |kind\s+regards|best|thanks|thank\s+you|cheers|terima\s+kasih|terimakasih|tabik)
        \s*[,.!]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Name/title/phone lines after a closing are short; a longer line means the text goes on.
_MAX_SIGNATURE_LINES = 6
_MAX_SIGNATURE_LINE_LENGTH = 60

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|(?<=\?)(?=\S)")
_QUESTION_WORD_TEXT = """apa apakah bagaimana gimana gmn bgmn kenapa knp mengapa berapa brp kapan
    kpn siapa dimana dmn kemana kmn bisakah bolehkah haruskah perlukah adakah mohon tolong tlg mhn
    how what where when why who which can could is are do does should may will"""
_QUESTION_WORDS = frozenset(_QUESTION_WORD_TEXT.split())
_QUESTION_PHRASES = ("di mana", "ke mana", "mau tanya", "ingin tanya", "ingin bertanya")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One candidate sentence of a message and how much it counts."""

    text: str
    weight: float


def strip_quotes_and_signature(text: str) -> str:
    """The author's own text: quoted replies, forwarded parts and the signature removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for line in lines:
        if _QUOTE_START.match(line) or _SIGNATURE_MARK.match(line):
            break
        if line.lstrip().startswith(">") or _DEVICE_LINE.match(line):
            continue
        kept.append(line)
    return "\n".join(_cut_closing(kept)).strip()


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
    """A question mark, or an opening question word / request ("mohon", "tolong")."""
    stripped = sentence.strip()
    if stripped.endswith("?"):
        return True
    lowered = stripped.lower()
    first = re.split(r"[\s,]+", lowered, maxsplit=1)[0]
    return first in _QUESTION_WORDS or lowered.startswith(_QUESTION_PHRASES)


def _split_clause(sentence: str) -> tuple[str, str]:
    """Main clause and a trailing condition/time clause ("", if there is none)."""
    words = sentence.split()
    for index in range(_MIN_MAIN_CLAUSE_WORDS, len(words)):
        if words[index].lower().strip(",;:") in _SUBORDINATORS:
            return " ".join(words[:index]), " ".join(words[index:])
    return sentence, ""


def _cut_closing(lines: list[str]) -> list[str]:
    """Drop a closing line ("Salam,") when only short name/contact lines follow it."""
    for index, line in enumerate(lines):
        if not _CLOSING.match(line):
            continue
        tail = [rest for rest in lines[index + 1 :] if rest.strip()]
        if len(tail) <= _MAX_SIGNATURE_LINES and all(
            len(rest.strip()) <= _MAX_SIGNATURE_LINE_LENGTH for rest in tail
        ):
            return lines[:index]
    return lines
