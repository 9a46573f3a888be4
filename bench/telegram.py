"""Telegram throughput benchmark: the whole bot against a bare python-telegram-bot echo bot.

What is measured
    Inbound questions per second through the *whole* bot (``bot.app.run``: update in by
    ``getUpdates`` long polling and stored in the SQLite inbox, claimed and handled, dialogue
    state and open tickets read, FAQ match, interaction and outbox rows written, update marked
    done, the outbox worker sends the answer by ``sendMessage`` and marks it sent), and the
    same for a bare PTB ``Application`` with one ``MessageHandler`` that
    answers ``update.message.reply_text(update.message.text)`` (default settings, polling).
    Both talk to their own fresh ``tests.support.bot_api.BotApiStandIn`` (the strict local Bot
    API used by the e2e tests), in-process, in one asyncio loop, each with its own temporary
    directory (SQLite file, attachments, roster).

Method
    A *conversation* is a distinct simulated user who sends one private text and gets one
    answer. About 80 % of the texts are questions and variants from ``faq/data/kb.yaml`` that
    the FAQ matcher answers (checked with the matcher before the run); about 20 % are
    off-topic questions on which it abstains, so the bot answers with suggestions and a
    "contact staff" button: both paths are exercised. Latency runs from pushing the update into
    the stand-in's queue to the moment the stand-in handles the ``sendMessage`` that answers it
    (hooked in a subclass of the stand-in; the answer's text is checked). Each bot gets:

    1. a warm-up (not measured);
    2. a sequential run: one conversation at a time (latency without queueing);
    3. a concurrent run: ``--concurrency`` conversations kept in flight (throughput, latency
       under load).

    The helpdesk bot is measured twice: as shipped (PTB's ``AIORateLimiter`` at
    ``OVERALL_MESSAGES_PER_SECOND`` = 30 sends/s, Telegram's documented overall limit, which
    therefore caps its throughput) and, unless ``--no-unlimited``, with that overall limit
    lifted (``handlers.telegram.application.OVERALL_MESSAGES_PER_SECOND = 0`` set by this script
    before the bot is built, nothing else changed): that figure is the software's own cost and
    is the one to compare with the echo bot, which has no rate limiter.

    That comparison runs both bots at once, each on its own stand-in, and cuts their
    concurrent runs into six turns each, taken alternately (bot, echo, echo, bot, ...): the
    speed of a shared VM drifts by tens of per cent within minutes, and bots measured one
    after the other could meet different machines. (An idle bot costs next to nothing while
    the other runs: a long poll waiting, and for the helpdesk bot one look at its tables a
    second.)

    Besides questions/s, each run reports the process CPU time per conversation (user + system,
    all threads, from ``resource.getrusage``; the stand-in's share included for both bots). The
    bot/echo ratio is given from throughput (the figure asked for) and from CPU time per
    conversation (the load average at start and end is printed and stored). The CPU
    time is also given split into user and system time, with the process's context switches
    per conversation (thread hand-offs show up there).

    Memory: the process RSS (``VmRSS`` of ``/proc/self/status``, after ``gc.collect()``) is
    read before the as-shipped bot's concurrent run, after every 1,000 conversations and after
    it. The stand-in keeps every call, record and message of every chat; so that RSS shows the
    bot and not the test double, the subclass here forgets a conversation's chat, user,
    messages and records once it is answered (the stand-in's protocol checks are unchanged).
    The echo bot's RSS over as many conversations, in a run of its own, is reported as a
    control (PTB + stand-in + harness growth).

How long it takes: the as-shipped bot cannot go faster than 30 answers/s, so its 10,000
conversations alone take 5.6 minutes; the whole default run takes about 7 minutes on a
2-CPU VM, ``--quick`` about 1 minute.

How to run (from the repository root)::

    .venv/bin/python bench/telegram.py                 # 10,000 conversations, 50 in flight
    .venv/bin/python bench/telegram.py --quick         # smoke run, 500 conversations
    .venv/bin/python bench/telegram.py --conversations 2000 --concurrency 20 --sequential 200

It prints a table (``bot.tables.render_table``) and writes ``bench/results/telegram.json``
with the machine (platform, CPU count, Python) and a UTC timestamp.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# `python bench/telegram.py` puts bench/ first on the path, where this file would shadow the
# `telegram` package (python-telegram-bot); the repository root is what the imports need.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import telegram  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bench.machine import machine_info  # noqa: E402
from bot import app, texts  # noqa: E402
from bot.core.privacy import contains_credential  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.tables import render_table  # noqa: E402
from faq.kb import DEFAULT_KB_PATH, load_kb  # noqa: E402
from faq.matcher import FaqMatcher  # noqa: E402
from handlers.telegram import application as telegram_application  # noqa: E402
from tests.support.bot_api import BotApiStandIn, JsonDict  # noqa: E402

RESULTS = REPO / "bench" / "results" / "telegram.json"
STAFF_CHAT = -1001234567890
ROSTER = """
staff:
  - {telegram_id: 111, name: Rina, roles: [helpdesk]}
  - {telegram_id: 222, name: Andi, roles: [sekretaris, kepala]}
