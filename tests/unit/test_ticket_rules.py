"""Ticket rules on plain domain objects: no database, no channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.errors import InvalidTransition, NotAllowed, TicketClosedForGood
from bot.core.roster import Roster
from bot.core.routing import route_for
from bot.core.sop import SopCatalog
from bot.core.tickets import Channel, EventKind, Requester, Ticket, TicketStatus
from bot.core.worktime import round_the_clock

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ASKER = Requester(channel=Channel.TELEGRAM, telegram_id=7, id=1)


def new_ticket(catalog: SopCatalog, sop_id: str = "SOP-02") -> Ticket:
    sop = catalog.get(sop_id)
    ticket = Ticket.open(
        requester=ASKER,
        sop=sop,
        calendar=round_the_clock(),
        subject="",
        text="Tanya",
        now=NOW,
        owner_role=route_for(sop),
    )
    ticket.number = 1
    return ticket


def member(roster: Roster, telegram_id: int):  # type: ignore[no-untyped-def]
    found = roster.member(telegram_id)
    assert found is not None
    return found


def test_open_records_event_and_first_message(catalog: SopCatalog) -> None:
    ticket = new_ticket(catalog)
    assert ticket.subject == "Tanya"
    assert [e.kind for e in ticket.pending_events] == [EventKind.OPENED, EventKind.MESSAGE]
    assert ticket.pending_events[0].detail["role"] == "helpdesk"


def test_data_request_pauses_until_requester_answers(catalog: SopCatalog, roster: Roster) -> None:
    ticket = new_ticket(catalog)
    rina = member(roster, 111)
    ticket.request_data(rina, "Mohon lampirkan SK.", NOW)
    assert ticket.status is TicketStatus.WAITING_FOR_REQUESTER
    with pytest.raises(InvalidTransition, match="menunggu data"):
        ticket.request_data(rina, "", NOW)
    ticket.add_requester_message("Ini SK-nya", NOW)
    assert ticket.status is TicketStatus.NEW  # nobody has taken it yet


def test_assignee_may_close_without_the_role(catalog: SopCatalog, roster: Roster) -> None:
    ticket = new_ticket(catalog)
    andi, dedi = member(roster, 222), member(roster, 333)
    ticket.take(andi, NOW)  # a supervisor takes over a helpdesk ticket
    with pytest.raises(NotAllowed, match="Tiket #1"):
        ticket.close(dedi, NOW)
    ticket.close(andi, NOW)
    assert ticket.status is TicketStatus.CLOSED
    with pytest.raises(InvalidTransition, match="sudah selesai"):
        ticket.add_staff_message(andi, "x", NOW)


def test_reopen_window_is_seven_days(catalog: SopCatalog, roster: Roster) -> None:
    ticket = new_ticket(catalog)
    ticket.close(member(roster, 111), NOW)
    ticket.add_requester_message("lagi", NOW + timedelta(days=7))
    assert ticket.status is TicketStatus.NEW
    ticket.close(member(roster, 111), NOW + timedelta(days=7))
    with pytest.raises(TicketClosedForGood, match="lebih dari 7 hari"):
        ticket.add_requester_message("lagi", NOW + timedelta(days=14, seconds=1))


def test_empty_messages_and_unknown_roles_are_refused(catalog: SopCatalog, roster: Roster) -> None:
    ticket = new_ticket(catalog)
    with pytest.raises(InvalidTransition, match="kosong"):
        ticket.add_requester_message("   ", NOW)
    with pytest.raises(InvalidTransition, match="tidak dikenal"):
        ticket.forward(member(roster, 111), "marketing", NOW)


def test_a_new_ticket_goes_to_its_first_office_step_role() -> None:
    from bot.core.sop import load_catalog

    catalog = load_catalog()
    assert route_for(catalog.get("SOP-02")) == "helpdesk"
    assert route_for(catalog.get("SOP-03")) == "staf"
    assert route_for(catalog.get("SOP-01")) == "sekretaris"
    assert route_for(None) == "helpdesk"
