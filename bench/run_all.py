"""The whole benchmark suite: runs every benchmark and writes one summary of their figures.

Each benchmark runs as its own process, one after the other, from the repository root:
``python -m bench.<name>`` for ``faq``, ``telegram``, ``email``, ``sla`` and ``startup``, with
``--quick`` passed through to those that accept it (asked with ``--help`` first) and a time
limit each (``--timeout-factor`` scales them). A benchmark over its limit gets SIGINT (so it
can stop its servers), then SIGTERM, then SIGKILL. Their output goes to a log; the end of it is
shown and kept when a benchmark fails.

Each benchmark writes its JSON to ``bench/results/<name>.json``; the suite reads it from there
(a file not rewritten by the run counts as no result). With ``--quick`` the smoke-sized runs
must not replace the full results kept there: benchmarks that take ``--output`` write to a
scratch directory instead, and the file of one that does not (``faq``, which has no quick mode
either) is put back as it was once its figures are read.

Outputs: ``bench/results.json`` (the machine: platform, CPUs and their model, RAM, Python,
load average at start and end; then per benchmark its status, run time, command, headline
figures and whole JSON) and ``bench/results.md`` (the machine and one table of the headline
figures, also printed). A benchmark that is missing (``bench/<name>.py`` absent), fails (exit
status other than 0, or no JSON written) or times out is shown as such, with whatever figures
it still wrote. The suite exits with status 1 only if every benchmark failed.

How to run (from the repository root)::

    python -m bench.run_all            # full sizes: about 30 minutes on a 2-CPU VM
    python -m bench.run_all --quick    # smoke sizes: a few minutes
    python -m bench.run_all --quick --only email startup
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
SUMMARY_JSON = REPO / "bench" / "results.json"
SUMMARY_MD = REPO / "bench" / "results.md"
#: Time limits in seconds (full run, --quick): about 3x what each took on a busy 2-CPU VM.
TIME_LIMITS: dict[str, tuple[float, float]] = {
    "faq": (900.0, 900.0),  # no quick mode
    "telegram": (1800.0, 600.0),
    "email": (1200.0, 300.0),
    "sla": (1800.0, 600.0),
    "startup": (900.0, 600.0),
}
BENCHMARKS = tuple(TIME_LIMITS)
HELP_TIMEOUT = 120.0
#: Seconds granted after SIGINT, then after SIGTERM, before the next signal.
GRACE = (30.0, 10.0)
LOG_TAIL = 25

Headline = list[tuple[str, str]]
JsonDict = dict[str, Any]


@dataclass
class Outcome:
    """What running one benchmark gave."""

    name: str
    status: str  # "ok" | "failed" | "timeout" | "missing"
    detail: str = ""
    seconds: float | None = None
    command: list[str] = field(default_factory=list)
    exit_code: int | None = None
    results: JsonDict | None = None
    log_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def label(self) -> str:
        return f"{self.status} ({self.detail})" if self.detail else self.status


# --------------------------------------------------------------------------------------------
# running one benchmark
# --------------------------------------------------------------------------------------------


def accepted_options(name: str) -> set[str]:
    """The options of ``--quick`` and ``--output`` that ``python -m bench.<name>`` accepts."""
    try:
        shown = subprocess.run(
            [sys.executable, "-m", f"bench.{name}", "--help"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=HELP_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return set()
    # On failure the run itself fails and shows why; nothing is passed that it may not know.
    words = shown.stdout.split() if shown.returncode == 0 else []
    return {option for option in ("--quick", "--output") if option in words}


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGINT, then SIGTERM, then SIGKILL to the benchmark's process group, until it ends."""
    for signum, grace in ((signal.SIGINT, GRACE[0]), (signal.SIGTERM, GRACE[1])):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # What the leader left behind in its group: a moment to end, then SIGKILL.
    for signum, grace in ((signal.SIGTERM, GRACE[1]), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            break
        time.sleep(grace)


def read_tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-LOG_TAIL:])


def load_json(path: Path) -> JsonDict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_benchmark(name: str, *, quick: bool, time_limit: float, scratch: Path) -> Outcome:
    """Run one benchmark to its end or its time limit and read the JSON it wrote."""
    if not (REPO / "bench" / f"{name}.py").exists():
        return Outcome(name, "missing", f"bench/{name}.py does not exist")
    options = accepted_options(name)
    command = [sys.executable, "-m", f"bench.{name}"]
    if quick and "--quick" in options:
        command.append("--quick")
    result_file = RESULTS_DIR / f"{name}.json"
    kept: bytes | None = None  # --quick: the full results to put back afterwards
    if quick and "--output" in options:
        result_file = scratch / f"{name}.json"
        command += ["--output", str(result_file)]
    elif quick and result_file.exists():
        kept = result_file.read_bytes()
    before = result_file.stat().st_mtime_ns if result_file.exists() else None

    log = scratch / f"{name}.log"
    shown = " ".join(["python", *command[1:]])
    print(f"== {name}: {shown} (limit {time_limit:.0f} s)", file=sys.stderr, flush=True)
    started = time.monotonic()
    with log.open("wb") as sink:
        # Its own process group, so that a timeout stops whatever servers it started too.
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code: int | None = process.wait(timeout=time_limit)
        except subprocess.TimeoutExpired:
            stop_group(process)
            code = None
    seconds = round(time.monotonic() - started, 1)

    written = result_file.exists() and result_file.stat().st_mtime_ns != before
    results = load_json(result_file) if written else None
    if kept is not None and written:
        result_file.write_bytes(kept)
    outcome = Outcome(name, "ok", "", seconds, command[1:], code, results, read_tail(log))
    if code is None:
        outcome.status, outcome.detail = "timeout", f"stopped after {time_limit:.0f} s"
    elif code != 0:
        outcome.status, outcome.detail = "failed", f"exit status {code}"
    elif results is None:
        outcome.status, outcome.detail = "failed", f"no JSON written to {result_file.name}"
    print(f"== {name}: {outcome.label()} in {seconds:.0f} s", file=sys.stderr, flush=True)
    if not outcome.ok:
        print(outcome.log_tail, file=sys.stderr, flush=True)
    return outcome


