"""The command line as a user runs it: the installed console script in a real process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest

from bot import services
from bot.cli import cli
from bot.core.roster import load_roster
from bot.core.sop import load_catalog
from bot.core.tickets import Channel, Requester
from bot.services import OpenTicket
from storage import migrate
from storage.database import create_engine, create_session_factory
from storage.uow import SqlUnitOfWork

SCRIPT = str(Path(sys.executable).parent / "lpse-helpdesk")
ROSTER = "staff:\n  - {telegram_id: 111, name: Rina, roles: [helpdesk]}\n"


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any helpdesk setting, plus ``extra``."""
    from tests.unit.test_settings import SETTING_NAMES

    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env.update(extra)
    return env


def lpse(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", all_commands(cli), ids=" ".join)
def test_help_everywhere(command: tuple[str, ...]) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_run_with_nothing_configured_starts_and_stops_cleanly(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [SCRIPT, "run"], cwd=tmp_path, env=clean_env(), stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "lpse-helpdesk running" in line:
            break
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=30)
    log = "".join(lines) + rest
    assert process.returncode == 0, log
    assert "telegram: off (TELEGRAM_BOT_TOKEN is not set)" in log
    assert "email intake: off (HELPDESK_EMAIL is not set)" in log
    assert "staff roster staff.yaml not found" in log
    assert "lpse-helpdesk running" in log
    assert (tmp_path / "data" / "helpdesk.db").exists()


def test_bad_setting_stops_start_with_one_line(tmp_path: Path) -> None:
    result = lpse(tmp_path, "run", OFFICE_HOURS="weekdays")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "lpse-helpdesk: invalid setting OFFICE_HOURS: expected e.g. 'mon-fri 08:00-16:00', "
        "got 'weekdays'"
    ]


def test_broken_catalog_and_roster_stop_start_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text("sops: []\n", encoding="utf-8")
    result = lpse(tmp_path, "run", SOP_CATALOG="catalog.yaml")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "lpse-helpdesk: SOP catalog catalog.yaml: field 'sops': "
        "List should have at least 1 item after validation, not 0"
    ]
    (tmp_path / "staff.yaml").write_text(ROSTER + ROSTER.split("\n", 1)[1], encoding="utf-8")
    result = lpse(tmp_path, "roster", "check")
    assert result.returncode == 2
    assert "duplicate telegram_id 111" in result.stderr


def test_tickets_list_and_show(tmp_path: Path) -> None:
    assert "database at revision" in lpse(tmp_path, "db", "upgrade").stdout
    assert lpse(tmp_path, "tickets", "list").stdout.strip() == "no tickets"

    async def create() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'helpdesk.db'}")
        uow = SqlUnitOfWork(create_session_factory(engine), load_catalog())
        asker = Requester(channel=Channel.TELEGRAM, telegram_id=5, name="CV Maju")
        ticket = await services.open_ticket(
            uow,
            load_catalog(),
            OpenTicket(asker, "Bagaimana cara daftar?"),
            datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
        )
        (tmp_path / "staff.yaml").write_text(ROSTER, encoding="utf-8")
        rina = load_roster(tmp_path / "staff.yaml").member(111)
        assert rina is not None and ticket.number is not None
        await services.take_ticket(uow, ticket.number, rina, datetime.now(UTC))
        await engine.dispose()

    asyncio.run(create())
    listing = lpse(tmp_path, "tickets", "list", "--open").stdout
    assert "#1" in listing and "diproses" in listing and "SOP-02" in listing
    assert "2026-12-01 08:00" in listing  # shown in office time (WIB)

    shown = lpse(tmp_path, "tickets", "show", "1")
    assert shown.returncode == 0
    assert shown.stdout.startswith("Tiket #1")
    for fragment in ("opened", "taken", "staff:111", "Bagaimana cara daftar?"):
        assert fragment in shown.stdout

    missing = lpse(tmp_path, "tickets", "show", "99")
    assert missing.returncode == 2
    assert "Tiket #99 tidak ditemukan" in missing.stderr


def test_db_downgrade_and_current(tmp_path: Path) -> None:
    lpse(tmp_path, "db", "upgrade")
    assert f"database: {migrate.head_revision()}" in lpse(tmp_path, "db", "current").stdout
    assert "base (empty)" in lpse(tmp_path, "db", "downgrade", "base").stdout
    assert "database: empty" in lpse(tmp_path, "db", "current").stdout


def test_sop_list_prints_the_catalog(tmp_path: Path) -> None:
    out = lpse(tmp_path, "sop", "list").stdout
    assert "SOP-06" in out and "admin_agency" in out and "25" in out
