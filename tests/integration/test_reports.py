"""The management report on SQLite and PostgreSQL: exact figures of a small week, the HTML page
and the ``report`` command.

The week is Monday 16 to Friday 20 November 2026 (no national holiday), office hours
mon-fri 08:00-16:00 WIB. Each ticket goes through the use cases at fixed times, so every
working minute below can be checked by hand.
"""

from __future__ import annotations

import asyncio
import base64
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import reports, services
from bot.cli_report import report_command
from bot.core.roster import Roster, StaffMember
from bot.core.sop import SopCatalog
from bot.core.tickets import Channel, Requester
from bot.core.worktime import OfficeHours, WorkCalendar
from bot.services import OpenTicket
from storage.database import create_session_factory
from storage.report_queries import (
    FaqStats,
    ReportData,
    ReportPeriod,
    TicketCount,
    collect_report,
    percentile,
)
from tests.integration.conftest import UowFactory
from tests.unit.test_settings import SETTING_NAMES

JAKARTA = ZoneInfo("Asia/Jakarta")
CALENDAR = WorkCalendar(OfficeHours.parse("mon-fri 08:00-16:00"), JAKARTA)
PERIOD = ReportPeriod(date(2026, 11, 16), date(2026, 11, 21), JAKARTA)
AS_OF = datetime(2026, 11, 25, 12, tzinfo=JAKARTA)

PENYEDIA = Requester(channel=Channel.TELEGRAM, telegram_id=90001, name="CV Maju")
PENYEDIA_2 = Requester(channel=Channel.TELEGRAM, telegram_id=90002, name="CV Jaya")
PENYEDIA_MAIL = Requester(channel=Channel.EMAIL, email="cv.sentosa@example.com")
POKJA = Requester(channel=Channel.EMAIL, email="pokja1@oganilir.go.id", name="Pokja 1")


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in November 2026 (the 16th is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=JAKARTA)


def member(roster: Roster, telegram_id: int) -> StaffMember:
    found = roster.member(telegram_id)
    assert found is not None
    return found


async def open_(
    uow_factory: UowFactory,
    catalog: SopCatalog,
    who: Requester,
    at: datetime,
    sop_id: str = "SOP-02",
) -> int:
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(who, "Tidak bisa login SPSE", sop_id), at
    )
    assert ticket.number is not None
    return ticket.number


