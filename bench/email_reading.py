"""How well mail is read: the sender's own words on public fixtures and our Indonesian mails.

Scores this project's reader (``handlers.email.parse`` + ``faq.own_words``) on the cases of
``tests/email_reading`` (see ``corpus.py`` there), and the peer libraries on the same cases
when they can be imported: talon (``extract_from_plain`` / ``extract_from_html``), zapier's
email-reply-parser and mail-parser-reply (``parse_reply``). The peers are not dependencies of
the project (talon pulls numpy, scipy and scikit-learn and fails on its own HTML fixtures with
lxml 6; none reads Indonesian), so score them from a scratch environment::

    python -m bench.email_reading                     # this project; table + JSON
    /tmp/peers/bin/python -m bench.email_reading --peers   # the peers, merged into the JSON

Each run prints a table (fixtures | cases | score) and merges its figures into
``bench/results/email_reading.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.email_reading import corpus  # noqa: E402

RESULTS = REPO / "bench" / "results" / "email_reading.json"

Reader = Callable[[corpus.Case], str | None]


def project_reader() -> Reader:
    from faq.own_words import read_own_words
    from handlers.email.parse import parse_mail

    def read(case: corpus.Case) -> str:
        reading = read_own_words(parse_mail(case.raw).body)
        return reading.words if case.field == "words" else reading.reply

    return read


def peer_readers() -> dict[str, Reader]:
    readers: dict[str, Reader] = {}
    try:
        from talon import quotations  # type: ignore[import-not-found]
        from talon.utils import html_to_text  # type: ignore[import-not-found]

        def talon(case: corpus.Case) -> str | None:
            if case.html:
                text = html_to_text(quotations.extract_from_html(case.peer_input)) or ""
                return text.decode() if isinstance(text, bytes) else str(text)
            return str(quotations.extract_from_plain(case.peer_input))

        readers["talon"] = talon
    except ImportError:
        pass
    try:
        from email_reply_parser import EmailReplyParser  # type: ignore[import-not-found]

        readers["email-reply-parser"] = lambda case: (
            None if case.html else str(EmailReplyParser.parse_reply(case.peer_input))
        )
    except ImportError:
        pass
    try:
        import mailparser_reply  # type: ignore[import-not-found]

        languages = ["en", "de", "cs", "da", "es", "fr", "it", "nl", "pl", "sv"]
        parser = mailparser_reply.EmailReplyParser(languages=languages)
        readers["mail-parser-reply"] = lambda case: (
            None if case.html else str(parser.parse_reply(case.peer_input))
        )
    except ImportError:
        pass
    return readers


def score(read: Reader, cases: list[corpus.Case]) -> tuple[int, list[str]]:
    """Cases read right, and the names of those read wrong (an exception counts as wrong)."""
    wrong: list[str] = []
    for case in cases:
        try:
            got = read(case)
        except Exception:
            got = None
        if got is None or not corpus.matches(case, got):
            wrong.append(case.name)
    return len(cases) - len(wrong), wrong


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--peers", action="store_true", help="score the peer libraries")
    arguments.add_argument("--output", type=Path, default=RESULTS)
    options = arguments.parse_args()
    readers = peer_readers() if options.peers else {"lpse-helpdesk": project_reader()}
    if not readers:
        sys.exit("no peer library importable (pip install talon email-reply-parser)")
    results: dict[str, dict[str, object]] = (
        json.loads(options.output.read_text()) if options.output.exists() else {}
    )
    print("| fixtures | cases | " + " | ".join(readers) + " |")
    print("|---|---|" + "---|" * len(readers))
    for suite in corpus.SUITES:
        cases = corpus.cases(suite)
        row = [suite, str(len(cases))]
        for name, read in readers.items():
            right, wrong = score(read, cases)
            results.setdefault(name, {})[suite] = {
                "cases": len(cases),
                "right": right,
                "wrong": wrong,
            }
            row.append(f"{right} ({100 * right / len(cases):.0f} %)")
        print("| " + " | ".join(row) + " |")
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