"""
SEED = 20240611
UNANSWERED_SHARE = 0.2
#: A conversation not answered within this time counts as failed.
ANSWER_TIMEOUT = 60.0
#: RSS is sampled every this many conversations of the bot's concurrent run.
RSS_EVERY = 1000
SHIPPED = "helpdesk bot (shipped, 30 sends/s)"
#: The bot without the overall send limit: the one compared with the echo bot.
UNLIMITED = "helpdesk bot (no overall limit)"
#: The bot's and the echo bot's concurrent runs are cut into this many turns each, taken
#: alternately (see ``compare``).
SLICES = 6
#: Off-topic questions (the FAQ must abstain on them; checked with the matcher at start-up).
OFF_TOPIC = (
    "Jam berapa kantin di seberang kantor bupati buka hari Minggu?",
    "Siapa juara liga sepak bola Indonesia musim lalu?",
    "Resep pempek kapal selam yang enak bagaimana ya?",
    "Apakah besok hujan di Indralaya sore hari?",
    "Berapa harga cabai merah di pasar Tanjung Raja minggu ini?",
    "Kapan jadwal kapal feri dari Palembang ke Bangka?",
    "Rekomendasi film bioskop yang bagus akhir pekan ini apa?",
    "Bagaimana cara merawat tanaman anggrek supaya berbunga?",
    "zzz qqq xyz tidak ada di faq",
    "pertanyaan aneh qwerty asdf",
    "what is the capital city of australia",
    "Nomor sepatu ukuran 42 itu setara ukuran berapa di Eropa?",
    "Apa nama sungai terpanjang di pulau Sumatera?",
    "Kucing saya tidak mau makan sejak kemarin, kenapa ya?",
    "Berapa lama merebus telur setengah matang?",
    "Lagu daerah Sumatera Selatan yang terkenal apa saja?",
)

log = logging.getLogger("bench.telegram")


# --------------------------------------------------------------------------------------------
# the stand-in, hooked
# --------------------------------------------------------------------------------------------


class BenchStandIn(BotApiStandIn):
    """The strict stand-in, plus: a future per chat resolved when the bot's answer arrives,
    and forgetting finished conversations so the test double does not grow with the run."""

    def __init__(self) -> None:
        super().__init__()
        self._expected: dict[int, asyncio.Future[tuple[float, str]]] = {}
        self.unexpected: list[tuple[int, str]] = []

    def expect(self, chat_id: int) -> asyncio.Future[tuple[float, str]]:
        """A future for the next message the bot sends to ``chat_id``: (perf_counter, text)."""
        future: asyncio.Future[tuple[float, str]] = asyncio.get_running_loop().create_future()
        self._expected[chat_id] = future
        return future

    def _record(self, method: str, message: JsonDict, **kwargs: Any) -> JsonDict:
        record = super()._record(method, message, **kwargs)
        now = time.perf_counter()
        self.sent.pop()  # nothing reads `sent` here; keeping it would count in the RSS
        future = self._expected.pop(record["chat_id"], None)
        if future is None:
            self.unexpected.append((record["chat_id"], str(record["text"])[:80]))
        elif not future.done():
            future.set_result((now, str(record["text"])))
        if len(self.calls) > 1000:
            del self.calls[:-100]
        return record

    def forget(self, user_id: int) -> None:
        """Drop a finished conversation: its chat, user and messages."""
        chat = self._chats.pop(user_id, None)
        self._users.pop(user_id, None)
        if chat is not None:
            for message_id in range(1, chat.last_message_id + 1):
                self._messages.pop((user_id, message_id), None)


# --------------------------------------------------------------------------------------------
# workloads
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    text: str
    answered: bool  # the FAQ answers it (else: suggestions)


def question_pools() -> tuple[list[str], list[str]]:
    """KB questions/variants the matcher answers with their own entry; off-topic texts on which
    it abstains. Texts the bot would hold back as credentials are left out."""
    entries = load_kb(DEFAULT_KB_PATH)
    matcher = FaqMatcher(entries)
    answered: list[str] = []
    for entry in entries:
        for text in (entry.question, *entry.variants):
            result = matcher.match(text)
            if (
                result.answer is not None
                and result.answer.id == entry.id
                and not contains_credential(text)
            ):
                answered.append(text)
    unanswered = [text for text in OFF_TOPIC if matcher.match(text).answer is None]
    if not answered or not unanswered:
        raise SystemExit("bench: no usable questions (FAQ KB or matcher changed?)")
    return answered, unanswered


class Workload:
    """Deterministic stream of (distinct user id, question)."""

    def __init__(self, answered: list[str], unanswered: list[str], first_user: int) -> None:
        self._answered = answered
        self._unanswered = unanswered
        self._random = random.Random(SEED)
        self._next_user = first_user

    def next(self) -> tuple[int, Question]:
        user_id = self._next_user
        self._next_user += 1
        if self._random.random() < UNANSWERED_SHARE:
            return user_id, Question(self._random.choice(self._unanswered), answered=False)
        return user_id, Question(self._random.choice(self._answered), answered=True)


Checker = Callable[[Question, str], str]


def check_bot_reply(question: Question, text: str) -> str:
    """The kind of the bot's reply: 'answer', 'suggestions' or 'other'."""
    if texts.FAQ_ANSWER.format(answer="").strip() in text:
        return "answer"
    if text.strip() in (texts.FAQ_SUGGESTIONS.strip(), texts.FAQ_NO_SUGGESTION.strip()):
        return "suggestions"
    return "other"


