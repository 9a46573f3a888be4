"""Scheduled work: SLA reminders and breach notices, the daily digest, FAQ auto-close.

Jobs only dispatch: the domain decides what a breach is (``bot.core.sla``), the notifier what
is said. Each reminder is claimed, told and marked sent in one transaction, so it goes out
once across restarts and instances.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot import services, texts
from bot.core import sla
from bot.core.errors import DomainError
from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.runtime import Runtime
from handlers.telegram import render
from storage.models import DigestRow
from storage.sla import DueReminder

log = logging.getLogger(__name__)

#: A notice sent later than this after its due time says it is late (the bot was down).
LATE_AFTER = timedelta(seconds=60)
CLAIM_LEASE = timedelta(minutes=1)
#: A notice whose delivery failed (the database went away) is tried again this soon,
#: instead of when its claim's lease runs out.
RETRY_AFTER = timedelta(seconds=5)


async def sweep_deadlines(runtime: Runtime) -> int:
    """Send every reminder and breach notice that is due; returns how many went out."""
    now = runtime.clock()
    async with runtime.unit_of_work() as uow:
        due = await uow.sla_reminders.claim_due(now, limit=200, lease=CLAIM_LEASE)
        await uow.commit()
    sent = 0
    for reminder in due:
        try:
            sent += await _deliver(runtime, reminder, now)
        except Exception:
            log.exception("SLA notice %d of #%d failed", reminder.id, reminder.ticket_id)
            await _retry_soon(runtime, reminder, now)
    if sent:
        runtime.outbox_wake()
    return sent


async def _retry_soon(runtime: Runtime, reminder: DueReminder, now: datetime) -> None:
    """Shorten the failed notice's claim; if even that fails, its lease still frees it."""
    try:
        async with runtime.unit_of_work() as uow:
            await uow.sla_reminders.hold_until(reminder.id, now + RETRY_AFTER)
            await uow.commit()
    except Exception as error:
        log.warning("SLA notice %d: retried when its claim ends (%r)", reminder.id, error)


async def _deliver(runtime: Runtime, reminder: DueReminder, now: datetime) -> int:
    calendar = runtime.calendar
    async with runtime.unit_of_work() as uow:
        ticket = await uow.tickets.get(reminder.ticket_id)
        stale = (
            not ticket.is_open
            or ticket.step != reminder.step
            or ticket.clock.cycle != reminder.cycle
            or ticket.clock.running_since is None
        )
        if stale:  # the ticket moved on while this row waited
            await uow.sla_reminders.cancel(reminder.id)
            await uow.commit()
            return 0
        if not calendar.is_working(now):
            return 0  # nothing goes out after hours; the claim lapses and it goes at opening
        breach = reminder.kind is sla.DeadlineKind.BREACH
        ticket.record_deadline(breach, now)
        await uow.tickets.save(ticket)
        requester = await uow.requesters.get(ticket.requester_id)
        notices = await runtime.notifier.deadline_notice(
            uow,
            ticket,
            requester,
            breach=breach,
            due_at=reminder.due_at,
            late=now - reminder.due_at > LATE_AFTER,
            now=now,
        )
        await uow.outbox.enqueue(notices, now)
        await uow.sla_reminders.mark_sent(reminder.id, now)
        await uow.commit()
    return 1


