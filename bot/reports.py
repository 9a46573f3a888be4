"""The management report: one self-contained HTML page (inline CSS, charts as PNG data URIs).

The page can be mailed or archived as a single file and opened offline. Headings are in
Indonesian for the office; the figures come from ``storage.report_queries``.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Final

# The Agg canvas is used directly instead of pyplot: no global backend switch, no GUI, and
# safe inside the bot's process where another thread may draw at the same time.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from storage.report_queries import ReportData, ReportPeriod, StepStats

# --- user-facing text (Indonesian) -----------------------------------------------------

TITLE: Final = "Laporan Layanan Helpdesk"
HEADING_SUMMARY: Final = "Ringkasan"
HEADING_TICKETS: Final = "Tiket per SOP dan kanal"
HEADING_COMPLIANCE: Final = "Kepatuhan SLA per langkah SOP"
HEADING_ROLES: Final = "Kepatuhan SLA per peran"
HEADING_HANDLING: Final = "Waktu penanganan per langkah (median dan p90) dibanding anggaran"
HEADING_FAQ: Final = "FAQ: pertanyaan terjawab tanpa tiket dan umpan balik"
HEADING_RATINGS: Final = "Penilaian pemohon"
HEADING_RUNS: Final = "Rincian langkah per tiket"
HEADING_NOTES: Final = "Cara menghitung"
NO_DATA: Final = "Tidak ada data pada periode ini"
DASH: Final = "–"

CHANNEL_LABELS: Final = {"telegram": "Telegram", "email": "E-mail"}

NOTES: Final = (
    "Tiket dan penilaian: tiket yang dibuka dalam periode.",
    "Waktu langkah dihitung dalam menit kerja menurut jam kantor dan hari libur "
    "(OFFICE_HOURS, HOLIDAYS), tanpa waktu menunggu data dari pemohon (menunggu_pemohon).",
    "Kepatuhan SLA: bagian langkah yang selesai dalam periode dengan waktu kerja tidak "
    "melebihi anggaran SOP. Langkah tanpa anggaran tidak dihitung.",
    "Langkah yang masih berjalan di akhir periode hanya dicatat terpisah "
    "(masih berjalan, lewat anggaran).",
    "Deflection FAQ: pertanyaan FAQ yang tidak menjadi tiket dibagi semua pertanyaan FAQ. "
    "Membantu: jawaban yang dinilai membantu dibagi semua umpan balik.",
)

_CSS: Final = """
body { font-family: "Segoe UI", Roboto, Arial, sans-serif; margin: 2rem auto; max-width: 70rem;
       color: #1d2733; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 2px solid #c8102e;
     padding-bottom: 0.2rem; }
