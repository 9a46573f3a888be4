"""Roster validation and reloading."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.core.roster import parse_roster
from bot.roster_source import RosterSource

GOOD = """
staff:
  - {telegram_id: 111, name: Rina, roles: [helpdesk]}
  - {telegram_id: 222, name: Andi, roles: [sekretaris, kepala]}
roles:
  ulp: {email: ulp@example.go.id}
"""


def test_parses_members_and_destinations() -> None:
    import yaml

    roster = parse_roster(yaml.safe_load(GOOD), "staff.yaml")
    assert roster.member(222) is not None
    assert [m.name for m in roster.members_with_role("kepala")] == ["Andi"]
    assert roster.destinations["ulp"].email == "ulp@example.go.id"
    assert roster.member(999) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {
                "staff": [
                    {"telegram_id": 1, "name": "A", "roles": ["helpdesk"]},
                    {"telegram_id": 1, "name": "B", "roles": ["staf"]},
                ]
            },
            "duplicate telegram_id 1",
        ),
        (
            {"staff": [{"telegram_id": 1, "name": "A", "roles": ["satpam"]}]},
            r"staff entry 1 \(A\) field 'roles'.*unknown role 'satpam'",
        ),
        ({"staff": [{"telegram_id": 1, "name": "A"}]}, "staff entry 1 .*field 'roles'"),
        ({"staff": [{"telegram_id": "x", "name": "A", "roles": ["staf"]}]}, "field 'telegram_id'"),
        ({"roles": {"ulp": {"email": "not-an-address"}}}, "roles ulp email"),
        ({"roles": {"mars": {"email": "a@b.id"}}}, "unknown role 'mars'"),
        ({"staf": []}, "staf"),
    ],
)
def test_bad_roster_is_a_clear_error(data: object, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_roster(data, "staff.yaml")


def test_reload_on_change_keeps_last_good_roster(tmp_path: Path) -> None:
    path = tmp_path / "staff.yaml"
    path.write_text(GOOD, encoding="utf-8")
    source = RosterSource(path, required=True)
    assert len(source.current.members) == 2
    assert source.reload_if_changed() is False

    path.write_text(
        GOOD
        + "  - {telegram_id: 333, name: Dedi, roles: [staf]}\n".replace(
            "  - ", "  lkpp: {email: a@b.id}\n#", 1
        ),
        encoding="utf-8",
    )
    os.utime(path, (1, 1))
    assert source.reload_if_changed() is True
    assert set(source.current.destinations) == {"ulp", "lkpp"}

    path.write_text("staff: [{telegram_id: 5, name: X, roles: [nope]}]", encoding="utf-8")
    os.utime(path, (2, 2))
    assert source.reload_if_changed() is False
    assert len(source.current.members) == 2  # the broken edit is not applied
    with pytest.raises(ConfigError):
        source.reload()


def test_missing_default_roster_starts_empty_but_explicit_one_is_required(tmp_path: Path) -> None:
    assert RosterSource(tmp_path / "staff.yaml", required=False).current.members == {}
    with pytest.raises(ConfigError, match="cannot read"):
        RosterSource(tmp_path / "staff.yaml", required=True)
