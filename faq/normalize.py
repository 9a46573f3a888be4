"""Text -> canonical terms for informal Indonesian (and English) helpdesk messages.

One pipeline serves the KB and the queries, so both sides meet on the same terms:
fold unicode and case, drop URLs/e-mail addresses/numbers, collapse repeated letters and
reduplication ("masuk2", "langkah-langkah"), expand chat abbreviations, replace multi-word
expressions, drop greetings and function words, map synonyms and English words to canonical
Indonesian terms, and otherwise reduce the word with a light dictionary-checked stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from faq import lexicon

# Words are taken whole and then judged, so a long run without spaces ("a@a@a@...") costs
# linear time; a single regex over the text backtracked cubically on it (a one-message DoS).
_WORD_RUN = re.compile(r"\S+")
_LINK_OR_ADDRESS = re.compile(r"(?:https?://|www\.)|[^@]+@[^@]+\.\w+$", re.IGNORECASE)


def _drop_link(match: re.Match[str]) -> str:
    word = match.group()
    if "@" not in word and "://" not in word and not word.lower().startswith("www."):
        return word
    return " " if _LINK_OR_ADDRESS.match(word) else word


# "masuk2" / "kira2nya": Indonesian reduplication written with a digit.
_DIGIT_REDUP = re.compile(r"\b([a-z]{2,})2(nya)?\b")
# "langkah-langkah" -> "langkah"; "e-mail" / "e-katalog" -> joined; other hyphens split.
_HYPHEN = re.compile(r"\b([a-z]+)-([a-z]+)\b")
# Company names: "CV Harapan Baru", "PT. Bumi Sriwijaya Konstruksi" say who writes, not what
# about; they become the neutral word "perusahaan" (which still tells the user's role).
_COMPANY = re.compile(
    r"\b(?:CV|PT|UD|PD|Firma|Koperasi)\.?\s+(?:[A-Z][\w&'.-]*\s*){1,5}", re.UNICODE
)
_WORD = re.compile(r"[a-z]+")
# "Katalog V5", "SPSE v4.3", "versi 6": a version named is a word of its own (numbers are
# otherwise dropped), so that "is catalogue v5 still usable" is not just "catalogue".
_VERSION = re.compile(r"\bv\d+(?:\.\d+)*\b")
_REPEAT3 = re.compile(r"(.)\1{2,}")
_REPEAT2 = re.compile(r"(.)\1+")

_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_VOWELS = frozenset("aeiou")
_PREFIXES = ("memper", "per", "ber", "ter", "di", "ke", "se", "be", "pel")
_FALLBACK_PREFIXES = ("memper", "per", "ber", "ter", "di")
# "LPSE Kota Palembang", "lpse muara enim": another region's office (data aggregation topic).
_REGION_MARKERS = frozenset(("kota", "kabupaten", "provinsi", "prov", "kab"))
_HOME_OFFICE = frozenset(("ogan", "oi", "ilir", "sini", "ini", "itu", "kami", "kita", "nya"))
_MAX_PHRASE = max(len(phrase.split()) for phrase in lexicon.PHRASES)

# Canonical values are roots by definition: the stemmer must leave them alone.
_ROOTS: frozenset[str] = (
    lexicon.ROOTS
    | frozenset(lexicon.SYNONYMS.values())
    | frozenset(lexicon.ENGLISH.values())
    | frozenset(term for value in lexicon.PHRASES.values() for term in value.split())
)
_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(phrase.split()): tuple(value.split()) for phrase, value in lexicon.PHRASES.items()
}
_PHRASE_STARTS = frozenset(phrase[0] for phrase in _PHRASES)
_KNOWN_WORDS: frozenset[str] = (
    frozenset(lexicon.ABBREVIATIONS)
    | lexicon.STOPWORDS
    | frozenset(lexicon.SYNONYMS)
    | frozenset(lexicon.ENGLISH)
    | _ROOTS
    # Words of topics the FAQ does not cover are real words, not typos of KB words:
    # "kontrak" must not be corrected to "kontak".
    | lexicon.NEIGHBOUR_TERMS
)


@dataclass(frozen=True, slots=True)
class Term:
    """One informative word of a text after normalisation.

    ``surface`` is the word as written (folded), kept for typo matching; ``known`` says the
    lexicon recognised it (so a typo search is pointless); ``name`` marks a capitalised word
    in mid-sentence, likely a person or place name that carries little intent.
    """

    term: str
    surface: str
    known: bool
    name: bool = False


def fold(text: str) -> str:
    """Lower-case, strip accents and compatibility forms (full-width, ligatures)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


_GRAM_WORD = re.compile(r"\w+")
GRAM_SIZE = 4


def char_grams(text: str) -> frozenset[str]:
    """Letter 4-grams of the folded words (word edges marked by spaces): surface likeness
    that survives what stemming misses ("terblokir" / "diblokir", "registrasi" /
    "registerasi"), read by the reranker."""
    padded = f" {' '.join(_GRAM_WORD.findall(fold(text)))} "
    return frozenset(padded[i : i + GRAM_SIZE] for i in range(len(padded) - GRAM_SIZE + 1))


