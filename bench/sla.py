"""SLA sweep benchmark: ``handlers.jobs.sweep_deadlines`` over 100,000 open tickets.

Run from the repository root::

    python -m bench.sla              # 100,000 open tickets: about 4.5 minutes on a 2-CPU VM
    python -m bench.sla --quick      # 10,000 open tickets, 20 s window: about 2 minutes
    python -m bench.sla --backends sqlite --tickets 50000 --due 500 --window 30

Most of the time is spent populating (PostgreSQL: about 30 s for 100,000 tickets, 20 s more
for the history) and in the two real-time windows.

The same plan runs on SQLite (a file in a temporary directory, the shipped WAL settings) and
on PostgreSQL (a throw-away server from ``tests/support/postgres.py``: ``fsync=off``,
``synchronous_commit=off``, so commits are cheaper than on a production server; "skipped"
when the PostgreSQL binaries are missing). The schema comes from the shipped migrations
(``build_runtime``); settings are built in code: a Telegram token and staff chat (so the
notifier renders staff-group notices; nothing is sent, no channel is started), 24/7 office
hours, a four-member roster in a temporary file, no mail relay.

Population (SQLAlchemy core inserts in batches of 5,000): ``--tickets`` open SOP-02 tickets
(status ``baru``, step 2 ``helpdesk``, 10 working minutes: reminder at 8, breach at 10
minutes after the clock started) with one requester per two tickets, the opening message
and two audit events each, and their two ``sla_reminders`` rows (reminder + breach), so
``2 x --tickets`` unsent rows. ``2 x --due`` of the tickets are due during the run (picked at
random); they also carry a follow-up message with a PDF attachment (the breach path renders
the card, which lists the ticket's files). Half of them are *reminder-due*; the other half
are *breach-due*: their reminder was already sent (row marked sent, ``reminded`` event). Every
other ticket's deadlines lie a day or more ahead.

The sweep runs against an injected clock (``build_runtime(clock=...)``); times below are
instants of that clock (T0 = start):

1. empty: clock frozen at T0, nothing due: ``--empty-sweeps`` sweeps, ms each (the cost paid
   every ``SLA_SWEEP_SECONDS`` = 2 s by a bot with this many open tickets).
2. burst: ``--due`` rows (half reminders, half breaches) due within the last 10 s, clock frozen
   at T0 + 600 s: sweeps back to back until one returns 0. A sweep claims at most 200 rows
   (``claim_due(limit=200)``) and delivers each in its own transaction.
3. follow-up: the breach notices of the burst's reminder-due tickets (due 2 minutes after
   their reminders), clock frozen after them: the breach path alone.
4. window: the other ``--due`` rows due uniformly over ``--window`` seconds. The clock now
   runs in real time and the sweep is driven like the production scheduler (APScheduler,
   interval ``--interval`` s, ``max_instances=1``, ``coalesce``: a tick that falls while a
   sweep still runs is skipped). Lateness per notice: *claimed* = sweep start - due (the
   ``sent_at`` the sweep writes) and *delivered by* = end of that sweep - due (an upper bound
   of its commit time).
5. history: ``--history`` cancelled, unsent ``sla_reminders`` rows whose due times lie in the
   past year (two per closed ticket: what a ticket advanced or closed before its deadlines
   leaves behind), then ``--empty-sweeps`` empty sweeps again.

After each phase every due row must be sent exactly once and nothing else; at the end the
outbox must hold one staff-group notice per notice sent and one card edit per breach (so
outbox rows = reminders + 2 x breaches); the run fails loudly otherwise. The claim query
(captured from the sweep) is explained on both backends, before and after the history.

It prints a table (``bot.tables.render_table``) and writes ``bench/results/sla.json`` with the
machine (platform, CPU count, Python, SQLite and PostgreSQL versions, load average before and
after: per-row costs vary by 2x on a busy shared VM) and a UTC timestamp.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import hashlib
import json
import logging
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.machine import machine_info
from bot import texts
from bot.core.outbound import Purpose
from bot.core.tickets import Direction, EventKind, TicketStatus
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.tables import render_table
from handlers.jobs import sweep_deadlines
from handlers.telegram import render
from storage.models import (
    AttachmentRow,
    EventRow,
    MessageRow,
    OutboxRow,
    RequesterRow,
    SlaReminderRow,
    TicketRow,
)
from tests.support.postgres import PostgresServer, postgres_server

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "sla.json"
SEED = 20241130
BATCH = 5000
STAFF_CHAT = -1001234567890
ROSTER = """\
staff:
  - {telegram_id: 111, name: Rina, roles: [helpdesk]}
  - {telegram_id: 112, name: Yudi, roles: [helpdesk, piket]}
  - {telegram_id: 222, name: Andi, roles: [sekretaris, kepala]}
  - {telegram_id: 333, name: Dedi, roles: [admin_agency, verifikator]}
