"""FAQ matcher benchmark: accuracy against two baselines, latency and build cost by KB size.

Run from the repository root (``../shared`` beside it)::

    python -m bench.faq                 # table on stdout, JSON in bench/results/faq.json
    python -m bench.faq --calibrate     # also: threshold grid search + 2-fold cross-check

Accuracy is measured on ``faq-eval/dev.jsonl`` with ``faq-eval/kb.yaml`` for the matcher and
for two baselines whose abstention cutoff is tuned on the same set (their best case):
(a) rapidfuzz ``process.extractOne`` with ``fuzz.WRatio`` over questions + variants,
(b) plain BM25 (rank-bm25, a dev-only dependency) over questions + variants + keywords.
Latency is per query over the dev queries at the real KB size (50) and at synthetic KBs of
500 and 10,000 entries, generated deterministically by recombining the real entries' words.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process

from bot.tables import render_table
from faq.evaluation import (
    OVERALL,
    TABLE_HEADERS,
    EvalQuery,
    Metrics,
    Prediction,
    load_queries,
    metrics_by_kind,
    table_rows,
)
from faq.kb import KbEntry, load_kb
from faq.matcher import ANSWER_THRESHOLD, MARGIN, FaqMatcher, should_answer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "faq-eval"
RESULTS = REPO / "bench" / "results" / "faq.json"
SIZES = (50, 500, 10_000)
SEED = 20240611
# Objective of every cutoff search, in queries: right answers and right abstentions count
# one, a wrong answer costs two (a misinformed user is worse than one sent to a human).
WRONG_COST = 2.0
# The matcher must abstain on near ties, so its margin is searched from here up.
MIN_MARGIN = 0.01

Ranker = Callable[[str], list[tuple[str, float]]]


@dataclass(frozen=True)
class Latency:
    """Per-query latency in microseconds, and the index build cost."""

    entries: int
    p50_us: float
    p99_us: float
    first_pass_p99_us: float
    build_ms: float
    build_peak_kib: float


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print/write its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="threshold grid + 2-fold CV")
    parser.add_argument("--shared", type=Path, default=SHARED, help="faq-eval directory")
    args = parser.parse_args(argv)
    entries = load_kb(args.shared / "kb.yaml")
    queries = load_queries(args.shared / "dev.jsonl", {entry.id for entry in entries})
    report: dict[str, object] = {"kb_entries": len(entries), "queries": len(queries)}

    matcher = FaqMatcher(entries)
    ours = _rankings(queries, _matcher_ranker(matcher))
    fuzzy_ranker = _wratio_ranker(entries)
    bm25_ranker = _bm25_ranker(entries)
    methods = {
        "matcher": _table(queries, ours, ANSWER_THRESHOLD, MARGIN),
        "wratio": _table(queries, _rankings(queries, fuzzy_ranker), *_tuned(queries, fuzzy_ranker)),
        "bm25": _table(queries, _rankings(queries, bm25_ranker), *_tuned(queries, bm25_ranker)),
    }
    for name, table in methods.items():
        print(f"\n== {name} ==")
        print(render_table(TABLE_HEADERS, table_rows(table)))
    print()
    print(_side_by_side(methods))
    report["accuracy"] = {
        name: {group: _metrics_dict(metrics) for group, metrics in table.items()}
        for name, table in methods.items()
    }

    if args.calibrate:
        report["calibration"] = _calibration(queries, ours)

    latencies = [_latency(_synthetic_kb(entries, size), queries) for size in SIZES]
    baseline_latency = {
        "wratio": [_baseline_latency(_synthetic_kb(entries, size), queries, _wratio_ranker)
                   for size in SIZES],
        "bm25": [_baseline_latency(_synthetic_kb(entries, size), queries, _bm25_ranker)
                 for size in SIZES],
    }
    print()
    print(_latency_table(latencies, baseline_latency))
    report["latency"] = [asdict(item) for item in latencies]
    report["baseline_latency_p99_us"] = baseline_latency
    report["rebuild_add_one_at_500_ms"] = _rebuild_cost(_synthetic_kb(entries, 500))
    print(f"\nadd_entries(1 entry) on a 500-entry matcher: "
          f"{report['rebuild_add_one_at_500_ms']:.1f} ms")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS.relative_to(REPO)}")


# -- rankers -------------------------------------------------------------------------------


def _matcher_ranker(matcher: FaqMatcher) -> Ranker:
    def rank(text: str) -> list[tuple[str, float]]:
        return [(scored.entry.id, scored.score) for scored in matcher.rank(text, top=3)]

    return rank


def _wratio_ranker(entries: Sequence[KbEntry]) -> Ranker:
    texts: list[str] = []
    owners: list[str] = []
    for entry in entries:
        for text in (entry.question, *entry.variants):
            texts.append(text)
            owners.append(entry.id)

    def rank(text: str) -> list[tuple[str, float]]:
        best: dict[str, float] = {}
        for _, score, index in process.extract(text, texts, scorer=fuzz.WRatio, limit=15):
            best.setdefault(owners[index], score / 100.0)
        return sorted(best.items(), key=lambda pair: -pair[1])[:3]

    return rank


def _bm25_ranker(entries: Sequence[KbEntry]) -> Ranker:
    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    corpus = [
        tokens(" ".join((entry.question, *entry.variants, *entry.keywords))) for entry in entries
    ]
    model = BM25Okapi(corpus)
    ids = [entry.id for entry in entries]

    def rank(text: str) -> list[tuple[str, float]]:
        scores = model.get_scores(tokens(text))
        order = sorted(range(len(ids)), key=lambda index: -scores[index])[:3]
        return [(ids[index], float(scores[index])) for index in order]

    return rank


# -- accuracy -------------------------------------------------------------------------------


def _rankings(queries: Sequence[EvalQuery], ranker: Ranker) -> list[list[tuple[str, float]]]:
    return [ranker(query.q) for query in queries]


def _predictions(
    rankings: Sequence[list[tuple[str, float]]], threshold: float, margin: float
) -> list[Prediction]:
    predictions = []
    for ranked in rankings:
        scores = [score for _, score in ranked]
        answer = ranked[0][0] if should_answer(scores, threshold, margin) else None
        predictions.append(Prediction(tuple(entry_id for entry_id, _ in ranked), answer))
    return predictions


def _table(
    queries: Sequence[EvalQuery],
    rankings: Sequence[list[tuple[str, float]]],
    threshold: float,
    margin: float,
) -> dict[str, Metrics]:
    predictions = _predictions(rankings, threshold, margin)
    return metrics_by_kind(list(zip(queries, predictions, strict=True)))


def _utility(metrics: Metrics) -> float:
    """Per-query utility: right answers + right abstentions - WRONG_COST x wrong answers."""
    right = (metrics.top1 or 0.0) * metrics.answerable
    abstained = (metrics.abstention or 0.0) * metrics.out_of_scope
    wrong = (metrics.wrong or 0.0) * metrics.answerable
    return right + abstained - WRONG_COST * wrong


def _best_cutoffs(
    queries: Sequence[EvalQuery],
    rankings: Sequence[list[tuple[str, float]]],
    scale: float,
    min_margin: float = 0.0,
) -> tuple[float, float]:
    """Threshold and margin of best utility; the threshold is the centre of the plateau.

    Many thresholds tie on a small set; the middle of the near-best range (within one
    query of the best utility, at the best margin) is the choice least tied to single lines.
    """
    margins = [scale * step / 200 for step in range(0, 21) if scale * step / 200 >= min_margin]
    thresholds = [scale * step / 100 for step in range(0, 101)]
    utility = {
        (threshold, margin): _utility(_table(queries, rankings, threshold, margin)[OVERALL])
        for threshold in thresholds
        for margin in margins
    }
    best = max(utility.values())
    margin = min(pair[1] for pair, value in utility.items() if value == best)
    plateau = [t for t in thresholds if utility[(t, margin)] >= best - 1.0]
    return plateau[len(plateau) // 2], margin


def _tuned(queries: Sequence[EvalQuery], ranker: Ranker) -> tuple[float, float]:
    """A baseline's best threshold/margin on the dev set (scores scaled to their range)."""
    rankings = _rankings(queries, ranker)
    top = max((ranked[0][1] for ranked in rankings if ranked), default=1.0) or 1.0
    return _best_cutoffs(queries, rankings, top)


