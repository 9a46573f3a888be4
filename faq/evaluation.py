"""FAQ evaluation: reading a query set and computing the metrics of faq-eval/README.md.

Definitions: top-1 = answerable queries whose answer is an expected id; top-3 = answerable
queries with an expected id among the first three matches; abstention = out-of-scope queries
that get no answer (false-answer rate = 1 - abstention); wrong = answerable queries answered
with an entry that is not expected (worse than abstaining: the user leaves misinformed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faq.matcher import MatchResult

OVERALL = "overall"


class EvalInputError(ValueError):
    """A query file that cannot be evaluated (missing, bad JSON, unknown expected id)."""


@dataclass(frozen=True)
class EvalQuery:
    """One labelled query: no expected ids means out of scope (the bot must not answer)."""

    q: str
    expected: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Prediction:
    """What a matcher returned for one query: ranked ids and the answer id (or None)."""

    ranked: tuple[str, ...]
    answer: str | None

    @classmethod
    def of(cls, result: MatchResult) -> Prediction:
        """What the matcher's ``match`` returned, as the product sees it."""
        ranked = tuple(scored.entry.id for scored in result.matches)
        return cls(ranked, result.answer.id if result.answer else None)


@dataclass(frozen=True)
class Metrics:
    """Rates over one group of queries; None where the group has no query of that type."""

    queries: int
    answerable: int
    out_of_scope: int
    top1: float | None
    top3: float | None
    wrong: float | None
    abstention: float | None

    @property
    def false_answer(self) -> float | None:
        """Out-of-scope queries that got an answer, as a share."""
        return None if self.abstention is None else 1.0 - self.abstention


def load_queries(path: Path, known_ids: Collection[str]) -> list[EvalQuery]:
    """Read a JSONL query file; every problem names the file and the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalInputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    queries: list[EvalQuery] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalInputError(f"{where}: invalid JSON: {exc.msg}") from exc
        queries.append(_parse_query(record, where, known_ids))
    if not queries:
        raise EvalInputError(f"{path}: no queries")
    return queries


def _parse_query(record: object, where: str, known_ids: Collection[str]) -> EvalQuery:
    if not isinstance(record, dict):
        raise EvalInputError(f"{where}: expected a JSON object")
    text = record.get("q")
    if not isinstance(text, str):
        raise EvalInputError(f"{where}: missing string field 'q'")
    raw = record.get("expected")
    if raw is None:
        expected: tuple[str, ...] = ()
    elif isinstance(raw, str):
        expected = (raw,)
    elif isinstance(raw, list) and raw and all(isinstance(item, str) for item in raw):
        expected = tuple(raw)
    else:
        raise EvalInputError(f"{where}: 'expected' must be an id, a list of ids or null")
    unknown = [entry_id for entry_id in expected if entry_id not in known_ids]
    if unknown:
        raise EvalInputError(f"{where}: expected id '{unknown[0]}' is not in the KB")
    kind = record.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise EvalInputError(f"{where}: 'kind' must be a string")
    return EvalQuery(text, expected, kind or ("out_of_scope" if not expected else "other"))


def compute_metrics(results: Iterable[tuple[EvalQuery, Prediction]]) -> Metrics:
    """Top-1, top-3, wrong-answer and abstention rates of one group of queries."""
    queries = answerable = top1 = top3 = wrong = out_of_scope = abstained = 0
    for query, prediction in results:
        queries += 1
        if not query.expected:
            out_of_scope += 1
            abstained += prediction.answer is None
            continue
        answerable += 1
        expected = set(query.expected)
        top1 += prediction.answer in expected
        top3 += any(entry_id in expected for entry_id in prediction.ranked[:3])
        wrong += prediction.answer is not None and prediction.answer not in expected
    return Metrics(
        queries=queries,
        answerable=answerable,
        out_of_scope=out_of_scope,
        top1=_share(top1, answerable),
        top3=_share(top3, answerable),
        wrong=_share(wrong, answerable),
        abstention=_share(abstained, out_of_scope),
    )


def metrics_by_kind(results: Sequence[tuple[EvalQuery, Prediction]]) -> dict[str, Metrics]:
    """Metrics overall (first) and per query kind, kinds in order of first appearance."""
    kinds: dict[str, list[tuple[EvalQuery, Prediction]]] = {}
    for pair in results:
        kinds.setdefault(pair[0].kind, []).append(pair)
    table = {OVERALL: compute_metrics(results)}
    table.update((kind, compute_metrics(pairs)) for kind, pairs in kinds.items())
    return table


def evaluate(
    queries: Sequence[EvalQuery], predict: Callable[[str], Prediction]
) -> dict[str, Metrics]:
    """Run ``predict`` on every query and compute the metrics table."""
    return metrics_by_kind([(query, predict(query.q)) for query in queries])


TABLE_HEADERS = ("group", "n", "top-1", "top-3", "wrong", "abstain", "false-ans")


def table_rows(table: dict[str, Metrics]) -> list[tuple[str, ...]]:
    """One display row per group (see TABLE_HEADERS), rates with 3 decimals, '-' if n/a."""
    return [
        (
            group,
            str(metrics.queries),
            _cell(metrics.top1),
            _cell(metrics.top3),
            _cell(metrics.wrong),
            _cell(metrics.abstention),
            _cell(metrics.false_answer),
        )
        for group, metrics in table.items()
    ]


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
