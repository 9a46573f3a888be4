"""The learned reranker: the model format, its evaluator, and the matcher's use of it."""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest

from faq.kb import DEFAULT_KB_PATH, load_kb
from faq.matcher import ANSWER_THRESHOLD, MARGIN, FaqMatcher
from faq.rerank import (
    DEFAULT_MODEL_PATH,
    FEATURES,
    RerankerError,
    load_reranker,
    parse_reranker,
)
from tests.support.shared_eval import EVAL_KB, needs_shared

COVERAGE = FEATURES.index("coverage")
RANK = FEATURES.index("bm25_rank")


def _model(**changes: object) -> dict[str, object]:
    """Two stumps: +1 when coverage > 0.5, else -1; +0.5 when the BM25 rank is 0."""
    model: dict[str, object] = {
        "features": list(FEATURES),
        "baseline": 0.25,
        "threshold": 0.6,
        "margin": 0.1,
        "trees": [
            {
                "feature": [COVERAGE, -1, -1],
                "threshold": [0.5, 0.0, 0.0],
                "left": [1, 0, 0],
                "right": [2, 0, 0],
                "value": [0.0, -1.0, 1.0],
            },
            {
                "feature": [RANK, -1, -1],
                "threshold": [0.5, 0.0, 0.0],
                "left": [1, 0, 0],
                "right": [2, 0, 0],
                "value": [0.0, 0.5, 0.0],
            },
        ],
    }
    model.update(changes)
    return model


def _row(coverage: float, rank: int) -> list[float]:
    row = [0.0] * len(FEATURES)
    row[COVERAGE], row[RANK] = coverage, float(rank)
    return row


def _sigmoid(raw: float) -> float:
    return 1.0 / (1.0 + math.exp(-raw))


def test_the_evaluator_walks_each_tree_and_sums_the_leaves() -> None:
    reranker = parse_reranker(_model())
    assert reranker.probability(_row(0.9, 0)) == pytest.approx(_sigmoid(0.25 + 1.0 + 0.5))
    assert reranker.probability(_row(0.5, 0)) == pytest.approx(_sigmoid(0.25 - 1.0 + 0.5))
    assert reranker.probability(_row(0.9, 3)) == pytest.approx(_sigmoid(0.25 + 1.0))
    assert (reranker.threshold, reranker.margin) == (0.6, 0.1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"features": list(FEATURES[:-1])}, "other features"),
        ({"baseline": "x"}, "malformed"),
        ({"trees": [{"feature": [0]}]}, "malformed"),
        (
            {
                "trees": [
                    {"feature": [0], "threshold": [0.5, 1], "left": [0], "right": [0], "value": [0]}
                ]
            },
            "differ in length",
        ),
        # a node pointing back at itself would never end the walk
        (
            {
                "trees": [
                    {
                        "feature": [0, -1],
                        "threshold": [0.5, 0],
                        "left": [0, 0],
                        "right": [1, 0],
                        "value": [0, 0],
                    }
                ]
            },
            "outside its tree",
        ),
    ],
)
def test_a_model_that_does_not_fit_the_code_is_refused(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(RerankerError, match=message):
        parse_reranker(_model(**changes))


def test_the_shipped_model_loads_with_an_answer_rule_in_range() -> None:
    reranker = load_reranker()
    data = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    assert 0.0 < reranker.threshold < 1.0 and 0.0 < reranker.margin < 0.5
    assert len(reranker.trees) == data["parameters"]["max_iter"]


def test_the_matcher_answers_by_the_models_rule_and_the_hand_score_by_its_own() -> None:
    entries = load_kb(DEFAULT_KB_PATH)
    reranked, hand = FaqMatcher(entries), FaqMatcher(entries, rerank=False)
    assert (reranked.threshold, reranked.margin) == (
        load_reranker().threshold,
        load_reranker().margin,
    )
    assert (hand.threshold, hand.margin) == (ANSWER_THRESHOLD, MARGIN)
    result = reranked.match("sy lupa password akun penyedia gmn ya")
    assert result.answer is not None and result.answer.id == "lupa-password-rekanan"
    assert result.matches[0].score >= reranked.threshold
    assert all(0.0 < item.score < 1.0 for item in reranked.rank("lupa password", top=8))


def test_a_custom_model_replaces_the_shipped_one() -> None:
    always_no = parse_reranker(_model(baseline=-20.0))
    matcher = FaqMatcher(load_kb(DEFAULT_KB_PATH), reranker=always_no)
    result = matcher.match("sy lupa password akun penyedia gmn ya")
    assert result.matches and result.answer is None


@needs_shared
def test_candidate_rows_follow_the_feature_order() -> None:
    matcher = FaqMatcher(load_kb(EVAL_KB), rerank=False)
    rows = matcher.candidate_features("Bagaimana jika penyedia lupa password SPSE?")
    assert rows and all(len(row) == len(FEATURES) for _, row in rows)
    first = dict(zip(FEATURES, rows[0][1], strict=True))
    assert first["bm25_rank"] == 0 and first["bm25_share"] == 1.0 and first["sentences"] == 1
    assert rows[0][0].id == "lupa-password-penyedia" and first["question_recall"] > 0.7
    assert matcher.candidate_features("makasih bu, sudah bisa login") == []


def _walked_probability(model: dict[str, Any], row: list[float]) -> float:
    """The reference: each tree of the model file walked node by node from its root."""
    raw = model["baseline"]
    for tree in model["trees"]:
        node = 0
        while (index := tree["feature"][node]) >= 0:
            below = row[index] <= tree["threshold"][node]
            node = tree["left"][node] if below else tree["right"][node]
        raw += tree["value"][node]
    return _sigmoid(raw)


def test_the_compiled_ensemble_gives_the_walked_trees_probability() -> None:
    model = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    reranker = load_reranker()
    rng = random.Random(7)
    for _ in range(300):
        row = [rng.choice((0.0, 1.0, rng.random(), rng.uniform(-1, 8))) for _ in FEATURES]
        assert reranker.probability(row) == pytest.approx(_walked_probability(model, row))


def test_a_model_with_a_number_that_is_not_finite_is_refused() -> None:
    with pytest.raises(RerankerError, match="not finite"):
        parse_reranker(_model(baseline=float("nan")))
