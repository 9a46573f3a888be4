"""/healthz and /metrics over real HTTP, counted from a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import math
import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import update

from bot import services
from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.core.tickets import Channel, Requester
from bot.runtime import Runtime, build_runtime
from bot.services import OpenTicket
from bot.settings import Settings
from handlers.http import (
    CONTENT_TYPE,
    Metric,
    Sample,
    bound_port,
    collect_metrics,
    render_prometheus,
    start_health_server,
)
from storage import mail
from storage.migrate import upgrade
from storage.models import TicketRow

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
PENYEDIA = Requester(channel=Channel.TELEGRAM, telegram_id=90001, name="CV Maju")
POKJA = Requester(channel=Channel.EMAIL, email="pokja1@oganilir.go.id", name="Pokja 1")
METRIC_NAMES = [
    "lpse_updates_processed_total",
    "lpse_tickets_total",
    "lpse_outbox_depth",
    "lpse_outbox_failed_total",
    "lpse_sla_breaches_total",
    "lpse_sla_reminders_pending",
    "lpse_faq_questions_total",
    "lpse_faq_answered_total",
    "lpse_faq_hit_ratio",
    "lpse_inbound_mail_total",
]

Series = tuple[str, frozenset[tuple[str, str]]]


def settings_for(tmp_path: Path, database_url: str) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "smtp_listen_port": 0,
        "attachments_dir": tmp_path / "attachments",
        "office_hours": "24/7",
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
async def runtime(database_url: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    runtime = await build_runtime(
        settings_for(tmp_path, database_url), migrate=False, clock=lambda: NOW
    )
    await upgrade(runtime.engine)
    yield runtime
    await runtime.close()


async def fill(runtime: Runtime) -> None:
    """Two tickets, outbox rows, Telegram updates, FAQ questions and inbound mail."""
    first = await services.open_ticket(
        runtime.unit_of_work(),
        runtime.catalog,
        OpenTicket(PENYEDIA, "Bagaimana cara daftar?"),
        NOW,
        runtime.notifier,
    )
    await services.open_ticket(
        runtime.unit_of_work(),
        runtime.catalog,
        OpenTicket(POKJA, "Minta user ID baru", "SOP-03"),
        NOW,
        runtime.notifier,
    )
    async with runtime.unit_of_work() as uow:
        ids = await uow.outbox.enqueue(
            [
                Outbound("telegram", "90001", OutboundKind.TEXT, {"text": "a"}, Purpose.NOTICE),
                Outbound("telegram", "90001", OutboundKind.TEXT, {"text": "b"}, Purpose.NOTICE),
                Outbound("email", POKJA.email or "", OutboundKind.EMAIL, {}, Purpose.NOTICE),
            ],
            NOW,
        )
        await uow.outbox.mark_failed(ids[0], "403 Forbidden: bot was blocked", NOW)
        for update_id in (101, 102, 101):
            await uow.processed_updates.claim(update_id, NOW)
        for answered in ("faq-daftar", None, "faq-lupa-password"):
            await uow.faq_interactions.add(
                channel="telegram",
                requester_key="telegram:90001",
                question="gmn daftar?",
                answered_entry_id=answered,
                candidate_ids=[],
                now=NOW,
            )
        done, _ = await uow.inbound_mail.store(b"mail 1", "a@x.go.id", [], "<1@x>", NOW)
        await uow.inbound_mail.store(b"mail 2", "b@x.go.id", [], "<2@x>", NOW)
        await uow.inbound_mail.finish(done, mail.PROCESSED, NOW)
        await uow.commit()
    assert first.number is not None
    async with runtime.session_factory() as session, session.begin():
        await session.execute(
            update(TicketRow).where(TicketRow.id == first.number).values(breached=True)
        )


_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
_LABEL = re.compile(r'(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\\n]|\\[\\"n])*)"(?:,|$)')


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def parse_exposition(body: str) -> tuple[dict[str, tuple[str, str]], dict[Series, float]]:
    """A strict reader of the text format 0.0.4: (name -> (help, type), series -> value).

    Checks what Prometheus insists on: HELP then TYPE before a family's samples, each family
    in one block, well-formed labels, parseable values, a final line feed.
    """
    assert body.endswith("\n")
    families: dict[str, tuple[str, str]] = {}
    samples: dict[Series, float] = {}
    helps: dict[str, str] = {}
    current: str | None = None
    for line in body[:-1].split("\n"):
        if line.startswith("# HELP "):
            name, _, text = line[len("# HELP ") :].partition(" ")
            assert name not in helps, f"second HELP for {name}"
            helps[name] = _unescape(text)
        elif line.startswith("# TYPE "):
            name, _, kind = line[len("# TYPE ") :].partition(" ")
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped")
            assert name in helps and name not in families
            families[name] = (helps[name], kind)
            current = name
        else:
            match = _SAMPLE.match(line)
            assert match is not None, f"malformed sample line {line!r}"
            assert match["name"] == current, f"{match['name']} outside its family block"
            raw = match["labels"] or ""
            labels = [(m["name"], _unescape(m["value"])) for m in _LABEL.finditer(raw)]
            assert ",".join(m.group(0).rstrip(",") for m in _LABEL.finditer(raw)) == raw
            series = (match["name"], frozenset(labels))
            assert series not in samples, f"duplicate series {series}"
            samples[series] = float(match["value"])
    return families, samples


def value(samples: dict[Series, float], name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def fetch(port: int, path: str) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.text()


async def test_healthz_and_metrics_report_the_database(runtime: Runtime, tmp_path: Path) -> None:
    await fill(runtime)
    runner = await start_health_server(runtime, "127.0.0.1", 0)
    try:
        port = bound_port(runner)
        status, _, body = await fetch(port, "/healthz")
        assert (status, body) == (200, "ok\n")
        status, content_type, body = await fetch(port, "/metrics")
    finally:
        await runner.cleanup()

    assert status == 200
    assert content_type == CONTENT_TYPE
    families, samples = parse_exposition(body)
    assert list(families) == METRIC_NAMES
    assert all(help_text for help_text, _ in families.values())
    assert families["lpse_tickets_total"][1] == "gauge"
    assert families["lpse_updates_processed_total"][1] == "counter"

    assert value(samples, "lpse_updates_processed_total") == 2
    assert value(samples, "lpse_tickets_total", status="baru", sop="SOP-02") == 1
    assert value(samples, "lpse_tickets_total", status="baru", sop="SOP-03") == 1
    # Every status of a SOP in use has a series, also at 0.
    assert value(samples, "lpse_tickets_total", status="selesai", sop="SOP-02") == 0
    ticket_series = [labels for name, labels in samples if name == "lpse_tickets_total"]
    assert len(ticket_series) == 2 * 5
    # Telegram: the acknowledgement open_ticket queued for the requester, plus one row of ours
    # (the other was marked failed); e-mail: ours (outbound mail is not configured).
    assert value(samples, "lpse_outbox_depth", channel="telegram") == 2
    assert value(samples, "lpse_outbox_depth", channel="email") == 1
    assert value(samples, "lpse_outbox_failed_total") == 1
    assert value(samples, "lpse_sla_breaches_total") == 1
    # 24/7 office hours: each open ticket has its 80 % reminder and its breach notice ahead.
    assert value(samples, "lpse_sla_reminders_pending") == 4
    assert value(samples, "lpse_faq_questions_total") == 3
    assert value(samples, "lpse_faq_answered_total") == 2
    assert value(samples, "lpse_faq_hit_ratio") == pytest.approx(2 / 3)
    assert value(samples, "lpse_inbound_mail_total", status="pending") == 1
    assert value(samples, "lpse_inbound_mail_total", status="processed") == 1
    assert value(samples, "lpse_inbound_mail_total", status="failed") == 0

    # A second instance on the same database reports exactly the same figures.
    other = await build_runtime(runtime.settings, migrate=False)
    try:
        async with other.session_factory() as session:
            assert render_prometheus(await collect_metrics(session)) == body
    finally:
        await other.close()


async def test_metrics_of_an_empty_database(runtime: Runtime) -> None:
    async with runtime.session_factory() as session:
        families, samples = parse_exposition(render_prometheus(await collect_metrics(session)))
    assert list(families) == METRIC_NAMES
    assert not [series for series in samples if series[0] == "lpse_tickets_total"]
    assert value(samples, "lpse_outbox_depth", channel="telegram") == 0
    assert value(samples, "lpse_faq_questions_total") == 0
    assert math.isnan(value(samples, "lpse_faq_hit_ratio"))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_broken_database_gives_503_without_the_password(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql":
        url = f"postgresql+asyncpg://lpse:S3cret-pw@127.0.0.1:{closed_port()}/helpdesk"
    else:
        (tmp_path / "is-a-directory.db").mkdir()
        url = f"sqlite+aiosqlite:///{tmp_path / 'is-a-directory.db'}"
    runtime = await build_runtime(settings_for(tmp_path, url), migrate=False)
    runner = await start_health_server(runtime, "127.0.0.1", 0)
    try:
        port = bound_port(runner)
        health = await fetch(port, "/healthz")
        metrics = await fetch(port, "/metrics")
    finally:
        await runner.cleanup()
        await runtime.close()
    assert health[0] == 503 and health[2].startswith("unhealthy: database unavailable (")
    assert metrics[0] == 503 and metrics[2].startswith("metrics unavailable: database")
    assert "S3cret-pw" not in health[2] + metrics[2]


async def test_database_that_does_not_answer_gives_503_in_time(tmp_path: Path) -> None:
    """A server that accepts connections and then says nothing: the probe must not hang."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and closes
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    url = f"postgresql+asyncpg://lpse:pw@127.0.0.1:{port}/helpdesk"
    runtime = await build_runtime(settings_for(tmp_path, url), migrate=False)
    runner = await start_health_server(runtime, "127.0.0.1", 0, health_timeout=0.3)
    try:
        started = asyncio.get_running_loop().time()
        status, _, body = await fetch(bound_port(runner), "/healthz")
        elapsed = asyncio.get_running_loop().time() - started
    finally:
        await runner.cleanup()
        await runtime.close()
        server.close()
    assert (status, body) == (503, "unhealthy: database did not answer within 0.3 s\n")
    assert elapsed < 2


