"""FAQ knowledge base and matcher: pure Python, no chat, mail or database imports."""

from faq.kb import DEFAULT_KB_PATH, KbEntry, KbError, load_kb, parse_kb
from faq.matcher import FaqMatcher, MatchResult, ScoredEntry
from faq.questions import MessageAnswers, QuestionMatch, match_questions

__all__ = [
    "DEFAULT_KB_PATH",
    "FaqMatcher",
    "KbEntry",
    "KbError",
    "MatchResult",
    "MessageAnswers",
    "QuestionMatch",
    "ScoredEntry",
    "load_kb",
    "match_questions",
    "parse_kb",
]