async def build_week(uow_factory: UowFactory, catalog: SopCatalog, roster: Roster) -> list[int]:
    """Six tickets and six FAQ questions; returns the ticket numbers in the order below."""
    rina, andi, sari = member(roster, 111), member(roster, 222), member(roster, 444)

    # T1 SOP-02 telegram. Step 2: 09:00-09:08 (8 min). Step 3 from 09:08, paused at 09:18
    # for requester data (10), resumed Tue 10:00, done 10:20 (20): 30 > 25. Step 4 to
    # 10:23 (3), closed. Rated 5.
    t1 = await open_(uow_factory, catalog, PENYEDIA, wib(16, 9))
    await services.take_ticket(uow_factory(), t1, rina, wib(16, 9, 2))
    await services.advance_step(uow_factory(), t1, rina, wib(16, 9, 8))
    await services.request_data(uow_factory(), t1, rina, "Mohon kirim NIB", wib(16, 9, 18))
    await services.add_requester_message(uow_factory(), t1, "NIB terlampir", wib(17, 10))
    await services.advance_step(uow_factory(), t1, rina, wib(17, 10, 20))
    await services.close_ticket(uow_factory(), t1, rina, wib(17, 10, 23))
    await services.rate_ticket(uow_factory(), t1, 5, wib(17, 10, 30))

    # T2 SOP-02 e-mail, the whole SOP. Step 2 Mon 15:55-Tue 08:03 (5 + 3 = 8); step 3 to
    # 08:20 (17); step 4 to 08:22 (2); step 5 to 08:40 (18 > 5), which closes it. Rated 3.
    t2 = await open_(uow_factory, catalog, PENYEDIA_MAIL, wib(16, 15, 55))
    for at in (wib(17, 8, 3), wib(17, 8, 20), wib(17, 8, 22), wib(17, 8, 40)):
        await services.advance_step(uow_factory(), t2, rina, at)
    await services.rate_ticket(uow_factory(), t2, 3, wib(17, 9))

    # T3 SOP-03 e-mail. Step 1 (staf) 10:00-10:12 (12 > 10); step 2 (sekretaris) to 10:20
    # (8); step 3 still running at the end of the period: 340 + 480 + 480 minutes > 25.
    t3 = await open_(uow_factory, catalog, POKJA, wib(18, 10), "SOP-03")
    await services.advance_step(uow_factory(), t3, sari, wib(18, 10, 12))
    await services.advance_step(uow_factory(), t3, andi, wib(18, 10, 20))

    # T4 SOP-02 opened the Friday before: its step 2 ended before the period (left out),
    # step 3 Fri 15:05-Mon 08:20 (55 + 20 = 75 > 25) and step 4 08:20-08:30 (10 > 5) count.
    # Opened before the period: neither its ticket nor its rating counts.
    t4 = await open_(uow_factory, catalog, PENYEDIA_2, wib(13, 15))
    await services.advance_step(uow_factory(), t4, rina, wib(13, 15, 5))
    await services.advance_step(uow_factory(), t4, rina, wib(16, 8, 20))
    await services.close_ticket(uow_factory(), t4, rina, wib(16, 8, 30))
    await services.rate_ticket(uow_factory(), t4, 1, wib(16, 9))

    # T5 SOP-02 telegram: closed after 4 minutes, reopened by the requester at 13:00 and
    # closed again at 13:30: step 2 runs twice (4, then 30 > 10). Rated 4.
    t5 = await open_(uow_factory, catalog, PENYEDIA, wib(19, 9))
    await services.close_ticket(uow_factory(), t5, rina, wib(19, 9, 4))
    await services.add_requester_message(uow_factory(), t5, "Masih gagal", wib(19, 13))
    await services.close_ticket(uow_factory(), t5, rina, wib(19, 13, 30))
    await services.rate_ticket(uow_factory(), t5, 4, wib(19, 14))

    # T6 opened after the period: nothing of it counts.
    t6 = await open_(uow_factory, catalog, PENYEDIA_2, wib(23, 9))
    await services.advance_step(uow_factory(), t6, rina, wib(23, 9, 1))

    # FAQ: five questions in the period (two became tickets; feedback: yes, no, yes) and
    # one before it.
    faq = [
        (wib(16, 8), True, None),
        (wib(16, 8, 55), False, t1),
        (wib(17, 11), None, None),
        (wib(19, 8, 59), None, t5),
        (wib(20, 10), True, None),
        (wib(10, 10), True, None),
    ]
    async with uow_factory() as uow:
        for at, helpful, ticket in faq:
            interaction = await uow.faq_interactions.add(
                channel="telegram",
                requester_key="telegram:90001",
                question="cara reset password",
                answered_entry_id="lupa-password",
                candidate_ids=["lupa-password"],
                now=at,
            )
            await uow.faq_interactions.update(interaction, helpful=helpful, ticket_id=ticket)
        await uow.commit()
    return [t1, t2, t3, t4, t5, t6]


async def report_of(engine: AsyncEngine, catalog: SopCatalog) -> ReportData:
    async with create_session_factory(engine)() as session:
        return await collect_report(session, PERIOD, catalog, CALENDAR, AS_OF)


