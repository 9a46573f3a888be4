"""Words that open a question or a request, in Indonesian (formal and chat) and English.

Shared by the sentence splitter (a sentence that asks weighs more than the story around it)
and the e-mail reader (a line that asks is never part of a signature).
"""

from __future__ import annotations

_QUESTION_WORD_TEXT = """apa apakah bagaimana gimana gmn bgmn kenapa knp mengapa berapa brp kapan
    kpn siapa dimana dmn kemana kmn bisakah bolehkah haruskah perlukah adakah mohon tolong tlg mhn
    how what where when why who which can could is are do does should may will please pls plz
    kindly"""
# A sentence opening with one of these asks something ("bisakah ...", "please advise ...").
QUESTION_WORDS: frozenset[str] = frozenset(_QUESTION_WORD_TEXT.split())

_INDIRECT_QUESTION_WORD_TEXT = """bagaimana gimana gmn bgmn kenapa knp mengapa berapa brp kapan
    siapa dimana kemana how what why where when whether"""
# Inside a sentence these ask indirectly ("saya tidak tahu bagaimana caranya", "we are unsure
# how to reset it"); words that also open statements ("apa adanya", "can", "is") do not.
INDIRECT_QUESTION_WORDS: frozenset[str] = frozenset(_INDIRECT_QUESTION_WORD_TEXT.split())
