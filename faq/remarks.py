"""Closing remarks: a thank-you that asks nothing is not a question for the FAQ.

After staff solve a problem, requesters write "makasih bu, sudah bisa login sekarang".
Its words ("bisa", "login") are those of a login problem, and the matcher would answer
with the entry on failed logins. A message that thanks, asks nothing (no question mark,
no question word anywhere) and reports no trouble ("tidak", "belum", "gagal", "masih",
"tapi"...) gets no FAQ answer and no candidates; the match says it is a closing remark, and
Telegram replies "sama-sama" with the button to reach staff instead of apologising that the
FAQ lacks the question.

Decision: "trouble" words win over thanks, so "makasih, tapi masih belum bisa login" is
still matched; so is any thanks with a question in it.
"""

from __future__ import annotations

from faq.normalize import expanded_words

# Words after chat spellings are expanded ("makasih" -> "terima kasih"). "Asking" is any
# question word or request anywhere in the message; faq.split's question words are the
# opening words of a question sentence, which include English auxiliaries ("is", "do")
# that, mid-sentence, ask nothing ("thanks, it is working now").
_THANKS_TEXT = "terima kasih thanks thank thx nuhun nuwun suwun hatur matur alhamdulillah"
_ASKING_TEXT = """apa apakah bagaimana kenapa mengapa berapa kapan siapa mana bisakah bolehkah
    haruskah perlukah adakah mohon tolong bantu gimana how what where when why who which
    can could please help"""
_TROUBLE_TEXT = """tidak belum gagal error eror masih lupa kok tapi namun padahal kendala masalah
    salah hilang blokir terblokir ditolak tolak not still but however failed problem
    issue cannot"""
_THANKS = frozenset(_THANKS_TEXT.split())
_ASKING_OR_TROUBLE = frozenset(_ASKING_TEXT.split()) | frozenset(_TROUBLE_TEXT.split())


def is_closing_remark(text: str) -> bool:
    """A thank-you that asks nothing and reports no trouble (see module docstring)."""
    if "?" in text:
        return False
    present = frozenset(expanded_words(text))
    return bool(present & _THANKS) and not present & _ASKING_OR_TROUBLE