async def send_daily_digest(runtime: Runtime) -> bool:
    """The morning summary for the staff group, once per office day (also with instances)."""
    staff_chat = runtime.settings.telegram_staff_chat_id
    if staff_chat is None or runtime.settings.telegram_bot_token is None:
        return False
    now = runtime.clock()
    local = now.astimezone(runtime.zone)
    if not runtime.calendar.hours.always and local.date() in runtime.calendar.holidays:
        return False
    async with runtime.unit_of_work() as uow:
        tickets = await uow.tickets.open_tickets()
        try:
            await uow.claim_digest(DigestRow(day=local.date().isoformat(), sent_at=now))
        except IntegrityError:
            return False  # another instance sent today's digest
        per_role = Counter(ticket.owner_role for ticket in tickets)
        end_of_day = datetime.combine(
            local.date() + timedelta(days=1), datetime.min.time(), runtime.zone
        )
        lines = [texts.DIGEST_TITLE.format(day=local.strftime("%d-%m-%Y"))]
        if per_role:
            roles = ", ".join(f"{role} {count}" for role, count in sorted(per_role.items()))
            lines.append(texts.DIGEST_PER_ROLE.format(roles=roles))
        else:
            lines.append(texts.DIGEST_NONE_OPEN)
        due_today = sum(
            1 for t in tickets if t.clock.due_at is not None and t.clock.due_at < end_of_day
        )
        lines.append(texts.DIGEST_DUE_TODAY.format(count=due_today))
        lines.append(texts.DIGEST_BREACHED.format(count=sum(t.breached for t in tickets)))
        if tickets:
            oldest = min(tickets, key=lambda t: t.opened_at)
            since = oldest.opened_at.astimezone(runtime.zone).strftime("%d-%m-%Y %H:%M")
            lines.append(texts.DIGEST_OLDEST.format(number=oldest.number, since=since))
        await uow.outbox.enqueue(
            [
                Outbound(
                    channel="telegram",
                    destination=str(staff_chat),
                    kind=OutboundKind.TEXT,
                    payload={"text": render.escape("\n".join(lines))},
                    purpose=Purpose.NOTICE,
                )
            ],
            now,
        )
        await uow.commit()
    runtime.outbox_wake()
    return True


async def close_settled_faq_tickets(runtime: Runtime) -> int:
    """FAQ-answered mail tickets nobody objected to within FAQ_AUTOCLOSE_HOURS close."""
    now = runtime.clock()
    cutoff = now - timedelta(hours=runtime.settings.faq_autoclose_hours)
    async with runtime.unit_of_work() as uow:
        numbers = await uow.tickets.awaiting_faq_feedback(opened_before=cutoff)
    closed = 0
    for number in numbers:
        with contextlib.suppress(DomainError):
            await services.close_unanswered_faq(
                runtime.unit_of_work(), number, now, runtime.notifier
            )
            closed += 1
    return closed


#: The staff group is warned when this many messages wait, or the oldest waits this long.
BACKLOG_COUNT = 200
BACKLOG_AGE = timedelta(minutes=10)
#: At most one warning per this period (the warning itself goes through the outbox).
BACKLOG_WARNING_EVERY = timedelta(hours=1)


class OutboxWatch:
    """Warns the staff group when the outbox backs up (a relay or Telegram is down)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def check(self) -> bool:
        """True when a warning was queued."""
        staff_chat = self.runtime.settings.telegram_staff_chat_id
        if staff_chat is None or self.runtime.settings.telegram_bot_token is None:
            return False
        now = self.runtime.clock()
        async with self.runtime.unit_of_work() as uow:
            count, oldest = await uow.outbox.backlog()
            if oldest is None or (count < BACKLOG_COUNT and now - oldest < BACKLOG_AGE):
                return False
            # The last warning is kept in the database: restarts and other instances see it.
            if not await uow.outbox.claim_backlog_warning(now, BACKLOG_WARNING_EVERY):
                return False
            since = oldest.astimezone(self.runtime.zone).strftime("%d-%m-%Y %H:%M")
            await uow.outbox.enqueue(
                [
                    Outbound(
                        channel="telegram",
                        destination=str(staff_chat),
                        kind=OutboundKind.TEXT,
                        payload={
                            "text": render.plain(
                                texts.STAFF_OUTBOX_BACKLOG, count=count, since=since
                            )
                        },
                        purpose=Purpose.NOTICE,
                    )
                ],
                now,
            )
            await uow.commit()
        log.warning("outbox backlog: %d messages, oldest since %s", count, since)
        self.runtime.outbox_wake()
        return True