async def test_report_figures(
    uow_factory: UowFactory, engine: AsyncEngine, catalog: SopCatalog, roster: Roster
) -> None:
    t1, t2, t3, t4, t5, _ = await build_week(uow_factory, catalog, roster)
    data = await report_of(engine, catalog)

    assert data.tickets == [
        TicketCount("SOP-02", "email", 1),
        TicketCount("SOP-02", "telegram", 2),
        TicketCount("SOP-03", "email", 1),
    ]
    assert data.ticket_total == 4

    durations = {
        (run.ticket_id, run.sop_id, run.step, run.started_at): run.worked_minutes
        for run in data.runs
    }
    assert durations == {
        (t1, "SOP-02", 2, wib(16, 9)): 8,
        (t1, "SOP-02", 3, wib(16, 9, 8)): 30,
        (t1, "SOP-02", 4, wib(17, 10, 20)): 3,
        (t2, "SOP-02", 2, wib(16, 15, 55)): 8,
        (t2, "SOP-02", 3, wib(17, 8, 3)): 17,
        (t2, "SOP-02", 4, wib(17, 8, 20)): 2,
        (t2, "SOP-02", 5, wib(17, 8, 22)): 18,
        (t3, "SOP-03", 1, wib(18, 10)): 12,
        (t3, "SOP-03", 2, wib(18, 10, 12)): 8,
        (t3, "SOP-03", 3, wib(18, 10, 20)): 1300,  # still running: measured to the period end
        (t4, "SOP-02", 3, wib(13, 15, 5)): 75,
        (t4, "SOP-02", 4, wib(16, 8, 20)): 10,
        (t5, "SOP-02", 2, wib(19, 9)): 4,
        (t5, "SOP-02", 2, wib(19, 13)): 30,
    }
    assert [run.finished for run in data.runs if run.ticket_id == t3] == [True, True, False]

    steps = {
        (row.sop_id, row.step): (
            row.role,
            row.budget,
            row.runs,
            row.within,
            row.compliance,
            row.median_minutes,
            row.p90_minutes,
            row.open_runs,
            row.open_over_budget,
        )
        for row in data.steps
    }
    assert steps == {
        ("SOP-02", 2): ("helpdesk", 10, 4, 3, 0.75, 8, pytest.approx(23.4), 0, 0),
        ("SOP-02", 3): ("helpdesk", 25, 3, 1, pytest.approx(1 / 3), 30, pytest.approx(66), 0, 0),
        ("SOP-02", 4): ("helpdesk", 5, 3, 2, pytest.approx(2 / 3), 3, pytest.approx(8.6), 0, 0),
        ("SOP-02", 5): ("helpdesk", 5, 1, 0, 0, 18, 18, 0, 0),
        ("SOP-03", 1): ("staf", 10, 1, 0, 0, 12, 12, 0, 0),
        ("SOP-03", 2): ("sekretaris", 10, 1, 1, 1, 8, 8, 0, 0),
        ("SOP-03", 3): ("sekretaris", 25, 0, 0, None, None, None, 1, 1),
    }
    assert {row.role: (row.runs, row.within) for row in data.roles} == {
        "helpdesk": (11, 6),
        "sekretaris": (1, 1),
        "staf": (1, 0),
    }
    assert data.overall_compliance == pytest.approx(7 / 13)

    assert data.faq == FaqStats(interactions=5, became_ticket=2, feedback=3, helpful=2)
    assert data.faq.deflection_rate == pytest.approx(0.6)
    assert data.faq.helpful_rate == pytest.approx(2 / 3)

    assert data.ratings.count == 3
    assert data.ratings.average == pytest.approx(4.0)
    assert dict(data.ratings.distribution) == {3: 1, 4: 1, 5: 1}


async def test_report_of_a_period_is_the_same_whenever_it_is_made(
    uow_factory: UowFactory, engine: AsyncEngine, catalog: SopCatalog, roster: Roster
) -> None:
    await build_week(uow_factory, catalog, roster)
    later = await report_of(engine, catalog)
    async with create_session_factory(engine)() as session:
        much_later = await collect_report(
            session, PERIOD, catalog, CALENDAR, datetime(2027, 3, 1, tzinfo=JAKARTA)
        )
    assert much_later.runs == later.runs
    assert much_later.steps == later.steps


async def test_report_while_the_period_is_still_running(
    uow_factory: UowFactory, engine: AsyncEngine, catalog: SopCatalog, roster: Roster
) -> None:
    t1, *_ = await build_week(uow_factory, catalog, roster)
    async with create_session_factory(engine)() as session:
        data = await collect_report(session, PERIOD, catalog, CALENDAR, wib(16, 9, 30))
    # At 09:30 on Monday T1's step 3 is paused after 10 minutes; T4 is closed.
    open_runs = [
        (run.ticket_id, run.step, run.worked_minutes) for run in data.runs if not run.finished
    ]
    assert open_runs == [(t1, 3, 10)]
    assert {(row.sop_id, row.step): row.runs for row in data.steps} == {
        ("SOP-02", 2): 1,
        ("SOP-02", 3): 1,
        ("SOP-02", 4): 1,
    }


async def test_empty_period(engine: AsyncEngine, catalog: SopCatalog, tmp_path: Path) -> None:
    data = await report_of(engine, catalog)
    assert (data.tickets, data.runs, data.steps, data.roles) == ([], [], [], [])
    assert data.faq.deflection_rate is None and data.ratings.average is None
    page = reports.write_report(data, tmp_path).read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 5
    assert reports.NO_DATA in page
    assert reports.main_chart_png(data).startswith(b"\x89PNG\r\n\x1a\n")


