"""A migrated database and a unit-of-work factory on it, for each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.sop import SopCatalog
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.support.bot_api import BotApiStandIn, FakeUser

UowFactory = Callable[[], SqlUnitOfWork]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow_factory(engine: AsyncEngine, catalog: SopCatalog) -> UowFactory:
    sessions = create_session_factory(engine)
    return lambda: SqlUnitOfWork(sessions, catalog)


@pytest.fixture
def budi(api: BotApiStandIn) -> FakeUser:
    """A requester who has started the bot (sent /start in private); ``api`` is the requesting
    module's Bot API stand-in."""
    user = api.user(7001, "Budi", "budi_ppk")
    api.send_text(user, user.id, "/start")
    return user