"""
SOP_ID, STEP, ROLE, CYCLE = "SOP-02", 2, "helpdesk", 1
#: SOP-02 step 2 has a budget of 10 working minutes: reminder at 80 %, breach at 100 %.
REMINDER_AFTER = timedelta(minutes=8)
BREACH_AFTER = timedelta(minutes=10)
BURST_AT = timedelta(seconds=600)
BURST_SPREAD = timedelta(seconds=10)
WINDOW_AT = timedelta(seconds=900)
#: Background deadlines start this far after T0 and are spread over the next 8 hours.
BACKGROUND_AT = timedelta(days=1)
#: A sweep delivers at most this many rows (``claim_due(limit=200)`` in handlers.jobs).
CLAIM_LIMIT = 200
MAX_SWEEPS = 100_000
#: How a notice sent more than a minute after its due time starts (texts.SLA_LATE, escaped).
LATE_PREFIX = render.escape(texts.SLA_LATE)

log = logging.getLogger("bench.sla")


# -- plan and results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Sizes of one run."""

    tickets: int
    due: int
    window_s: float
    interval_s: float
    history: int
    empty_sweeps: int
    quick: bool


@dataclass(frozen=True)
class DueRow:
    """A row the run expects to send: which ticket, which notice, when it falls due."""

    ticket_id: int
    kind: str
    due_at: datetime


@dataclass
class Layout:
    """What the population put where (instants of the bench clock)."""

    t0: datetime
    burst: list[DueRow] = field(default_factory=list)
    follow_up: list[DueRow] = field(default_factory=list)
    window: list[DueRow] = field(default_factory=list)
    #: Tickets whose reminder row was inserted as already sent (the breach-due ones).
    pre_sent: set[int] = field(default_factory=set)

    @property
    def burst_at(self) -> datetime:
        return self.t0 + BURST_AT

    @property
    def follow_up_at(self) -> datetime:
        return max(row.due_at for row in self.follow_up) + timedelta(seconds=1)

    @property
    def window_at(self) -> datetime:
        return self.t0 + WINDOW_AT


@dataclass(frozen=True)
class Timings:
    """Milliseconds per sweep."""

    sweeps: int
    p50_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Timings:
        return cls(len(values), _pct(values, 50), _pct(values, 95), min(values), max(values))


@dataclass(frozen=True)
class Drain:
    """Back-to-back sweeps over rows that are all due already."""

    rows: int
    reminders: int
    breaches: int
    sweeps: int
    mean_ms_per_sweep: float
    max_ms_per_sweep: float
    ms_per_row: float
    rows_per_s: float
    total_s: float
    #: Time to send them all at the production cadence: each sweep starts on the first
    #: interval tick after the previous one ended.
    at_cadence_s: float


@dataclass(frozen=True)
class Window:
    """Notices due over a window while the sweep runs on the production schedule."""

    notices: int
    reminders: int
    breaches: int
    late_flagged: int
    ticks: int
    sweeps_run: int
    ticks_skipped: int
    sweep_p50_ms: float
    sweep_max_ms: float
    claimed_p50_s: float
    claimed_p99_s: float
    claimed_max_s: float
    delivered_p50_s: float
    delivered_p99_s: float
    delivered_max_s: float


@dataclass
class BackendResult:
    """Everything measured on one database."""

    backend: str
    server_version: str
    populate_s: float
    open_tickets: int
    unsent_reminder_rows: int
    empty: Timings
    burst: Drain
    follow_up: Drain
    window: Window
    history_rows: int
    history_insert_s: float
    empty_with_history: Timings
    sent_notices: int
    outbox_rows: int
    outbox_notices: int
    outbox_card_edits: int
    errors_logged: int
    claim_plan: list[str]
    claim_plan_with_history: list[str]


# -- clock, logging -----------------------------------------------------------------------------


class BenchClock:
    """Frozen at an instant, or running in real time from one (``Runtime.clock``)."""

    def __init__(self, start: datetime) -> None:
        self._fixed: datetime | None = start
        self._base = start
        self._started = 0.0

    def freeze(self, at: datetime) -> None:
        self._fixed = at

    def run_from(self, at: datetime) -> None:
        self._fixed = None
        self._base = at
        self._started = time.perf_counter()

    def __call__(self) -> datetime:
        if self._fixed is not None:
            return self._fixed
        return self._base + timedelta(seconds=time.perf_counter() - self._started)


class ErrorCounter(logging.Handler):
    """Counts ERROR records (a failed notice is logged by the sweep, not raised)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = self.format(record)


class ClaimCapture:
    """Remembers the last claim statement the sweep sent (to EXPLAIN it as it ran)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statement: str | None = None
        self.parameters: Any = None
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
        _many: bool,
    ) -> None:
        head = statement.lstrip().upper()
        if head.startswith("SELECT") and "FROM SLA_REMINDERS" in head and "LIMIT" in head:
            self.statement, self.parameters = statement, parameters


