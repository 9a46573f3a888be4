"""Start-up benchmark: how fast the real ``lpse-helpdesk run`` starts, how much it holds idle,
how fast it stops.

What is measured
    The installed console script (``lpse-helpdesk`` next to ``sys.executable``) runs as a
    real process in a temporary working directory, with every helpdesk setting removed from
    the environment and no ``.env`` (so: SQLite under ``./data/``, shipped SOP catalog and FAQ,
    no roster). Per run:

    * *start*: from just before the spawn until the line ``lpse-helpdesk running`` appears on
      its stderr (interpreter start, imports, settings, migrations, catalog, FAQ index,
      channels, scheduler);
    * *RSS at ready* and *RSS idle*: ``VmRSS`` of ``/proc/<pid>/status`` when that line
      appears and after ``--idle`` seconds (default 10) of doing nothing; *peak* is ``VmHWM``
      at that moment;
    * *stop*: from SIGTERM until the process has exited (it must exit with status 0).

    The first run on an empty database is reported on its own ("cold": it applies the
    migrations and creates the SQLite file); then ``--runs`` runs (default 5) in the same
    directory, whose median is the headline figure.

    The same is then done with Telegram configured (``TELEGRAM_BOT_TOKEN``,
    ``TELEGRAM_API_BASE_URL``, ``TELEGRAM_FILE_BASE_URL``, ``TELEGRAM_STAFF_CHAT_ID``) against
    the local Bot API stand-in (``tests.support.bot_api.BotApiStandIn``, served from this
    process's event loop), so python-telegram-bot is imported, initialised (``getMe``,
    ``deleteWebhook``) and long polling before the bot says it runs; each run must have
    called ``getUpdates``.

How to run (from the repository root)::

    python -m bench.startup            # cold + 5 runs per configuration: about 3 minutes
    python -m bench.startup --quick    # cold + 3 runs per configuration

It prints a table (``bot.tables.render_table``) and writes ``bench/results/startup.json``
(``--output``) with the machine, the load average at start and end and a UTC timestamp.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import machine_info
from bot.settings import Settings
from bot.tables import render_table
from tests.support.bot_api import BotApiStandIn

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "startup.json"
SCRIPT = Path(sys.executable).parent / "lpse-helpdesk"
READY = "lpse-helpdesk running"
STAFF_CHAT = -1001234567890
#: A run that has not said it runs within this time fails.
START_TIMEOUT = 120.0
#: A run that has not exited this long after SIGTERM fails (and is killed).
STOP_TIMEOUT = 60.0
#: Lines of the process's log kept in an error message.
LOG_TAIL = 15


class RunFailed(RuntimeError):
    """The process did not start, died, or did not stop cleanly; the message has its log."""


@dataclass(frozen=True)
class RunResult:
    """One spawn-to-exit of ``lpse-helpdesk run``."""

    kind: str  # "cold" (empty database: migrations) or "warm"
    start_ms: float
    rss_ready_kib: int
    rss_idle_kib: int
    peak_rss_kib: int
    stop_ms: float
    getupdates_calls: int | None  # None when Telegram is not configured


@dataclass(frozen=True)
class Configuration:
    """What the process is started with."""

    key: str
    label: str
    env: dict[str, str]
    stand_in: BotApiStandIn | None


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any helpdesk setting, plus ``extra``."""
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(extra)
    return env


def proc_status(pid: int) -> dict[str, int]:
    """The ``kB`` fields of ``/proc/<pid>/status`` (VmRSS, VmHWM...), in KiB."""
    fields: dict[str, int] = {}
    text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    for line in text.splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = int(parts[0])
    return fields


def tail(lines: Sequence[str]) -> str:
    return "".join(lines[-LOG_TAIL:]).rstrip() or "(no output)"


async def one_run(
    config: Configuration, workdir: Path, *, kind: str, idle_s: float
) -> RunResult:
    """Spawn, wait for the ready line, idle, read the RSS, SIGTERM, wait for the exit."""
    polls_before = len(config.stand_in.calls_of("getUpdates")) if config.stand_in else 0
    lines: list[str] = []
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        "run",
        cwd=workdir,
        env=config.env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    stderr = process.stderr

    async def read_until_ready() -> float:
        while True:
            raw = await stderr.readline()
            if not raw:
                raise RunFailed(f"exited before {READY!r}:\n{tail(lines)}")
            lines.append(raw.decode("utf-8", "replace"))
            if READY in lines[-1]:
                return time.perf_counter()

    async def drain() -> None:
        # Keeps the pipe from filling up while the process idles; the lines serve as evidence.
        while raw := await stderr.readline():
            lines.append(raw.decode("utf-8", "replace"))

    drainer: asyncio.Task[None] | None = None
    try:
        try:
            ready = await asyncio.wait_for(read_until_ready(), START_TIMEOUT)
        except TimeoutError:
            raise RunFailed(f"no {READY!r} within {START_TIMEOUT:.0f} s:\n{tail(lines)}") from None
        rss_ready = proc_status(process.pid)["VmRSS"]
        drainer = asyncio.create_task(drain())
        await asyncio.sleep(idle_s)
        if process.returncode is not None:
            raise RunFailed(f"exited while idle (status {process.returncode}):\n{tail(lines)}")
        status = proc_status(process.pid)
        stopping = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            raise RunFailed(f"still running {STOP_TIMEOUT:.0f} s after SIGTERM") from None
        stopped = time.perf_counter()
        await drainer
        if code != 0:
            raise RunFailed(f"exit status {code} after SIGTERM:\n{tail(lines)}")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        if drainer is not None and not drainer.done():
            drainer.cancel()
    polls: int | None = None
    if config.stand_in is not None:
        polls = len(config.stand_in.calls_of("getUpdates")) - polls_before
        if polls == 0:
            raise RunFailed(f"Telegram configured but never polled:\n{tail(lines)}")
    return RunResult(
        kind=kind,
        start_ms=round((ready - started) * 1000, 1),
        rss_ready_kib=rss_ready,
        rss_idle_kib=status["VmRSS"],
        peak_rss_kib=status["VmHWM"],
        stop_ms=round((stopped - stopping) * 1000, 1),
        getupdates_calls=polls,
    )


