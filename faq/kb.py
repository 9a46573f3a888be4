"""FAQ knowledge base: the entry type and a strict loader for the YAML KB format.

The format is the one of ``faq-eval/kb.yaml``: a mapping with an ``entries`` list whose items
carry ``id, category, question, variants, keywords, answer, route, sop``. Every problem is
reported as a :class:`KbError` that names the file, the entry id and the field at fault, so
an operator can fix a hand-edited KB from the error line alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

# The project's own KB ships inside the package (written and owned by the content editors).
DEFAULT_KB_PATH: Path = Path(__file__).resolve().parent / "data" / "kb.yaml"

_TEXT_FIELDS = ("category", "question", "answer", "route", "sop")
_LIST_FIELDS = ("variants", "keywords")


class KbError(ValueError):
    """A knowledge base that cannot be used: unreadable, malformed YAML or an invalid entry."""


@dataclass(frozen=True)
class KbEntry:
    """One FAQ entry: the question it answers, its other wordings and where tickets go."""

    id: str
    category: str
    question: str
    variants: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    route: str
    sop: str


def load_kb(path: Path) -> list[KbEntry]:
    """Read and validate a KB file; raise KbError naming the file on any problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KbError(f"{source}: cannot read knowledge base: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise KbError(f"{source}: knowledge base is not UTF-8 text") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KbError(f"{source}: invalid YAML: {_one_line(str(exc))}") from exc
    return parse_kb(data, source)


def parse_kb(data: object, source: str) -> list[KbEntry]:
    """Validate already-parsed YAML and build the entries, in file order.

    Unknown fields are ignored so that a KB with extra editorial fields still loads.
    """
    if not isinstance(data, Mapping) or "entries" not in data:
        raise KbError(f"{source}: missing top-level 'entries' list")
    raw_entries = data["entries"]
    if not isinstance(raw_entries, list):
        raise KbError(f"{source}: 'entries' must be a list")
    entries: list[KbEntry] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_entries, start=1):
        entry = _parse_entry(raw, position, source)
        if entry.id in seen:
            raise KbError(f"{source}: entry '{entry.id}': field 'id' is a duplicate")
        seen.add(entry.id)
        entries.append(entry)
    return entries


def _parse_entry(raw: object, position: int, source: str) -> KbEntry:
    if not isinstance(raw, Mapping):
        raise KbError(f"{source}: entry #{position}: must be a mapping of fields")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not entry_id.strip():
        raise KbError(f"{source}: entry #{position}: field 'id' must be a non-empty string")
    label = f"{source}: entry '{entry_id}'"
    texts: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            raise KbError(f"{label}: field '{name}' must be a non-empty string")
        texts[name] = value.strip()
    lists: dict[str, tuple[str, ...]] = {}
    for name in _LIST_FIELDS:
        value = raw.get(name, [])
        if value is None:
            value = []
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise KbError(f"{label}: field '{name}' must be a list of strings")
        lists[name] = tuple(item.strip() for item in value)
    return KbEntry(
        id=entry_id.strip(),
        category=texts["category"],
        question=texts["question"],
        variants=lists["variants"],
        keywords=lists["keywords"],
        answer=texts["answer"],
        route=texts["route"],
        sop=texts["sop"],
    )


def _one_line(message: str) -> str:
    return " ".join(message.split())
