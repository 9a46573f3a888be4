"""SLA reminder rows: kept in step with each ticket's clock, claimed once when due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import sla
from bot.core.tickets import Ticket
from storage.claims import claim_rows
from storage.models import SlaReminderRow


@dataclass(frozen=True)
class DueReminder:
    """A reminder or breach notice whose time has come."""

    id: int
    ticket_id: int
    step: int
    kind: sla.DeadlineKind
    cycle: int
    due_at: datetime


class SqlSlaReminders:
    """The ``sla_reminders`` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def sync(self, ticket: Ticket, now: datetime) -> None:
        """Make the unsent rows of ``ticket`` match its clock: one per deadline still ahead.

        A row already sent stays as it is (sent once); a row whose deadline no longer
        applies (paused, closed, next step) is cancelled.
        """
        assert ticket.number is not None
        wanted = (
            {
                deadline.kind.value: deadline.due_at
                for deadline in sla.deadlines(
                    ticket.clock, ticket.sop.step(ticket.step).minutes, ticket.calendar
                )
            }
            if ticket.is_open
            else {}
        )
        rows = list(
            await self._session.scalars(
                select(SlaReminderRow).where(
                    SlaReminderRow.ticket_id == ticket.number, SlaReminderRow.sent_at.is_(None)
                )
            )
        )
        current = {(row.step, row.kind, row.cycle): row for row in rows}
        for row in rows:
            keep = row.step == ticket.step and row.cycle == ticket.clock.cycle
            if not keep or row.kind not in wanted:
                row.cancelled = True
        for kind, due_at in wanted.items():
            pending = current.get((ticket.step, kind, ticket.clock.cycle))
            if pending is not None:
                pending.due_at, pending.cancelled = due_at, False
                continue
            already_sent = await self._session.scalar(
                select(SlaReminderRow.id).where(
                    SlaReminderRow.ticket_id == ticket.number,
                    SlaReminderRow.step == ticket.step,
                    SlaReminderRow.kind == kind,
                    SlaReminderRow.cycle == ticket.clock.cycle,
                )
            )
            if already_sent is None:
                self._session.add(
                    SlaReminderRow(
                        ticket_id=ticket.number,
                        step=ticket.step,
                        kind=kind,
                        cycle=ticket.clock.cycle,
                        due_at=due_at,
                        cancelled=False,
                        created_at=now,
                    )
                )
        await self._session.flush()

    async def claim_due(self, now: datetime, *, limit: int, lease: timedelta) -> list[DueReminder]:
        """Due, unsent rows for ``lease`` (other instances skip locked or leased rows)."""
        rows = await claim_rows(
            self._session,
            select(SlaReminderRow)
            .where(
                SlaReminderRow.sent_at.is_(None),
                SlaReminderRow.cancelled.is_(False),
                SlaReminderRow.due_at <= now,
            )
            .order_by(SlaReminderRow.due_at)
            .limit(limit),
            SlaReminderRow.claimed_until,
            now,
            lease,
        )
        return [
            DueReminder(
                row.id, row.ticket_id, row.step, sla.DeadlineKind(row.kind), row.cycle, row.due_at
            )
            for row in rows
        ]

    async def mark_sent(self, reminder_id: int, now: datetime) -> None:
        await self._session.execute(
            update(SlaReminderRow)
            .where(SlaReminderRow.id == reminder_id)
            .values(sent_at=now, claimed_until=None)
        )

    async def hold_until(self, reminder_id: int, until: datetime) -> None:
        """Keep an unsent row claimed only until ``until`` (a retry after a failure)."""
        await self._session.execute(
            update(SlaReminderRow)
            .where(SlaReminderRow.id == reminder_id, SlaReminderRow.sent_at.is_(None))
            .values(claimed_until=until)
        )

    async def cancel(self, reminder_id: int) -> None:
        await self._session.execute(
            update(SlaReminderRow)
            .where(SlaReminderRow.id == reminder_id)
            .values(cancelled=True, claimed_until=None)
        )