def analyze(text: str) -> list[Term]:
    """Normalise a text into its informative canonical terms, in order."""
    text = _WORD_RUN.sub(_drop_link, text)
    names = _name_words(text)
    text = _COMPANY.sub(" perusahaan ", text)
    words = expanded_words(text)
    if "lpse" in words:
        words = _mark_other_offices(words)
    terms: list[Term] = []
    position = 0
    while position < len(words):
        phrase, length = _phrase_at(words, position)
        if length:
            terms.extend(Term(term, term, known=True) for term in phrase)
            position += length
            continue
        term = _word_term(words[position])
        if term is not None:
            if not term.known and words[position] in names:
                term = Term(term.term, term.surface, known=False, name=True)
            terms.append(term)
        position += 1
    return terms


def expanded_words(text: str) -> list[str]:
    """The folded words of a text with chat spellings expanded ("makasih" -> "terima kasih"),
    before phrases, stopwords and stems."""
    return [part for word in _words(fold(text)) for part in _prepare(word)]


def terms_of(text: str) -> list[str]:
    """Just the canonical terms of a text (the KB side of matching)."""
    return [term.term for term in analyze(text)]


def known_words() -> frozenset[str]:
    """Every folded word the lexicon knows: abbreviations, stopwords, synonyms, roots."""
    return _KNOWN_WORDS


def term_for_word(word: str) -> str | None:
    """The canonical term of one folded word, None when it is a stopword."""
    term = _word_term(word)
    return None if term is None else term.term


def _words(folded: str) -> list[str]:
    folded = _DIGIT_REDUP.sub(r"\1\2", folded)
    folded = _VERSION.sub(" versi ", folded)
    folded = _HYPHEN.sub(_join_hyphen, folded)
    return _WORD.findall(folded)


@lru_cache(maxsize=65536)
def _prepare(word: str) -> tuple[str, ...]:
    """Repeated letters collapsed, then a chat abbreviation expanded (maybe to several)."""
    word = _collapse_repeats(word)
    expansion = lexicon.ABBREVIATIONS.get(word)
    return tuple(expansion.split()) if expansion else (word,)


