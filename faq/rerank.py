"""Learned reranking of the matcher's candidates: P(this entry answers the message).

The hand-weighted score (:class:`faq.matcher.CandidateFeatures`) sums four overlap features
with weights chosen on dev. On questions nobody here wrote (issue #18), with each tuning set
left out in turn, its answer rule answered 71 % of the answerable ones right and 6.3 % of
the out-of-scope ones falsely. A small gradient-boosted tree ensemble over the same features
and a few more that describe the candidate and the message (where BM25 put the candidate,
how much of the entry's own question and of its answer the message covers, letter 4-gram
likeness, how far the candidate trails the leader, how many sentences and unknown words
the message has) ranks better and knows better when to stay quiet: 76 % and 3.3 % on the
same protocol (figures and the training command: ``python -m bench.rerank_train``;
docs/faq-matcher.md).

Nothing in a feature names an entry, a word or a KB: the model learns how the evidence
combines, not what any entry is about, so it carries over to other KBs (the shipped one).

The model is data (``faq/data/reranker.json``): sklearn's HistGradientBoostingClassifier
trees exported as flat arrays with the answer rule fitted on out-of-fold probabilities, and
evaluated here in pure Python; sklearn is needed only to train.

A second model (``faq/data/reranker-translated.json``) reads the same inputs and then
``TRANSLATION_FEATURES``: how much of the message the learned term translations
(:mod:`faq.translation`) carry into the candidate's words. The matcher uses it for a
message whose candidates the translations all know (round 7 of issue #18: each tuning set
left out in turn, top-1 0.87 and 3.0 % false answers on the eval KB). Since round 12 it is
a blend, stored as one ensemble: half a model that reads the nearest labelled questions
(:mod:`faq.examples`), half one that reads the same inputs without them, their raw scores
summed (``bench.rerank_train.EXAMPLES_WEIGHT``); nothing here needs to know.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faq.examples import EXAMPLE_FEATURES

DEFAULT_MODEL_PATH = Path(__file__).with_name("data") / "reranker.json"
#: The model for messages whose candidates the learned translations all know.
TRANSLATED_MODEL_PATH = Path(__file__).with_name("data") / "reranker-translated.json"

#: The model's inputs, in this order (a model file names them; a mismatch refuses to load).
FEATURES: tuple[str, ...] = (
    # the candidate's overlap with the message (see CandidateFeatures)
    "coverage",
    "dice",
    "recall",
    "bm25",
    "specific_mass",
    "role_clash",
    "neighbour_factor",
    "topic_excess",
    "score",
    # the candidate among the others
    "bm25_rank",
    "bm25_share",
    "score_share",
    "score_gap",
    # how the message meets the entry
    "question_recall",
    "wordings_share",
    "keyword_only",
    "specific_share",
    "answer_coverage",
    "answer_only",
    "answer_unknown",
    "gram_recall",
    "gram_jaccard",
    # the message
    "sentences",
    "terms",
    "unknown_share",
    "roles",
    "neighbours",
)
#: What the translated model (TRANSLATED_MODEL_PATH) reads after FEATURES: learned term
#: translations (faq.translation): the share of the message that lands on the candidate's
#: words, that share minus the best candidate's, the part of it from words the KB does not
#: know, the share of the message in words of out-of-scope questions, and the IDF-weighted
#: mean landing over the candidate's terms with that minus the best candidate's (round 8:
#: 5-fold utility +53 of 3754 queries, mostly fewer wrong answers); then the nearest
#: labelled questions (faq.examples; round 11: +231 of 7183, grouped by set; round 12: how
#: the closest one differs from the message).
TRANSLATION_FEATURES: tuple[str, ...] = (
    "translated",
    "translated_gap",
    "translated_unknown",
    "out_of_scope_share",
    "entry_density",
    "entry_density_gap",
    *EXAMPLE_FEATURES,
)


@dataclass(frozen=True, slots=True)
class _Tree:
    """One regression tree as parallel arrays; a leaf has feature -1."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def expression(self, node: int = 0) -> str:
        """The tree as one Python conditional expression over the row's values ``x0``...``xN``."""
        index = self.feature[node]
        if index < 0:
            return repr(self.value[node])
        left, right = self.expression(self.left[node]), self.expression(self.right[node])
        return f"({left} if x{index} <= {self.threshold[node]!r} else {right})"