# --------------------------------------------------------------------------------------------
# headline figures, from each benchmark's JSON
# --------------------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def faq_headline(r: JsonDict) -> Headline:
    overall = r["accuracy"]["matcher"]["overall"]
    latency = sorted(r["latency"], key=lambda item: item["entries"])
    sizes = " / ".join(f"{item['entries']:,}" for item in latency)
    p99 = " / ".join(f"{item['p99_us'] / 1000:.2f}" for item in latency)
    return [
        (
            f"matcher top-1 / top-3 / abstention ({r['queries']} queries, "
            f"{r['kb_entries']} entries)",
            f"{percent(overall['top1'])} / {percent(overall['top3'])} / "
            f"{percent(overall['abstention'])}",
        ),
        (f"p99 latency per query at {sizes} entries", f"{p99} ms"),
    ]


def telegram_headline(r: JsonDict) -> Headline:
    ratios = "; ".join(
        f"{ratio['throughput_ratio']:.3f} ({name.removeprefix('helpdesk bot ').strip('()')})"
        for name, ratio in r["bot_over_echo"].items()
    )
    runs = r["runs"]
    bot = next(run["bot"] for run in runs if run["bot"] != "echo bot")
    latency = "; ".join(
        f"{run['mode']} ({run['concurrency']} in flight) {run['p50_ms']:.0f} / "
        f"{run['p99_ms']:.0f} ms"
        for run in runs
        if run["bot"] == bot
    )
    failed = sum(run["failed"] for run in runs)
    rss = r["rss"][bot]
    echo = r["rss"].get("echo bot")
    memory = f"{rss['growth_per_1000_mib']:.2f} MiB over {rss['conversations']:,.0f}"
    if echo:
        memory += f" (echo bot: {echo['growth_per_1000_mib']:.2f} MiB)"
    return [
        ("questions/s vs echo bot (concurrent runs)", ratios),
        (f"latency p50 / p99, {bot}", latency),
        ("RSS growth per 1,000 conversations", memory),
        ("conversations failed", str(failed)),
    ]


def email_headline(r: JsonDict) -> Headline:
    bare = next(run for run in r["results"] if run["server"] == "bare aiosmtpd")
    bot = next(run for run in r["results"] if run["server"] != "bare aiosmtpd")
    target = r.get("acceptance_target")
    met = "" if target is None else (
        f"; target {target}: " + ("met" if r.get("acceptance_target_met") else "NOT met")
    )
    checks = r["zero_loss"]
    broken = [check["name"] for check in checks if not check["ok"]]
    if r["zero_loss_ok"] and not broken:
        loss = f"ok ({len(checks)} checks)"
    else:
        loss = "FAILED" + (": " + "; ".join(broken) if broken else "")
    return [
        (
            f"acceptance vs bare aiosmtpd ({bot['sent']:,} mails)",
            f"{r['ratios_bot_over_bare']['acceptance']:.3f} "
            f"({bot['acceptance_per_second']:.1f} vs {bare['acceptance_per_second']:.1f} "
            f"mails/s{met})",
        ),
        ("zero loss", loss),
    ]


def sla_headline(r: JsonDict) -> Headline:
    tickets = r["plan"]["tickets"]
    empty: list[str] = []
    late: list[str] = []
    for name, backend in r["backends"].items():
        if isinstance(backend, str):  # "skipped: ..."
            empty.append(f"{name} {backend}")
            continue
        empty.append(
            f"{name} {backend['empty']['p50_ms']:.1f} "
            f"(with history {backend['empty_with_history']['p50_ms']:.1f})"
        )
        window = backend["window"]
        late.append(f"{name} {window['claimed_p99_s']:.2f} / {window['delivered_p99_s']:.2f}")
    return [
        (f"empty sweep p50 ms, {tickets:,} open tickets", "; ".join(empty)),
        ("notice lateness p99 s (claimed / delivered by)", "; ".join(late) or "n/a"),
    ]


