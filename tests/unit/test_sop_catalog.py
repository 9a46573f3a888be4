"""The shipped SOP catalog and the errors a broken catalog gives."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.errors import ConfigError, UnknownSop
from bot.core.sop import DEFAULT_CATALOG_PATH, load_catalog, parse_catalog

SHARED_CATALOG = Path(__file__).resolve().parents[2].parent / "shared" / "sop-catalog.yaml"


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    return data


def test_shipped_catalog_has_the_six_sops_with_their_minutes() -> None:
    catalog = load_catalog()
    assert sorted(catalog.sops) == [f"SOP-0{n}" for n in range(1, 7)]
    minutes = {sop.id: [step.minutes for step in sop.steps] for sop in catalog.sops.values()}
    assert minutes["SOP-01"] == [2, 2, 5, 5, 10, 2, 3]
    assert minutes["SOP-02"] == [10, 10, 25, 5, 5]
    assert minutes["SOP-03"] == minutes["SOP-04"] == minutes["SOP-05"] == [10, 10, 25, 15, 5]
    assert minutes["SOP-06"] == [15, 10, 10, 25, 30, 15, None]
    # The targets told to people are the seed's totals ("Mutu Baku"), requester steps included.
    totals = {sop.id: sop.total_minutes for sop in catalog.sops.values()}
    assert totals == {
        "SOP-01": 29,
        "SOP-02": 55,
        "SOP-03": 65,
        "SOP-04": 65,
        "SOP-05": 65,
        "SOP-06": 105,
    }


@pytest.mark.skipif(not SHARED_CATALOG.exists(), reason="../shared is not beside the repo")
def test_shared_catalog_loads_unchanged() -> None:
    assert load_catalog(SHARED_CATALOG).sops.keys() == load_catalog().sops.keys()


def test_first_and_next_office_steps_skip_the_requester() -> None:
    catalog = load_catalog()
    assert catalog.get("SOP-01").first_office_step().n == 2
    assert catalog.get("SOP-03").first_office_step().n == 1
    assert catalog.get("SOP-06").next_office_step(6) is None
    assert catalog.get("SOP-06").responsible_role(5) == "sekretaris"


def test_unknown_sop_is_a_domain_error() -> None:
    with pytest.raises(UnknownSop, match="SOP-42"):
        load_catalog().get("SOP-42")


def test_fractional_minutes_and_unknown_keys_are_accepted() -> None:
    data = _raw()
    data["sops"][1]["steps"][1]["minutes"] = 0.05
    data["sops"][1]["colour"] = "blue"
    assert parse_catalog(data, "x").get("SOP-02").step(2).minutes == 0.05


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["sops"][2]["steps"][1].update(actor="janitor"),
            "SOP-03 step 2 field 'actor'.*unknown role 'janitor'",
        ),
        (lambda d: d["sops"][0]["steps"][0].update(minutes=-1), "SOP-01 step 1 field 'minutes'"),
        (lambda d: d["sops"][1]["steps"][0].pop("actor"), "SOP-02 step 1 field 'actor'"),
        (lambda d: d["sops"][3]["steps"].pop(1), "SOP-04.*numbered 1..4"),
        (lambda d: d["sops"].append(copy.deepcopy(d["sops"][0])), "duplicate SOP id 'SOP-01'"),
        (lambda d: d.pop("sops"), "field 'sops'"),
    ],
)
def test_broken_catalog_names_the_place(mutate: Any, expected: str) -> None:
    data = _raw()
    mutate(data)
    with pytest.raises(ConfigError, match=expected):
        parse_catalog(data, "broken.yaml")


def test_unreadable_or_invalid_yaml_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalog(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("sops: [\n  - id: SOP-01\n   steps: oops", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_catalog(broken)


def test_the_catalog_keeps_what_people_read_and_the_decisions() -> None:
    catalog = load_catalog()
    for sop in catalog.sops.values():
        for step in sop.steps:
            assert step.uraian, f"{sop.id} step {step.n} has no uraian"
    approvals = {
        (sop.id, step.n) for sop in catalog.sops.values() for step in sop.steps if step.is_approval
    }
    assert approvals == {("SOP-03", 3), ("SOP-04", 3), ("SOP-05", 3)}
    assert catalog.get("SOP-03").step(1).needs == (
        "ATK (alat tulis kantor)",
        "Data calon user ID (email, data kepegawaian, SK)",
    )
    assert catalog.get("SOP-01").step(6).outputs == ("Ceklist", "Nomor register")
    assert [item.id for item in catalog.get("SOP-01").checklist][:2] == [
        "formulir-pendaftaran",
        "formulir-keikutsertaan",
    ]
    assert len(catalog.get("SOP-01").checklist) == 12


def test_step_needs_leave_out_office_equipment_and_tick_what_the_ticket_holds() -> None:
    from bot.core import checklist

    sop = load_catalog().get("SOP-03")
    nothing: frozenset[str] = frozenset()
    assert checklist.step_needs(sop, 1, nothing) == [
        checklist.NeedLine("Data calon user ID (email, data kepegawaian, SK)", False)
    ]
    held = frozenset({"email", "nip", "sk_pengangkatan"})
    assert checklist.step_needs(sop, 1, held)[0].present is True
    assert checklist.step_needs(sop, 4, held) == []  # internet and a computer only
    assert checklist.is_equipment("Jaringan internet") and not checklist.is_equipment("SK")


def test_the_faq_lists_the_catalogs_twelve_documents() -> None:
    """One list everywhere: the form and the card read the catalog, the FAQ answer names it."""
    from faq.kb import DEFAULT_KB_PATH, load_kb

    entry = next(e for e in load_kb(DEFAULT_KB_PATH) if e.id == "dokumen-verifikasi-12-item")
    answer = " ".join(entry.answer.split())
    for number, item in enumerate(load_catalog().get("SOP-01").checklist, start=1):
        assert f"({number}) {item.nama}" in answer
