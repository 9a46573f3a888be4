"""Spotting credentials in messages: the helpdesk never stores or relays a password.

The rule errs on the side of holding a message back: a requester whose question is held back
is asked to write it again without the password, while a password that got through sits in
the database, the staff chat and mail archives. Questions *about* passwords ("lupa password
bagaimana caranya?", "cara reset kata sandi") carry no value and pass.

Two shapes count:

- explicit: a password word, a few filler words ("untuk login", "saya yang baru"), then ":"
  "=" or "adalah/is/yaitu", then any value ("pw: bintang", "password untuk login: rahasia");
- implicit: a password word and, within a few words on the same line, a value that looks like
  a secret (letters and digits mixed, a symbol inside, camelCase, or a run of digits)
  ("pw nya sdh saya ganti jd Bintang#7", "kata sandinya tadi Kucing88", "OTP 482913").

Text is NFKC-normalised and stripped of format characters first, so a zero-width space or a
full-width letter inside or after the word does not hide it.
"""

from __future__ import annotations

import re
import unicodedata

# Password words, with Indonesian possessive suffixes ("sandinya", "pw-nya" is two words).
_WORD = (
    r"(?:password|passwd|passcode|pass|pwd|pw|sandi|kata\s*sandi|kata\s*kunci|"
    r"pin|otp|kode\s*otp|one\s*time\s*password)(?:nya|ku|mu)?"
)
# Words that may stand between the password word and an explicit separator.
_FILLER_WORDS = (
    "nya|saya|sy|ku|aku|baru|lama|akun|login|masuk|untuk|utk|spse|lpse|kami|anda|tadi|"
    "sekarang|skrg|sdh|sudah|udah|yg|yang|user|e-?mail|ini|itu|tsb|tersebut|my|new|old|the|"
    "for|is|sementara|default|awal|terbaru"
)
_FILLER = rf"(?:[\s\-]+(?:{_FILLER_WORDS}))*"
_EXPLICIT = re.compile(
    rf"\b{_WORD}{_FILLER}\s*(?:[:=]|\badalah\b|\bis\b|\bialah\b|\byaitu\b|\byakni\b)"
    rf"\s*(?P<value>\S{{3,}})",
    re.IGNORECASE,
)
_WORD_START = re.compile(rf"\b(?P<word>{_WORD})\b", re.IGNORECASE)
#: Words looked at after a password word for a secret-like value (same line, same sentence).
WINDOW_WORDS = 7
_SENTENCE_END = re.compile(r"[.?!;,]\s|[.?!;]$|\n")
_EDGE_PUNCTUATION = "\"'()[]{}<>.,!?;:"

_DIGITS = re.compile(r"\d+")
_PHONE = re.compile(r"(?:\+?62|0)8\d{7,12}")
_VERSION_OR_DATE = re.compile(r"v?\d+(?:[./-]\d+)+|(?:spse|v|versi)\d+(?:\.\d+)*", re.IGNORECASE)
_URL_OR_ADDRESS = re.compile(r"^(?:https?://|www\.)|^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_LETTER_AND_DIGIT = re.compile(r"(?=.*[^\W\d_])(?=.*\d)")
# A symbol between word characters ("p@ss", "Ab#12"); hyphens, dots and slashes are ordinary
# in words, versions and dates ("e-katalog", "4.5", "12/03").
_SYMBOL_INSIDE = re.compile(r"\w[^\w\s./\-'’]+\w|^[^\w\s./\-'’]+\w|\w[^\w\s./\-'’]+$")
_CAMEL = re.compile(r"[a-z][A-Z]")


def normalise(text: str) -> str:
    """NFKC with format characters (zero-width spaces, joiners, BOM, bidi marks) removed."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(char for char in folded if unicodedata.category(char) != "Cf")


def contains_credential(text: str) -> bool:
    """True when ``text`` carries a password word followed by a value.

    "lupa pw akun lpse gmn ya" is a question (no value); "password saya Rahasia123",
    "pw: bintang" and "pw nya sdh saya ganti jd Bintang#7" are credentials.
    """
    text = normalise(text)
    if _EXPLICIT.search(text):
        return True
    # Every password word is tried as a start: "sandi password saya Rahasia123" must not let
    # one word's window hide the next one's value.
    for word in _WORD_START.finditer(text):
        short_pin = word.group("word").lower().startswith(("pin", "otp", "kode"))
        for value in _window(text, word.end()):
            if _secret_like(value, short_pin=short_pin):
                return True
    return False


def _window(text: str, start: int) -> list[str]:
    """Up to WINDOW_WORDS words after ``start``, stopping at the end of the sentence or line."""
    rest = text[start : start + 400]
    end = _SENTENCE_END.search(rest)
    if end is not None:
        rest = rest[: end.start() + 1]
    return [word.strip(_EDGE_PUNCTUATION) for word in rest.split()[:WINDOW_WORDS]]


def _secret_like(value: str, *, short_pin: bool) -> bool:
    """Whether ``value`` looks like a password, PIN or one-time code rather than a word."""
    if len(value) < 4 or _URL_OR_ADDRESS.search(value) or _VERSION_OR_DATE.fullmatch(value):
        return False
    if _DIGITS.fullmatch(value):
        # PINs and one-time codes are 4-8 digits; a long run is a NIP/NIK, a phone number
        # is where to send something, not a secret.
        shortest = 4 if short_pin else 5
        return shortest <= len(value) <= 14 and not _PHONE.fullmatch(value)
    return bool(
        _LETTER_AND_DIGIT.match(value) or _SYMBOL_INSIDE.search(value) or _CAMEL.search(value)
    )