def test_render_escapes_help_and_label_values() -> None:
    metric = Metric(
        "demo_total",
        'Back\\slash and\nnewline "quotes" stay in HELP',
        "counter",
        (
            Sample.of(3, {"path": 'C:\\dir "x"\nnext', "sop": "SOP-01"}),
            Sample.of(0.25),
        ),
    )
    body = render_prometheus([metric, Metric("empty", "No samples yet.", "gauge")])
    assert body == (
        '# HELP demo_total Back\\\\slash and\\nnewline "quotes" stay in HELP\n'
        "# TYPE demo_total counter\n"
        'demo_total{path="C:\\\\dir \\"x\\"\\nnext",sop="SOP-01"} 3\n'
        "demo_total 0.25\n"
        "# HELP empty No samples yet.\n"
        "# TYPE empty gauge\n"
    )
    families, samples = parse_exposition(body)
    assert families["demo_total"][0] == 'Back\\slash and\nnewline "quotes" stay in HELP'
    assert value(samples, "demo_total", path='C:\\dir "x"\nnext', sop="SOP-01") == 3


def test_render_special_values_and_rejects_bad_names() -> None:
    body = render_prometheus(
        [
            Metric(
                "v",
                "h",
                "gauge",
                (
                    Sample.of(math.nan, {"k": "nan"}),
                    Sample.of(math.inf, {"k": "inf"}),
                    Sample.of(-math.inf, {"k": "-inf"}),
                    Sample.of(2.0**60, {"k": "big"}),
                ),
            )
        ]
    )
    assert 'v{k="nan"} NaN\n' in body and 'v{k="inf"} +Inf\n' in body
    assert 'v{k="-inf"} -Inf\n' in body and 'v{k="big"} 1.152921504606847e+18\n' in body
    assert render_prometheus([]) == ""
    with pytest.raises(ValueError, match="metric name"):
        Metric("lpse-tickets", "h", "gauge")
    with pytest.raises(ValueError, match="label name"):
        Metric("ok", "h", "gauge", (Sample.of(1, {"__reserved": "x"}),))
    with pytest.raises(ValueError, match="given twice"):
        render_prometheus([Metric("a", "h", "gauge"), Metric("a", "h", "gauge")])