def startup_headline(r: JsonDict) -> Headline:
    configurations = r["configurations"]
    runs = r["plan"]["runs"]

    def each(figure: Callable[[JsonDict], str]) -> str:
        return "; ".join(
            f"{key} {figure(config['summary'])}" for key, config in configurations.items()
        )

    return [
        (
            f"start to ready, median of {runs} (cold, with migrations)",
            each(lambda s: f"{s['start_median_ms'] / 1000:.2f} s "
                           f"({s['cold_start_ms'] / 1000:.2f} s)"),
        ),
        (
            f"RSS after {r['plan']['idle_s']:g} s idle, median",
            each(lambda s: f"{s['idle_rss_median_mib']:.1f} MiB"),
        ),
        ("SIGTERM to exit, median", each(lambda s: f"{s['stop_median_ms']:.0f} ms")),
    ]


HEADLINES: dict[str, Callable[[JsonDict], Headline]] = {
    "faq": faq_headline,
    "telegram": telegram_headline,
    "email": email_headline,
    "sla": sla_headline,
    "startup": startup_headline,
}


def headline(outcome: Outcome) -> Headline:
    if outcome.results is None:
        # Without figures, the last line of its output usually says what went wrong.
        last = next((line for line in reversed(outcome.log_tail.splitlines()) if line.strip()), "")
        return [("last output line", last.strip()[:200])] if last else []
    try:
        return HEADLINES[outcome.name](outcome.results)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError, StopIteration) as exc:
        return [("figures", f"n/a: unexpected JSON ({type(exc).__name__}: {exc})")]


# --------------------------------------------------------------------------------------------
# machine and report
# --------------------------------------------------------------------------------------------


def proc_field(path: str, name: str) -> str | None:
    """The value of the first ``name: value`` line of a /proc file."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def machine() -> JsonDict:
    memory = proc_field("/proc/meminfo", "MemTotal")  # "8131548 kB"
    ram_gib = round(int(memory.split()[0]) / 1024**2, 1) if memory else None
    return {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": proc_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "ram_gib": ram_gib,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
    }


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(report: JsonDict, outcomes: Sequence[Outcome]) -> str:
    box = report["machine"]
    load = report["load_average"]
    command = "python -m bench.run_all --quick" if report["quick"] else "python -m bench.run_all"
    mode = "smoke sizes" if report["quick"] else "full sizes"
    lines = [
        "# Benchmark results",
        "",
        f"`{command}` ({mode}), started {report['timestamp']}.",
        "",
        f"Machine: {box['platform']}; {box['cpu_count']} CPUs ({box['cpu_model']}); "
        f"{box['ram_gib']} GiB RAM; {box['implementation']} {box['python']}. "
        f"Load average (1/5/15 min) at start {load['start']}, at end {load['end']}.",
        "",
        "| benchmark | status | run time | figure | value |",
        "|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        figures = headline(outcome) or [("", "")]
        seconds = "" if outcome.seconds is None else f"{outcome.seconds:.0f} s"
        for number, (figure, value) in enumerate(figures):
            first = (outcome.name, outcome.label(), seconds) if number == 0 else ("", "", "")
            lines.append("| " + " | ".join(cell(part) for part in (*first, figure, value)) + " |")
    lines += [
        "",
        "Each benchmark's module docstring says what is measured and how; every figure of "
        "every run is in `bench/results.json`.",
    ]
    if report["quick"]:
        lines.append(
            "Smoke sizes: use a full run (`python -m bench.run_all`) for figures to quote; "
            "`faq` has no quick mode and always runs in full."
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the chosen benchmarks, write and print the summary."""
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke sizes (--quick to each benchmark that has it)")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, metavar="NAME",
                        help=f"run only these ({', '.join(BENCHMARKS)})")
    parser.add_argument("--timeout-factor", type=float, default=1.0,
                        help="multiply every time limit by this (default 1)")
    args = parser.parse_args(argv)
    chosen = [name for name in BENCHMARKS if not args.only or name in args.only]

    started = datetime.now(UTC)
    load = {"start": load_average()}
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="bench-run-all-") as scratch:
        for name in chosen:
            limit = TIME_LIMITS[name][1 if args.quick else 0] * args.timeout_factor
            outcomes.append(
                run_benchmark(name, quick=args.quick, time_limit=limit, scratch=Path(scratch))
            )
    load["end"] = load_average()

    report: JsonDict = {
        "timestamp": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "load_average": load,
        "benchmarks": {
            outcome.name: {
                "status": outcome.status,
                "detail": outcome.detail,
                "seconds": outcome.seconds,
                "command": ["python", *outcome.command] if outcome.command else [],
                "exit_code": outcome.exit_code,
                "headline": [
                    {"figure": figure, "value": value} for figure, value in headline(outcome)
                ],
                "log_tail": None if outcome.ok else outcome.log_tail,
                "results": outcome.results,
            }
            for outcome in outcomes
        },
    }
    SUMMARY_JSON.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    summary = markdown(report, outcomes)
    SUMMARY_MD.write_text(summary, encoding="utf-8")
    print(summary)
    print(f"written {SUMMARY_JSON.relative_to(REPO)}, {SUMMARY_MD.relative_to(REPO)}")
    if not any(outcome.ok for outcome in outcomes):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