def check_echo_reply(question: Question, text: str) -> str:
    return "echo" if text == question.text else "other"


# --------------------------------------------------------------------------------------------
# runs
# --------------------------------------------------------------------------------------------


def rss_kib() -> int:
    """Resident set size of this process now, in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_and_switches() -> tuple[float, float, int]:
    """User CPU s, system CPU s, context switches (voluntary + involuntary) of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime, usage.ru_nvcsw + usage.ru_nivcsw


@dataclass
class RunResult:
    """One measured run of one bot."""

    bot: str
    mode: str  # "sequential" | "concurrent"
    conversations: int
    concurrency: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    cpu_ms_per_conversation: float
    failed: int
    replies: dict[str, int]
    #: The CPU time split (user / system) and context switches per conversation: thread
    #: hand-offs (e.g. aiosqlite's worker threads) show there, the echo bot has next to none.
    user_ms_per_conversation: float = 0.0
    system_ms_per_conversation: float = 0.0
    switches_per_conversation: float = 0.0
    rss_samples_kib: list[tuple[int, int]] = field(default_factory=list)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 100])."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Tally:
    """What one or more drives of one bot measured, summed (an interleaved run is several)."""

    latencies: list[float] = field(default_factory=list)
    replies: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    conversations: int = 0
    seconds: float = 0.0
    user: float = 0.0
    system: float = 0.0
    switches: int = 0
    rss_samples_kib: list[tuple[int, int]] = field(default_factory=list)

    def result(self, name: str, mode: str, concurrency: int) -> RunResult:
        per = max(self.conversations, 1)
        elapsed = max(self.seconds, 1e-9)
        ms = [value * 1000 for value in self.latencies]
        return RunResult(
            bot=name,
            mode=mode,
            conversations=self.conversations,
            concurrency=concurrency,
            seconds=round(self.seconds, 3),
            per_second=round(len(self.latencies) / elapsed, 1),
            p50_ms=round(percentile(ms, 50), 2),
            p99_ms=round(percentile(ms, 99), 2),
            mean_ms=round(statistics.fmean(ms), 2) if ms else float("nan"),
            max_ms=round(max(ms), 2) if ms else float("nan"),
            cpu_ms_per_conversation=round((self.user + self.system) * 1000 / per, 3),
            failed=self.failed,
            user_ms_per_conversation=round(self.user * 1000 / per, 3),
            system_ms_per_conversation=round(self.system * 1000 / per, 3),
            switches_per_conversation=round(self.switches / per, 1),
            replies=dict(sorted(self.replies.items())),
            rss_samples_kib=self.rss_samples_kib,
        )