@dataclass(frozen=True)
class Reranker:
    """A boosted tree ensemble and the answer rule fitted with it."""

    baseline: float
    trees: tuple[_Tree, ...]
    #: answer with the leader when its probability reaches this ...
    threshold: float
    #: ... and leads the runner-up's by at least this
    margin: float
    _raw: Callable[[Sequence[float]], float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Walking the trees node by node costs several times more in Python than the same
        # trees compiled into one expression; the row's values it reads are bound to local
        # names once (a feature is compared in many trees). The source holds only numbers
        # that parse_reranker converted with int() and float() (finite), so nothing of the
        # file is executed as written.
        used = sorted({index for tree in self.trees for index in tree.feature if index >= 0})
        bind = "".join(f"    x{index} = x[{index}]\n" for index in used)
        source = " + ".join([repr(self.baseline), *(tree.expression() for tree in self.trees)])
        body = f"def raw(x):\n{bind}    return {source}\n"
        namespace: dict[str, Any] = {}
        exec(compile(body, "<faq reranker>", "exec"), {"__builtins__": {}}, namespace)
        object.__setattr__(self, "_raw", namespace["raw"])

    def probability(self, row: Sequence[float]) -> float:
        """P(the candidate described by ``row`` (FEATURES order) answers the message)."""
        return 1.0 / (1.0 + math.exp(-self._raw(row)))


class RerankerError(ValueError):
    """The model file does not fit this code (other features, malformed arrays)."""


def parse_reranker(data: Mapping[str, Any], features: Sequence[str] = FEATURES) -> Reranker:
    """A :class:`Reranker` over ``features`` from the JSON structure ``bench.rerank_train``
    writes."""
    if tuple(data.get("features", ())) != tuple(features):
        raise RerankerError("the model was trained on other features; retrain it")
    try:
        trees = tuple(
            _Tree(
                tuple(int(x) for x in tree["feature"]),
                tuple(float(x) for x in tree["threshold"]),
                tuple(int(x) for x in tree["left"]),
                tuple(int(x) for x in tree["right"]),
                tuple(float(x) for x in tree["value"]),
            )
            for tree in data["trees"]
        )
        baseline, threshold, margin = (
            float(data[name]) for name in ("baseline", "threshold", "margin")
        )
    except (KeyError, TypeError, ValueError) as error:
        raise RerankerError(f"malformed model: {error}") from error
    numbers = [baseline, *(x for tree in trees for x in (*tree.threshold, *tree.value))]
    if not all(math.isfinite(x) for x in numbers):
        raise RerankerError("malformed model: a number is not finite")
    for tree in trees:
        size = len(tree.feature)
        arrays = (tree.threshold, tree.left, tree.right, tree.value)
        if not size or any(len(array) != size for array in arrays):
            raise RerankerError("malformed model: tree arrays differ in length")
        for node, index in enumerate(tree.feature):
            # children come after their parent: a walk always ends
            children_ok = node < tree.left[node] < size and node < tree.right[node] < size
            if index >= len(features) or (index >= 0 and not children_ok):
                raise RerankerError("malformed model: a node points outside its tree")
    return Reranker(baseline, trees, threshold, margin)


def load_reranker(path: Path = DEFAULT_MODEL_PATH, features: Sequence[str] = FEATURES) -> Reranker:
    """The shipped model (or another file in the same format)."""
    return parse_reranker(json.loads(path.read_text(encoding="utf-8")), features)


@functools.cache
def shipped_reranker() -> Reranker:
    """The shipped model, read once per process."""
    return load_reranker()


@functools.cache
def shipped_translated_reranker() -> Reranker:
    """The shipped model that also reads the learned translations, read once per process."""
    return load_reranker(TRANSLATED_MODEL_PATH, FEATURES + TRANSLATION_FEATURES)
