"""``lpse-helpdesk faq``: match queries from stdin as JSON lines, and evaluate on a query set."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from bot.tables import render_table
from faq.evaluation import (
    TABLE_HEADERS,
    EvalInputError,
    Prediction,
    evaluate,
    load_queries,
    table_rows,
)
from faq.kb import DEFAULT_KB_PATH, KbError, load_kb
from faq.matcher import FaqMatcher

_KB_OPTION_HELP = "FAQ knowledge base (YAML); default: the project's own KB"


kb_option = click.option(
    "--kb",
    "kb_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_KB_PATH,
    show_default=False,
    help=_KB_OPTION_HELP,
)


@click.group(name="faq")
def faq_group() -> None:
    """Try and measure the FAQ matcher."""


@faq_group.command("match")
@kb_option
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="How many ranked matches to print per query",
)
def match_command(kb_path: Path, top: int) -> None:
    """Read one query per line on stdin; write one JSON line per query."""
    matcher = _matcher(kb_path)
    for line in sys.stdin:
        query = line.rstrip("\r\n")
        result = matcher.match(query, top=top)
        record = {
            "q": query,
            "matches": [
                {"id": scored.entry.id, "score": round(scored.score, 4)}
                for scored in result.matches
            ],
            "answer": result.answer.id if result.answer else None,
        }
        click.echo(json.dumps(record, ensure_ascii=False))  # echo flushes: one line per query


@faq_group.command("eval")
@kb_option
@click.option(
    "--queries",
    "queries_path",
    type=click.Path(path_type=Path),
    required=True,
    help='JSONL file: {"q": ..., "expected": id | [ids] | null, "kind": ...}',
)
def eval_command(kb_path: Path, queries_path: Path) -> None:
    """Print top-1, top-3, wrong-answer and abstention rates, overall and per kind."""
    matcher = _matcher(kb_path)
    try:
        queries = load_queries(queries_path, {entry.id for entry in matcher.entries})
    except EvalInputError as exc:
        _fail(str(exc))

    table = evaluate(queries, lambda text: Prediction.of(matcher.match(text, top=3)))
    click.echo(render_table(TABLE_HEADERS, table_rows(table)))
    click.echo(
        "top-1/top-3/wrong: share of answerable queries; "
        "abstain/false-ans: share of out-of-scope queries"
    )


def _matcher(kb_path: Path) -> FaqMatcher:
    try:
        return FaqMatcher(load_kb(kb_path))
    except KbError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    """One clear error line on stderr, exit status 2 (bad input)."""
    click.echo(f"lpse-helpdesk faq: {message}", err=True)
    sys.exit(2)
