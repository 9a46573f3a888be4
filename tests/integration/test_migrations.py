"""Alembic migrations from an empty database to head, down to base and up again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import services
from bot.core.faq_reply import FaqReply
from bot.core.sop import SopCatalog
from bot.core.tickets import Channel, Requester
from bot.services import OpenTicket
from storage import migrate
from storage.database import create_engine
from storage.models import Base
from tests.integration.conftest import UowFactory


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await _tables(engine) == set()
        assert await migrate.current_revision(engine) is None

        await migrate.upgrade(engine)
        assert await _tables(engine) == set(Base.metadata.tables)
        assert await migrate.current_revision(engine) == migrate.head_revision()

        await migrate.downgrade(engine, "base")
        assert await _tables(engine) == set()
        assert await migrate.current_revision(engine) is None

        await migrate.upgrade(engine)
        await migrate.upgrade(engine)  # idempotent at head
        assert await _tables(engine) == set(Base.metadata.tables)
    finally:
        await engine.dispose()


async def test_models_match_migrations(database_url: str) -> None:
    """Autogenerate finds nothing to do: the migrations create exactly the models' schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_sqlite_file_and_directory_are_created_in_wal_mode(tmp_path: object) -> None:
    from pathlib import Path

    from sqlalchemy import text

    target = Path(str(tmp_path)) / "nested" / "dir" / "helpdesk.db"
    engine = create_engine(f"sqlite+aiosqlite:///{target}")
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            mode = await connection.scalar(text("PRAGMA journal_mode"))
    finally:
        await engine.dispose()
    assert target.exists()
    assert mode == "wal"


async def test_0010_keeps_the_faq_entry_of_tickets_answered_before_it(
    engine: AsyncEngine, uow_factory: UowFactory, catalog: SopCatalog
) -> None:
    """Issue #18: a ticket answered from the FAQ before 0010 sent exactly its one entry."""
    asker = Requester(channel=Channel.EMAIL, email="budi@cvmaju.co.id")
    opened = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    answered = OpenTicket(asker, "Browser apa?", faq_entry_id="browser-untuk-spse")
    for command in (answered, OpenTicket(asker, "Pertanyaan lain")):
        await services.open_ticket(uow_factory(), catalog, command, opened)

    await migrate.downgrade(engine, "0009")
    await migrate.upgrade(engine)

    async with uow_factory() as uow:
        first, second = await uow.tickets.get(1), await uow.tickets.get(2)
    assert first.faq_entry_id == "browser-untuk-spse"
    assert first.faq_entry_ids == ("browser-untuk-spse",)
    assert second.faq_entry_id is None and second.faq_entry_ids == ()


async def test_0011_keeps_the_questions_staff_owe_and_drops_them_cleanly(
    engine: AsyncEngine, uow_factory: UowFactory, catalog: SopCatalog
) -> None:
    """Issue #18: the questions of a mail the FAQ left to staff are stored; going down to
    0010 and up again keeps the entries sent and leaves no questions owed (unknown then)."""
    asker = Requester(channel=Channel.EMAIL, email="budi@cvmaju.co.id")
    opened = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    reply = FaqReply.from_matches(
        [("Browser apa?", "browser-untuk-spse"), ("Kapan gaji ke-13 dibayar?", None)]
    )
    assert reply is not None
    command = OpenTicket(asker, "Browser apa? Kapan gaji ke-13 dibayar?", faq_reply=reply)
    await services.open_ticket(uow_factory(), catalog, command, opened)
    async with uow_factory() as uow:
        stored = await uow.tickets.get(1)
    assert stored.faq_unanswered == ("Kapan gaji ke-13 dibayar?",)

    await migrate.downgrade(engine, "0010")
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: {column["name"] for column in inspect(sync).get_columns("tickets")}
        )
    assert "faq_unanswered" not in columns and "faq_entry_ids" in columns
    await migrate.upgrade(engine)

    async with uow_factory() as uow:
        again = await uow.tickets.get(1)
    assert again.faq_entry_ids == ("browser-untuk-spse",)
    assert again.faq_unanswered == ()