async def drive(
    bot: RunningBot,
    tally: Tally,
    *,
    conversations: int,
    concurrency: int,
    rss_every: int = 0,
) -> None:
    """``conversations`` distinct users, ``concurrency`` of them in flight at any time;
    what they measured is added to ``tally``."""
    api, workload, check = bot.api, bot.workload, bot.check
    started = 0
    finished = 0
    if rss_every:
        gc.collect()
        tally.rss_samples_kib.append((0, rss_kib()))

    async def one() -> None:
        nonlocal finished
        user_id, question = workload.next()
        user = api.user(user_id, f"Penyedia {user_id}", f"penyedia{user_id}")
        answer = api.expect(user_id)
        pushed = time.perf_counter()
        api.send_text(user, user_id, question.text)
        try:
            received, text = await asyncio.wait_for(answer, ANSWER_TIMEOUT)
        except TimeoutError:
            tally.failed += 1
        else:
            tally.latencies.append(received - pushed)
            kind = check(question, text)
            if question.answered and kind == "suggestions":
                kind = "suggestions (expected answer)"
            tally.replies[kind] = tally.replies.get(kind, 0) + 1
        api.forget(user_id)
        finished += 1
        if rss_every and finished % rss_every == 0:
            tally.rss_samples_kib.append((finished, rss_kib()))

    async def lane() -> None:
        nonlocal started
        while started < conversations:
            started += 1
            await one()

    user_before, system_before, switches_before = cpu_and_switches()
    begin = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(max(1, min(concurrency, conversations)))))
    tally.seconds += time.perf_counter() - begin
    user_after, system_after, switches_after = cpu_and_switches()
    tally.user += user_after - user_before
    tally.system += system_after - system_before
    tally.switches += switches_after - switches_before
    tally.conversations += conversations
    if rss_every:
        gc.collect()
        samples = tally.rss_samples_kib
        if samples[-1][0] != finished:
            samples.append((finished, rss_kib()))
        else:  # re-read after the collection
            samples[-1] = (finished, rss_kib())


async def run(
    bot: RunningBot, *, mode: str, conversations: int, concurrency: int, rss_every: int = 0
) -> RunResult:
    """One drive of one bot, as a result."""
    tally = Tally()
    await drive(
        bot, tally, conversations=conversations, concurrency=concurrency, rss_every=rss_every
    )
    return tally.result(bot.name, mode, concurrency)


@dataclass(frozen=True)
class Plan:
    """Sizes of the runs (conversations)."""

    warmup: int
    sequential: int
    conversations: int
    concurrency: int
    unlimited_conversations: int  # concurrent run of the bot without the overall send limit


@dataclass(frozen=True)
class RunningBot:
    """A started bot, its own stand-in and the users who talk to it."""

    name: str
    api: BenchStandIn
    workload: Workload
    check: Checker


