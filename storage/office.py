"""Office registers: per-year counters (agenda and register numbers) and declared outages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OfficeCounterRow, OutageRow


class SqlOfficeCounters:
    """Numbers counted per year, never given twice, also across instances."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next(self, name: str, year: int) -> int:
        """The next number of register ``name`` in ``year`` (1, 2, ...), taken atomically."""
        dialect = self._session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = (
            insert(OfficeCounterRow)
            .values(name=name, year=year, value=1)
            .on_conflict_do_update(
                index_elements=[OfficeCounterRow.name, OfficeCounterRow.year],
                set_={"value": OfficeCounterRow.value + 1},
            )
            .returning(OfficeCounterRow.value)
        )
        return int((await self._session.execute(upsert)).scalar_one())


class SqlOutages:
    """The outage in force (at most one) and its history."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def active_since(self) -> datetime | None:
        """When the outage in force began, or None when there is none."""
        current = await self._current()
        return current.started_at if current is not None else None

    async def start(self, actor: str, now: datetime) -> None:
        self._session.add(OutageRow(started_at=now, started_by=actor))
        await self._session.flush()

    async def end(self, actor: str, now: datetime) -> bool:
        """End the outage in force; False when there was none."""
        current = await self._current()
        if current is None:
            return False
        current.ended_at = now
        current.ended_by = actor
        await self._session.flush()
        return True

    async def _current(self) -> OutageRow | None:
        query = select(OutageRow).where(OutageRow.ended_at.is_(None)).order_by(OutageRow.id)
        return (await self._session.execute(query.limit(1))).scalar_one_or_none()
