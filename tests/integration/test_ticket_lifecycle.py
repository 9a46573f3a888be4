"""The life cycle of each SOP through the use cases, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Self

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import services
from bot.core.errors import InvalidTransition, NotAllowed, UnknownSop
from bot.core.roster import Roster, StaffMember
from bot.core.sop import SopCatalog
from bot.core.tickets import (
    Channel,
    Direction,
    EventKind,
    LkppResult,
    Requester,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from bot.services import OpenTicket
from storage.models import EventRow, TicketRow
from storage.repositories import ConcurrentUpdate
from storage.uow import SqlUnitOfWork
from tests.integration.conftest import UowFactory

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PENYEDIA = Requester(channel=Channel.TELEGRAM, telegram_id=90001, name="CV Maju")
POKJA = Requester(channel=Channel.EMAIL, email="Pokja1@OganIlir.go.id", name="Pokja 1")


def staff(roster: Roster, telegram_id: int) -> StaffMember:
    member = roster.member(telegram_id)
    assert member is not None
    return member


async def count(engine: AsyncEngine, table: type[TicketRow] | type[EventRow]) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def walk(
    uow_factory: UowFactory, number: int, members: list[StaffMember], start: datetime
) -> None:
    """Advance step by step, each by the given member, one minute apart."""
    for offset, member in enumerate(members, start=1):
        await services.advance_step(
            uow_factory(), number, member, start + timedelta(minutes=offset)
        )


async def test_sop01_provider_verification(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster
) -> None:
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(PENYEDIA, "Pra-verifikasi", "SOP-01"), T0
    )
    assert (ticket.step, ticket.owner_role, ticket.status) == (2, "sekretaris", TicketStatus.NEW)
    number = ticket.number
    assert number is not None

    # Submitted online: the office clock waits for the provider's visit.
    assert ticket.awaiting_visit and ticket.clock.due_at is None
    with pytest.raises(NotAllowed):
        await services.advance_step(uow_factory(), number, staff(roster, 555), T0)
    with pytest.raises(InvalidTransition):  # nothing to do before the provider is here
        await services.advance_step(uow_factory(), number, staff(roster, 222), T0)
    visit = T0 + timedelta(days=2)
    await services.record_visit(uow_factory(), number, staff(roster, 222), visit, None)
    ticket = await _get(uow_factory, number)
    assert not ticket.awaiting_visit and ticket.clock.due_at == visit + timedelta(minutes=2)
    await walk(uow_factory, number, [staff(roster, 222)], visit)
    ticket = await _get(uow_factory, number)
    assert (ticket.step, ticket.owner_role, ticket.status) == (3, "verifikator", "diteruskan")

    await services.take_ticket(uow_factory(), number, staff(roster, 555), visit)
    await walk(uow_factory, number, [staff(roster, 555)] * 4, visit)
    ticket = await _get(uow_factory, number)
    assert (ticket.step, ticket.status, ticket.assignee_id) == (7, TicketStatus.IN_PROGRESS, 555)
    assert ticket.register_number == f"REG-{visit.year}-0001"  # given by step 6
    await walk(uow_factory, number, [staff(roster, 555)], visit)
    ticket = await _get(uow_factory, number)
    assert ticket.status is TicketStatus.CLOSED
    assert ticket.outcome is not None and "Kartu Tanda Lulus Verifikasi" in ticket.outcome


async def test_sop02_question_answered_with_data_request(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster
) -> None:
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(PENYEDIA, "Bagaimana cara mendaftar tender?"), T0
    )
    number = ticket.number
    assert number is not None
    assert (ticket.sop_id, ticket.step, ticket.owner_role) == ("SOP-02", 2, "helpdesk")
    rina = staff(roster, 111)

    await services.take_ticket(uow_factory(), number, rina, T0)
    with pytest.raises(InvalidTransition):
        await services.take_ticket(uow_factory(), number, rina, T0)
    await services.request_data(uow_factory(), number, rina, "Mohon kirim kode tender.", T0)
    assert (await _get(uow_factory, number)).status is TicketStatus.WAITING_FOR_REQUESTER
    await services.add_requester_message(uow_factory(), number, "Kode tender 123456", T0)
    assert (await _get(uow_factory, number)).status is TicketStatus.IN_PROGRESS
    await services.reply_to_requester(uow_factory(), number, rina, "Silakan login lalu ...", T0)
    await walk(uow_factory, number, [rina] * 4, T0)

    ticket = await _get(uow_factory, number)
    assert ticket.status is TicketStatus.CLOSED
    async with uow_factory() as uow:
        messages = await uow.tickets.messages(number)
        events = await uow.tickets.events(number)
    assert [m.direction for m in messages] == [
        Direction.INBOUND,
        Direction.OUTBOUND,
        Direction.INBOUND,
        Direction.OUTBOUND,
    ]
    kinds = [event.kind for event in events]
    assert kinds[0] is EventKind.OPENED and kinds[-1] is EventKind.CLOSED
    assert kinds.count(EventKind.STEP_ADVANCED) == 4
    assert EventKind.DATA_REQUESTED in kinds and EventKind.REQUESTER_REPLIED in kinds
    assert all(event.at.tzinfo is not None for event in events)


@pytest.mark.parametrize("sop_id", ["SOP-03", "SOP-04", "SOP-05"])
async def test_user_id_requests_walk_staf_sekretaris_admin(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster, sop_id: str
) -> None:
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(POKJA, "Permohonan user ID", sop_id), T0
    )
    number = ticket.number
    assert number is not None
    assert (ticket.step, ticket.owner_role) == (1, "staf")
    sari, andi, dedi = staff(roster, 444), staff(roster, 222), staff(roster, 333)

    assert ticket.agenda == f"0001/{T0.year}"
    await walk(uow_factory, number, [sari], T0)
    with pytest.raises(NotAllowed):  # the approval is the secretary's, not the admin's
        await services.advance_step(uow_factory(), number, dedi, T0)
    await walk(uow_factory, number, [andi], T0)
    # Step 3 is the approval: neither "next" nor "close" passes it, only a decision.
    with pytest.raises(InvalidTransition):
        await services.advance_step(uow_factory(), number, andi, T0)
    with pytest.raises(InvalidTransition):
        await services.close_ticket(uow_factory(), number, andi, T0)
    with pytest.raises(NotAllowed):
        await services.approve(uow_factory(), number, dedi, T0, None)
    await services.approve(uow_factory(), number, andi, T0, None)
    ticket = await _get(uow_factory, number)
    assert (ticket.step, ticket.owner_role, ticket.status) == (4, "admin_agency", "diteruskan")
    assert ticket.decision == "disetujui"
    with pytest.raises(InvalidTransition):  # decided once
        await services.reject(uow_factory(), number, andi, "terlambat", T0, None)
    await walk(uow_factory, number, [dedi, dedi], T0)
    closed = await _get(uow_factory, number)
    assert closed.status is TicketStatus.CLOSED and closed.outcome
    kinds = [e.kind for e in await _events(uow_factory, number)]
    assert EventKind.DECIDED in kinds


@pytest.mark.parametrize("sop_id", ["SOP-03", "SOP-04", "SOP-05"])
async def test_a_rejected_request_closes_with_its_reason(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster, sop_id: str
) -> None:
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(POKJA, "Permohonan user ID", sop_id), T0
    )
    number = ticket.number
    assert number is not None
    sari, andi = staff(roster, 444), staff(roster, 222)
    await walk(uow_factory, number, [sari, andi], T0)
    with pytest.raises(InvalidTransition):  # a rejection needs its reason
        await services.reject(uow_factory(), number, andi, "   ", T0, None)
    await services.reject(uow_factory(), number, andi, "SK belum dilampirkan", T0, None)
    ticket = await _get(uow_factory, number)
    assert ticket.status is TicketStatus.CLOSED
    assert (ticket.decision, ticket.outcome) == ("ditolak", "SK belum dilampirkan")


async def test_sop06_rhs_file_goes_through_lkpp(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster
) -> None:
    ulp = Requester(channel=Channel.EMAIL, email="pokja2@oganilir.go.id")
    ticket = await services.open_ticket(
        uow_factory(),
        catalog,
        OpenTicket(ulp, "File .rhs gagal dibuka", "SOP-06"),
        T0,
    )
    number = ticket.number
    assert number is not None
    assert (ticket.step, ticket.owner_role) == (2, "helpdesk")
    rina, andi = staff(roster, 111), staff(roster, 222)

    await walk(uow_factory, number, [rina, andi], T0)
    ticket = await _get(uow_factory, number)
    assert (ticket.step, ticket.sop.step(ticket.step).actor, ticket.step_role) == (
        4,
        "lkpp",
        "sekretaris",
    )
    assert ticket.lkpp_mailed  # the one letter to LKPP went with step 3
    with pytest.raises(NotAllowed):  # LKPP's steps are recorded by the secretary
        await services.advance_step(uow_factory(), number, rina, T0)
    await walk(uow_factory, number, [andi, andi], T0)
    with pytest.raises(InvalidTransition):  # step 6 ends with LKPP's result
        await services.advance_step(uow_factory(), number, andi, T0)
    await services.record_lkpp_result(uow_factory(), number, andi, LkppResult.FAILURE, T0, None)
    # Step 7 is the ULP receiving the result: the office is done.
    closed = await _get(uow_factory, number)
    assert closed.status is TicketStatus.CLOSED
    assert closed.outcome == "LKPP menyatakan dokumen penawaran .rhs tidak berhasil dibuka"


async def test_forward_to_outside_role_keeps_ticket_in_office_hands(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster
) -> None:
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(PENYEDIA, "Sanggahan tender"), T0
    )
    number = ticket.number
    assert number is not None
    rina = staff(roster, 111)
    await services.forward_ticket(uow_factory(), number, rina, "ulp", T0)
    ticket = await _get(uow_factory, number)
    assert (ticket.owner_role, ticket.status, ticket.assignee_id) == ("ulp", "diteruskan", None)
    with pytest.raises(InvalidTransition):
        await services.forward_ticket(uow_factory(), number, rina, "ulp", T0)
    with pytest.raises(NotAllowed):
        await services.close_ticket(uow_factory(), number, staff(roster, 333), T0)
    await services.close_ticket(uow_factory(), number, rina, T0)
    assert (await _get(uow_factory, number)).status is TicketStatus.CLOSED


async def test_reopen_within_seven_days_then_new_ticket_after(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster
) -> None:
    ticket = await services.open_ticket(uow_factory(), catalog, OpenTicket(PENYEDIA, "Q"), T0)
    number = ticket.number
    assert number is not None
    rina = staff(roster, 111)
    await services.take_ticket(uow_factory(), number, rina, T0)
    await services.close_ticket(uow_factory(), number, rina, T0)

    reopened = await services.add_requester_message_or_open(
        uow_factory(), catalog, number, PENYEDIA, "Masih gagal", T0 + timedelta(days=6)
    )
    assert (reopened.number, reopened.status) == (number, TicketStatus.IN_PROGRESS)
    await services.close_ticket(uow_factory(), number, rina, T0 + timedelta(days=6))

    fresh = await services.add_requester_message_or_open(
        uow_factory(), catalog, number, PENYEDIA, "Pertanyaan lain", T0 + timedelta(days=14)
    )
    assert fresh.number != number and fresh.status is TicketStatus.NEW
    async with uow_factory() as uow:
        requester = await uow.requesters.by_telegram_id(PENYEDIA.telegram_id or 0)
        assert requester is not None
        open_now = await uow.tickets.open_for_requester(requester.id or 0)
    assert [t.number for t in open_now] == [fresh.number]


async def test_bad_input_writes_nothing(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster, engine: AsyncEngine
) -> None:
    with pytest.raises(UnknownSop) as unknown:
        await services.open_ticket(uow_factory(), catalog, OpenTicket(PENYEDIA, "x", "SOP-99"), T0)
    assert "SOP-99" in unknown.value.user_message
    with pytest.raises(InvalidTransition):
        await services.open_ticket(uow_factory(), catalog, OpenTicket(PENYEDIA, "  "), T0)
    assert await count(engine, TicketRow) == 0

    ticket = await services.open_ticket(uow_factory(), catalog, OpenTicket(PENYEDIA, "Q"), T0)
    assert ticket.number is not None
    events_before = await count(engine, EventRow)
    with pytest.raises(NotAllowed) as refused:
        await services.advance_step(uow_factory(), ticket.number, staff(roster, 333), T0)
    assert "helpdesk" in refused.value.user_message
    assert await count(engine, EventRow) == events_before
    assert (await _get(uow_factory, ticket.number)).step == 2


async def test_concurrent_change_is_detected(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster
) -> None:
    ticket = await services.open_ticket(uow_factory(), catalog, OpenTicket(PENYEDIA, "Q"), T0)
    number = ticket.number
    assert number is not None
    async with uow_factory() as first, uow_factory() as second:
        mine = await first.tickets.get(number)
        theirs = await second.tickets.get(number)
        theirs.take(staff(roster, 111), T0)
        await second.tickets.save(theirs)
        await second.commit()
        mine.close(staff(roster, 222), T0)
        with pytest.raises(ConcurrentUpdate):
            await first.tickets.save(mine)
    assert (await _get(uow_factory, number)).status is TicketStatus.IN_PROGRESS


class FirstReadWaits(SqlUnitOfWork):
    """A unit of work whose first ticket read (over all its uses) waits for ``gate``."""

    def __init__(self, uow: SqlUnitOfWork, read: asyncio.Event, gate: asyncio.Event) -> None:
        super().__init__(uow._session_factory, uow._catalog)
        self.read, self.gate = read, gate

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        get = self.tickets.get

        async def get_then_wait(number: int) -> Ticket:
            ticket = await get(number)
            if not self.read.is_set():
                self.read.set()
                await self.gate.wait()
            return ticket

        self.tickets.get = get_then_wait  # type: ignore[method-assign]
        return self


async def test_a_change_that_loses_the_race_is_run_again(
    catalog: SopCatalog, uow_factory: UowFactory, roster: Roster
) -> None:
    """A requester's follow-up read the ticket, then staff took it: the follow-up is applied
    to the taken ticket instead of failing (nothing the requester wrote is lost)."""
    ticket = await services.open_ticket(uow_factory(), catalog, OpenTicket(PENYEDIA, "Q"), T0)
    number = ticket.number
    assert number is not None
    read, gate = asyncio.Event(), asyncio.Event()
    follow_up = asyncio.create_task(
        services.add_requester_message(
            FirstReadWaits(uow_factory(), read, gate), number, "data tambahan", T0
        )
    )
    await read.wait()
    await services.take_ticket(uow_factory(), number, staff(roster, 111), T0)
    gate.set()
    await follow_up
    stored = await _get(uow_factory, number)
    assert (stored.status, stored.assignee_id) == (TicketStatus.IN_PROGRESS, 111)
    async with uow_factory() as uow:
        texts_ = [message.text for message in await uow.tickets.messages(number)]
    assert texts_ == ["Q", "data tambahan"]


async def test_requester_details_are_kept_and_refreshed(
    catalog: SopCatalog, uow_factory: UowFactory
) -> None:
    await services.open_ticket(uow_factory(), catalog, OpenTicket(POKJA, "Q1", "SOP-03"), T0)
    richer = Requester(
        channel=Channel.EMAIL,
        email="pokja1@oganilir.go.id",
        instansi="Dinas PUPR",
        phone="08123456789",
    )
    await services.open_ticket(uow_factory(), catalog, OpenTicket(richer, "Q2", "SOP-03"), T0)
    async with uow_factory() as uow:
        stored = await uow.requesters.by_email("POKJA1@oganilir.go.id")
    assert stored is not None
    assert (stored.name, stored.instansi, stored.phone) == ("Pokja 1", "Dinas PUPR", "08123456789")


async def _get(uow_factory: UowFactory, number: int) -> Ticket:
    async with uow_factory() as uow:
        return await uow.tickets.get(number)


async def _events(uow_factory: UowFactory, number: int) -> list[TicketEvent]:
    async with uow_factory() as uow:
        return await uow.tickets.events(number)