async def measure(bot: RunningBot, plan: Plan, *, rss: bool) -> list[RunResult]:
    """Warm-up, sequential run, concurrent run of one bot."""
    await run(bot, mode="warmup", conversations=plan.warmup, concurrency=plan.concurrency)
    sequential = await run(bot, mode="sequential", conversations=plan.sequential, concurrency=1)
    concurrent = await run(
        bot,
        mode="concurrent",
        conversations=plan.conversations,
        concurrency=plan.concurrency,
        rss_every=RSS_EVERY if rss else 0,
    )
    return [sequential, concurrent]


async def compare(
    bot: RunningBot, echo_bot: RunningBot, plan: Plan, conversations: int
) -> list[RunResult]:
    """Both bots' warm-up and sequential runs, then their concurrent runs interleaved:
    :data:`SLICES` turns each, in alternating order, so that both meet the same machine
    (a shared VM's speed drifts by tens of per cent within minutes)."""
    results: list[RunResult] = []
    for contender in (bot, echo_bot):
        await run(contender, mode="warmup", conversations=plan.warmup, concurrency=plan.concurrency)
        results.append(
            await run(contender, mode="sequential", conversations=plan.sequential, concurrency=1)
        )
    tallies = {bot.name: Tally(), echo_bot.name: Tally()}
    size = -(-conversations // SLICES)
    done = 0
    turn = 0
    while done < conversations:
        part = min(size, conversations - done)
        order = (bot, echo_bot) if turn % 2 == 0 else (echo_bot, bot)
        for contender in order:
            await drive(
                contender,
                tallies[contender.name],
                conversations=part,
                concurrency=plan.concurrency,
            )
        done += part
        turn += 1
    results += [
        tallies[contender.name].result(contender.name, "concurrent", plan.concurrency)
        for contender in (bot, echo_bot)
    ]
    return results


async def wait_polling(api: BotApiStandIn, task: asyncio.Task[None] | None = None) -> None:
    """Until the bot has asked for updates once."""
    for _ in range(400):
        if api.calls_of("getUpdates"):
            return
        if task is not None and task.done():
            task.result()
        await asyncio.sleep(0.025)
    raise RuntimeError("bot did not start polling")


@contextlib.asynccontextmanager
async def stand_in() -> AsyncIterator[tuple[BenchStandIn, Path]]:
    """A fresh stand-in and temporary directory."""
    api = BenchStandIn()
    await api.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp:
            yield api, Path(tmp)
    finally:
        await api.stop()


@contextlib.asynccontextmanager
async def helpdesk_bot(
    pools: tuple[list[str], list[str]], *, name: str, unlimited: bool, first_user: int
) -> AsyncIterator[RunningBot]:
    """The whole bot (``bot.app.run``) with a fresh stand-in, SQLite file and attachments."""
    async with stand_in() as (api, tmp):
        api.add_group(STAFF_CHAT, "Staf LPSE Ogan Ilir")
        staff_file = tmp / "staff.yaml"
        staff_file.write_text(ROSTER, encoding="utf-8")
        settings = Settings(
            telegram_bot_token=api.token,
            telegram_api_base_url=api.base_url,
            telegram_file_base_url=api.file_base_url,
            telegram_staff_chat_id=STAFF_CHAT,
            staff_file=staff_file,
            database_url=f"sqlite+aiosqlite:///{tmp / 'helpdesk.db'}",
            smtp_listen_port=0,
            attachments_dir=tmp / "attachments",
            office_hours="24/7",
            _env_file=None,
        )
        shipped_rate = telegram_application.OVERALL_MESSAGES_PER_SECOND
        if unlimited:
            telegram_application.OVERALL_MESSAGES_PER_SECOND = 0  # AIORateLimiter: no limit
        stop = asyncio.Event()
        task = asyncio.create_task(app.run(settings, stop))
        try:
            await wait_polling(api, task)
        finally:
            telegram_application.OVERALL_MESSAGES_PER_SECOND = shipped_rate
        try:
            yield RunningBot(name, api, Workload(*pools, first_user=first_user), check_bot_reply)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):  # app.run took them over
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signum)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The whole echo bot."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


