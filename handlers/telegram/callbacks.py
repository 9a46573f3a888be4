"""Callback-data formats of every inline button (Telegram allows 64 bytes)."""

from __future__ import annotations

from dataclasses import dataclass

STAFF_ACTIONS = (
    "take",
    "fwd",
    "data",
    "next",
    "close",
    "pub",
    "back",
    "approve",
    "reject",
    "visit",
    "lkppok",
    "lkppfail",
    "sops",
    "ask",
    "noask",
    "pubok",
    "pubno",
)
#: Actions that carry a value: a role to forward to, an SOP to move to, an item to tick.
STAFF_VALUE_ACTIONS = ("to", "tosop", "tick")


@dataclass(frozen=True)
class StaffButton:
    """A staff-group button: an action on ticket ``number`` (``role``: the action's value,
    a role to forward to, an SOP id, or the index of a ticked item)."""

    action: str
    number: int
    role: str | None = None


def staff(action: str, number: int, value: str | None = None) -> str:
    """``s:take:12``, ``s:to:12:ulp``, ``s:tosop:12:SOP-03`` or ``s:tick:12:3``."""
    return f"s:{action}:{number}:{value}" if value else f"s:{action}:{number}"


def parse_staff(data: str) -> StaffButton | None:
    """The staff button in ``data``, or None when it is not one of ours (forged or stale)."""
    parts = data.split(":")
    try:
        if len(parts) == 4 and parts[0] == "s" and parts[1] in STAFF_VALUE_ACTIONS:
            return StaffButton(parts[1], int(parts[2]), parts[3])
        if len(parts) == 3 and parts[0] == "s" and parts[1] in STAFF_ACTIONS:
            return StaffButton(parts[1], int(parts[2]))
    except ValueError:
        return None
    return None


def feedback(interaction: int, helpful: bool) -> str:
    return f"fb:{interaction}:{1 if helpful else 0}"


def candidate(interaction: int, position: int) -> str:
    return f"c:{interaction}:{position}"


def escalate(interaction: int) -> str:
    return f"esc:{interaction}"


def join_ticket(number: int | None) -> str:
    return f"j:{number if number is not None else 'new'}"


def rating(number: int, score: int | None) -> str:
    return f"r:{number}:{score if score is not None else 'skip'}"


def menu(item: str) -> str:
    return f"m:{item}"


def form_choice(value: str) -> str:
    return f"f:{value}"


def split(data: str) -> tuple[str, list[str]]:
    """Prefix and fields of a requester button."""
    prefix, *fields = data.split(":")
    return prefix, fields
