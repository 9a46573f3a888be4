"""The SLA clock of one SOP step: pure functions over ``StepClock`` in office working time.

A step's budget (catalog minutes, ``None`` = no budget) counts only office working time and
only while the office holds the ticket: waiting on the requester (``menunggu_pemohon``) pauses
the clock. Every function returns a new ``StepClock``; callers store it on the ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

from bot.core.sop import Sop
from bot.core.worktime import WorkCalendar

#: Share of a step's budget at which the staff group is reminded.
REMINDER_SHARE: Final = 0.8


@dataclass
class StepClock:
    """The SLA clock of the current step, in working minutes .

    ``running_since`` is None while the clock is paused (waiting on the requester) or has no
    budget; ``worked_minutes`` holds what ran before the last pause; ``cycle`` increases each
    time a step (re)starts, so reminders of an earlier run are never confused with new ones.
    """

    worked_minutes: float = 0.0
    running_since: datetime | None = None
    due_at: datetime | None = None
    cycle: int = 0


class DeadlineKind(StrEnum):
    """The two notices of a step: a reminder at 80 % of the budget, a breach at 100 %."""

    REMINDER = "reminder"
    BREACH = "breach"


@dataclass(frozen=True)
class Deadline:
    """When a notice of the running step falls due."""

    kind: DeadlineKind
    due_at: datetime


def start_step(
    clock: StepClock, now: datetime, budget: float | None, calendar: WorkCalendar
) -> StepClock:
    """A fresh run of a step (new step, or the same step again after a reopen).

    The cycle always increases, so reminders stored for an earlier run can be told apart.
    A step without a budget gets no running clock and no due time: nothing to remind about.
    """
    if budget is None:
        return StepClock(worked_minutes=0.0, running_since=None, due_at=None, cycle=clock.cycle + 1)
    return StepClock(
        worked_minutes=0.0,
        running_since=now,
        due_at=calendar.add_working_minutes(now, budget),
        cycle=clock.cycle + 1,
    )


def pause(clock: StepClock, now: datetime, calendar: WorkCalendar) -> StepClock:
    """Stop counting (the ticket now waits on the requester); what ran so far is kept."""
    if clock.running_since is None:
        return replace(clock, due_at=None)
    return StepClock(
        worked_minutes=clock.worked_minutes + _run_minutes(clock.running_since, now, calendar),
        running_since=None,
        due_at=None,
        cycle=clock.cycle,
    )


def resume(
    clock: StepClock, now: datetime, budget: float | None, calendar: WorkCalendar
) -> StepClock:
    """Count again from ``now`` (the requester answered); the due time covers what is left.

    Resuming a running clock changes nothing, so a repeated resume cannot move the deadline.
    """
    if budget is None:
        return replace(clock, running_since=None, due_at=None)
    if clock.running_since is not None:
        return clock
    left = max(budget - clock.worked_minutes, 0.0)
    return replace(clock, running_since=now, due_at=calendar.add_working_minutes(now, left))


def elapsed(clock: StepClock, now: datetime, calendar: WorkCalendar) -> float:
    """Working minutes this run of the step has used up to ``now`` (pauses excluded)."""
    if clock.running_since is None:
        return clock.worked_minutes
    return clock.worked_minutes + _run_minutes(clock.running_since, now, calendar)


def remaining(
    clock: StepClock, now: datetime, budget: float | None, calendar: WorkCalendar
) -> float | None:
    """Working minutes left of the budget at ``now`` (negative when overdue; None: no budget)."""
    if budget is None:
        return None
    return budget - elapsed(clock, now, calendar)


def deadlines(clock: StepClock, budget: float | None, calendar: WorkCalendar) -> list[Deadline]:
    """The notices still ahead of the running clock, earliest first.

    The reminder is left out once 80 % of the budget was used before the last pause: it was
    due (and sent) in an earlier stretch of this run. The breach always stays, because a
    resumed clock that is already over budget must still be reported as breached.
    A paused clock or a step without a budget has no deadlines.
    """
    if clock.running_since is None or budget is None:
        return []
    since = clock.running_since
    found: list[Deadline] = []
    reminder_at = budget * REMINDER_SHARE
    if clock.worked_minutes < reminder_at:
        found.append(
            Deadline(
                DeadlineKind.REMINDER,
                calendar.add_working_minutes(since, reminder_at - clock.worked_minutes),
            )
        )
    left = max(budget - clock.worked_minutes, 0.0)
    found.append(Deadline(DeadlineKind.BREACH, calendar.add_working_minutes(since, left)))
    return found


def later_budgets(sop: Sop, step: int) -> list[float | None]:
    """Budgets of the office steps after ``step`` (the requester's own steps do not count)."""
    return [
        later.minutes
        for later in sop.steps
        if later.n > step and later.actor not in sop.requester_roles
    ]


def overall_due(
    step_due_at: datetime | None, later: Iterable[float | None], calendar: WorkCalendar
) -> datetime | None:
    """When the whole SOP should be done: the current step's due time plus later budgets.

    Steps without a budget add nothing. ``None`` while the current step has no due time
    (paused, or no budget): the total target cannot be placed in time then.
    """
    if step_due_at is None:
        return None
    total = sum(minutes for minutes in later if minutes is not None)
    # Adding zero minutes would move a due time at the end of a working day to the next
    # morning (the calendar skips to working time), so nothing to add keeps it as it is.
    return calendar.add_working_minutes(step_due_at, total) if total else step_due_at


def _run_minutes(since: datetime, now: datetime, calendar: WorkCalendar) -> float:
    # A clock read "before" it started (clock skew between instances) counts as no time,
    # never as negative work.
    return max(calendar.working_minutes_between(since, now), 0.0)
