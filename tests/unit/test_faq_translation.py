"""Learned term translations (faq/translation.py) and the matcher's switch between models."""

from __future__ import annotations

import json

import pytest

from faq.kb import KbEntry, load_kb
from faq.matcher import FaqMatcher
from faq.rerank import FEATURES, TRANSLATION_FEATURES, parse_reranker, shipped_translated_reranker
from faq.translation import (
    DEFAULT_TRANSLATIONS_PATH,
    SMOOTHING,
    LabelledMessage,
    Translations,
    TranslationsError,
    dump_translations,
    learn_translations,
    load_translations,
    parse_translations,
    translation_features,
)
from tests.support.kb_entries import kb_entry
from tests.support.shared_eval import EVAL_KB, needs_shared

DEADLINE = ("deadline", {"batas": 2.0, "waktu": 2.0})  # an entry's id and terms -> IDF
LOGIN = ("login", {"login": 3.0, "gagal": 1.0})


def _late(word: str = "kelewatan") -> LabelledMessage:
    return LabelledMessage({word: 1.0, "kirim": 0.5}, dict([DEADLINE]))


def test_a_word_that_keeps_landing_on_an_entry_translates_into_its_words() -> None:
    table = learn_translations([_late(), _late(), _late()]).table
    # three messages, one unit each, spread over the entry's terms by IDF, smoothed
    assert table["kelewatan"]["batas"] == pytest.approx(round(1.5 / (3 + SMOOTHING), 4))
    assert set(table["kelewatan"]) == {"batas", "waktu"}
    translations = Translations(table)
    masses = {"kelewatan": 2.0, "tombol": 2.0}
    (found, _, from_unknown, *_), (elsewhere, *_) = translation_features(
        translations, masses, {"kelewatan"}, [DEADLINE, LOGIN]
    )
    share = table["kelewatan"]["batas"] + table["kelewatan"]["waktu"]
    assert found == pytest.approx(2.0 * share / 4.0) and from_unknown == pytest.approx(found)
    assert elsewhere == 0.0


def test_out_of_scope_messages_weaken_a_word_and_rare_pairs_are_dropped() -> None:
    sirup = LabelledMessage({"sirup": 1.0}, {})
    mostly_elsewhere = [
        *(sirup for _ in range(6)),
        LabelledMessage({"sirup": 1.0}, {"x": LOGIN[1]}),
    ]
    translations = learn_translations(mostly_elsewhere)
    assert translations.table["sirup"]["login"] == pytest.approx(round(0.75 / (7 + SMOOTHING), 4))
    assert translations.elsewhere["sirup"] == pytest.approx(round(6 / (7 + SMOOTHING), 4))
    assert "sirup" not in learn_translations(mostly_elsewhere, min_share=0.1).table


def test_a_message_in_words_of_out_of_scope_questions_says_so() -> None:
    translations = learn_translations([LabelledMessage({"sirup": 1.0}, {}) for _ in range(8)])
    rows = translation_features(
        translations, {"sirup": 3.0, "paket": 1.0}, frozenset(), [DEADLINE, LOGIN]
    )
    assert all(row[3] == pytest.approx(0.75 * 0.8) for row in rows)


def test_the_table_knows_the_entries_its_messages_named() -> None:
    translations = learn_translations([_late(), LabelledMessage({"halo": 1.0}, {})])
    assert translations.knows("deadline") and not translations.knows("login")


def test_features_compare_each_candidate_with_the_best() -> None:
    translations = learn_translations([_late(), _late()])
    masses = {"kelewatan": 1.0}
    rows = translation_features(translations, masses, frozenset(), [DEADLINE, LOGIN])
    assert rows[0][0] > 0.0 and rows[0][1] == 0.0 and rows[0][2] == 0.0
    assert rows[1][:6] == (0.0, -rows[0][0], 0.0, 0.0, 0.0, -rows[0][4])