def mib(kib: float) -> float:
    return round(kib / 1024, 1)


def summarise(cold: RunResult, warm: Sequence[RunResult]) -> dict[str, float]:
    """The headline figures of one configuration: cold run alone, medians of the others."""
    starts = [run.start_ms for run in warm]
    return {
        "cold_start_ms": cold.start_ms,
        "start_median_ms": round(statistics.median(starts), 1),
        "start_min_ms": min(starts),
        "start_max_ms": max(starts),
        "rss_ready_median_mib": mib(statistics.median(run.rss_ready_kib for run in warm)),
        "idle_rss_median_mib": mib(statistics.median(run.rss_idle_kib for run in warm)),
        "cold_idle_rss_mib": mib(cold.rss_idle_kib),
        "peak_rss_median_mib": mib(statistics.median(run.peak_rss_kib for run in warm)),
        "stop_median_ms": round(statistics.median(run.stop_ms for run in warm), 1),
        "cold_stop_ms": cold.stop_ms,
    }


async def measure(config: Configuration, runs: int, idle_s: float) -> dict[str, Any]:
    """Cold run on an empty database, then ``runs`` runs on the migrated one."""
    with tempfile.TemporaryDirectory(prefix=f"bench-startup-{config.key}-") as tmp:
        workdir = Path(tmp)
        print(f"{config.label}: cold run", file=sys.stderr, flush=True)
        cold = await one_run(config, workdir, kind="cold", idle_s=idle_s)
        if not (workdir / "data" / "helpdesk.db").exists():
            raise RunFailed("the cold run created no data/helpdesk.db")
        warm: list[RunResult] = []
        for number in range(1, runs + 1):
            print(f"{config.label}: run {number}/{runs}", file=sys.stderr, flush=True)
            warm.append(await one_run(config, workdir, kind="warm", idle_s=idle_s))
    return {
        "label": config.label,
        "summary": summarise(cold, warm),
        "cold": asdict(cold),
        "warm": [asdict(run) for run in warm],
    }


async def run_all(runs: int, idle_s: float) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    plain = Configuration("plain", "nothing configured (SQLite)", clean_env(), None)
    results[plain.key] = await measure(plain, runs, idle_s)
    async with BotApiStandIn() as api:
        api.add_group(STAFF_CHAT, "Staf LPSE Ogan Ilir")
        env = clean_env(
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_FILE_BASE_URL=api.file_base_url,
            TELEGRAM_STAFF_CHAT_ID=str(STAFF_CHAT),
        )
        telegram = Configuration("telegram", "Telegram (local Bot API stand-in)", env, api)
        results[telegram.key] = await measure(telegram, runs, idle_s)
    return results


def report_table(configurations: dict[str, dict[str, Any]], idle_s: float) -> str:
    headers = (
        "configuration",
        "run",
        "start ms",
        "RSS at ready MiB",
        f"RSS after {idle_s:g} s idle MiB",
        "peak RSS MiB",
        "stop ms",
    )
    rows: list[tuple[object, ...]] = []
    for result in configurations.values():
        runs = [("cold (migrations)", result["cold"])]
        runs += [(f"run {n}", run) for n, run in enumerate(result["warm"], start=1)]
        for name, run in runs:
            rows.append(
                (
                    result["label"],
                    name,
                    f"{run['start_ms']:.0f}",
                    mib(run["rss_ready_kib"]),
                    mib(run["rss_idle_kib"]),
                    mib(run["peak_rss_kib"]),
                    f"{run['stop_ms']:.0f}",
                )
            )
        summary = result["summary"]
        rows.append(
            (
                result["label"],
                f"median of {len(result['warm'])}",
                f"{summary['start_median_ms']:.0f}",
                summary["rss_ready_median_mib"],
                summary["idle_rss_median_mib"],
                summary["peak_rss_median_mib"],
                f"{summary['stop_median_ms']:.0f}",
            )
        )
    return render_table(headers, rows)


def machine() -> dict[str, object]:
    return machine_info()


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def main(argv: Sequence[str] | None = None) -> None:
    """Measure both configurations, print the table and write the JSON."""
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None,
                        help="runs after the cold one, per configuration (default 5; 3 --quick)")
    parser.add_argument("--idle", type=float, default=10.0,
                        help="seconds idle before the RSS is read (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 runs after the cold one")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    if not SCRIPT.exists():
        sys.exit(f"{SCRIPT} not found: install the project into this interpreter's environment")
    load = {"start": load_average()}
    try:
        configurations = asyncio.run(run_all(runs, args.idle))
    except RunFailed as exc:
        sys.exit(f"start-up benchmark failed: {exc}")
    load["end"] = load_average()
    print(report_table(configurations, args.idle))
    print(
        f"\nload average (1/5/15 min) at start {load['start']}, at end {load['end']} "
        f"on {os.cpu_count()} CPUs"
    )
    report = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": load,
        "plan": {"runs": runs, "idle_s": args.idle, "quick": args.quick, "script": str(SCRIPT)},
        "configurations": configurations,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    output = args.output.resolve()
    print(f"\nwritten {output.relative_to(REPO) if output.is_relative_to(REPO) else output}")


if __name__ == "__main__":
    main()
