"""Nearest labelled questions (faq/examples.py)."""

from __future__ import annotations

import json

import pytest

from faq.examples import EXAMPLE_FEATURES, dump_examples, learn_examples, parse_examples

# (term masses, the entries that answer it); none: out of the FAQ's scope
LABELLED = [
    ({"staf": 2.0, "keluar": 2.0, "akun": 1.0}, ["lupa-user-id"]),
    ({"lupa": 2.0, "nama": 1.0, "akun": 1.0}, ["lupa-user-id"]),
    ({"lupa": 2.0, "sandi": 2.0}, ["lupa-password"]),
    ({"sirup": 3.0, "sandi": 1.0}, []),
    ({"sirup": 3.0, "paket": 1.0}, []),
]


def test_the_entry_whose_questions_are_nearest_leads() -> None:
    index = learn_examples(LABELLED)
    rows = index.features({"staf": 1.0, "keluar": 1.0}, ["lupa-user-id", "lupa-password"])
    (best, gap, vote, elsewhere, elsewhere_vote, unshared, extra), other = rows
    assert len(rows[0]) == len(EXAMPLE_FEATURES)
    assert best == pytest.approx(4.0 / (2**0.5 * 3.0)) and gap == 0.0 and vote == 1.0
    assert elsewhere == 0.0 and elsewhere_vote == 0.0
    # the closest example has every word of the message, and "akun" besides (1 of 5)
    assert unshared == 0.0 and extra == pytest.approx(0.2)
    # no question of lupa-password shares a word: nothing of the message is shared
    assert other == (0.0, -best, 0.0, 0.0, 0.0, 1.0, 1.0)


def test_a_message_with_a_word_its_neighbour_lacks_says_so() -> None:
    index = learn_examples(LABELLED)
    ((*_, unshared, extra),) = index.features({"lupa": 1.0, "online": 3.0}, ["lupa-password"])
    assert unshared == pytest.approx(0.75) and extra == pytest.approx(0.5)


def test_the_index_is_built_on_first_use() -> None:
    index = learn_examples(LABELLED)
    assert "_postings" not in vars(index)
    index.features({"lupa": 1.0}, ["lupa-password"])
    assert "_postings" in vars(index)


def test_a_message_like_out_of_scope_questions_says_so() -> None:
    index = learn_examples(LABELLED)
    ((best, _, vote, elsewhere, elsewhere_vote, *_),) = index.features(
        {"sirup": 2.0, "sandi": 1.0}, ["lupa-password"]
    )
    assert elsewhere == pytest.approx(7.0 / 50**0.5)
    assert elsewhere > best > 0.0 and elsewhere_vote > vote


def test_no_examples_or_no_words_give_zeros() -> None:
    assert learn_examples([]).features({"a": 1.0}, ["x"]) == [(0.0,) * len(EXAMPLE_FEATURES)]
    assert learn_examples(LABELLED).features({}, ["x", "y"]) == [(0.0,) * len(EXAMPLE_FEATURES)] * 2
    # fewer examples than voters
    assert learn_examples(LABELLED[:1]).features({"staf": 1.0}, ["lupa-user-id"])[0][2] == 1.0


def test_examples_survive_the_file_format() -> None:
    index = learn_examples(LABELLED)
    data = json.loads(json.dumps(dump_examples(index)))
    assert parse_examples(data) == index


@pytest.mark.parametrize(
    "data", [[["x"]], [[["a"], {"t": -1.0}]], [[["a"], {"t": "x"}]], [[["a"], ["t"]]], ["x"]]
)
def test_malformed_examples_are_refused(data: list[object]) -> None:
    with pytest.raises((ValueError, TypeError, AttributeError)):
        parse_examples(data)
