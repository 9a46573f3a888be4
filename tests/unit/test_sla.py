"""The SLA clock of a step: start, pause, resume, deadlines and the SOP-total due time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core import sla
from bot.core.sla import Deadline, DeadlineKind, StepClock
from bot.core.sop import SopCatalog
from bot.core.worktime import OfficeHours, WorkCalendar

JAKARTA = ZoneInfo("Asia/Jakarta")
OFFICE = WorkCalendar(OfficeHours.parse("mon-fri 08:00-16:00"), JAKARTA)


def wib(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A time in December 2026 (1 Dec is a Tuesday)."""
    return datetime(2026, 12, day, hour, minute, second, tzinfo=JAKARTA)


def test_start_runs_the_clock_and_bumps_the_cycle() -> None:
    old = StepClock(worked_minutes=7, running_since=None, due_at=None, cycle=2)
    clock = sla.start_step(old, wib(1, 9), 25, OFFICE)
    assert clock == StepClock(
        worked_minutes=0.0, running_since=wib(1, 9), due_at=wib(1, 9, 25), cycle=3
    )
    assert old.cycle == 2  # the input is not changed


def test_start_without_budget_has_no_clock_but_a_new_cycle() -> None:
    clock = sla.start_step(StepClock(cycle=1), wib(1, 9), None, OFFICE)
    assert clock == StepClock(worked_minutes=0.0, running_since=None, due_at=None, cycle=2)
    assert sla.deadlines(clock, None, OFFICE) == []
    assert sla.elapsed(clock, wib(1, 15), OFFICE) == 0


def test_start_outside_office_hours_counts_from_the_next_morning() -> None:
    clock = sla.start_step(StepClock(), wib(4, 18), 10, OFFICE)  # Friday evening
    assert clock.due_at == wib(7, 8, 10)


def test_fractional_budget() -> None:
    clock = sla.start_step(StepClock(), wib(1, 9), 2.5, OFFICE)
    assert clock.due_at == wib(1, 9, 2, 30)
    assert sla.deadlines(clock, 2.5, OFFICE)[0] == Deadline(DeadlineKind.REMINDER, wib(1, 9, 2))


def test_pause_keeps_the_worked_minutes_and_drops_the_due_time() -> None:
    clock = sla.start_step(StepClock(), wib(1, 15, 50), 30, OFFICE)
    paused = sla.pause(clock, wib(2, 8, 5), OFFICE)  # 10 minutes Tuesday, 5 Wednesday
    assert paused == StepClock(worked_minutes=15, running_since=None, due_at=None, cycle=1)
    assert sla.deadlines(paused, 30, OFFICE) == []
    assert sla.elapsed(paused, wib(9, 12), OFFICE) == 15  # paused time does not count


def test_pause_twice_counts_once() -> None:
    clock = sla.start_step(StepClock(), wib(1, 9), 30, OFFICE)
    once = sla.pause(clock, wib(1, 9, 10), OFFICE)
    assert sla.pause(once, wib(1, 11), OFFICE) == once


def test_resume_places_the_rest_of_the_budget() -> None:
    clock = sla.start_step(StepClock(), wib(1, 9), 30, OFFICE)
    clock = sla.pause(clock, wib(1, 9, 20), OFFICE)
    clock = sla.resume(clock, wib(3, 15, 55), 30, OFFICE)
    assert clock.running_since == wib(3, 15, 55)
    assert clock.due_at == wib(4, 8, 5)  # 5 minutes Thursday, 5 Friday
    assert clock.worked_minutes == 20
    assert sla.elapsed(clock, wib(4, 8), OFFICE) == 25
    assert sla.remaining(clock, wib(4, 8), 30, OFFICE) == 5


def test_resume_of_a_running_clock_changes_nothing() -> None:
    clock = sla.start_step(StepClock(), wib(1, 9), 30, OFFICE)
    assert sla.resume(clock, wib(1, 9, 20), 30, OFFICE) == clock