@contextlib.asynccontextmanager
async def echo_bot(
    pools: tuple[list[str], list[str]], first_user: int
) -> AsyncIterator[RunningBot]:
    """A bare PTB Application, default settings, polling, on a fresh stand-in."""
    async with stand_in() as (api, _):
        application = (
            Application.builder()
            .token(api.token)
            .base_url(api.base_url)
            .base_file_url(api.file_base_url)
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling()
        try:
            await wait_polling(api)
            yield RunningBot(
                "echo bot", api, Workload(*pools, first_user=first_user), check_echo_reply
            )
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def rss_growth(samples: list[tuple[int, int]]) -> dict[str, float | None]:
    """Before/after RSS and growth per 1,000 conversations: end to end, and the least-squares
    slope over the samples taken every 1,000 conversations (None with fewer than 3 samples)."""
    if len(samples) < 2:
        return {}
    (first_n, first_kib), (last_n, last_kib) = samples[0], samples[-1]
    span = max(last_n - first_n, 1)
    slope: float | None = None
    if len(samples) > 2:
        fit = statistics.linear_regression(
            [float(n) for n, _ in samples], [float(kib) for _, kib in samples]
        )
        slope = round(fit.slope / 1024 * 1000, 2)
    return {
        "conversations": float(last_n - first_n),
        "rss_before_mib": round(first_kib / 1024, 1),
        "rss_after_mib": round(last_kib / 1024, 1),
        "growth_per_1000_mib": round((last_kib - first_kib) / 1024 / span * 1000, 2),
        "slope_per_1000_mib": slope,
    }


@dataclass(frozen=True)
class Ratio:
    """Bot/echo: measured throughput, and the same from CPU time per conversation."""

    throughput: float
    cpu: float  # echo CPU ms/conv over bot CPU ms/conv: less sensitive to a busy machine


def report_tables(
    results: list[RunResult],
    ratios: dict[str, Ratio],
    memory: dict[str, dict[str, float | None]],
    load: dict[str, list[float]],
) -> str:
    headers = (
        "bot",
        "run",
        "convs",
        "in flight",
        "seconds",
        "questions/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "CPU ms/conv",
        "user/sys ms",
        "switches/conv",
        "failed",
        "replies",
    )
    rows = [
        (
            r.bot,
            r.mode,
            r.conversations,
            r.concurrency,
            f"{r.seconds:.1f}",
            f"{r.per_second:.1f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.max_ms:.1f}",
            f"{r.cpu_ms_per_conversation:.2f}",
            f"{r.user_ms_per_conversation:.2f}/{r.system_ms_per_conversation:.2f}",
            f"{r.switches_per_conversation:.1f}",
            r.failed,
            ", ".join(f"{k} {v}" for k, v in r.replies.items()),
        )
        for r in results
    ]
    parts = [render_table(headers, rows), ""]
    parts.append(
        render_table(
            ("bot/echo (concurrent runs)", "throughput ratio", "CPU-time ratio", "target"),
            [
                (
                    name,
                    f"{ratio.throughput:.3f}",
                    f"{ratio.cpu:.3f}",
                    (">= 0.5 " + ("met" if ratio.throughput >= 0.5 else "NOT met"))
                    if name == UNLIMITED
                    else "n/a (capped at 30/s)",
                )
                for name, ratio in ratios.items()
            ],
        )
    )
    parts.append("")

    def mib(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    parts.append(
        render_table(
            (
                "RSS over the concurrent run",
                "convs",
                "before MiB",
                "after MiB",
                "MiB/1000 (end to end)",
                "MiB/1000 (slope)",
            ),
            [
                (
                    name,
                    int(m["conversations"] or 0),
                    m["rss_before_mib"],
                    m["rss_after_mib"],
                    mib(m["growth_per_1000_mib"]),
                    mib(m["slope_per_1000_mib"]),
                )
                for name, m in memory.items()
            ],
        )
    )
    parts.append("")
    parts.append(
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB; "
        f"load average (1/5/15 min) at start {load['start']}, at end {load['end']} "
        f"on {os.cpu_count()} CPUs"
    )
    return "\n".join(parts)


def machine() -> dict[str, object]:
    return machine_info(python_telegram_bot=telegram.__version__)


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


async def run_all(plan: Plan, *, unlimited: bool) -> dict[str, Any]:
    load = {"start": load_average()}
    pools = question_pools()
    results: list[RunResult] = []
    async with helpdesk_bot(pools, name=SHIPPED, unlimited=False, first_user=10_000_000) as bot:
        results += await measure(bot, plan, rss=True)
    if unlimited:
        async with (
            helpdesk_bot(
                pools,
                name=UNLIMITED,
                unlimited=True,
                first_user=20_000_000,
            ) as bot,
            echo_bot(pools, first_user=30_000_000) as control,
        ):
            results += await compare(bot, control, plan, plan.unlimited_conversations)
    # The echo bot's memory over as many conversations as the shipped bot's (a control:
    # PTB, stand-in and harness growth), and its figures when the comparison was skipped.
    async with echo_bot(pools, first_user=40_000_000) as control:
        await run(control, mode="warmup", conversations=plan.warmup, concurrency=plan.concurrency)
        results.append(
            await run(
                control,
                mode="concurrent" if not unlimited else "memory",
                conversations=plan.conversations,
                concurrency=plan.concurrency,
                rss_every=RSS_EVERY,
            )
        )
    load["end"] = load_average()
    concurrent = {r.bot: r for r in results if r.mode == "concurrent"}
    echo_run = concurrent["echo bot"]
    ratios = {
        name: Ratio(
            r.per_second / echo_run.per_second,
            echo_run.cpu_ms_per_conversation / r.cpu_ms_per_conversation,
        )
        for name, r in concurrent.items()
        if name != "echo bot"
    }
    memory = {r.bot: rss_growth(r.rss_samples_kib) for r in results if r.rss_samples_kib}
    print(report_tables(results, ratios, memory, load))
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": load,
        "plan": asdict(plan),
        "question_pools": {
            "answered": len(pools[0]),
            "unanswered": len(pools[1]),
            "unanswered_share": UNANSWERED_SHARE,
        },
        "runs": [asdict(r) for r in results],
        "bot_over_echo": {
            name: {
                "throughput_ratio": round(ratio.throughput, 4),
                "cpu_time_ratio": round(ratio.cpu, 4),
            }
            for name, ratio in ratios.items()
        },
        "rss": memory,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the sizes, run everything in one loop, print and write the results."""
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--conversations",
        type=int,
        default=10_000,
        help="conversations in each concurrent run (default 10000)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=50, help="conversations kept in flight (default 50)"
    )
    parser.add_argument(
        "--sequential",
        type=int,
        default=500,
        help="conversations in each sequential latency run (default 500)",
    )
    parser.add_argument("--warmup", type=int, default=300, help="warm-up conversations")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 500 concurrent, 100 sequential, 100 warm-up",
    )
    parser.add_argument(
        "--unlimited-conversations",
        type=int,
        default=3000,
        help="conversations in the concurrent run of the bot with the overall "
        "send limit lifted (default 3000)",
    )
    parser.add_argument(
        "--no-unlimited",
        dest="unlimited",
        action="store_false",
        help="skip the runs of the bot with the overall send limit lifted",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)
    if args.quick:
        plan = Plan(
            warmup=100,
            sequential=100,
            conversations=500,
            concurrency=args.concurrency,
            unlimited_conversations=500,
        )
    else:
        plan = Plan(
            args.warmup,
            args.sequential,
            args.conversations,
            args.concurrency,
            args.unlimited_conversations,
        )
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.WARNING)
    report = asyncio.run(run_all(plan, unlimited=args.unlimited))
    report["quick"] = args.quick
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    shown = args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output
    print(f"\nwritten {shown}")


if __name__ == "__main__":
    main()
