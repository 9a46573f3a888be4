"""The SOP catalog: the six procedures, their steps, owner roles and time budgets.

The file layout is exactly that of ``sop-catalog.yaml`` (unknown keys are ignored, ``minutes``
may be fractional or null). Loading validates everything, so a broken file stops start-up with
one message naming the SOP, step and field at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot import texts
from bot.core.errors import ConfigError, UnknownSop
from bot.core.roles import ALL_ROLES, OFFICE_ROLES
from bot.core.yamlfile import read_yaml

DEFAULT_CATALOG_PATH = Path(__file__).resolve().parent.parent / "data" / "sop-catalog.yaml"


#: ``decision`` value of a step where the office approves or rejects the request.
APPROVAL: Final = "approve"


@dataclass(frozen=True)
class SopStep:
    """One step of a procedure: who acts, what it takes and makes, and its working minutes.

    ``action`` is the catalog's English reading, for developers only; people read ``uraian``
    (Indonesian), ``needs`` (``kelengkapan``) and ``outputs`` (``keluaran``).
    """

    n: int
    actor: str
    action: str
    minutes: float | None
    uraian: str = ""
    needs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    decision: str | None = None

    @property
    def is_approval(self) -> bool:
        """Whether the step ends with a decision: approve (go on) or reject (close)."""
        return self.decision == APPROVAL


@dataclass(frozen=True)
class ChecklistItem:
    """One document of a procedure's checklist (SOP-01: the 12 items of the provider's file)."""

    id: str
    nama: str


@dataclass(frozen=True)
class Sop:
    """One standard operating procedure."""

    id: str
    title: str
    requester_roles: frozenset[str]
    steps: tuple[SopStep, ...]
    checklist: tuple[ChecklistItem, ...] = ()
    catalog_total_minutes: float | None = None

    def step(self, n: int) -> SopStep:
        """The step numbered ``n``."""
        for step in self.steps:
            if step.n == n:
                return step
        raise KeyError(f"{self.id} has no step {n}")

    def first_office_step(self) -> SopStep:
        """Where a new ticket starts: the first step not performed by the requester."""
        following = self.next_office_step(0)
        if following is None:  # validation guarantees one exists
            raise ConfigError(f"{self.id} has no step for the office")
        return following

    def next_office_step(self, after: int) -> SopStep | None:
        """The next step after ``after`` not performed by the requester, or None at the end."""
        for step in self.steps:
            if step.n > after and step.actor not in self.requester_roles:
                return step
        return None

    def responsible_role(self, n: int) -> str:
        """The office role that advances step ``n``.

        Steps owned by an outside party (LKPP, ULP, PPK, SKPD) are recorded by the office role
        of the nearest earlier office step: the one that handed the matter over and waits for
        the outcome (SOP-06: the secretary records LKPP's progress).
        """
        actor = self.step(n).actor
        if actor in OFFICE_ROLES:
            return actor
        for step in reversed(self.steps):
            if step.n < n and step.actor in OFFICE_ROLES:
                return step.actor
        return actor

    @property
    def total_minutes(self) -> float:
        """The SOP time target told to people: the catalog's ``total_minutes`` (the seed's
        "Mutu Baku" total, requester steps included), else the sum of every step's budget."""
        if self.catalog_total_minutes is not None:
            return self.catalog_total_minutes
        return sum(step.minutes or 0.0 for step in self.steps)

    def approval_pending(self, current: int) -> SopStep | None:
        """The approval step at or after step ``current``, which a decision must pass."""
        return next((s for s in self.steps if s.n >= current and s.is_approval), None)


@dataclass(frozen=True)
class SopCatalog:
    """All procedures of the office, by id."""

    office_name: str
    timezone: str
    sops: Mapping[str, Sop]

    def get(self, sop_id: str) -> Sop:
        """The SOP with that id; an unknown id is a domain error."""
        try:
            return self.sops[sop_id]
        except KeyError:
            raise UnknownSop(texts.UNKNOWN_SOP.format(sop_id=sop_id)) from None


