"""Health check and Prometheus metrics over HTTP (aiohttp).

``GET /healthz`` answers 200 ``ok`` when the database answers ``SELECT 1`` in time, else 503
with the reason. ``GET /metrics`` serves the Prometheus text exposition format 0.0.4.

Every figure is counted in the database at scrape time, not kept in process memory: with
several instances behind one database each reports the same truth, a restart loses nothing,
and work done by another instance (or the CLI) is included. The queries are a handful of
``COUNT``/``GROUP BY`` over indexed or small tables, cheap at a 15-60 s scrape interval.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from aiohttp import web
from sqlalchemy import false, func, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot.core.tickets import Channel, TicketStatus
from bot.runtime import Runtime
from storage import mail, outbox
from storage.models import (
    Base,
    FaqInteractionRow,
    InboundMailRow,
    OutboxRow,
    ProcessedUpdateRow,
    SlaReminderRow,
    TicketRow,
)

log = logging.getLogger(__name__)

#: /healthz fails when the database takes longer than this to answer ``SELECT 1``.
HEALTH_TIMEOUT_SECONDS = 2.0
#: /metrics gives up after this; Prometheus' default scrape timeout is 10 s.
METRICS_TIMEOUT_SECONDS = 8.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

MetricType = Literal["counter", "gauge"]
T = TypeVar("T")

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


@dataclass(frozen=True)
class Sample:
    """One value of a metric, with its labels (name, value) in output order."""

    value: float
    labels: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, value: float, labels: Mapping[str, str] | None = None) -> Sample:
        """A sample from a value and a label mapping."""
        return cls(float(value), tuple((labels or {}).items()))


@dataclass(frozen=True)
class Metric:
    """A metric family: name, help text, type and its samples."""

    name: str
    help: str
    type: MetricType
    samples: tuple[Sample, ...] = field(default=())

    def __post_init__(self) -> None:
        # Caught here, at the source, rather than as a scrape error in Prometheus.
        if not _METRIC_NAME.fullmatch(self.name):
            raise ValueError(f"invalid metric name {self.name!r}")
        for sample in self.samples:
            for label, _ in sample.labels:
                if not _LABEL_NAME.fullmatch(label) or label.startswith("__"):
                    raise ValueError(f"invalid label name {label!r} in {self.name}")


# --- rendering (pure) -----------------------------------------------------------------------


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    # Counts print as integers ("3", not "3.0"); exact up to 2**53.
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def render_prometheus(metrics: Iterable[Metric]) -> str:
    """The Prometheus text exposition format (version 0.0.4) of ``metrics``."""
    lines: list[str] = []
    seen: set[str] = set()
    for metric in metrics:
        if metric.name in seen:
            # The format allows one block per family; a second one is a scrape error.
            raise ValueError(f"metric {metric.name} given twice")
        seen.add(metric.name)
        lines.append(f"# HELP {metric.name} {_escape_help(metric.help)}")
        lines.append(f"# TYPE {metric.name} {metric.type}")
        for sample in metric.samples:
            labels = ",".join(f'{name}="{_escape_label(value)}"' for name, value in sample.labels)
            series = f"{metric.name}{{{labels}}}" if labels else metric.name
            lines.append(f"{series} {_format_value(sample.value)}")
    # The format requires the last line to end with a line feed.
    return "\n".join(lines) + "\n" if lines else ""


# --- collection (database) ------------------------------------------------------------------


async def _count(session: AsyncSession, table: type[Base], *where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(table).where(*where)
    return int(await session.scalar(query) or 0)


async def collect_metrics(session: AsyncSession) -> list[Metric]:
    """Every helpdesk metric, counted from the database now.

    Label sets that are known in advance (ticket statuses of each SOP seen, both channels,
    every inbound mail status) are reported with 0 rather than left out, so that alerts and
    ``rate()`` see a series from the start instead of "no data".
    """
    updates = await _count(session, ProcessedUpdateRow)

    tickets: dict[tuple[str, str], int] = {}
    for status, sop, number in await session.execute(
        select(TicketRow.status, TicketRow.sop_id, func.count()).group_by(
            TicketRow.status, TicketRow.sop_id
        )
    ):
        tickets[(str(status), str(sop))] = int(number)
    for sop in {sop for _, sop in tickets}:
        for status in TicketStatus:
            tickets.setdefault((status.value, sop), 0)

    depth = {channel.value: 0 for channel in Channel}
    for channel, number in await session.execute(
        select(OutboxRow.channel, func.count())
        .where(OutboxRow.status == outbox.PENDING)
        .group_by(OutboxRow.channel)
    ):
        depth[str(channel)] = int(number)
    failed = await _count(session, OutboxRow, OutboxRow.status == outbox.FAILED)

    # ``breached`` is never cleared once set, so this only grows: a counter.
    breaches = await _count(session, TicketRow, TicketRow.breached.is_(true()))
    reminders = await _count(
        session,
        SlaReminderRow,
        SlaReminderRow.sent_at.is_(None),
        SlaReminderRow.cancelled.is_(false()),
    )

    questions = await _count(session, FaqInteractionRow)
    # An interaction counts as answered when the FAQ gave an answer, directly or after the
    # requester picked one of the suggested entries.
    answered = await _count(
        session, FaqInteractionRow, FaqInteractionRow.answered_entry_id.isnot(None)
    )

    inbound = dict.fromkeys((mail.PENDING, mail.PROCESSED, mail.IGNORED, mail.FAILED), 0)
    for status, number in await session.execute(
        select(InboundMailRow.status, func.count()).group_by(InboundMailRow.status)
    ):
        inbound[str(status)] = int(number)

    return [
        Metric(
            "lpse_updates_processed_total",
            "Telegram updates handled (rows in processed_updates).",
            "counter",
            (Sample.of(updates),),
        ),
        # A gauge despite the _total name: a ticket moves between statuses, so each
        # series can go down.
        Metric(
            "lpse_tickets_total",
            "Tickets by current status and SOP.",
            "gauge",
            tuple(
                Sample.of(number, {"status": status, "sop": sop})
                for (status, sop), number in sorted(tickets.items(), key=lambda kv: kv[0][::-1])
            ),
        ),
        Metric(
            "lpse_outbox_depth",
            "Outbox messages waiting to be sent, by channel.",
            "gauge",
            tuple(Sample.of(number, {"channel": name}) for name, number in sorted(depth.items())),
        ),
        Metric(
            "lpse_outbox_failed_total",
            "Outbox messages given up after retries or refused permanently.",
            "counter",
            (Sample.of(failed),),
        ),
        Metric(
            "lpse_sla_breaches_total",
            "Tickets that overran a step's SLA budget at least once.",
            "counter",
            (Sample.of(breaches),),
        ),
        Metric(
            "lpse_sla_reminders_pending",
            "SLA reminders and breach notices scheduled and not yet sent.",
            "gauge",
            (Sample.of(reminders),),
        ),
        Metric(
            "lpse_faq_questions_total",
            "Questions put to the FAQ.",
            "counter",
            (Sample.of(questions),),
        ),
        Metric(
            "lpse_faq_answered_total",
            "Questions the FAQ answered (directly or by a suggestion the requester chose).",
            "counter",
            (Sample.of(answered),),
        ),
        Metric(
            "lpse_faq_hit_ratio",
            "lpse_faq_answered_total / lpse_faq_questions_total; NaN before the first question.",
            "gauge",
            (Sample.of(answered / questions if questions else math.nan),),
        ),
        # A gauge too: mail moves from pending to processed, ignored or failed.
        Metric(
            "lpse_inbound_mail_total",
            "Inbound mail stored, by processing status.",
            "gauge",
            tuple(Sample.of(number, {"status": name}) for name, number in sorted(inbound.items())),
        ),
    ]


# --- the web server -------------------------------------------------------------------------


async def _with_session(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[T]],
    timeout: float,
) -> T:
    """``work`` on a fresh session, cancelled after ``timeout`` seconds."""
    async with asyncio.timeout(timeout), sessions() as session:
        return await work(session)


async def _select_one(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


def _failure(what: str, error: BaseException, timeout: float) -> str:
    """A short reason for a probe; details go to the log, not to whoever asks over HTTP."""
    if isinstance(error, TimeoutError):
        return f"{what} did not answer within {timeout:g} s"
    return f"{what} unavailable ({type(error).__name__})"


def build_app(
    runtime: Runtime,
    *,
    health_timeout: float = HEALTH_TIMEOUT_SECONDS,
    metrics_timeout: float = METRICS_TIMEOUT_SECONDS,
) -> web.Application:
    """The aiohttp application serving /healthz and /metrics for ``runtime``'s database."""
    sessions = runtime.session_factory

    async def healthz(_request: web.Request) -> web.Response:
        try:
            await _with_session(sessions, _select_one, health_timeout)
        except Exception as exc:
            reason = _failure("database", exc, health_timeout)
            # Logged (through the redacting filter: driver errors may quote the URL) so the
            # cause is on record; probes run often, hence WARNING and no traceback.
            log.warning("health check failed: %s: %r", reason, exc)
            return web.Response(status=503, text=f"unhealthy: {reason}\n")
        return web.Response(text="ok\n")

    async def metrics(_request: web.Request) -> web.Response:
        try:
            collected = await _with_session(sessions, collect_metrics, metrics_timeout)
        except Exception as exc:
            reason = _failure("database", exc, metrics_timeout)
            log.warning("metrics scrape failed: %s: %r", reason, exc)
            # A non-200 makes Prometheus record up=0 rather than stale or partial figures.
            return web.Response(status=503, text=f"metrics unavailable: {reason}\n")
        body = render_prometheus(collected).encode("utf-8")
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_health_server(
    runtime: Runtime,
    host: str,
    port: int,
    *,
    health_timeout: float = HEALTH_TIMEOUT_SECONDS,
    metrics_timeout: float = METRICS_TIMEOUT_SECONDS,
) -> web.AppRunner:
    """Serve /healthz and /metrics on ``host:port`` (0: any free port, see ``runner.addresses``).

    The caller stops it with ``await runner.cleanup()``.
    """
    app = build_app(runtime, health_timeout=health_timeout, metrics_timeout=metrics_timeout)
    # No access log: a probe every few seconds would drown the log lines that matter.
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()  # e.g. the port is taken: do not leave the runner half set up
        raise
    log.info("health and metrics on http://%s:%d/ (/healthz, /metrics)", host, bound_port(runner))
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The TCP port the runner listens on (useful after asking for port 0)."""
    address = runner.addresses[0]
    return int(address[1])
