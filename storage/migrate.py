"""Apply Alembic migrations on the application's own async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


#: Key of the PostgreSQL advisory lock that serialises migrations ("LPSE" in ASCII).
MIGRATION_LOCK_KEY = 0x4C505345


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``.

    Several instances started together against one empty PostgreSQL database would each
    create the tables; a transaction-scoped advisory lock makes them take turns, and the
    later ones find the schema at head and do nothing. (The DDL is transactional there.)
    """
    async with engine.begin() as connection:
        await _lock_migrations(connection)
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` empties it)."""
    async with engine.begin() as connection:
        await _lock_migrations(connection)
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def _lock_migrations(connection: AsyncConnection) -> None:
    # SQLite runs one instance (README); its writers are serialised by the file lock anyway.
    if connection.dialect.name == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
        )


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None when it is empty."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str:
    """The newest revision shipped with this version."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head