def test_resume_when_over_budget_is_due_at_once() -> None:
    clock = sla.start_step(StepClock(), wib(1, 9), 10, OFFICE)
    clock = sla.pause(clock, wib(1, 9, 30), OFFICE)
    clock = sla.resume(clock, wib(2, 10), 10, OFFICE)
    assert clock.due_at == wib(2, 10)
    assert sla.deadlines(clock, 10, OFFICE) == [Deadline(DeadlineKind.BREACH, wib(2, 10))]
    assert sla.remaining(clock, wib(2, 10, 5), 10, OFFICE) == -25


def test_deadlines_of_a_fresh_step() -> None:
    clock = sla.start_step(StepClock(), wib(1, 15, 50), 25, OFFICE)
    assert sla.deadlines(clock, 25, OFFICE) == [
        Deadline(DeadlineKind.REMINDER, wib(2, 8, 10)),
        Deadline(DeadlineKind.BREACH, wib(2, 8, 15)),
    ]


@pytest.mark.parametrize(
    ("worked", "expected"),
    [
        (0, [("reminder", (2, 9, 8)), ("breach", (2, 9, 10))]),
        (7.9, [("reminder", (2, 9, 0, 6)), ("breach", (2, 9, 2, 6))]),
        (8, [("breach", (2, 9, 2))]),  # the reminder was due before the pause
        (12, [("breach", (2, 9))]),
    ],
)
def test_deadlines_after_a_pause(
    worked: float, expected: list[tuple[str, tuple[int, ...]]]
) -> None:
    clock = StepClock(worked_minutes=worked, running_since=wib(2, 9), cycle=1)
    clock = sla.resume(sla.pause(clock, wib(2, 9), OFFICE), wib(2, 9), 10, OFFICE)
    found = sla.deadlines(clock, 10, OFFICE)
    assert [(d.kind.value, d.due_at) for d in found] == [
        (kind, wib(*parts)) for kind, parts in expected
    ]
    assert found[-1].due_at == clock.due_at


def test_zero_budget_breaches_at_once() -> None:
    clock = sla.start_step(StepClock(), wib(1, 9), 0, OFFICE)
    assert sla.deadlines(clock, 0, OFFICE) == [Deadline(DeadlineKind.BREACH, wib(1, 9))]


def test_resume_without_budget_stays_stopped() -> None:
    clock = sla.start_step(StepClock(), wib(1, 9), None, OFFICE)
    clock = sla.resume(sla.pause(clock, wib(1, 10), OFFICE), wib(1, 11), None, OFFICE)
    assert (clock.running_since, clock.due_at) == (None, None)


def test_elapsed_before_start_is_zero() -> None:
    # Another instance's clock may be a little behind: never negative work.
    clock = sla.start_step(StepClock(), wib(1, 9), 10, OFFICE)
    assert sla.elapsed(clock, wib(1, 8, 59), OFFICE) == 0


def test_overall_due_adds_later_office_steps(catalog: SopCatalog) -> None:
    sop02 = catalog.get("SOP-02")
    assert sla.later_budgets(sop02, 2) == [25, 5, 5]
    step_due = wib(1, 15, 50)
    assert sla.overall_due(step_due, sla.later_budgets(sop02, 2), OFFICE) == wib(2, 8, 25)
    assert sla.overall_due(None, [10], OFFICE) is None
    # SOP-06 ends with the requester's step 7 (no budget): it adds nothing.
    sop06 = catalog.get("SOP-06")
    assert sla.later_budgets(sop06, 5) == [15]
    assert sla.overall_due(wib(1, 10), sla.later_budgets(sop06, 6), OFFICE) == wib(1, 10)


def test_overall_due_keeps_an_end_of_day_due_time_when_nothing_follows() -> None:
    assert sla.overall_due(wib(1, 16), [None], OFFICE) == wib(1, 16)