def _join_hyphen(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    if left == right or (right.startswith(left) and right[len(left) :] in ("nya", "an")):
        return right  # reduplication: "langkah-langkah", "kira-kiranya"
    if len(left) == 1:
        return left + right  # "e-mail", "e-katalog", "e-purchasing"
    return f"{left} {right}"


def _collapse_repeats(word: str) -> str:
    """'tolooong' -> 'tolong', 'passwordddd' -> 'password', keeping real doubles ('maaf')."""
    if len(word) < 3 or word in _KNOWN_WORDS:
        return word
    candidates = (
        _REPEAT3.sub(r"\1\1", word),  # a run of three or more is emphasis: keep two,
        _REPEAT3.sub(r"\1", word),  # or one,
        _REPEAT2.sub(r"\1", word),  # or the doubles were emphasis too ('makasihh')
    )
    for candidate in candidates:
        if candidate in _KNOWN_WORDS:
            return candidate
    return candidates[1]


def _mark_other_offices(words: list[str]) -> list[str]:
    """Add 'lpselain' after an LPSE named by a region other than the home one."""
    out: list[str] = []
    for index, word in enumerate(words):
        out.append(word)
        if word != "lpse" or index + 1 >= len(words):
            continue
        following = words[index + 1]
        marked = following in _REGION_MARKERS and index + 2 < len(words)
        region = words[index + 2] if marked else following
        if region in _HOME_OFFICE:
            continue
        if marked or not (region in _KNOWN_WORDS or stem(region) in _ROOTS):
            out.append("lpselain")
    return out


def _phrase_at(words: list[str], position: int) -> tuple[tuple[str, ...], int]:
    if words[position] not in _PHRASE_STARTS:
        return (), 0
    # down to one word: a one-word entry of PHRASES ("resubmit") is a phrase too
    for length in range(min(_MAX_PHRASE, len(words) - position), 0, -1):
        window = words[position : position + length]
        value = _PHRASES.get(tuple(window))
        if value is None and window[-1].endswith("nya") and len(window[-1]) > 5:
            # "pejabat pembuat komitmennya", "surat permohonannya"
            value = _PHRASES.get((*window[:-1], window[-1][:-3]))
        if value is not None:
            return value, length
    return (), 0


@lru_cache(maxsize=65536)
def _word_term(word: str) -> Term | None:
    if word in lexicon.STOPWORDS or len(word) < 2:
        return None
    mapped = lexicon.SYNONYMS.get(word) or lexicon.ENGLISH.get(word) or _english_base(word)
    if mapped is not None:
        return Term(mapped, word, known=True)
    root = stem(word)
    mapped = lexicon.SYNONYMS.get(root)
    if mapped is not None:
        return Term(mapped, word, known=True)
    if root in lexicon.STOPWORDS:
        return None
    known = root in _ROOTS or word in _KNOWN_WORDS
    if not known and word.endswith("o") and len(word) > 3:
        # Palembang Malay ends in -o what Indonesian ends in -a ("caro", "verifikasinyo")
        standard = _word_term(word[:-1] + "a")
        if standard is None or standard.known:
            return standard
    return Term(root, word, known=known)


def _english_base(word: str) -> str | None:
    """English inflections: 'documents' -> 'document', 'returned' -> 'return'."""
    candidates: list[str] = []
    if word.endswith("ies"):
        candidates.append(word[:-3] + "y")
    if word.endswith("es"):
        candidates.append(word[:-2])
    if word.endswith("s"):
        candidates.append(word[:-1])
    if word.endswith("ed"):
        candidates += [word[:-2], word[:-1]]
    if word.endswith("ing"):
        candidates += [word[:-3], word[:-3] + "e"]
    for candidate in candidates:
        mapped = lexicon.ENGLISH.get(candidate)
        if mapped is not None:
            return mapped
    return None


def _name_words(text: str) -> frozenset[str]:
    """Folded words written Capitalised in mid-sentence: probably names of people/places."""
    names: set[str] = set()
    for sentence in re.split(r"[.!?\n]+", text):
        tokens = re.findall(r"[^\W\d_]+", sentence)
        for token in tokens[1:]:
            if token[0].isupper() and not token.isupper():
                names.add(fold(token))
    return frozenset(names)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Light Indonesian stemmer: strip particles, possessives, suffixes and prefixes.

    Candidates are checked against known roots (which settles prefix recoding such as
    me+nawar -> tawar); without a hit the word is reduced by the first rule of each kind,
    the same way for KB and query, so unknown words still meet their affixed forms.
    """
    if len(word) < 4 or word in _ROOTS:
        return word
    bases = _suffix_bases(word)
    for base in bases:
        if base in _ROOTS:
            return base
        for candidate in _prefix_candidates(base, depth=3):
            if candidate in _ROOTS:
                return candidate
    return _fallback_stem(bases[-1])


def _suffix_bases(word: str) -> list[str]:
    bases = [word]
    current = word
    for group in (_PARTICLES, _POSSESSIVES):
        for suffix in group:
            if current.endswith(suffix) and len(current) - len(suffix) >= 3:
                current = current[: -len(suffix)]
                bases.append(current)
                break
    for suffix in ("kan", "an", "in", "i"):
        if not current.endswith(suffix) or len(current) - len(suffix) < 4:
            continue
        if suffix == "i" and current[-2] == "s":
            continue  # loanwords: verifikasi, registrasi, aplikasi
        bases.append(current[: -len(suffix)])
        break
    return bases


def _prefix_candidates(word: str, depth: int) -> list[str]:
    found: list[str] = []
    for candidate in _prefix_strips(word):
        if len(candidate) >= 3:
            found.append(candidate)
            if depth > 1:
                found.extend(_prefix_candidates(candidate, depth - 1))
    return found


def _prefix_strips(word: str, fallback: bool = False) -> list[str]:
    """One level of prefix removal, with the recodings Indonesian morphology allows."""
    out: list[str] = []
    plain = _FALLBACK_PREFIXES if fallback else _PREFIXES
    for prefix in plain:
        if word.startswith(prefix):
            out.append(word[len(prefix) :])
    for prefix in ("me", "pe"):
        if not word.startswith(prefix) or len(word) < 5:
            continue
        rest = word[2:]
        if rest.startswith("ng"):
            tail = rest[2:]
            if tail.startswith("e"):
                out.append(tail[1:])  # menge-/penge- before one-syllable roots: mengecek
            out.append(tail)
            if tail[:1] in _VOWELS:
                out.append("k" + tail)
        elif rest.startswith("ny"):
            out += ["s" + rest[2:], rest[2:]]
        elif rest.startswith("m"):
            tail = rest[1:]
            out += ["p" + tail, "m" + tail] if tail[:1] in _VOWELS else [tail]
        elif rest.startswith("n"):
            tail = rest[1:]
            out += ["t" + tail, "n" + tail] if tail[:1] in _VOWELS else [tail]
        elif rest[:1] in ("l", "r", "w", "y"):
            out.append(rest)
    return out


def _fallback_stem(base: str) -> str:
    """No known root: strip one prefix layer (two for stacked di-/me- + per-/ber-/pe-).

    ke- and se- are left alone here: too many plain words start with them (sekolah, kemarin).
    """
    strips = [c for c in _prefix_strips(base, fallback=True) if len(c) >= 4]
    if not strips:
        return base
    current = strips[0]
    if base.startswith(("di", "me", "ter")) and current.startswith(("per", "ber", "pe")):
        inner = [c for c in _prefix_strips(current, fallback=True) if len(c) >= 4]
        if inner:
            current = inner[0]
    return current