# -- population ---------------------------------------------------------------------------------


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


async def _insert(conn: AsyncConnection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for batch in _batches(rows):
        await conn.execute(insert(table), list(batch))


def _ticket(
    number: int, requester: int, running_since: datetime, *, status: str = TicketStatus.NEW,
    closed_at: datetime | None = None,
) -> dict[str, Any]:
    opened = running_since - timedelta(seconds=30)
    return {
        "id": number,
        "requester_id": requester,
        "channel": "telegram",
        "sop_id": SOP_ID,
        "step": STEP,
        "owner_role": ROLE,
        "status": str(status),
        "subject": f"Tidak bisa unggah dokumen penawaran paket {number} di SPSE",
        "assignee_id": None,
        "faq_entry_id": None,
        "faq_entry_ids": [],
        "opened_at": opened,
        "step_started_at": running_since,
        "closed_at": closed_at,
        "rating": None,
        "rating_comment": None,
        "step_worked_minutes": 0.0,
        "step_running_since": None if closed_at else running_since,
        "step_due_at": None if closed_at else running_since + BREACH_AFTER,
        "step_cycle": CYCLE,
        "breached": False,
        "awaiting_faq_feedback": False,
        "updated_at": opened,
        "version": 1,
    }


def _reminder(
    number: int, kind: str, due_at: datetime, created_at: datetime, *,
    sent_at: datetime | None = None, cancelled: bool = False, cycle: int = CYCLE,
) -> dict[str, Any]:
    return {
        "ticket_id": number,
        "step": STEP,
        "kind": kind,
        "cycle": cycle,
        "due_at": due_at,
        "sent_at": sent_at,
        "cancelled": cancelled,
        "claimed_until": None,
        "created_at": created_at,
    }


def _event(number: int, kind: EventKind, actor: str, at: datetime, **detail: Any) -> dict[str, Any]:
    return {"ticket_id": number, "kind": kind.value, "actor": actor, "at": at, "detail": detail}


async def populate(engine: AsyncEngine, plan: Plan, t0: datetime) -> Layout:
    """Requesters, open tickets, their messages/events and reminder rows; the due layout."""
    rng = random.Random(SEED)
    layout = Layout(t0=t0)
    n = plan.tickets
    requesters = max(1, n // 2)
    due_ids = rng.sample(range(1, n + 1), 2 * plan.due)
    burst_ids, window_ids = due_ids[: plan.due], due_ids[plan.due :]
    burst_set = frozenset(burst_ids)
    # when the row each due ticket is due for falls due, and which kind it is
    due_plan: dict[int, tuple[str, datetime]] = {}
    for index, number in enumerate(burst_ids):
        due = t0 + BURST_AT - BURST_SPREAD + BURST_SPREAD * (index + 0.5) / plan.due
        due_plan[number] = ("reminder" if index % 2 == 0 else "breach", due)
    window_dues = [
        t0 + WINDOW_AT + timedelta(seconds=plan.window_s * (index + 0.5) / plan.due)
        for index in range(plan.due)
    ]
    rng.shuffle(window_dues)
    for index, number in enumerate(window_ids):
        due_plan[number] = ("reminder" if index % 2 == 0 else "breach", window_dues[index])
    background_span = timedelta(hours=8).total_seconds()

    requester_rows = [
        {
            "id": index,
            "channel": "telegram",
            "telegram_id": 700_000_000 + index,
            "email": None,
            "name": f"Penyedia {index}",
            "instansi": f"CV Maju Jaya {index % 997}",
            "phone": None,
            "created_at": t0 - timedelta(days=30),
        }
        for index in range(1, requesters + 1)
    ]
    tickets: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    message_id = 0
    for number in range(1, n + 1):
        requester = 1 + (number - 1) % requesters
        actor = f"requester:{requester}"
        planned = due_plan.get(number)
        if planned is None:
            running = t0 + BACKGROUND_AT + timedelta(seconds=background_span * number / n)
            kind = None
        else:
            kind, due = planned
            running = due - (REMINDER_AFTER if kind == "reminder" else BREACH_AFTER)
        created = running
        tickets.append(_ticket(number, requester, running))
        reminder_at, breach_at = running + REMINDER_AFTER, running + BREACH_AFTER
        if kind == "breach":  # the reminder went out in its time
            reminders.append(
                _reminder(number, "reminder", reminder_at, created, sent_at=reminder_at)
            )
            layout.pre_sent.add(number)
        else:
            reminders.append(_reminder(number, "reminder", reminder_at, created))
        reminders.append(_reminder(number, "breach", breach_at, created))
        opened = running - timedelta(seconds=30)
        message_id += 1
        messages.append({
            "id": message_id, "ticket_id": number, "direction": Direction.INBOUND.value,
            "author": actor, "created_at": opened,
            "text": f"Selamat pagi, saya tidak bisa mengunggah dokumen penawaran untuk paket "
                    f"{number}; muncul pesan galat setelah enkripsi. Mohon bantuannya.",
        })
        events.append(_event(number, EventKind.OPENED, actor, opened, sop=SOP_ID, step=STEP,
                             role=ROLE, channel="telegram"))
        events.append(_event(number, EventKind.MESSAGE, actor, opened, direction="in", files=0))
        if kind is not None:  # due tickets: a follow-up with a file, as busy tickets have
            message_id += 1
            follow = opened + timedelta(seconds=20)
            messages.append({
                "id": message_id, "ticket_id": number, "direction": Direction.INBOUND.value,
                "author": actor, "created_at": follow,
                "text": "Berikut tangkapan layar galatnya.",
            })
            attachments.append({
                "message_id": message_id,
                "sha256": hashlib.sha256(f"bukti-{number}".encode()).hexdigest(),
                "filename": f"galat-{number}.pdf",
                "content_type": "application/pdf",
                "size": 182_411,
            })
            events.append(_event(number, EventKind.MESSAGE, actor, follow, direction="in",
                                 files=1))
            if kind == "breach":
                events.append(_event(number, EventKind.REMINDED, "system", reminder_at,
                                     step=STEP))
            rows = layout.burst if number in burst_set else layout.window
            rows.append(DueRow(number, kind, due))
            if kind == "reminder" and rows is layout.burst:
                layout.follow_up.append(DueRow(number, "breach", breach_at))
    async with engine.begin() as conn:
        await _insert(conn, RequesterRow.__table__, requester_rows)
        await _insert(conn, TicketRow.__table__, tickets)
        await _insert(conn, MessageRow.__table__, messages)
        await _insert(conn, AttachmentRow.__table__, attachments)
        await _insert(conn, EventRow.__table__, events)
        await _insert(conn, SlaReminderRow.__table__, reminders)
    await _after_bulk_load(engine)
    return layout


async def add_history(engine: AsyncEngine, plan: Plan, t0: datetime) -> int:
    """Closed tickets with two cancelled, never-sent reminder rows each, due in the past year."""
    closed = plan.history // 2
    if closed == 0:
        return 0
    async with engine.connect() as conn:
        first = int(await conn.scalar(select(func.max(TicketRow.id))) or 0) + 1
        requesters = int(await conn.scalar(select(func.max(RequesterRow.id))) or 1)
    year = timedelta(days=365).total_seconds()
    tickets: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    for index in range(closed):
        number = first + index
        running = t0 - timedelta(days=366) + timedelta(seconds=year * index / closed)
        tickets.append(_ticket(number, 1 + index % requesters, running,
                               status=TicketStatus.CLOSED, closed_at=running + REMINDER_AFTER / 2))
        for kind, after in (("reminder", REMINDER_AFTER), ("breach", BREACH_AFTER)):
            reminders.append(_reminder(number, kind, running + after, running, cancelled=True))
    async with engine.begin() as conn:
        await _insert(conn, TicketRow.__table__, tickets)
        await _insert(conn, SlaReminderRow.__table__, reminders)
    await _after_bulk_load(engine)
    return len(reminders)


async def _after_bulk_load(engine: AsyncEngine) -> None:
    """PostgreSQL: move the id sequences past the explicit ids and refresh the statistics
    (what autovacuum would have done on a server that grew to this size)."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.begin() as conn:
        for table in ("requesters", "tickets", "ticket_messages", "attachments",
                      "ticket_events", "sla_reminders"):
            await conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(max(id), 1) FROM {table}))"
            ))
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("ANALYZE"))


# -- phases -------------------------------------------------------------------------------------


async def timed_sweep(runtime: Runtime) -> tuple[int, float]:
    started = time.perf_counter()
    sent = await sweep_deadlines(runtime)
    return sent, (time.perf_counter() - started) * 1000


async def empty_sweeps(runtime: Runtime, clock: BenchClock, at: datetime, count: int) -> Timings:
    clock.freeze(at)
    await timed_sweep(runtime)  # warm the pool and the statement caches
    values: list[float] = []
    for _ in range(count):
        sent, ms = await timed_sweep(runtime)
        if sent:
            raise AssertionError(f"an 'empty' sweep sent {sent} notices")
        values.append(ms)
    return Timings.of(values)


async def drain(
    runtime: Runtime, clock: BenchClock, at: datetime, rows: Sequence[DueRow], interval: float
) -> Drain:
    """Sweep back to back at a frozen instant until a sweep sends nothing."""
    clock.freeze(at)
    sweeps: list[tuple[int, float]] = []
    started = time.perf_counter()
    for _ in range(MAX_SWEEPS):
        sent, ms = await timed_sweep(runtime)
        if sent == 0:
            break
        sweeps.append((sent, ms))
    total = time.perf_counter() - started
    busy = [ms for _, ms in sweeps] or [0.0]
    sent_total = sum(sent for sent, _ in sweeps)
    if sent_total != len(rows):
        raise AssertionError(f"{len(rows)} rows were due, the sweeps sent {sent_total}")
    busy_total = sum(busy) / 1000
    at_cadence = sum(math.ceil(ms / 1000 / interval) * interval for ms in busy)
    kinds = Counter(row.kind for row in rows)
    return Drain(
        rows=sent_total,
        reminders=kinds["reminder"],
        breaches=kinds["breach"],
        sweeps=len(sweeps),
        mean_ms_per_sweep=statistics.fmean(busy),
        max_ms_per_sweep=max(busy),
        ms_per_row=sum(busy) / max(sent_total, 1),
        rows_per_s=sent_total / busy_total if busy_total else 0.0,
        total_s=total,
        at_cadence_s=at_cadence,
    )


async def window_run(
    runtime: Runtime, clock: BenchClock, layout: Layout, plan: Plan
) -> tuple[Window, datetime]:
    """The production schedule over the window: a tick every interval, skipped while busy."""
    interval = plan.interval_s
    # Ticks do not line up with the due times (they are spread uniformly anyway).
    start_at = layout.window_at - timedelta(seconds=interval * 0.37)
    finish_at = layout.window_at + timedelta(seconds=plan.window_s + 2 * interval)
    clock.run_from(start_at)
    origin = time.perf_counter()
    tick = 0
    sweeps: list[tuple[datetime, datetime, int, float]] = []
    skipped = 0
    deadline = origin + plan.window_s + 600
    while True:
        delay = origin + tick * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        begun = clock()
        sent, ms = await timed_sweep(runtime)
        sweeps.append((begun, clock(), sent, ms))
        next_tick = math.floor((time.perf_counter() - origin) / interval) + 1
        skipped += max(next_tick - tick - 1, 0)
        tick = next_tick
        if (begun >= finish_at and sent == 0) or time.perf_counter() > deadline:
            break
    last_now = sweeps[-1][0]
    clock.freeze(last_now)

    async with runtime.engine.connect() as conn:
        result = await conn.execute(
            select(SlaReminderRow.ticket_id, SlaReminderRow.kind, SlaReminderRow.due_at,
                   SlaReminderRow.sent_at)
            .where(SlaReminderRow.sent_at >= start_at)
        )
        sent_rows = [
            (row[0], row[1], row[2], row[3]) for row in result
            if not (row[1] == "reminder" and row[0] in layout.pre_sent)
        ]
        payloads = await conn.scalars(
            select(OutboxRow.payload).where(
                OutboxRow.created_at >= start_at, OutboxRow.purpose == Purpose.TICKET_UPDATE
            )
        )
        late_flagged = sum(str(p.get("text", "")).startswith(LATE_PREFIX) for p in payloads)
    starts = [begun for begun, _, _, _ in sweeps]
    claimed: list[float] = []
    delivered: list[float] = []
    for _, _, due_at, sent_at in sent_rows:
        position = bisect.bisect_right(starts, sent_at + timedelta(microseconds=1)) - 1
        claimed.append((sent_at - due_at).total_seconds())
        delivered.append((sweeps[position][1] - due_at).total_seconds())
        if claimed[-1] < 0:
            raise AssertionError("a notice was sent before it was due")
    expected = [row for row in (*layout.window, *_window_follow_ups(layout)) if
                row.due_at <= last_now]
    if len(sent_rows) != len(expected) or sum(s for _, _, s, _ in sweeps) != len(expected):
        raise AssertionError(
            f"window: {len(expected)} notices due, {len(sent_rows)} rows marked sent, "
            f"{sum(s for _, _, s, _ in sweeps)} reported by the sweeps"
        )
    kinds = Counter(kind for _, kind, _, _ in sent_rows)
    busy = [ms for _, _, _, ms in sweeps]
    return Window(
        notices=len(sent_rows),
        reminders=kinds["reminder"],
        breaches=kinds["breach"],
        late_flagged=late_flagged,
        ticks=tick,
        sweeps_run=len(sweeps),
        ticks_skipped=skipped,
        sweep_p50_ms=_pct(busy, 50),
        sweep_max_ms=max(busy),
        claimed_p50_s=_pct(claimed, 50),
        claimed_p99_s=_pct(claimed, 99),
        claimed_max_s=max(claimed),
        delivered_p50_s=_pct(delivered, 50),
        delivered_p99_s=_pct(delivered, 99),
        delivered_max_s=max(delivered),
    ), last_now


def _window_follow_ups(layout: Layout) -> list[DueRow]:
    """Breach notices of the window's reminder-due tickets (2 minutes after the reminder)."""
    return [
        DueRow(row.ticket_id, "breach", row.due_at + BREACH_AFTER - REMINDER_AFTER)
        for row in layout.window
        if row.kind == "reminder"
    ]


async def explain_claim(engine: AsyncEngine, capture: ClaimCapture) -> list[str]:
    """The plan of the claim statement exactly as the sweep last sent it."""
    if capture.statement is None:
        return ["(no claim statement captured)"]
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            prefix = "EXPLAIN QUERY PLAN "
            rows = await conn.exec_driver_sql(prefix + capture.statement, capture.parameters)
            lines = [" ".join(str(cell) for cell in row[1:]) for row in rows]
        else:
            prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
            rows = await conn.exec_driver_sql(prefix + capture.statement, capture.parameters)
            lines = [str(row[0]) for row in rows]
        await conn.rollback()
    return lines


async def check_exactly_once(runtime: Runtime, layout: Layout, until: datetime) -> tuple[int, int,
                                                                                         int, int]:
    """Every due row sent once, nothing else sent; outbox = one notice per row + card edits."""
    async with runtime.engine.connect() as conn:
        sent = [
            (row[0], row[1]) for row in await conn.execute(
                select(SlaReminderRow.ticket_id, SlaReminderRow.kind)
                .where(SlaReminderRow.sent_at.is_not(None))
            )
        ]
        overdue = int(await conn.scalar(
            select(func.count()).select_from(SlaReminderRow).where(
                SlaReminderRow.sent_at.is_(None), SlaReminderRow.cancelled.is_(False),
                SlaReminderRow.due_at <= until,
            )
        ) or 0)
        outbox = [
            (row[0], row[1]) for row in await conn.execute(
                select(OutboxRow.ticket_id, OutboxRow.purpose)
            )
        ]
    in_run = len(sent) - len(layout.pre_sent)
    expected = [row for row in (*layout.burst, *layout.follow_up, *layout.window,
                                *_window_follow_ups(layout)) if row.due_at <= until]
    if overdue:
        raise AssertionError(f"{overdue} due reminder rows were never sent")
    if in_run != len(expected):
        raise AssertionError(f"{len(expected)} rows were due, {in_run} were sent")
    sent_breaches = Counter(ticket for ticket, kind in sent if kind == "breach")
    notices = Counter(ticket for ticket, purpose in outbox if purpose == Purpose.TICKET_UPDATE)
    cards = Counter(ticket for ticket, purpose in outbox if purpose == Purpose.CARD)
    wanted = Counter(row.ticket_id for row in expected)
    if notices != wanted:
        wrong = [t for t in set(notices) | set(wanted) if notices[t] != wanted[t]][:5]
        raise AssertionError(f"outbox notices differ from the rows sent, e.g. tickets {wrong}")
    if cards != sent_breaches or any(count != 1 for count in cards.values()):
        raise AssertionError("one card edit per breach notice expected")
    if len(outbox) != sum(notices.values()) + sum(cards.values()):
        raise AssertionError("unexpected outbox rows")
    return in_run, len(outbox), sum(notices.values()), sum(cards.values())


# -- one backend --------------------------------------------------------------------------------


async def run_backend(name: str, database_url: str, plan: Plan, tmp: Path) -> BackendResult:
    staff_file = tmp / "staff.yaml"
    staff_file.write_text(ROSTER, encoding="utf-8")
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        telegram_bot_token="123456:bench-token-not-used",
        telegram_staff_chat_id=STAFF_CHAT,
        office_hours="24/7",
        smtp_listen_port=0,
        staff_file=staff_file,
        attachments_dir=tmp / "attachments",
    )
    t0 = datetime.now(UTC).replace(microsecond=0)
    clock = BenchClock(t0)
    runtime = await build_runtime(settings, clock=clock, load_faq=False)
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    try:
        capture = ClaimCapture(runtime.engine)
        async with runtime.engine.connect() as conn:
            version = str(await conn.scalar(
                text("SELECT sqlite_version()") if name == "sqlite" else text("SHOW server_version")
            ))
        print(f"[{name}] populating {plan.tickets:,} open tickets ...", flush=True)
        started = time.perf_counter()
        layout = await populate(runtime.engine, plan, t0)
        populate_s = time.perf_counter() - started
        async with runtime.engine.connect() as conn:
            unsent = int(await conn.scalar(
                select(func.count()).select_from(SlaReminderRow)
                .where(SlaReminderRow.sent_at.is_(None))
            ) or 0)
        print(f"[{name}] populated in {populate_s:.1f} s; empty sweeps ...", flush=True)
        empty = await empty_sweeps(runtime, clock, t0, plan.empty_sweeps)
        plan_before = await explain_claim(runtime.engine, capture)
        print(f"[{name}] burst of {len(layout.burst)} ...", flush=True)
        burst = await drain(runtime, clock, layout.burst_at, layout.burst, plan.interval_s)
        follow_up = await drain(runtime, clock, layout.follow_up_at, layout.follow_up,
                                plan.interval_s)
        await check_exactly_once(runtime, layout, layout.follow_up_at)
        print(f"[{name}] window: {len(layout.window)} notices over {plan.window_s:g} s, "
              f"sweep every {plan.interval_s:g} s ...", flush=True)
        window, last_now = await window_run(runtime, clock, layout, plan)
        sent, outbox_rows, outbox_notices, outbox_cards = await check_exactly_once(
            runtime, layout, last_now
        )
        print(f"[{name}] history: {plan.history:,} cancelled rows ...", flush=True)
        started = time.perf_counter()
        history_rows = await add_history(runtime.engine, plan, t0)
        history_s = time.perf_counter() - started
        with_history = await empty_sweeps(runtime, clock, last_now, plan.empty_sweeps)
        plan_after = await explain_claim(runtime.engine, capture)
        await check_exactly_once(runtime, layout, last_now)
        if errors.count:
            raise AssertionError(f"{errors.count} errors logged, first: {errors.first}")
        return BackendResult(
            backend=name,
            server_version=version,
            populate_s=populate_s,
            open_tickets=plan.tickets,
            unsent_reminder_rows=unsent,
            empty=empty,
            burst=burst,
            follow_up=follow_up,
            window=window,
            history_rows=history_rows,
            history_insert_s=history_s,
            empty_with_history=with_history,
            sent_notices=sent,
            outbox_rows=outbox_rows,
            outbox_notices=outbox_notices,
            outbox_card_edits=outbox_cards,
            errors_logged=errors.count,
            claim_plan=plan_before,
            claim_plan_with_history=plan_after,
        )
    finally:
        logging.getLogger().removeHandler(errors)
        await runtime.close()


async def run_sqlite(plan: Plan) -> BackendResult:
    with tempfile.TemporaryDirectory(prefix="lpse-sla-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'helpdesk.db'}"
        return await run_backend("sqlite", url, plan, Path(tmp))


async def run_postgres(plan: Plan) -> BackendResult | str:
    try:
        context = postgres_server()
        server: PostgresServer = await asyncio.to_thread(context.__enter__)
    except FileNotFoundError as exc:
        return f"skipped: {exc}"
    try:
        server.psql("CREATE DATABASE sla_bench")
        with tempfile.TemporaryDirectory(prefix="lpse-sla-bench-") as tmp:
            return await run_backend("postgresql", server.url("sla_bench"), plan, Path(tmp))
    finally:
        await asyncio.to_thread(context.__exit__, None, None, None)


# -- report -------------------------------------------------------------------------------------


def _pct(values: Sequence[float], percent: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def report_table(results: dict[str, BackendResult | str], plan: Plan) -> str:
    names = list(results)
    rows: list[list[object]] = []

    def add(label: str, show: Any) -> None:
        row: list[object] = [label]
        for name in names:
            result = results[name]
            row.append(result if isinstance(result, str) else show(result))
        rows.append(row)

    add("open tickets / unsent reminder rows",
        lambda r: f"{r.open_tickets:,} / {r.unsent_reminder_rows:,}")
    add("populate (s)", lambda r: f"{r.populate_s:.1f}")
    add("empty sweep ms p50 / p95", lambda r: f"{r.empty.p50_ms:.2f} / {r.empty.p95_ms:.2f}")
    add("burst: rows (reminders+breaches)",
        lambda r: f"{r.burst.rows} ({r.burst.reminders}+{r.burst.breaches})")
    add("burst: sweeps, ms/sweep mean / max",
        lambda r: f"{r.burst.sweeps}, {r.burst.mean_ms_per_sweep:.0f} / "
                  f"{r.burst.max_ms_per_sweep:.0f}")
    add("burst: rows claimed+sent per s", lambda r: f"{r.burst.rows_per_s:.0f}")
    add("burst: ms per row", lambda r: f"{r.burst.ms_per_row:.2f}")
    add(f"burst: drained at {plan.interval_s:g} s cadence (s)",
        lambda r: f"{r.burst.at_cadence_s:.0f}")
    add("follow-up breaches: rows, rows/s",
        lambda r: f"{r.follow_up.rows}, {r.follow_up.rows_per_s:.0f}")
    add("follow-up breaches: ms per row", lambda r: f"{r.follow_up.ms_per_row:.2f}")
    add(f"window {plan.window_s:g} s: notices (rem+breach)",
        lambda r: f"{r.window.notices} ({r.window.reminders}+{r.window.breaches})")
    add("window: sweeps run / ticks skipped",
        lambda r: f"{r.window.sweeps_run} / {r.window.ticks_skipped}")
    add("window: sweep ms p50 / max",
        lambda r: f"{r.window.sweep_p50_ms:.0f} / {r.window.sweep_max_ms:.0f}")
    add("lateness claimed s p50 / p99 / max",
        lambda r: f"{r.window.claimed_p50_s:.2f} / {r.window.claimed_p99_s:.2f} / "
                  f"{r.window.claimed_max_s:.2f}")
    add("lateness delivered-by s p50 / p99 / max",
        lambda r: f"{r.window.delivered_p50_s:.2f} / {r.window.delivered_p99_s:.2f} / "
                  f"{r.window.delivered_max_s:.2f}")
    add("notices marked late (>60 s)", lambda r: str(r.window.late_flagged))
    add("notices sent / outbox rows", lambda r: f"{r.sent_notices} / {r.outbox_rows}")
    add("outbox = notices + card edits, once each",
        lambda r: f"ok ({r.outbox_notices} + {r.outbox_card_edits})")
    add("history: cancelled past rows added", lambda r: f"{r.history_rows:,}")
    add("empty sweep with history ms p50 / p95",
        lambda r: f"{r.empty_with_history.p50_ms:.2f} / {r.empty_with_history.p95_ms:.2f}")
    add("errors logged", lambda r: str(r.errors_logged))
    return render_table(["", *names], rows)


def machine(results: dict[str, BackendResult | str]) -> dict[str, object]:
    versions = {
        name: result.server_version for name, result in results.items()
        if not isinstance(result, str)
    }
    return machine_info(
        sqlalchemy=sqlalchemy.__version__,
        sqlite_module=sqlite3.sqlite_version,
        database_versions=versions,
        # The VM may be shared: a load average near or above the CPU count means noisy timings.
        load_average_at_end=[round(load, 2) for load in os.getloadavg()],
    )


async def run_all(plan: Plan, backends: Sequence[str]) -> dict[str, BackendResult | str]:
    results: dict[str, BackendResult | str] = {}
    for backend in backends:
        if backend == "sqlite":
            results["sqlite"] = await run_sqlite(plan)
        else:
            results["postgresql"] = await run_postgres(plan)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the sizes, run both backends, print the table and write the JSON."""
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=None,
                        help="open tickets (default 100000; 10000 with --quick)")
    parser.add_argument("--due", type=int, default=1000,
                        help="rows due in the burst, and again over the window (default 1000)")
    parser.add_argument("--window", type=float, default=None,
                        help="seconds over which the window's rows fall due (default 60; 20 "
                             "with --quick)")
    parser.add_argument("--interval", type=float, default=2.0,
                        help="sweep interval in seconds (production: 2)")
    parser.add_argument("--history", type=int, default=None,
                        help="cancelled past reminder rows added at the end (default: 2 per "
                             "open ticket)")
    parser.add_argument("--empty-sweeps", type=int, default=50, help="sweeps per empty phase")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--quick", action="store_true", help="10,000 tickets, 20 s window")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)
    tickets = args.tickets or (10_000 if args.quick else 100_000)
    plan = Plan(
        tickets=tickets,
        due=args.due,
        window_s=args.window or (20.0 if args.quick else 60.0),
        interval_s=args.interval,
        history=2 * tickets if args.history is None else args.history,
        empty_sweeps=args.empty_sweeps,
        quick=args.quick,
    )
    if 2 * plan.due > plan.tickets or plan.due < 2:
        parser.error("--due must be at least 2 and at most half of --tickets")
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    if unknown := set(backends) - {"sqlite", "postgresql"}:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.WARNING)
    started = time.perf_counter()
    load_at_start = [round(load, 2) for load in os.getloadavg()]
    results = asyncio.run(run_all(plan, backends))
    elapsed = time.perf_counter() - started
    print()
    print(render_table(["plan", "value"], [
        ["open tickets", f"{plan.tickets:,}"],
        ["rows due: burst / window", f"{plan.due:,} / {plan.due:,}"],
        ["window / sweep interval", f"{plan.window_s:g} s / {plan.interval_s:g} s"],
        ["history rows", f"{plan.history:,}"],
    ]))
    print()
    print(report_table(results, plan))
    for name, result in results.items():
        if isinstance(result, str):
            continue
        print(f"\nclaim query plan, {name}, with {result.history_rows:,} cancelled past rows:")
        print("\n".join(f"  {line}" for line in result.claim_plan_with_history))
    report = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(results), "load_average_at_start": load_at_start},
        "plan": asdict(plan),
        "runtime_s": round(elapsed, 1),
        "backends": {
            name: result if isinstance(result, str) else asdict(result)
            for name, result in results.items()
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    shown = args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output
    print(f"\nran {elapsed:.0f} s; written {shown}")


if __name__ == "__main__":
    main(sys.argv[1:])
