"""Common Indonesian and English words: a word the KB does not know says little if common.

A message's words that no entry contains count against every entry (the query's unknown
mass, see :mod:`faq.matcher`). That is right for a topic word the KB lacks ("SiRUP",
"kurasi"), but "bulan", "tahun", "sehingga", "biasanya", "segera" or "since" are the story
around a question, not its topic. The stopwords-iso lists (758 Indonesian, 1298 English
words, packaged by ``stopwordsiso``) are a general, published resource: a word on them that
the KB does not know weighs like a generic term. A KB word is never affected.
"""

from __future__ import annotations

import stopwordsiso

COMMON_WORDS: frozenset[str] = frozenset(stopwordsiso.stopwords(["id", "en"]))