def _calibration(
    queries: Sequence[EvalQuery], rankings: Sequence[list[tuple[str, float]]]
) -> dict[str, object]:
    """Grid search of the matcher's answer rule on all of dev, and a 2-fold cross-check."""
    full = _best_cutoffs(queries, rankings, 1.0, MIN_MARGIN)
    print(f"\ncalibration on all of dev: threshold={full[0]:.2f} margin={full[1]:.2f}")
    folds = _halves(queries)
    cross: list[dict[str, object]] = []
    for name, (train, test) in (("A->B", folds), ("B->A", folds[::-1])):
        train_rankings = [rankings[index] for index in train]
        test_rankings = [rankings[index] for index in test]
        train_queries = [queries[index] for index in train]
        test_queries = [queries[index] for index in test]
        cutoffs = _best_cutoffs(train_queries, train_rankings, 1.0, MIN_MARGIN)
        held = _table(test_queries, test_rankings, *cutoffs)[OVERALL]
        fitted = _table(train_queries, train_rankings, *cutoffs)[OVERALL]
        print(
            f"  fold {name}: threshold={cutoffs[0]:.2f} margin={cutoffs[1]:.2f}  "
            f"train top-1 {fitted.top1:.3f} abst {fitted.abstention:.3f}  |  "
            f"held-out top-1 {held.top1:.3f} top-3 {held.top3:.3f} "
            f"abst {held.abstention:.3f} wrong {held.wrong:.3f}"
        )
        cross.append({"fold": name, "threshold": cutoffs[0], "margin": cutoffs[1],
                      "train": _metrics_dict(fitted), "held_out": _metrics_dict(held)})
    return {"threshold": full[0], "margin": full[1], "two_fold": cross}


