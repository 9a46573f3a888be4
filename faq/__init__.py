"""FAQ knowledge base and matcher: pure Python, no chat, mail or database imports."""

from faq.kb import DEFAULT_KB_PATH, KbEntry, KbError, load_kb, parse_kb
from faq.matcher import FaqMatcher, MatchResult, ScoredEntry

__all__ = [
    "DEFAULT_KB_PATH",
    "FaqMatcher",
    "KbEntry",
    "KbError",
    "MatchResult",
    "ScoredEntry",
    "load_kb",
    "parse_kb",
]