def test_the_entry_side_weighs_what_lands_on_its_telling_words() -> None:
    translations = Translations({"telat": {"batas": 0.5, "waktu": 0.1}})
    masses = {"telat": 1.0}
    telling = {"batas": 3.0, "waktu": 1.0}
    plain = {"batas": 1.0, "waktu": 3.0}
    (share, *_, dense, gap), (same_share, *_, thin, thin_gap) = (
        row[:6]
        for row in translation_features(
            translations, masses, frozenset(), [("telling", telling), ("plain", plain)]
        )
    )
    assert share == same_share == pytest.approx(0.6)
    assert dense == pytest.approx((3.0 * 0.5 + 0.1) / 4.0) and gap == 0.0
    assert thin == pytest.approx((0.5 + 3.0 * 0.1) / 4.0)
    assert thin_gap == pytest.approx(thin - dense)


def test_a_table_survives_the_file_format() -> None:
    translations = learn_translations([_late(), _late("telat"), LabelledMessage({"x": 1.0}, {})])
    assert translations.elsewhere and len(translations.examples.examples) == 3
    data = json.loads(json.dumps(dump_translations(translations, "test")))
    assert parse_translations(data) == translations


@pytest.mark.parametrize(
    "data",
    [
        {"entries": [], "elsewhere": {}},
        {"entries": [], "elsewhere": {}, "table": {"a": {"b": "x"}}},
        {"entries": [], "elsewhere": {}, "table": {"a": {"b": 1.5}}},
        {"entries": [], "elsewhere": {"a": -1}, "table": {}},
        {"entries": [], "elsewhere": {}, "table": ["a"]},
        {"entries": [], "table": {}},
    ],
)
def test_a_malformed_table_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(TranslationsError):
        parse_translations(data)


def test_the_shipped_table_and_translated_model_load() -> None:
    translations = load_translations(DEFAULT_TRANSLATIONS_PATH)
    assert translations.table and translations.entries and translations.examples.examples
    assert 0.0 < shipped_translated_reranker().threshold < 1.0


@needs_shared
def test_the_shipped_table_knows_every_entry_of_the_eval_kb() -> None:
    translations = load_translations()
    assert all(translations.knows(entry.id) for entry in load_kb(EVAL_KB))


KB = [
    kb_entry("lupa-password", "Bagaimana jika penyedia lupa password SPSE?"),
    kb_entry("ukuran-file", "Berapa ukuran maksimal file penawaran?"),
]
# One stump on the first translation input: "no" unless much of the message translates.
NEVER_TRANSLATED = {
    "features": [*FEATURES, *TRANSLATION_FEATURES],
    "baseline": -20.0,
    "threshold": 0.5,
    "margin": 0.01,
    "trees": [
        {
            "feature": [len(FEATURES), -1, -1],
            "threshold": [2.0, 0.0, 0.0],
            "left": [1, 0, 0],
            "right": [2, 0, 0],
            "value": [0.0, 0.0, 40.0],
        }
    ],
}


def _matcher(entries: list[KbEntry]) -> FaqMatcher:
    return FaqMatcher(
        entries,
        translated_reranker=parse_reranker(NEVER_TRANSLATED, FEATURES + TRANSLATION_FEATURES),
        translations=Translations({}, frozenset(entry.id for entry in KB)),
    )


def test_a_message_whose_candidates_the_table_knows_is_decided_by_the_translated_model() -> None:
    result = _matcher(KB).match("sy lupa password akun penyedia gmn ya")
    assert result.matches and result.answer is None


def test_an_entry_the_table_never_learnt_hands_the_message_to_the_lexical_model() -> None:
    added = kb_entry("lupa-password-ppk", "Bagaimana jika PPK lupa password SPSE?")
    result = _matcher([*KB, added]).match("sy lupa password akun penyedia gmn ya")
    assert result.answer is not None and result.answer.id == "lupa-password"