def _halves(queries: Sequence[EvalQuery]) -> tuple[list[int], list[int]]:
    """Alternate queries of each kind into two halves (same kind mix in both)."""
    seen: dict[str, int] = {}
    first: list[int] = []
    second: list[int] = []
    for index, query in enumerate(queries):
        count = seen.get(query.kind, 0)
        seen[query.kind] = count + 1
        (first if count % 2 == 0 else second).append(index)
    return first, second


def _metrics_dict(metrics: Metrics) -> dict[str, float | int | None]:
    return {**asdict(metrics), "false_answer": metrics.false_answer}


def _side_by_side(methods: dict[str, dict[str, Metrics]]) -> str:
    names = list(methods)
    groups = list(methods[names[0]])
    headers = ["group", *(f"{metric} {name}" for metric in ("top-1", "top-3", "abst")
                          for name in names)]
    rows = []
    for group in groups:
        row: list[str] = [group]
        for metric in ("top1", "top3", "abstention"):
            for name in names:
                value = getattr(methods[name][group], metric)
                row.append("-" if value is None else f"{value:.3f}")
        rows.append(row)
    return render_table(headers, rows)


# -- latency and scale ------------------------------------------------------------------------


def _synthetic_kb(entries: Sequence[KbEntry], size: int) -> list[KbEntry]:
    """The real entries, then recombinations of two entries' words (deterministic)."""
    if size <= len(entries):
        return list(entries[:size])
    rng = random.Random(SEED + size)
    result = list(entries)
    while len(result) < size:
        first, second = rng.sample(list(entries), 2)
        number = len(result)
        result.append(
            replace(
                first,
                id=f"{first.id}-x-{second.id}-{number}",
                question=_mix(first.question, second.question, rng, number),
                variants=tuple(
                    _mix(a, b, rng, number)
                    for a, b in zip(first.variants, second.variants, strict=False)
                ),
                keywords=tuple(rng.sample([*first.keywords, *second.keywords],
                                          k=min(6, len(first.keywords) + len(second.keywords)))),
            )
        )
    return result


def _mix(first: str, second: str, rng: random.Random, number: int) -> str:
    """Half the words of one text, half of another, and one synthetic topic word."""
    words_a, words_b = first.split(), second.split()
    cut_a, cut_b = len(words_a) // 2, len(words_b) // 2
    topic = "".join(rng.choice("bcdfgjklmnprstw") + rng.choice("aiueo") for _ in range(3))
    return " ".join([*words_a[:cut_a], *words_b[cut_b:], f"{topic}{number % 97}"])


def _latency(entries: list[KbEntry], queries: Sequence[EvalQuery]) -> Latency:
    # Memory from a traced build, time from an untraced one (tracing slows Python down).
    tracemalloc.start()
    FaqMatcher(entries)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    matcher = FaqMatcher(entries)
    build_ms = (time.perf_counter() - started) * 1000
    first_pass = _timings(lambda text: matcher.match(text), queries, rounds=1)
    steady = _timings(lambda text: matcher.match(text), queries, rounds=5)
    return Latency(
        entries=len(entries),
        p50_us=_percentile(steady, 50),
        p99_us=_percentile(steady, 99),
        first_pass_p99_us=_percentile(first_pass, 99),
        build_ms=build_ms,
        build_peak_kib=peak / 1024,
    )


def _baseline_latency(
    entries: list[KbEntry], queries: Sequence[EvalQuery], factory: Callable[[list[KbEntry]], Ranker]
) -> float:
    """p99 of one pass; on the largest KB a 60-query sample (WRatio takes seconds there)."""
    ranker = factory(entries)
    sample = queries if len(entries) < 10_000 else queries[::3]
    return _percentile(_timings(ranker, sample, rounds=1), 99)


def _timings(
    run: Callable[[str], object], queries: Sequence[EvalQuery], rounds: int
) -> list[float]:
    timings: list[float] = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            run(query.q)
            timings.append((time.perf_counter() - started) * 1e6)
    return timings


def _percentile(values: Sequence[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _rebuild_cost(entries: list[KbEntry]) -> float:
    matcher = FaqMatcher(entries[:-1])
    started = time.perf_counter()
    matcher.add_entries(entries[-1:])
    return (time.perf_counter() - started) * 1000


def _latency_table(latencies: Sequence[Latency], baselines: dict[str, list[float]]) -> str:
    headers = ["entries", "p50 us", "p99 us", "1st-pass p99", "build ms", "build peak KiB",
               "wratio p99", "bm25 p99", "p99 vs bm25"]
    rows = []
    for position, item in enumerate(latencies):
        bm25 = baselines["bm25"][position]
        rows.append([
            item.entries,
            f"{item.p50_us:.0f}",
            f"{item.p99_us:.0f}",
            f"{item.first_pass_p99_us:.0f}",
            f"{item.build_ms:.0f}",
            f"{item.build_peak_kib:.0f}",
            f"{baselines['wratio'][position]:.0f}",
            f"{bm25:.0f}",
            f"{bm25 / item.p99_us:.1f}x faster" if item.p99_us else "-",
        ])
    return render_table(headers, rows)


if __name__ == "__main__":
    main(sys.argv[1:])
