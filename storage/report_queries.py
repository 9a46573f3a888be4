"""Read-only queries behind the management report, on SQLite and PostgreSQL alike.

Counting happens in SQL; step durations do not: working time depends on the office calendar
(hours, lunch breaks, holidays), so each step run is rebuilt from the audit trail
(``ticket_events``) and measured with the same ``WorkCalendar`` the live SLA clock uses.

What is counted where (the report says the same to its readers):
- tickets per SOP and channel, and ratings: tickets *opened* in the period;
- step runs: runs that *ended* in the period (advanced or closed), measured in working
  minutes without the time spent waiting on the requester; runs still going at the end of
  the period are only counted when they are already over budget;
- FAQ figures: interactions *created* in the period.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import sla
from bot.core.sla import StepClock
from bot.core.sop import Sop, SopCatalog
from bot.core.tickets import EventKind, TicketStatus
from bot.core.worktime import WorkCalendar
from storage.models import EventRow, FaqInteractionRow, TicketRow

#: Percentile of the "slow case" handling time.
SLOW_SHARE = 0.9

# A run that ends within a microsecond-rounding of its budget is on time, not a breach.
_ON_TIME_SLACK = 1e-6


@dataclass(frozen=True)
class ReportPeriod:
    """Office days ``[first_day, end_day)``: ``end_day`` itself is not included."""

    first_day: date
    end_day: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if self.end_day <= self.first_day:
            raise ValueError("the period must end after it starts")

    @property
    def start(self) -> datetime:
        """Midnight at the start of ``first_day`` in the office zone."""
        return datetime.combine(self.first_day, time(0), self.zone)

    @property
    def end(self) -> datetime:
        """Midnight at the start of ``end_day`` in the office zone (excluded)."""
        return datetime.combine(self.end_day, time(0), self.zone)


@dataclass(frozen=True)
class TicketCount:
    """Tickets of one SOP that came in on one channel."""

    sop_id: str
    channel: str
    count: int


@dataclass(frozen=True)
class StepRun:
    """One run of one SOP step of one ticket, rebuilt from the audit trail.

    A step runs again after a reopen, so one ticket may have several runs of a step.
    """

    ticket_id: int
    sop_id: str
    step: int
    role: str
    budget: float | None
    started_at: datetime
    ended_at: datetime | None  # None: still running at the end of the period
    worked_minutes: float  # office working minutes, waiting on the requester excluded

    @property
    def finished(self) -> bool:
        """True when the step was completed (advanced or the ticket closed)."""
        return self.ended_at is not None

    @property
    def within_budget(self) -> bool | None:
        """On time (None for a step without a budget)."""
        if self.budget is None:
            return None
        return self.worked_minutes <= self.budget + _ON_TIME_SLACK


@dataclass(frozen=True)
class StepStats:
    """SLA figures of one SOP step over the runs that ended in the period."""

    sop_id: str
    step: int
    role: str
    action: str  # the step's Indonesian uraian: reports are read by people
    budget: float | None
    runs: int
    within: int
    median_minutes: float | None
    p90_minutes: float | None
    open_runs: int  # still running at the end of the period
    open_over_budget: int  # of those, already over budget

    @property
    def compliance(self) -> float | None:
        """Share of finished runs within budget; None without a budget or without runs."""
        if self.budget is None or not self.runs:
            return None
        return self.within / self.runs


@dataclass(frozen=True)
class RoleStats:
    """SLA figures of the steps one role is responsible for (steps with a budget only)."""

    role: str
    runs: int
    within: int

    @property
    def compliance(self) -> float | None:
        """Share of finished runs within budget."""
        return self.within / self.runs if self.runs else None


@dataclass(frozen=True)
class FaqStats:
    """What the FAQ did for the questions it saw."""

    interactions: int
    became_ticket: int
    feedback: int
    helpful: int

    @property
    def deflected(self) -> int:
        """Questions that did not become a ticket."""
        return self.interactions - self.became_ticket

    @property
    def deflection_rate(self) -> float | None:
        """Deflected share of all questions."""
        return self.deflected / self.interactions if self.interactions else None

    @property
    def helpful_rate(self) -> float | None:
        """ "Membantu" share of the feedback given."""
        return self.helpful / self.feedback if self.feedback else None


@dataclass(frozen=True)
class RatingStats:
    """Requesters' ratings (1-5) of the tickets opened in the period."""

    count: int
    average: float | None
    distribution: Mapping[int, int] = field(default_factory=dict)  # score -> tickets


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, computed once."""

    office_name: str
    period: ReportPeriod
    as_of: datetime
    tickets: list[TicketCount]
    steps: list[StepStats]
    roles: list[RoleStats]
    faq: FaqStats
    ratings: RatingStats
    runs: list[StepRun]

    @property
    def ticket_total(self) -> int:
        """Tickets opened in the period."""
        return sum(row.count for row in self.tickets)

    @property
    def overall_compliance(self) -> float | None:
        """Share of all finished step runs with a budget that kept it."""
        runs = sum(row.runs for row in self.roles)
        return sum(row.within for row in self.roles) / runs if runs else None


# --- queries --------------------------------------------------------------------------


async def tickets_per_sop_and_channel(
    session: AsyncSession, period: ReportPeriod
) -> list[TicketCount]:
    """Tickets opened in the period, by SOP and channel."""
    rows = await session.execute(
        select(TicketRow.sop_id, TicketRow.channel, func.count(TicketRow.id))
        .where(TicketRow.opened_at >= period.start, TicketRow.opened_at < period.end)
        .group_by(TicketRow.sop_id, TicketRow.channel)
        .order_by(TicketRow.sop_id, TicketRow.channel)
    )
    return [TicketCount(sop_id, channel, int(count)) for sop_id, channel, count in rows]


async def faq_stats(session: AsyncSession, period: ReportPeriod) -> FaqStats:
    """FAQ questions of the period: how many became tickets, how the answers were rated."""
    row = (
        await session.execute(
            select(
                func.count(FaqInteractionRow.id),
                func.count(FaqInteractionRow.ticket_id),  # COUNT(column) skips NULLs
                func.count(FaqInteractionRow.helpful),
                func.coalesce(
                    func.sum(case((FaqInteractionRow.helpful.is_(true()), 1), else_=0)), 0
                ),
            ).where(
                FaqInteractionRow.created_at >= period.start,
                FaqInteractionRow.created_at < period.end,
            )
        )
    ).one()
    interactions, became_ticket, feedback, helpful = (int(value or 0) for value in row)
    return FaqStats(interactions, became_ticket, feedback, helpful)


async def rating_stats(session: AsyncSession, period: ReportPeriod) -> RatingStats:
    """Ratings of the tickets opened in the period (a later rating replaces an earlier one)."""
    rows = await session.execute(
        select(TicketRow.rating, func.count(TicketRow.id))
        .where(
            TicketRow.opened_at >= period.start,
            TicketRow.opened_at < period.end,
            TicketRow.rating.is_not(None),
        )
        .group_by(TicketRow.rating)
        .order_by(TicketRow.rating)
    )
    distribution = {int(score): int(count) for score, count in rows}
    count = sum(distribution.values())
    # Averaged here from the distribution: PostgreSQL's AVG gives a Decimal, SQLite a float.
    average = sum(score * n for score, n in distribution.items()) / count if count else None
    return RatingStats(count=count, average=average, distribution=distribution)


async def step_runs(
    session: AsyncSession,
    period: ReportPeriod,
    catalog: SopCatalog,
    calendar: WorkCalendar,
    as_of: datetime,
) -> list[StepRun]:
    """Step runs that ended in the period, and those still running at its end.

    The trail is read up to the end of the period (or ``as_of`` when that is earlier), so a
    report on a past period says the same whenever it is made.
    """
    cutoff = min(as_of, period.end)
    # Every ticket that was open at some moment of the period: opened before its end, and
    # either still open or with something recorded since the period began.
    touched = select(EventRow.ticket_id).where(EventRow.at >= period.start)
    tickets = select(TicketRow.id, TicketRow.sop_id).where(
        TicketRow.opened_at < cutoff,
        or_(TicketRow.status != TicketStatus.CLOSED.value, TicketRow.id.in_(touched)),
    )
    sop_of = {ticket_id: sop_id for ticket_id, sop_id in await session.execute(tickets)}
    if not sop_of:
        return []
    events = await session.execute(
        select(EventRow.ticket_id, EventRow.kind, EventRow.at, EventRow.detail)
        .where(
            EventRow.ticket_id.in_(tickets.with_only_columns(TicketRow.id)),
            EventRow.at < cutoff,
            EventRow.kind.in_([kind.value for kind in _CLOCK_EVENTS]),
        )
        .order_by(EventRow.ticket_id, EventRow.id)  # ids keep the order of recording
    )
    trail: dict[int, list[TrailEvent]] = defaultdict(list)
    for ticket_id, kind, at, detail in events:
        trail[ticket_id].append(TrailEvent(EventKind(kind), at, detail or {}))
    runs: list[StepRun] = []
    for ticket_id, ticket_events in trail.items():
        sop = catalog.sops.get(sop_of[ticket_id])
        if sop is None:  # an SOP since removed from the catalog: no budgets to compare with
            continue
        for run in rebuild_runs(ticket_id, sop, ticket_events, calendar, cutoff):
            ended_in_period = run.ended_at is not None and run.ended_at >= period.start
            if ended_in_period or run.ended_at is None:
                runs.append(run)
    return runs


async def collect_report(
    session: AsyncSession,
    period: ReportPeriod,
    catalog: SopCatalog,
    calendar: WorkCalendar,
    as_of: datetime,
) -> ReportData:
    """All figures of the report for ``period``, as they stand at ``as_of``."""
    runs = await step_runs(session, period, catalog, calendar, as_of)
    return ReportData(
        office_name=catalog.office_name,
        period=period,
        as_of=as_of,
        tickets=await tickets_per_sop_and_channel(session, period),
        steps=step_stats(runs, catalog),
        roles=role_stats(runs),
        faq=await faq_stats(session, period),
        ratings=await rating_stats(session, period),
        runs=sorted(runs, key=lambda run: (run.ticket_id, run.started_at)),
    )


# --- rebuilding step runs from the audit trail (pure) ----------------------------------

_CLOCK_EVENTS = (
    EventKind.OPENED,
    EventKind.STEP_ADVANCED,
    EventKind.DATA_REQUESTED,
    EventKind.REQUESTER_REPLIED,
    EventKind.CLOSED,
    EventKind.REOPENED,
)


@dataclass(frozen=True)
class TrailEvent:
    """The part of an audit-trail row that moves a step clock."""

    kind: EventKind
    at: datetime
    detail: Mapping[str, Any]


def rebuild_runs(
    ticket_id: int,
    sop: Sop,
    events: Iterable[TrailEvent],
    calendar: WorkCalendar,
    cutoff: datetime,
) -> list[StepRun]:
    """The step runs of one ticket, from its events in the order they were recorded.

    ``opened`` starts the first office step (detail ``step``); ``step_advanced`` ends the
    current run and starts ``to_step`` (absent after the last step: the ticket closes);
    ``closed`` ends a run; ``reopened`` runs the step the ticket was closed in again;
    ``data_requested`` / ``requester_replied`` pause and resume the clock. A run still going
    at ``cutoff`` is measured up to it.
    """
    runs: list[StepRun] = []
    # The clock measures without a budget here: a step without one still has a duration.
    current: tuple[int, datetime, StepClock] | None = None
    last_step: int | None = None

    def begin(step: int, at: datetime) -> None:
        nonlocal current, last_step
        current, last_step = (step, at, StepClock(running_since=at)), step

    def finish(at: datetime | None) -> None:
        nonlocal current
        if current is None:
            return
        step, started_at, clock = current
        worked = sla.elapsed(clock, at if at is not None else cutoff, calendar)
        runs.append(_run(ticket_id, sop, step, started_at, at, worked))
        current = None

    for event in events:
        if event.kind is EventKind.OPENED:
            finish(event.at)
            step = _step_number(event.detail.get("step"))
            if step is not None:
                begin(step, event.at)
        elif event.kind is EventKind.STEP_ADVANCED:
            finish(event.at)
            following = _step_number(event.detail.get("to_step"))
            if following is not None:
                begin(following, event.at)
        elif event.kind is EventKind.CLOSED:
            finish(event.at)
        elif event.kind is EventKind.REOPENED:
            if current is None and last_step is not None:
                begin(last_step, event.at)
        elif current is not None:
            step, started_at, clock = current
            if event.kind is EventKind.DATA_REQUESTED:
                clock = sla.pause(clock, event.at, calendar)
            elif clock.running_since is None:  # requester_replied on a paused clock
                clock = replace(clock, running_since=event.at)
            current = (step, started_at, clock)
    finish(None)
    return runs


def _step_number(value: object) -> int | None:
    # JSON detail: an int on both backends, but be lenient with hand-edited rows.
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def _run(
    ticket_id: int,
    sop: Sop,
    step: int,
    started_at: datetime,
    ended_at: datetime | None,
    worked: float,
) -> StepRun:
    try:
        budget = sop.step(step).minutes
        role = sop.responsible_role(step)
    except KeyError:  # a step number the catalog no longer has
        budget, role = None, "-"
    return StepRun(
        ticket_id=ticket_id,
        sop_id=sop.id,
        step=step,
        role=role,
        budget=budget,
        started_at=started_at,
        ended_at=ended_at,
        worked_minutes=worked,
    )


# --- figures from runs (pure) ---------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float | None:
    """Linear interpolation between closest ranks (NumPy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def step_stats(runs: Iterable[StepRun], catalog: SopCatalog) -> list[StepStats]:
    """Per SOP step: finished runs, on-time runs, median and p90 duration, open breaches."""
    by_step: dict[tuple[str, int], list[StepRun]] = defaultdict(list)
    for run in runs:
        by_step[(run.sop_id, run.step)].append(run)
    stats: list[StepStats] = []
    for (sop_id, step), group in sorted(by_step.items()):
        sop = catalog.sops.get(sop_id)
        action = ""
        if sop is not None:
            try:
                action = sop.step(step).uraian
            except KeyError:
                action = ""
        first = group[0]
        finished = [run for run in group if run.finished]
        durations = [run.worked_minutes for run in finished]
        stats.append(
            StepStats(
                sop_id=sop_id,
                step=step,
                role=first.role,
                action=action,
                budget=first.budget,
                runs=len(finished),
                within=sum(1 for run in finished if run.within_budget),
                median_minutes=percentile(durations, 0.5),
                p90_minutes=percentile(durations, SLOW_SHARE),
                open_runs=len(group) - len(finished),
                open_over_budget=sum(
                    1 for run in group if not run.finished and run.within_budget is False
                ),
            )
        )
    return stats


def role_stats(runs: Iterable[StepRun]) -> list[RoleStats]:
    """Per responsible role: finished runs of steps with a budget, and how many kept it."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for run in runs:
        if run.finished and run.budget is not None:
            totals[run.role][0] += 1
            totals[run.role][1] += 1 if run.within_budget else 0
    return [RoleStats(role, count, within) for role, (count, within) in sorted(totals.items())]
