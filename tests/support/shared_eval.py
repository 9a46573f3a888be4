"""The shared FAQ evaluation set (``../shared/faq-eval`` beside the repository, as in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest

EVAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "faq-eval"
EVAL_KB = EVAL_DIR / "kb.yaml"
DEV = EVAL_DIR / "dev.jsonl"

#: For tests that read the shared evaluation set: skipped when it is not beside the repo.
needs_shared = pytest.mark.skipif(
    not (EVAL_KB.exists() and DEV.exists()),
    reason=f"evaluation set not found at {EVAL_DIR} (shared/ must sit beside the repository)",
)
