"""Personal data in text meant for everyone (published FAQ entries): found and removed.

An FAQ entry is shown to any asker, so it must not carry who asked or who answered: names,
civil-servant and identity numbers (NIP, NIK), e-mail addresses, telephone numbers and user
IDs. Patterns catch the shapes these take in Indonesian helpdesk text; the names and
identifiers the caller knows (the requester's stored name, address and Telegram id, staff
names) are removed wherever they appear, since a bare name has no shape to match.

Credentials are another rule (:mod:`bot.core.privacy`): a password is never stored at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: What replaces removed personal data.
REMOVED = "[dihapus]"

# Kinds, as staff read them in the draft ("dihapus: nama, NIP").
NAME, NIP, EMAIL, PHONE, USER_ID = "nama", "NIP/NIK", "e-mail", "telepon", "user ID"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Before the phone rule: 16 (NIK) to 18 (NIP) digits, possibly grouped ("19850310 201001 1 002").
_IDENTITY_NUMBER = re.compile(r"(?<![\w+])[0-9](?:[ .-]?[0-9]){15,17}(?![0-9])")
# +62 / 62 / 0 then 8-13 more digits, with the usual separators ("0812-3456-7890").
_PHONE = re.compile(r"(?<![\w+])(?:\+62|62|0)(?:[\s.()-]{0,2}[0-9]){8,13}(?![0-9])")
# Any other long number (an account or Telegram id): 9+ digits.
_LONG_NUMBER = re.compile(r"(?<![\w])[0-9]{9,}(?![0-9])")
# "user id: budi_cv", "username saya adalah budi.cv", "id pengguna 12345".
_USER_ID_LABEL = (
    r"\b(?:user\s*[-_]?\s*id|user\s*[-_]?\s*name|id\s+pengguna|nama\s+pengguna|id\s+login"
    r"|id\s+akun|telegram)(?:\s+(?:saya|anda|nya|kami|bapak|ibu|pak|bu|baru|lama))*"
)
_USER_ID_EXPLICIT = re.compile(
    rf"{_USER_ID_LABEL}\s*(?:[:=]|\badalah\b|\byaitu\b|\bialah\b)\s*(?P<value>[^\s,;()]+)",
    re.IGNORECASE,
)
# Without a separator only a value that looks like an identifier ("user id saya terkunci"
# is a question, "user id saya budi_cv" is not).
_USER_ID_IMPLICIT = re.compile(
    rf"{_USER_ID_LABEL}\s+(?P<value>[^\s,;:()]*[0-9_.@][^\s,;:()]*)", re.IGNORECASE
)
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
_TELEGRAM_REF = re.compile(r"\btelegram:[0-9]+\b", re.IGNORECASE)
# "Nama: Budi Santoso", "Narahubung : Siti" (form summaries), to the end of the line.
_LABELLED_NAME = re.compile(
    r"(?im)^(?P<label>[ \t-]*(?:nama(?:\s+lengkap)?|narahubung|contact\s+person|atas\s+nama|a\.n\.)"
    r"[ \t]*[:=][ \t]*)(?P<value>\S.*)$"
)
# A courtesy title and the capitalised words after it: "Pak Budi", "Ibu Siti Aminah".
_TITLE = r"(?:Bapak|Ibu|Pak|Bu|Sdr\.?|Sdri\.?|Saudara|Saudari|Mas|Mbak|Bang|Kak)"
_TITLED_NAME = re.compile(
    rf"\b{_TITLE}(?:/{_TITLE})?\s+(?P<value>[A-Z][a-zA-Z'.]+(?:\s+[A-Z][a-zA-Z'.]+){{0,3}})"
)
# Capitalised words after a title that are roles or places, not names.
_NOT_NAMES = frozenset(
    {
        "admin",
        "agency",
        "pokja",
        "ppk",
        "pp",
        "penyedia",
        "verifikator",
        "kepala",
        "sekretaris",
        "helpdesk",
        "petugas",
        "pengguna",
        "kota",
        "lpse",
        "lkpp",
        "ulp",
        "ukpbj",
    }
)


@dataclass(frozen=True)
class Redacted:
    """Text with personal data replaced by :data:`REMOVED`, and the kinds that were found."""

    text: str
    kinds: tuple[str, ...]


def redact(text: str, known: Iterable[str] = ()) -> Redacted:
    """``text`` without personal data; ``known`` are names and identifiers to remove as such.

    A known name is removed as a whole and word by word (a requester called "Budi Santoso"
    is greeted as "Pak Budi"); words shorter than three letters are left alone.
    """
    kinds: list[str] = []

    def replace(pattern: re.Pattern[str], kind: str, source: str, group: str | int = 0) -> str:
        def substitute(match: re.Match[str]) -> str:
            value = match.group(group)
            if kind == NAME and group == "value" and _only_roles(value):
                return match.group(0)
            if not value or value == REMOVED:
                return match.group(0)
            if kind not in kinds:
                kinds.append(kind)
            start, end = match.span(group)
            whole_start = match.start(0)
            whole = match.group(0)
            return whole[: start - whole_start] + REMOVED + whole[end - whole_start :]

        return pattern.sub(substitute, source)

    result = text
    for value in sorted(_known_terms(known), key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
        result = replace(pattern, _kind_of_known(value), result)
    result = replace(_EMAIL, EMAIL, result)
    result = replace(_USER_ID_EXPLICIT, USER_ID, result, "value")
    result = replace(_USER_ID_IMPLICIT, USER_ID, result, "value")
    result = replace(_MENTION, USER_ID, result)
    result = replace(_TELEGRAM_REF, USER_ID, result)
    result = replace(_IDENTITY_NUMBER, NIP, result)
    result = replace(_PHONE, PHONE, result)
    result = replace(_LONG_NUMBER, USER_ID, result)
    result = replace(_LABELLED_NAME, NAME, result, "value")
    result = replace(_TITLED_NAME, NAME, result, "value")
    return Redacted(result, tuple(kinds))


def personal_data_in(text: str, known: Iterable[str] = ()) -> tuple[str, ...]:
    """The kinds of personal data ``text`` carries (empty: none found)."""
    return redact(text, known).kinds


def _only_roles(value: str) -> bool:
    words = [word.strip(".'").lower() for word in value.split()]
    return all(word in _NOT_NAMES or word == REMOVED.strip("[]") for word in words)


def _known_terms(known: Iterable[str]) -> set[str]:
    terms: set[str] = set()
    for value in known:
        value = (value or "").strip()
        if len(value) < 3:
            continue
        terms.add(value)
        if "@" in value or value.isdigit():
            continue
        terms.update(
            word
            for word in re.findall(r"[^\W\d_][\w'.-]*", value)
            if len(word) >= 3 and word.lower() not in _NOT_NAMES
        )
    return terms


def _kind_of_known(value: str) -> str:
    if "@" in value:
        return EMAIL
    if value.lstrip("+").isdigit():
        return USER_ID
    return NAME
