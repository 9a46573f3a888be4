"""KB loading and validation: every error names the file, the entry id and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from faq.kb import DEFAULT_KB_PATH, KbEntry, KbError, load_kb, parse_kb


def _entry(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": "contoh",
        "category": "akun",
        "question": "Bagaimana cara mengganti password?",
        "variants": ["Cara ubah kata sandi?"],
        "keywords": ["password"],
        "answer": "Gunakan menu Lupa Password.",
        "route": "helpdesk",
        "sop": "SOP-02",
    }
    entry.update(overrides)
    return entry


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_valid_kb_loads_into_frozen_entries(tmp_path: Path) -> None:
    entries = load_kb(_write(tmp_path, {"entries": [_entry(), _entry(id="lain")]}))
    assert [entry.id for entry in entries] == ["contoh", "lain"]
    assert entries[0] == KbEntry(
        id="contoh",
        category="akun",
        question="Bagaimana cara mengganti password?",
        variants=("Cara ubah kata sandi?",),
        keywords=("password",),
        answer="Gunakan menu Lupa Password.",
        route="helpdesk",
        sop="SOP-02",
    )


def test_unknown_fields_are_ignored_and_empty_lists_allowed() -> None:
    entries = parse_kb({"entries": [_entry(variants=[], keywords=None, note="x")]}, "kb")
    assert entries[0].variants == () and entries[0].keywords == ()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"variants": "bukan daftar"}, "variants"),
        ({"variants": ["ok", 3]}, "variants"),
        ({"keywords": [""]}, "keywords"),
        ({"question": ""}, "question"),
        ({"answer": None}, "answer"),
        ({"route": 5}, "route"),
        ({"sop": "  "}, "sop"),
        ({"category": ["akun"]}, "category"),
    ],
)
def test_bad_field_names_entry_and_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(KbError) as error:
        parse_kb({"entries": [_entry(**overrides)]}, "kb.yaml")
    assert "entry 'contoh'" in str(error.value)
    assert f"field '{field}'" in str(error.value)


def test_missing_id_names_the_position_and_field() -> None:
    with pytest.raises(KbError, match=r"entry #2: field 'id'"):
        parse_kb({"entries": [_entry(), _entry(id=None)]}, "kb.yaml")


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(KbError, match=r"entry 'contoh': field 'id' is a duplicate"):
        parse_kb({"entries": [_entry(), _entry()]}, "kb.yaml")


@pytest.mark.parametrize("data", [None, [], {"faq": []}, {"entries": "x"}])
def test_missing_entries_list_is_rejected(data: object) -> None:
    with pytest.raises(KbError, match="entries"):
        parse_kb(data, "kb.yaml")


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rusak.yaml"
    path.write_text("entries: [\n  - id: a\n", encoding="utf-8")
    with pytest.raises(KbError, match=r"rusak\.yaml: invalid YAML"):
        load_kb(path)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(KbError, match=r"tidak-ada\.yaml: cannot read"):
        load_kb(tmp_path / "tidak-ada.yaml")


def test_default_kb_path_is_inside_the_package() -> None:
    assert DEFAULT_KB_PATH.name == "kb.yaml"
    assert DEFAULT_KB_PATH.parent.name == "data"
    assert DEFAULT_KB_PATH.parent.parent.name == "faq"
