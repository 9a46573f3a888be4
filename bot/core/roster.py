"""The staff roster: who may act on tickets, with which roles, and where roles are announced.

Format (``STAFF_FILE``)::

    staff:
      - {telegram_id: 111, name: Rina, roles: [helpdesk]}
    roles:
      ulp: {email: ulp@example.go.id}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.core.errors import ConfigError
from bot.core.roles import ALL_ROLES
from bot.core.yamlfile import read_yaml

_EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


@dataclass(frozen=True)
class StaffMember:
    """A person of the office who may act on tickets."""

    telegram_id: int
    name: str
    roles: frozenset[str]

    def has_any_role(self, roles: frozenset[str] | set[str]) -> bool:
        """True when the member holds at least one of ``roles``."""
        return bool(self.roles & roles)


@dataclass(frozen=True)
class RoleDestination:
    """Where a role's tickets are announced besides the staff group."""

    email: str | None = None


@dataclass(frozen=True)
class Roster:
    """Validated roster contents."""

    members: Mapping[int, StaffMember] = field(default_factory=dict)
    destinations: Mapping[str, RoleDestination] = field(default_factory=dict)

    def member(self, telegram_id: int) -> StaffMember | None:
        """The roster member with that Telegram id, if any."""
        return self.members.get(telegram_id)

    def members_with_role(self, role: str) -> list[StaffMember]:
        """Members holding ``role``, in roster order."""
        return [member for member in self.members.values() if role in member.roles]


class _MemberModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    telegram_id: int = Field(gt=0)
    name: str = Field(min_length=1)
    roles: list[str] = Field(min_length=1)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        unknown = [role for role in roles if role not in ALL_ROLES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r} (known: {', '.join(sorted(ALL_ROLES))})")
        return roles


class _DestinationModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, pattern=_EMAIL_PATTERN)


class _RosterModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff: list[_MemberModel] = Field(default_factory=list)
    roles: dict[str, _DestinationModel] = Field(default_factory=dict)

    @field_validator("roles")
    @classmethod
    def _known_role_keys(cls, roles: dict[str, _DestinationModel]) -> dict[str, _DestinationModel]:
        for role in roles:
            if role not in ALL_ROLES:
                raise ValueError(f"unknown role {role!r}")
        return roles

    @model_validator(mode="after")
    def _unique_ids(self) -> _RosterModel:
        seen: set[int] = set()
        for member in self.staff:
            if member.telegram_id in seen:
                raise ValueError(f"duplicate telegram_id {member.telegram_id}")
            seen.add(member.telegram_id)
        return self


def _describe_location(data: Any, loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "staff" and isinstance(loc[1], int):
        members = data.get("staff") if isinstance(data, dict) else None
        entry = members[loc[1]] if isinstance(members, list) and loc[1] < len(members) else None
        who = entry.get("name") if isinstance(entry, dict) else None
        label = f"staff entry {loc[1] + 1}" + (f" ({who})" if who else "")
        rest = [str(part) for part in loc[2:] if not isinstance(part, int)]
        return label + (f" field '{rest[0]}'" if rest else "")
    return " ".join(str(part) for part in loc) or "top level"


def parse_roster(data: object, source: str) -> Roster:
    """Validate parsed YAML (None means an empty file) and build the roster."""
    try:
        model = _RosterModel.model_validate(data if data is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _describe_location(data, tuple(first["loc"]))
        raise ConfigError(f"staff roster {source}: {where}: {first['msg']}") from None
    return Roster(
        members={
            member.telegram_id: StaffMember(
                telegram_id=member.telegram_id, name=member.name, roles=frozenset(member.roles)
            )
            for member in model.staff
        },
        destinations={
            role: RoleDestination(email=dest.email) for role, dest in model.roles.items()
        },
    )


def load_roster(path: Path) -> Roster:
    """Read and validate a roster file."""
    return parse_roster(read_yaml(path, "staff roster"), str(path))
