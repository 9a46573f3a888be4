"""Shared fixtures: the SOP catalog, a roster, and fresh databases on SQLite and PostgreSQL.

Database tests take the ``database_url`` fixture and run once per backend. PostgreSQL is a real
server started once per session (tests/support/postgres.py); each test gets its own database.
Set LPSE_REQUIRE_POSTGRES=1 (CI does) to fail instead of skip when PostgreSQL is missing.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.core.roster import Roster, parse_roster
from bot.core.sop import SopCatalog, load_catalog
from tests.support.postgres import PostgresServer, find_pg_bin, postgres_server

#: The ``mail_bot`` fixture (a running bot with SMTP intake and relay sink), for every test.
pytest_plugins = ["tests.support.mail_bot"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"

ROSTER_DATA = {
    "staff": [
        {"telegram_id": 111, "name": "Rina", "roles": ["helpdesk"]},
        {"telegram_id": 222, "name": "Andi", "roles": ["sekretaris", "kepala"]},
        {"telegram_id": 333, "name": "Dedi", "roles": ["admin_agency", "verifikator"]},
        {"telegram_id": 444, "name": "Sari", "roles": ["staf"]},
        {"telegram_id": 555, "name": "Yudi", "roles": ["verifikator"]},
    ],
    "roles": {"ulp": {"email": "ulp@example.go.id"}, "lkpp": {"email": "lpse@example.go.id"}},
}


@pytest.fixture(scope="session")
def catalog() -> SopCatalog:
    return load_catalog()


@pytest.fixture(scope="session")
def roster() -> Roster:
    return parse_roster(ROSTER_DATA, "test roster")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    if find_pg_bin() is None:
        if os.environ.get("LPSE_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL binaries not found and LPSE_REQUIRE_POSTGRES=1")
        yield None
        return
    with postgres_server() as server:
        yield server


_database_counter = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database (no tables) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}"
        return
    server: PostgresServer | None = request.getfixturevalue("postgres")
    if server is None:
        pytest.skip("PostgreSQL is not installed (set LPSE_REQUIRE_POSTGRES=1 to fail instead)")
    name = f"test_{os.getpid()}_{next(_database_counter)}"
    server.psql(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
