"""Train the FAQ reranker (faq/rerank.py) on the tuning pool and measure it honestly.

Run from the repository root (``../shared`` beside it; needs scikit-learn, the
``rerank-train`` extra)::

    python -m bench.rerank_train            # figures only
    python -m bench.rerank_train --write    # also write faq/data/reranker.json

Rows: every pool query (dev and ``bench.faq.TUNING``; never the sealed sets) matched by the
hand-scored matcher; each candidate with some evidence is a row of ``faq.rerank.FEATURES``,
labelled by whether it is an expected entry. A model is sklearn's
HistGradientBoostingClassifier with fixed parameters (below); its answer rule (threshold,
margin) is fitted, by ``bench.faq``'s utility (right - 2 x misinforming), on probabilities the
model never trained on: out-of-fold predictions of an inner 5-fold split of its own training
queries. The shipped model is trained on the whole pool that way.

Measured, each against the hand score with its own answer rule refitted on the same
training queries: 5-fold over the pool (each fold: model and rule from the other four), and
each tuning set left out in turn. The export is checked: the pure-Python evaluator must give
sklearn's probabilities on every row.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.faq import (
    MIN_MARGIN,
    SHARED,
    Rankings,
    _best_cutoffs,
    _cells,
    _folds,
    _metrics_dict,
    _predictions,
    _table,
    load_pool,
    pool_splits,
)
from bot.tables import render_table
from faq.evaluation import OVERALL, EvalQuery, Metrics, metrics_by_kind
from faq.matcher import FaqMatcher
from faq.rerank import DEFAULT_MODEL_PATH, FEATURES, parse_reranker

try:
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier
except ImportError:  # pragma: no cover - a maintainer's tool
    sys.exit("training needs scikit-learn: pip install -e '.[rerank-train]'")

RESULTS = Path(__file__).resolve().parent / "results" / "rerank.json"
# Chosen among settings of 40-150 trees and 6-31 leaves by leave-one-set-out utility on the
# 2358-query pool (the others within noise); small enough to evaluate in pure Python in a
# few microseconds a candidate.
PARAMETERS: dict[str, object] = {
    "max_iter": 60,
    "learning_rate": 0.1,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "early_stopping": False,
    "random_state": 0,
}
INNER_FOLDS = 5
# a split's test queries, their rankings and the answer rule fitted without them
Measured = tuple[list[EvalQuery], Rankings, float, float]


@dataclass(frozen=True)
class Candidates:
    """One query's candidates: entry ids and feature rows, in the matcher's BM25 order."""

    ids: tuple[str, ...]
    rows: np.ndarray  # candidates x features


@dataclass
class Model:
    """A trained ensemble and the answer rule fitted on its out-of-fold probabilities."""

    classifier: HistGradientBoostingClassifier
    threshold: float
    margin: float


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write faq/data/reranker.json")
    parser.add_argument("--shared", type=Path, default=SHARED, help="faq-eval directory")
    args = parser.parse_args(argv)
    entries, sets = load_pool(args.shared)
    pool = [query for queries in sets.values() for query in queries]
    origin = [name for name, queries in sets.items() for _ in queries]
    hand = FaqMatcher(entries, rerank=False)
    candidates = [_candidates(hand, query.q) for query in pool]
    hand_rankings = [_hand_ranked(hand, query.q) for query in pool]

    splits = pool_splits(pool, origin)
    rows: list[list[str]] = []
    records: list[dict[str, object]] = []
    pooled: dict[tuple[str, str], list[Measured]] = {
        (kind, name): [] for kind in ("k-fold", "left out") for name in ("hand", "rerank")
    }
    for label, test in splits:
        held = set(test)
        train = [i for i in range(len(pool)) if i not in held]
        model = _train(pool, candidates, train)
        test_queries = [pool[i] for i in test]
        reranked = [_ranking(model.classifier, candidates[i]) for i in test]
        hand_cutoffs = _best_cutoffs(
            [pool[i] for i in train], [hand_rankings[i] for i in train], 1.0, MIN_MARGIN
        )
        measured = {
            "hand": _table(test_queries, [hand_rankings[i] for i in test], *hand_cutoffs),
            "rerank": _table(test_queries, reranked, model.threshold, model.margin),
        }
        kind = "k-fold" if label.startswith("fold") else "left out"
        for name, table in measured.items():
            rows.append([label, name, *_cells(table[OVERALL])])
        records.append(
            {
                "split": label,
                "kind": kind,
                "rerank_rule": [model.threshold, model.margin],
                **{name: _metrics_dict(table[OVERALL]) for name, table in measured.items()},
            }
        )
        hand_test = [hand_rankings[i] for i in test]
        pooled[kind, "hand"].append((test_queries, hand_test, *hand_cutoffs))
        pooled[kind, "rerank"].append((test_queries, reranked, model.threshold, model.margin))
    summary = {f"{kind} pooled, {name}": _pooled(parts) for (kind, name), parts in pooled.items()}
    for label, metrics in summary.items():
        rows.append([label.split(", ")[0], label.split(", ")[1], *_cells(metrics)])
    print(f"pool: {len(pool)} queries in {len(sets)} sets; each split trained on the rest")
    headers = ["split", "ranking", "false-ans", "wrong", "top-1", "top-3", "abstain"]
    print(render_table(headers, rows))

    model = _train(pool, candidates, list(range(len(pool))))
    exported = _export(model, len(pool), sets)
    _check_export(exported, model.classifier, candidates)
    print(
        f"shipped model: {len(model.classifier._predictors)} trees, answer rule threshold="
        f"{model.threshold:.2f} margin={model.margin:.3f}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "pool": {name: len(queries) for name, queries in sets.items()},
        "parameters": PARAMETERS,
        "splits": records,
        "k_fold_pooled": {name: _metrics_dict(metrics) for name, metrics in summary.items()},
        "shipped_rule": [model.threshold, model.margin],
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS.relative_to(RESULTS.parents[2])}")
    if args.write:
        DEFAULT_MODEL_PATH.write_text(json.dumps(exported) + "\n", encoding="utf-8")
        print(f"written {DEFAULT_MODEL_PATH.relative_to(DEFAULT_MODEL_PATH.parents[2])}")


def _candidates(matcher: FaqMatcher, text: str) -> Candidates:
    found = matcher.candidate_features(text)
    rows = np.array([row for _, row in found], dtype=float).reshape(len(found), len(FEATURES))
    return Candidates(tuple(entry.id for entry, _ in found), rows)


def _hand_ranked(matcher: FaqMatcher, text: str) -> list[tuple[str, float]]:
    return [(item.entry.id, item.score) for item in matcher.rank(text, top=3)]


def _train(pool: Sequence[EvalQuery], candidates: Sequence[Candidates], train: list[int]) -> Model:
    """A model on ``train`` and its answer rule from inner out-of-fold probabilities."""
    inner_rankings: dict[int, list[tuple[str, float]]] = {}
    subset = [pool[i] for i in train]
    for fold in _folds(subset, INNER_FOLDS):
        held = {train[i] for i in fold}
        inner = _fit([i for i in train if i not in held], pool, candidates)
        for index in held:
            inner_rankings[index] = _ranking(inner, candidates[index])
    threshold, margin = _best_cutoffs(subset, [inner_rankings[i] for i in train], 1.0, MIN_MARGIN)
    return Model(_fit(train, pool, candidates), threshold, margin)


def _fit(
    indexes: Sequence[int], pool: Sequence[EvalQuery], candidates: Sequence[Candidates]
) -> HistGradientBoostingClassifier:
    chosen = [i for i in indexes if candidates[i].ids]
    features = np.vstack([candidates[i].rows for i in chosen])
    labels = np.concatenate(
        [[entry_id in pool[i].expected for entry_id in candidates[i].ids] for i in chosen]
    )
    classifier = HistGradientBoostingClassifier(**PARAMETERS)
    return classifier.fit(features, labels)


def _ranking(
    classifier: HistGradientBoostingClassifier, found: Candidates
) -> list[tuple[str, float]]:
    """The top three by probability (ties: BM25 order, like the matcher)."""
    if not found.ids:
        return []
    probabilities = classifier.predict_proba(found.rows)[:, 1]
    order = sorted(range(len(found.ids)), key=lambda i: (-probabilities[i], i))
    return [(found.ids[i], float(probabilities[i])) for i in order[:3]]


def _pooled(parts: list[Measured]) -> Metrics:
    pairs = [
        pair
        for queries, rankings, threshold, margin in parts
        for pair in zip(queries, _predictions(rankings, threshold, margin), strict=True)
    ]
    return metrics_by_kind(pairs)[OVERALL]


def _export(model: Model, size: int, sets: dict[str, list[EvalQuery]]) -> dict[str, object]:
    """The ensemble as flat arrays (faq.rerank's format)."""
    classifier = model.classifier
    trees = []
    for (predictor,) in classifier._predictors:
        nodes = predictor.nodes
        leaves = nodes["is_leaf"].astype(bool)
        features = [int(f) for f in nodes["feature_idx"]]
        trees.append(
            {
                "feature": [-1 if leaf else f for f, leaf in zip(features, leaves, strict=True)],
                "threshold": [float(x) for x in nodes["num_threshold"]],
                "left": [int(x) for x in nodes["left"]],
                "right": [int(x) for x in nodes["right"]],
                "value": [float(x) for x in nodes["value"]],
            }
        )
    return {
        "about": (
            "FAQ reranker (faq/rerank.py), trained by python -m bench.rerank_train --write "
            f"on {size} pool queries ({', '.join(sets)}), scikit-learn {sklearn.__version__}"
        ),
        "features": list(FEATURES),
        "parameters": PARAMETERS,
        "baseline": float(np.ravel(classifier._baseline_prediction)[0]),
        "threshold": model.threshold,
        "margin": model.margin,
        "trees": trees,
    }


def _check_export(
    exported: dict[str, object],
    classifier: HistGradientBoostingClassifier,
    candidates: Sequence[Candidates],
) -> None:
    reranker = parse_reranker(exported)
    rows = np.vstack([found.rows for found in candidates if found.ids])
    expected = classifier.predict_proba(rows)[:, 1]
    ours = np.array([reranker.probability(tuple(row)) for row in rows])
    worst = float(np.abs(ours - expected).max())
    if worst > 1e-9:
        raise SystemExit(f"export differs from sklearn by {worst:.2e}")
    print(f"export checked on {len(rows)} rows: largest difference {worst:.1e}")


if __name__ == "__main__":
    main()