class _StepModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    n: int = Field(ge=1)
    actor: str
    action: str = ""
    uraian: str = ""
    kelengkapan: list[str] = Field(default_factory=list)
    keluaran: list[str] = Field(default_factory=list)
    decision: Literal["approve"] | None = None
    minutes: float | None = Field(default=None, ge=0)

    @field_validator("actor")
    @classmethod
    def _known_role(cls, value: str) -> str:
        if value not in ALL_ROLES:
            raise ValueError(f"unknown role {value!r} (known: {', '.join(sorted(ALL_ROLES))})")
        return value


class _ChecklistModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    nama: str = Field(min_length=1)


class _SopModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^SOP-\d{2}$")
    title_id: str
    requester: str | list[str]
    steps: list[_StepModel] = Field(min_length=1)
    checklist: list[_ChecklistModel] = Field(default_factory=list)
    total_minutes: float | None = Field(default=None, ge=0)

    @field_validator("requester")
    @classmethod
    def _known_requester(cls, value: str | list[str]) -> str | list[str]:
        for role in [value] if isinstance(value, str) else value:
            if role not in ALL_ROLES:
                raise ValueError(f"unknown role {role!r}")
        return value

    @model_validator(mode="after")
    def _steps_in_order(self) -> _SopModel:
        numbers = [step.n for step in self.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"steps must be numbered 1..{len(numbers)} in order, got {numbers}")
        requesters = {self.requester} if isinstance(self.requester, str) else set(self.requester)
        if all(step.actor in requesters for step in self.steps):
            raise ValueError("no step is performed by the office")
        return self


class _OfficeModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = "LPSE"
    timezone: str = "Asia/Jakarta"


class _CatalogModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    office: _OfficeModel = Field(default_factory=_OfficeModel)
    sops: list[_SopModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> _CatalogModel:
        seen: set[str] = set()
        for sop in self.sops:
            if sop.id in seen:
                raise ValueError(f"duplicate SOP id {sop.id!r}")
            seen.add(sop.id)
        return self


def _describe_location(data: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into 'SOP-03 step 2 field 'minutes''."""
    parts: list[str] = []
    node = data
    for position, key in enumerate(loc):
        followed_by_index = position + 1 < len(loc) and isinstance(loc[position + 1], int)
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            label = node.get("id") if isinstance(node, dict) else None
            if label is None and isinstance(node, dict) and "n" in node:
                label = f"step {node['n']}"
            parts.append(str(label) if label is not None else f"item {key + 1}")
            continue
        if not followed_by_index:  # 'sops' and 'steps' are said by the item labels
            parts.append(f"field '{key}'")
        node = node.get(key) if isinstance(node, dict) else None
    return " ".join(parts) or "top level"


def parse_catalog(data: object, source: str) -> SopCatalog:
    """Validate parsed YAML and build the catalog; errors name ``source`` and the field."""
    try:
        model = _CatalogModel.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _describe_location(data, tuple(first["loc"]))
        raise ConfigError(f"SOP catalog {source}: {where}: {first['msg']}") from None
    sops = {
        sop.id: Sop(
            id=sop.id,
            title=sop.title_id,
            requester_roles=frozenset(
                [sop.requester] if isinstance(sop.requester, str) else sop.requester
            ),
            steps=tuple(
                SopStep(
                    n=step.n,
                    actor=step.actor,
                    action=step.action,
                    minutes=step.minutes,
                    uraian=step.uraian,
                    needs=tuple(step.kelengkapan),
                    outputs=tuple(step.keluaran),
                    decision=step.decision,
                )
                for step in sop.steps
            ),
            checklist=tuple(ChecklistItem(item.id, item.nama) for item in sop.checklist),
            catalog_total_minutes=sop.total_minutes,
        )
        for sop in model.sops
    }
    return SopCatalog(office_name=model.office.name, timezone=model.office.timezone, sops=sops)


def load_catalog(path: Path = DEFAULT_CATALOG_PATH) -> SopCatalog:
    """Read and validate a catalog file."""
    return parse_catalog(read_yaml(path, "SOP catalog"), str(path))
