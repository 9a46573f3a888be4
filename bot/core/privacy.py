"""Spotting credentials in messages: the helpdesk never stores or relays a password."""

from __future__ import annotations

import re

# A password word, optional filler ("saya", "nya", "baru", "akun"...), then a separator or an
# explicit "adalah/is", or a value that looks like a secret (has a digit or a symbol).
_WORD = r"(?:password|passwd|pass|pwd|pw|sandi|kata\s*sandi|kata\s*kunci)"
_FILLER = r"(?:\s*(?:nya|saya|sy|ku|aku|baru|lama|akun|login|spse|lpse|kami|anda))*"
_EXPLICIT = re.compile(
    rf"\b{_WORD}{_FILLER}\s*(?:[:=]|\badalah\b|\bis\b|\bialah\b|\byaitu\b)\s*(?P<value>\S{{3,}})",
    re.IGNORECASE,
)
_IMPLICIT = re.compile(rf"\b{_WORD}{_FILLER}\s+(?P<value>\S{{4,}})", re.IGNORECASE)
_WORD_START = re.compile(rf"\b{_WORD}", re.IGNORECASE)
_SECRET_LIKE = re.compile(r"(?=.*\d)|(?=.*[^\w\s])|(?=.*[a-z])(?=.*[A-Z])")


def contains_credential(text: str) -> bool:
    """True when ``text`` carries a password word followed by a value.

    "lupa pw akun lpse gmn ya" is a question (no value); "password saya Rahasia123" and
    "pw: bintang" are credentials.
    """
    if _EXPLICIT.search(text):
        return True
    # Every password word is tried as a start: a plain finditer would let "sandi password
    # saya Rahasia123" consume "password" as the value of "sandi" and never look further.
    for word in _WORD_START.finditer(text):
        match = _IMPLICIT.match(text, word.start())
        if match and _SECRET_LIKE.match(match.group("value").strip(".,!?")):
            return True
    return False
