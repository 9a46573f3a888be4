"""Words that carry little intent: common words (pinned by hash: one maintainer) and verbs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import stopwordsiso

from faq.common_words import COMMON_WORDS
from faq.kb import load_kb
from faq.matcher import FaqMatcher
from tests.support.shared_eval import EVAL_KB, needs_shared

# sha256 of stopwords-iso.json in stopwordsiso 0.7.1 (wheel sha256 e23edcff...279380).
WORD_FILE_SHA256 = "337af4d57d5fa1fecc2ffcae532e9b9f05db51c74ff18d3dde9572185a3cdae4"


def test_the_installed_word_lists_are_the_reviewed_ones() -> None:
    data = Path(stopwordsiso.__file__).with_name("stopwords-iso.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == WORD_FILE_SHA256
    assert {"bulan", "sehingga", "biasanya", "since"} <= COMMON_WORDS


@needs_shared
def test_a_common_word_of_the_story_weighs_less_than_a_word_of_another_topic() -> None:
    hand = FaqMatcher(load_kb(EVAL_KB), rerank=False)
    story = hand.rank("lupa password penyedia, sejak bulan lalu sehingga")[0]
    other = hand.rank("lupa password penyedia, gudang kapal mesin")[0]
    assert story.entry.id == other.entry.id == "lupa-password-penyedia"
    assert story.score > 1.2 * other.score  # both were unknown mass alike (1.1x)
    reranked = FaqMatcher(load_kb(EVAL_KB))
    story, other = (
        reranked.match(text).matches[0]
        for text in (
            "lupa password penyedia, sejak bulan lalu sehingga",
            "lupa password penyedia, gudang kapal mesin",
        )
    )
    assert story.score > other.score


@needs_shared
def test_what_to_do_is_not_the_topic_of_a_question() -> None:
    """The words "apa yang harus dilakukan" say nothing of the topic; the condition does."""
    answer = (
        FaqMatcher(load_kb(EVAL_KB))
        .match("Apa yang harus dilakukan kalau PPK lupa kata sandi?")
        .answer
    )
    assert answer is not None and answer.id == "lupa-password-ulp-ppk"  # was withheld