async def test_html_page(
    uow_factory: UowFactory,
    engine: AsyncEngine,
    catalog: SopCatalog,
    roster: Roster,
    tmp_path: Path,
) -> None:
    await build_week(uow_factory, catalog, roster)
    data = await report_of(engine, catalog)
    path = reports.write_report(data, tmp_path / "out" / "nested")
    assert path == tmp_path / "out" / "nested" / "report-2026-11-16-2026-11-21.html"
    page = path.read_text(encoding="utf-8")

    assert page.startswith("<!DOCTYPE html>")
    for heading in (
        reports.HEADING_SUMMARY,
        reports.HEADING_TICKETS,
        reports.HEADING_COMPLIANCE,
        reports.HEADING_ROLES,
        reports.HEADING_HANDLING,
        reports.HEADING_FAQ,
        reports.HEADING_RATINGS,
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "LPSE Kabupaten Ogan Ilir" in page
    assert "2026-11-16 s.d. 2026-11-20 (Asia/Jakarta)" in page
    # Self-contained: inline CSS, every image a PNG data URI, nothing fetched from elsewhere.
    assert "<style>" in page and "<link" not in page and "<script" not in page
    images = re.findall(r'src="([^"]+)"', page)
    assert len(images) == 5
    for source in images:
        prefix, _, encoded = source.partition(",")
        assert prefix == "data:image/png;base64"
        assert base64.b64decode(encoded).startswith(b"\x89PNG\r\n\x1a\n")
    # The tables behind the charts.
    assert '<td>SOP-03</td><td>E-mail</td><td class="num">1</td>' in page
    assert "75,0 %" in page  # SOP-02 step 2: 3 of 4 on time
    assert "60,0 %" in page  # FAQ deflection
    assert "23,4" in page  # p90 of SOP-02 step 2

    png = reports.main_chart_png(data)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_percentile() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([4, 8, 8, 30], 0.5) == 8
    assert percentile([30, 4, 8, 8], 0.9) == pytest.approx(23.4)
    assert percentile([1, 2], 0.5) == 1.5


def test_period_bounds() -> None:
    assert PERIOD.start == wib(16, 0)
    assert PERIOD.end == wib(21, 0)
    with pytest.raises(ValueError, match="end after"):
        ReportPeriod(date(2026, 11, 2), date(2026, 11, 2), JAKARTA)


# --- the command ----------------------------------------------------------------------


def invoke_report(database_url: str, env_file: Path, *args: str) -> tuple[int, str, str]:
    env_file.write_text(
        f"DATABASE_URL={database_url}\nOFFICE_HOURS=mon-fri 08:00-16:00\n"
        "OFFICE_TIMEZONE=Asia/Jakarta\nHOLIDAYS=ID\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        report_command,
        list(args),
        obj={"env_file": env_file},
        env=dict.fromkeys(SETTING_NAMES),  # the caller's own settings must not leak in
    )
    return result.exit_code, result.stdout, result.stderr


async def test_report_command(
    uow_factory: UowFactory,
    catalog: SopCatalog,
    roster: Roster,
    database_url: str,
    tmp_path: Path,
) -> None:
    await build_week(uow_factory, catalog, roster)
    out = tmp_path / "laporan"
    # The command runs its own event loop, as it does from the shell: give it a thread.
    code, stdout, stderr = await asyncio.to_thread(
        invoke_report,
        database_url,
        tmp_path / "test.env",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-21",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    path = Path(stdout.strip())
    assert path == out / "report-2026-11-16-2026-11-21.html"
    page = path.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 5
    assert "75,0 %" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-11-21", "--to", "2026-11-16"], "must be after --from"),
        (["--from", "2026-11-16", "--to", "2026-11-16"], "must be after --from"),
        (["--from", "16-11-2026", "--to", "2026-11-21"], "Invalid value for '--from'"),
        (["--to", "2026-11-21"], "Missing option '--from'"),
    ],
)
def test_report_command_rejects_bad_dates(args: list[str], message: str, tmp_path: Path) -> None:
    code, _, stderr = invoke_report(
        "sqlite+aiosqlite:///" + str(tmp_path / "x.db"), tmp_path / "e.env", *args
    )
    assert code == 2
    assert message in stderr


def test_report_command_help_says_to_is_exclusive() -> None:
    result = CliRunner().invoke(report_command, ["--help"])
    assert result.exit_code == 0
    assert "NOT included" in result.output