.meta { color: #5b6573; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.card { border: 1px solid #d5dae1; border-radius: 6px; padding: 0.6rem 1rem; min-width: 9rem; }
.card .value { font-size: 1.4rem; font-weight: 600; }
.card .label { color: #5b6573; font-size: 0.85rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #d5dae1; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #f1f3f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; display: block; margin: 0.8rem 0; }
.empty { color: #5b6573; font-style: italic; }
"""

_BAR = "#2f6db5"
_SLOW = "#e39b2d"
_BUDGET = "#9aa3ae"

# --- numbers as the office reads them -------------------------------------------------


def _decimal(value: float, digits: int = 1) -> str:
    # Indonesian uses the decimal comma.
    return f"{value:.{digits}f}".replace(".", ",")


def _percent(share: float | None) -> str:
    return DASH if share is None else f"{_decimal(share * 100)} %"


def _minutes(value: float | None) -> str:
    return DASH if value is None else _decimal(value)


def _budget(value: float | None) -> str:
    return DASH if value is None else f"{value:g}".replace(".", ",")


def _step_label(row: StepStats) -> str:
    return f"{row.sop_id} L{row.step}"


def _period_text(period: ReportPeriod) -> str:
    last = period.end_day - timedelta(days=1)
    return f"{period.first_day.isoformat()} s.d. {last.isoformat()} ({period.zone.key})"


# --- charts ---------------------------------------------------------------------------


def _figure(width: float = 8.0, height: float = 3.6) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _empty_chart(title: str) -> bytes:
    figure = _figure(height=1.6)
    axes = figure.subplots()
    axes.set_axis_off()
    axes.set_title(title)
    axes.text(0.5, 0.4, NO_DATA, ha="center", va="center", color="#5b6573")
    return _png(figure)


def tickets_chart_png(data: ReportData) -> bytes:
    """Grouped bars: tickets per SOP, one bar per channel."""
    if not data.tickets:
        return _empty_chart(HEADING_TICKETS)
    sops = sorted({row.sop_id for row in data.tickets})
    channels = sorted({row.channel for row in data.tickets})
    counts = {(row.sop_id, row.channel): row.count for row in data.tickets}
    figure = _figure()
    axes = figure.subplots()
    width = 0.8 / len(channels)
    for index, channel in enumerate(channels):
        positions = [n + (index - (len(channels) - 1) / 2) * width for n in range(len(sops))]
        heights = [counts.get((sop, channel), 0) for sop in sops]
        bars = axes.bar(positions, heights, width, label=CHANNEL_LABELS.get(channel, channel))
        axes.bar_label(bars, padding=2)
    axes.set_xticks(range(len(sops)), sops)
    axes.set_ylabel("tiket")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.15)  # room for the count above the tallest bar
    axes.legend()
    axes.set_title(HEADING_TICKETS)
    return _png(figure)


def compliance_chart_png(data: ReportData) -> bytes:
    """Bars: share of step runs within budget per SOP step; the budget is in each label."""
    rows = [row for row in data.steps if row.compliance is not None]
    if not rows:
        return _empty_chart(HEADING_COMPLIANCE)
    figure = _figure(width=max(8.0, 0.9 * len(rows) + 2))
    axes = figure.subplots()
    labels = [f"{_step_label(row)}\n{_budget(row.budget)} mnt" for row in rows]
    shares = [(row.compliance or 0.0) * 100 for row in rows]
    bars = axes.bar(range(len(rows)), shares, 0.6, color=_BAR)
    axes.bar_label(bars, [f"{row.within}/{row.runs}" for row in rows], padding=2)
    axes.set_xticks(range(len(rows)), labels, fontsize=8)
    axes.set_ylim(0, 115)
    axes.set_ylabel("% tepat waktu")
    axes.axhline(100, color=_BUDGET, linewidth=0.8, linestyle="--")
    axes.set_title(HEADING_COMPLIANCE)
    return _png(figure)


def handling_chart_png(data: ReportData) -> bytes:
    """Grouped bars per SOP step: median and p90 working minutes next to the budget."""
    rows = [row for row in data.steps if row.runs]
    if not rows:
        return _empty_chart(HEADING_HANDLING)
    figure = _figure(width=max(8.0, 1.1 * len(rows) + 2))
    axes = figure.subplots()
    width = 0.27
    series = (
        ("median", [row.median_minutes or 0.0 for row in rows], _BAR, -width),
        ("p90", [row.p90_minutes or 0.0 for row in rows], _SLOW, 0.0),
        (
            "anggaran",
            [row.budget if row.budget is not None else float("nan") for row in rows],
            _BUDGET,
            width,
        ),
    )
    for label, heights, color, offset in series:
        axes.bar([n + offset for n in range(len(rows))], heights, width, label=label, color=color)
    axes.set_xticks(range(len(rows)), [_step_label(row) for row in rows], fontsize=8)
    axes.set_ylabel("menit kerja")
    axes.legend()
    axes.set_title("Waktu penanganan vs anggaran")
    return _png(figure)


def faq_chart_png(data: ReportData) -> bytes:
    """Two bars: the deflection rate and the helpful rate."""
    faq = data.faq
    if not faq.interactions:
        return _empty_chart(HEADING_FAQ)
    figure = _figure(width=6.0)
    axes = figure.subplots()
    labels = ["tanpa tiket (deflection)", "dinilai membantu"]
    shares = [faq.deflection_rate, faq.helpful_rate]
    bars = axes.bar(labels, [(share or 0.0) * 100 for share in shares], 0.5, color=_BAR)
    axes.bar_label(bars, [_percent(share) for share in shares], padding=2)
    axes.set_ylim(0, 115)
    axes.set_ylabel("%")
    axes.set_title("FAQ")
    return _png(figure)


def ratings_chart_png(data: ReportData) -> bytes:
    """Bars: how many tickets got each score from 1 to 5."""
    ratings = data.ratings
    if not ratings.count:
        return _empty_chart(HEADING_RATINGS)
    figure = _figure(width=6.0)
    axes = figure.subplots()
    scores = list(range(1, 6))
    bars = axes.bar(
        [str(score) for score in scores],
        [ratings.distribution.get(score, 0) for score in scores],
        0.6,
        color=_BAR,
    )
    axes.bar_label(bars, padding=2)
    axes.set_xlabel("nilai")
    axes.set_ylabel("tiket")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.15)  # room for the count above the tallest bar
    axes.set_title(f"Rata-rata {_decimal(ratings.average or 0.0)} dari {ratings.count} penilaian")
    return _png(figure)


def main_chart_png(data: ReportData) -> bytes:
    """The chart for the staff group's ``/laporan``: SLA compliance per SOP step."""
    return compliance_chart_png(data)


# --- HTML -----------------------------------------------------------------------------


def _image(png: bytes, alt: str) -> str:
    encoded = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[int]) -> str:
    if not rows:
        return f'<p class="empty">{NO_DATA}</p>'
    head = "".join(f"<th>{html.escape(header)}</th>" for header in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(str(cell))}</td>'
            if index in numeric
            else f"<td>{html.escape(str(cell))}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _card(value: str, label: str) -> str:
    return (
        f'<div class="card"><div class="value">{html.escape(value)}</div>'
        f'<div class="label">{html.escape(label)}</div></div>'
    )


def _section(heading: str, *parts: str) -> str:
    return f"<section><h2>{html.escape(heading)}</h2>{''.join(parts)}</section>"


def build_html(data: ReportData) -> str:
    """The whole report page."""
    zone = data.period.zone
    summary = (
        '<div class="cards">'
        + "".join(
            [
                _card(str(data.ticket_total), "tiket dibuka"),
                _card(_percent(data.overall_compliance), "langkah tepat waktu"),
                _card(_percent(data.faq.deflection_rate), "pertanyaan FAQ tanpa tiket"),
                _card(_percent(data.faq.helpful_rate), "jawaban FAQ membantu"),
                _card(
                    DASH if data.ratings.average is None else _decimal(data.ratings.average, 2),
                    f"rata-rata penilaian ({data.ratings.count})",
                ),
            ]
        )
        + "</div>"
    )
    tickets = _table(
        ["SOP", "kanal", "tiket"],
        [
            [row.sop_id, CHANNEL_LABELS.get(row.channel, row.channel), row.count]
            for row in data.tickets
        ],
        {2},
    )
    compliance = _table(
        [
            "SOP",
            "langkah",
            "peran",
            "anggaran (mnt)",
            "selesai",
            "tepat waktu",
            "kepatuhan",
            "masih berjalan",
            "berjalan, lewat anggaran",
        ],
        [
            [
                row.sop_id,
                row.step,
                row.role,
                _budget(row.budget),
                row.runs,
                row.within,
                _percent(row.compliance),
                row.open_runs,
                row.open_over_budget,
            ]
            for row in data.steps
        ],
        {1, 3, 4, 5, 6, 7, 8},
    )
    roles = _table(
        ["peran", "langkah selesai", "tepat waktu", "kepatuhan"],
        [[row.role, row.runs, row.within, _percent(row.compliance)] for row in data.roles],
        {1, 2, 3},
    )
    handling = _table(
        ["SOP", "langkah", "kegiatan", "anggaran (mnt)", "median (mnt)", "p90 (mnt)"],
        [
            [
                row.sop_id,
                row.step,
                row.action,
                _budget(row.budget),
                _minutes(row.median_minutes),
                _minutes(row.p90_minutes),
            ]
            for row in data.steps
            if row.runs
        ],
        {1, 3, 4, 5},
    )
    faq = data.faq
    faq_table = _table(
        ["ukuran", "jumlah", "bagian"],
        [
            ["pertanyaan FAQ", faq.interactions, ""],
            ["tanpa tiket (deflection)", faq.deflected, _percent(faq.deflection_rate)],
            ["menjadi tiket", faq.became_ticket, ""],
            ["umpan balik diberikan", faq.feedback, ""],
            ["dinilai membantu", faq.helpful, _percent(faq.helpful_rate)],
        ],
        {1, 2},
    )
    ratings = data.ratings
    rating_table = _table(
        ["nilai", "tiket"],
        [[score, ratings.distribution.get(score, 0)] for score in range(1, 6)]
        if ratings.count
        else [],
        {0, 1},
    )
    runs = _table(
        ["tiket", "SOP", "langkah", "peran", "mulai", "selesai", "menit kerja", "anggaran"],
        [
            [
                f"#{run.ticket_id}",
                run.sop_id,
                run.step,
                run.role,
                run.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                run.ended_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                if run.ended_at is not None
                else "masih berjalan",
                _minutes(run.worked_minutes),
                _budget(run.budget),
            ]
            for run in data.runs
        ],
        {2, 6, 7},
    )
    notes = "<ul>" + "".join(f"<li>{html.escape(note)}</li>" for note in NOTES) + "</ul>"
    generated = data.as_of.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    title = f"{TITLE} {data.office_name}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="id">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{html.escape(title)}</h1>",
            f'<p class="meta">Periode {html.escape(_period_text(data.period))}; '
            f"dibuat {html.escape(generated)}</p>",
            _section(HEADING_SUMMARY, summary),
            _section(HEADING_TICKETS, _image(tickets_chart_png(data), HEADING_TICKETS), tickets),
            _section(
                HEADING_COMPLIANCE,
                _image(compliance_chart_png(data), HEADING_COMPLIANCE),
                compliance,
            ),
            _section(HEADING_ROLES, roles),
            _section(
                HEADING_HANDLING, _image(handling_chart_png(data), HEADING_HANDLING), handling
            ),
            _section(HEADING_FAQ, _image(faq_chart_png(data), HEADING_FAQ), faq_table),
            _section(
                HEADING_RATINGS, _image(ratings_chart_png(data), HEADING_RATINGS), rating_table
            ),
            _section(
                HEADING_RUNS,
                f"<details><summary>{len(data.runs)} langkah</summary>{runs}</details>",
            ),
            _section(HEADING_NOTES, notes),
            "</body>",
            "</html>",
        ]
    )


def report_filename(period: ReportPeriod) -> str:
    """``report-<from>-<to>.html`` with the dates as given on the command line."""
    return f"report-{period.first_day.isoformat()}-{period.end_day.isoformat()}.html"


def write_report(data: ReportData, out_dir: Path) -> Path:
    """Write the page into ``out_dir`` (created when missing); returns the file's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / report_filename(data.period)
    path.write_text(build_html(data), encoding="utf-8")
    return path
