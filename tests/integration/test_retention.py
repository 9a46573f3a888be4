"""Retention on SQLite and PostgreSQL: old tickets lose their personal data and files, newer
ones and the statistics stay, a dry run changes nothing and a second run finds nothing.

The office's history: requester Budi (Telegram) asked long ago and was answered; a PPK (mail)
asked long ago and has a new ticket open now that carries a file Budi sent too; Citra's ticket
closed ten days ago. Retention keeps one year.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import services
from bot.cli_retention import retention_command
from bot.core.faq_reply import FaqReply
from bot.core.outbound import Outbound, OutboundKind, Purpose
from bot.core.roster import Roster, StaffMember
from bot.core.sop import SopCatalog, load_catalog
from bot.core.tickets import AttachmentRef, Channel, Requester
from bot.services import OpenTicket
from storage import migrate
from storage.attachments import AttachmentStore
from storage.database import create_engine, create_session_factory
from storage.mail import IGNORED, PENDING, PROCESSED
from storage.models import (
    Base,
    ChatMessageRow,
    ConversationRow,
    EventRow,
    FaqInteractionRow,
    InboundMailRow,
    MailMessageRow,
    MessageRow,
    OutboxRow,
    ProcessedUpdateRow,
    RequesterRow,
    TelegramUpdateRow,
    TicketParticipantRow,
    TicketRow,
)
from storage.report_queries import ReportPeriod, collect_report
from storage.retention import JOURNAL_NAME, PURGED, PurgeReport, purge
from storage.uow import SqlUnitOfWork
from tests.integration.conftest import UowFactory
from tests.unit.test_settings import SETTING_NAMES

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=400)
CUTOFF = NOW - timedelta(days=365)
ALL_TIME = ReportPeriod(date(2020, 1, 1), date(2030, 1, 1), ZoneInfo("Asia/Jakarta"))

BUDI = Requester(
    channel=Channel.TELEGRAM, telegram_id=9001, name="Budi", instansi="CV Maju", phone="0812"
)
PPK = Requester(channel=Channel.EMAIL, email="ppk@oganilir.go.id", name="Pak PPK")
CITRA = Requester(channel=Channel.TELEGRAM, telegram_id=9003, name="Citra")


def member(roster: Roster, telegram_id: int) -> StaffMember:
    found = roster.member(telegram_id)
    assert found is not None
    return found


def number_of(ticket: Any) -> int:
    assert ticket.number is not None
    return int(ticket.number)


class Office:
    """The history above, with the numbers and files the assertions need."""

    def __init__(self, store: AttachmentStore) -> None:
        self.store = store
        self.files: dict[str, AttachmentRef] = {}
        self.budi = self.ppk_old = self.ppk_new = self.citra = 0

    async def file(self, name: str, data: bytes) -> AttachmentRef:
        self.files[name] = await self.store.put(data, f"{name}.pdf", "application/pdf")
        return self.files[name]

    def path(self, name: str) -> Path:
        return self.store.path_for(self.files[name].sha256)


async def build_office(
    uow_factory: UowFactory, catalog: SopCatalog, roster: Roster, store: AttachmentStore
) -> Office:
    office = Office(store)
    rina, andi = member(roster, 111), member(roster, 222)
    shared = await office.file("shared", b"%PDF-1.7 akta perusahaan")
    ktp = await office.file("ktp", b"%PDF-1.7 KTP Budi 1601xxxx")
    in_form = await office.file("in-form", b"%PDF-1.7 NPWP CV Maju")
    sk = await office.file("sk", b"%PDF-1.7 SK PPK lama")
    new = await office.file("new", b"%PDF-1.7 SK PPK baru")

    # Budi, long ago: a question with three files, an answer, a close and a rating. The FAQ
    # answered part of it and left his own words to staff (issue #18): personal data too.
    reply = FaqReply.from_matches(
        [("Akun terkunci?", "akun-terkunci"), ("Saya Budi, kapan akun saya dibuka?", None)]
    )
    opening = OpenTicket(
        BUDI,
        "Saya Budi, akun saya terkunci",
        attachments=(shared, ktp, in_form),
        faq_reply=reply,
    )
    ticket = await services.open_ticket(uow_factory(), catalog, opening, LONG_AGO)
    office.budi = number_of(ticket)
    later = LONG_AGO + timedelta(hours=1)
    await services.reply_to_requester(
        uow_factory(), office.budi, rina, "Pak Budi, silakan reset", later
    )
    await services.close_ticket(uow_factory(), office.budi, andi, later)
    await services.rate_ticket(uow_factory(), office.budi, 4, later, "Cepat, terima kasih Rina")

    # The PPK, long ago by mail, and now again with a file Budi also sent.
    ticket = await services.open_ticket(
        uow_factory(),
        catalog,
        OpenTicket(PPK, "Mohon user ID PPK untuk saya", "SOP-04", attachments=(sk,)),
        LONG_AGO,
    )
    office.ppk_old = number_of(ticket)
    for staff_member in (member(roster, 444), andi):
        await services.advance_step(uow_factory(), office.ppk_old, staff_member, LONG_AGO)
    await services.reject(
        uow_factory(),
        office.ppk_old,
        andi,
        "SK pengangkatan belum dilampirkan",
        LONG_AGO + timedelta(days=1),
        None,
    )
    ticket = await services.open_ticket(
        uow_factory(),
        catalog,
        OpenTicket(PPK, "User ID PPK baru", "SOP-04", attachments=(shared, new)),
        NOW - timedelta(days=2),
    )
    office.ppk_new = number_of(ticket)

    # Citra: closed ten days ago, well within retention.
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(CITRA, "Cara upload dokumen?"), NOW - timedelta(days=12)
    )
    office.citra = number_of(ticket)
    await services.close_ticket(uow_factory(), office.citra, rina, NOW - timedelta(days=10))

    async with uow_factory() as uow:
        # Channel bookkeeping of the old tickets...
        await uow.chat_messages.record(-100, 1, office.budi, "card", LONG_AGO)
        await uow.chat_messages.record(9001, 2, office.budi, "to_requester", LONG_AGO)
        await uow.chat_messages.record(-100, 3, office.citra, "card", NOW - timedelta(days=12))
        mail_id, _ = await uow.inbound_mail.store(
            b"From: ppk@oganilir.go.id\r\n\r\nMohon user ID PPK untuk saya",
            "ppk@oganilir.go.id",
            ["helpdesk@lpse.example.go.id"],
            "<ppk-1@oganilir.go.id>",
            LONG_AGO,
        )
        await uow.inbound_mail.finish(mail_id, PROCESSED, LONG_AGO, ticket_id=office.ppk_old)
        await uow.mail_threads.record("<ppk-1@oganilir.go.id>", office.ppk_old, "in", LONG_AGO)
        await uow.mail_threads.add_participants(office.ppk_old, ["ppk@oganilir.go.id"], LONG_AGO)
        await uow.mail_threads.record("<ppk-2@oganilir.go.id>", office.ppk_new, "in", NOW)
        await uow.mail_threads.add_participants(office.ppk_new, ["ppk@oganilir.go.id"], NOW)
        # ...mail that never became a ticket: an old auto-reply, and one still to process...
        ignored, _ = await uow.inbound_mail.store(
            b"Subject: Out of office\r\n\r\nSaya cuti", "x@example.com", [], None, LONG_AGO
        )
        await uow.inbound_mail.finish(ignored, IGNORED, LONG_AGO, note="automatic: auto-reply")
        await uow.inbound_mail.store(
            b"Subject: tolong\r\n\r\nbelum diproses", "y@example.com", [], None, LONG_AGO
        )
        # ...FAQ questions: one that became Budi's ticket, an old and a recent stray one...
        asked = await uow.faq_interactions.add(
            channel="telegram",
            requester_key="telegram:9001",
            question="Saya Budi, akun saya terkunci",
            answered_entry_id=None,
            candidate_ids=["akun-terkunci"],
            now=LONG_AGO,
        )
        await uow.faq_interactions.update(asked, ticket_id=office.budi, helpful=False)
        for when, question in ((LONG_AGO, "jadwal tender?"), (NOW, "jadwal lelang?")):
            await uow.faq_interactions.add(
                channel="telegram",
                requester_key="telegram:9003",
                question=question,
                answered_entry_id="jadwal",
                candidate_ids=[],
                now=when,
            )
        # ...what was said to Budi (sent), and a stale message still queued...
        sent, _stale = await uow.outbox.enqueue(
            [
                Outbound(
                    "telegram",
                    "9001",
                    OutboundKind.TEXT,
                    {"text": "Pak Budi, silakan reset"},
                    Purpose.TO_REQUESTER,
                    office.budi,
                ),
                Outbound(
                    "telegram",
                    "9001",
                    OutboundKind.DOCUMENT,
                    {**ktp.as_dict(), "caption": "Tiket #1"},
                    Purpose.TO_REQUESTER,
                    office.budi,
                ),
            ],
            LONG_AGO,
        )
        await uow.outbox.mark_sent(sent, "42", LONG_AGO)
        await uow.outbox.enqueue(
            [
                Outbound(
                    "telegram",
                    "-100",
                    OutboundKind.TEXT,
                    {"text": "Tiket #3"},
                    Purpose.CARD,
                    office.ppk_new,
                )
            ],
            NOW,
        )
        # ...handled updates, dialogue state and the loop brake, old and new. Citra is filling
        # in a form right now with the NPWP Budi once sent: that file must stay.
        await uow.processed_updates.claim(1, LONG_AGO)
        await uow.processed_updates.claim(2, NOW)
        update = {"message": {"chat": {"id": 9001}, "text": "Saya Budi, akun saya terkunci"}}
        await uow.telegram_inbox.store(
            [{"update_id": 10, **update}, {"update_id": 11, **update}], LONG_AGO
        )
        await uow.telegram_inbox.mark_done([10], LONG_AGO)  # 11: not handled yet, so it stays
        await uow.telegram_inbox.store([{"update_id": 12, **update}], NOW)
        await uow.telegram_inbox.mark_done([12], NOW)
        await uow.conversations.put(9001, "form", {"files": {"ktp": [ktp.as_dict()]}}, LONG_AGO)
        await uow.conversations.put(9003, "form", {"files": {"npwp": [in_form.as_dict()]}}, NOW)
        await uow.auto_mail.record("ppk@oganilir.go.id", LONG_AGO)
        await uow.auto_mail.record("ppk@oganilir.go.id", NOW)
        await uow.commit()
    return office


# --- helpers ----------------------------------------------------------------------------


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[Any]]:
    """Every row of every table, in key order."""
    tables: dict[str, list[Any]] = {}
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            rows = await session.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [tuple(row) for row in rows]
    return tables


async def statistics(
    sessions: async_sessionmaker[AsyncSession], catalog: SopCatalog
) -> dict[str, Any]:
    """What the management report shows over all time (steps, SLA, ratings, FAQ)."""
    async with SqlUnitOfWork(sessions, catalog) as uow, sessions() as session:
        data = await collect_report(session, ALL_TIME, catalog, uow.calendar, NOW)
    return {
        "tickets": data.tickets,
        "steps": data.steps,
        "runs": data.runs,
        "ratings": data.ratings,
        "faq": data.faq,
    }


def files_on_disk(store: AttachmentStore) -> set[str]:
    return {path.name for path in store.root.rglob("*") if path.is_file()}


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    return AttachmentStore(tmp_path / "attachments")


# --- the purge --------------------------------------------------------------------------


async def test_purge_removes_personal_data_of_old_tickets_and_keeps_statistics(
    uow_factory: UowFactory,
    sessions: async_sessionmaker[AsyncSession],
    store: AttachmentStore,
    catalog: SopCatalog,
    roster: Roster,
) -> None:
    office = await build_office(uow_factory, catalog, roster, store)
    before = await snapshot(sessions)
    stats_before = await statistics(sessions, catalog)
    disk_before = files_on_disk(store)
    async with uow_factory() as uow:
        budi_events_before = await uow.tickets.events(office.budi)
        untouched_before = {
            number: (await uow.tickets.get(number), await uow.tickets.messages(number))
            for number in (office.ppk_new, office.citra)
        }

    # batch=1: every ticket in its own transaction, as a large office's run would go.
    dry = await purge(sessions, store, closed_before=CUTOFF, dry_run=True, batch=1)
    assert await snapshot(sessions) == before
    assert files_on_disk(store) == disk_before

    report = await purge(sessions, store, closed_before=CUTOFF, dry_run=False, batch=1)
    assert report.rows() == dry.rows()  # the dry run said exactly what would happen
    expected_bytes = office.files["ktp"].size + office.files["sk"].size
    assert dict(report.rows()) == {
        "tickets purged": 2,
        "messages blanked": 3,
        "attachment rows deleted": 4,
        "files deleted": 2,
        "bytes freed": expected_bytes,
        "requesters anonymised": 1,
        "inbound mails emptied": 2,
        "FAQ questions blanked": 2,
        "outbox rows blanked": 2,
        "telegram update ids deleted": 1,
        "telegram inbox rows deleted": 1,
        "idle dialogues deleted": 1,
        "loop-brake entries deleted": 1,
        "published FAQ entries scrubbed": 0,
        "unreferenced old files deleted": 0,
        "database compacted (VACUUM)": int(sessions.kw["bind"].dialect.name == "sqlite"),
    }

    # Files: Budi's KTP and the old SK are gone; the file shared with the PPK's new ticket and
    # the one in Citra's open form stay.
    assert not office.path("ktp").exists()
    assert not office.path("sk").exists()
    for kept in ("shared", "in-form", "new"):
        assert office.path(kept).exists(), kept

    async with sessions() as session:
        budi = await session.get(TicketRow, office.budi)
        assert budi is not None
        assert (budi.subject, budi.rating_comment) == (PURGED, None)
        assert budi.faq_unanswered == []
        # The letter's agenda record stays: number, decision, outcome; personal details go.
        letter = await session.get(TicketRow, office.ppk_old)
        assert letter is not None and letter.subject == PURGED
        assert letter.agenda == f"0001/{LONG_AGO.year}" and letter.decision == "ditolak"
        assert letter.outcome == "SK pengangkatan belum dilampirkan" and letter.details == {}
        assert (budi.status, budi.sop_id, budi.rating, budi.channel) == (
            "selesai",
            "SOP-02",
            4,
            "telegram",
        )
        assert budi.closed_at == LONG_AGO + timedelta(hours=1)
        messages = list(
            await session.scalars(select(MessageRow).where(MessageRow.ticket_id == office.budi))
        )
        assert [m.text for m in messages] == [PURGED, PURGED]
        assert [m.author for m in messages] == ["requester", "staff:111"]
        events = list(
            await session.scalars(select(EventRow).where(EventRow.ticket_id == office.budi))
        )
        assert all(not e.actor.startswith("requester:") for e in events)

        budi_row = await session.get(RequesterRow, budi.requester_id)
        assert budi_row is not None
        assert (
            budi_row.telegram_id,
            budi_row.email,
            budi_row.name,
            budi_row.instansi,
            budi_row.phone,
        ) == (None, None, None, None, None)
        assert budi_row.channel == "telegram"
        # The PPK has a ticket open: nothing of theirs is anonymised yet.
        ppk_row = await session.scalar(
            select(RequesterRow).where(RequesterRow.email == "ppk@oganilir.go.id")
        )
        assert ppk_row is not None and ppk_row.name == "Pak PPK"
        citra_row = await session.scalar(
            select(RequesterRow).where(RequesterRow.telegram_id == 9003)
        )
        assert citra_row is not None and citra_row.name == "Citra"

        mails = {m.status: m for m in await session.scalars(select(InboundMailRow))}
        for emptied in (mails[PROCESSED], mails[IGNORED]):
            assert (emptied.raw, emptied.mail_from, emptied.rcpt_tos) == (b"", PURGED, [])
            assert emptied.message_id is None
        assert mails[IGNORED].note == PURGED
        assert mails[PENDING].raw.endswith(b"belum diproses")  # not processed yet: kept

        assert list(await session.scalars(select(MailMessageRow.ticket_id))) == [office.ppk_new]
        assert list(await session.scalars(select(TicketParticipantRow.ticket_id))) == [
            office.ppk_new
        ]
        assert list(await session.scalars(select(ChatMessageRow.ticket_id))) == [office.citra]

        questions = await session.scalars(select(FaqInteractionRow).order_by(FaqInteractionRow.id))
        assert [(q.question, q.requester_key) for q in questions] == [
            (PURGED, PURGED),
            (PURGED, PURGED),
            ("jadwal lelang?", "telegram:9003"),
        ]

        outbox = list(
            await session.scalars(
                select(OutboxRow).where(OutboxRow.ticket_id == office.budi).order_by(OutboxRow.id)
            )
        )
        assert [(o.payload, o.destination, o.status) for o in outbox] == [
            ({}, PURGED, "sent"),
            ({}, PURGED, "failed"),  # stale, and without its text: never sent now
        ]
        assert list(await session.scalars(select(ProcessedUpdateRow.update_id))) == [2]
        assert list(
            await session.scalars(
                select(TelegramUpdateRow.update_id).order_by(TelegramUpdateRow.update_id)
            )
        ) == [11, 12]
        assert list(await session.scalars(select(ConversationRow.telegram_id))) == [9003]

    async with uow_factory() as uow:
        budi_events = await uow.tickets.events(office.budi)
        # Kinds, times and structure stay; who the requester was does not.
        assert [(e.kind, e.at) for e in budi_events] == [(e.kind, e.at) for e in budi_events_before]
        assert [e.detail for e in budi_events] == [e.detail for e in budi_events_before]
        for number, (ticket, conversation) in untouched_before.items():
            assert (await uow.tickets.get(number)).subject == ticket.subject
            assert await uow.tickets.messages(number) == conversation

    assert await statistics(sessions, catalog) == stats_before

    # Nothing is left to do: a second run changes nothing at all.
    after = await snapshot(sessions)
    again = await purge(sessions, store, closed_before=CUTOFF, dry_run=False)
    assert all(count == 0 for _, count in again.rows())
    assert await snapshot(sessions) == after


async def test_a_ticket_reopened_after_its_purge_is_purged_again(
    uow_factory: UowFactory,
    sessions: async_sessionmaker[AsyncSession],
    store: AttachmentStore,
    catalog: SopCatalog,
    roster: Roster,
) -> None:
    andi = member(roster, 222)
    scan = await store.put(b"%PDF-1.7 bukti", "bukti.pdf", "application/pdf")
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(BUDI, "Dokumen saya?"), NOW - timedelta(days=4)
    )
    number = number_of(ticket)
    await services.close_ticket(uow_factory(), number, andi, NOW - timedelta(days=3))
    first = await purge(sessions, store, closed_before=NOW - timedelta(days=1), dry_run=False)
    assert (first.tickets, first.requesters_anonymised) == (1, 1)

    # Within the reopen window the requester writes again, with a file; it closes again.
    await services.add_requester_message(
        uow_factory(), number, "Masih belum bisa", NOW, attachments=(scan,)
    )
    assert (
        await purge(sessions, store, closed_before=NOW + timedelta(days=1), dry_run=True)
    ).tickets == 0  # open again: not purged
    await services.close_ticket(uow_factory(), number, andi, NOW + timedelta(hours=1))

    second = await purge(sessions, store, closed_before=NOW + timedelta(days=1), dry_run=False)
    assert (second.tickets, second.messages, second.attachment_rows, second.files_deleted) == (
        1,
        1,
        1,
        1,
    )
    assert not store.path_for(scan.sha256).exists()
    async with uow_factory() as uow:
        assert {m.text for m in await uow.tickets.messages(number)} == {PURGED}


async def test_files_of_an_interrupted_run_are_deleted_by_the_next(
    uow_factory: UowFactory,
    sessions: async_sessionmaker[AsyncSession],
    store: AttachmentStore,
    catalog: SopCatalog,
) -> None:
    orphan = await store.put(b"%PDF-1.7 left behind", "a.pdf", "application/pdf")
    attached = await store.put(b"%PDF-1.7 still used", "b.pdf", "application/pdf")
    await services.open_ticket(
        uow_factory(), catalog, OpenTicket(CITRA, "Pertanyaan", attachments=(attached,)), NOW
    )
    # A run stopped after committing a batch, before deleting its files: the journal names
    # them. (Had the commit not happened, the rows would still refer to them, as here.)
    (store.root / JOURNAL_NAME).write_text(f"{orphan.sha256}\n{attached.sha256}\n")

    report = await purge(sessions, store, closed_before=CUTOFF, dry_run=False)

    assert (report.files_deleted, report.bytes_freed) == (1, orphan.size)
    assert not store.path_for(orphan.sha256).exists()
    assert store.path_for(attached.sha256).exists()
    assert not (store.root / JOURNAL_NAME).exists()


async def test_purge_rejects_a_naive_cutoff(
    sessions: async_sessionmaker[AsyncSession], store: AttachmentStore
) -> None:
    with pytest.raises(ValueError, match="aware"):
        await purge(sessions, store, closed_before=datetime(2026, 1, 1), dry_run=True)


# --- the command ------------------------------------------------------------------------


def invoke_retention(env_file: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        retention_command,
        list(args),
        obj={"env_file": env_file},
        env=dict.fromkeys(SETTING_NAMES),  # the caller's own settings must not leak in
    )
    return result.exit_code, result.stdout, result.stderr


async def test_retention_command_on_a_sqlite_file(tmp_path: Path, roster: Roster) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'helpdesk.db'}"
    store = AttachmentStore(tmp_path / "attachments")
    env_file = tmp_path / "helpdesk.env"
    env_file.write_text(
        f"DATABASE_URL={database_url}\nATTACHMENTS_DIR={store.root}\n", encoding="utf-8"
    )
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        catalog = load_catalog()
        sessions = create_session_factory(engine)

        def uow() -> SqlUnitOfWork:
            return SqlUnitOfWork(sessions, catalog)

        # The command's clock is the real one.
        now = datetime.now(UTC)
        old = await store.put(b"%PDF-1.7 lama", "lama.pdf", "application/pdf")
        ticket = await services.open_ticket(
            uow(),
            catalog,
            OpenTicket(BUDI, "Pertanyaan lama", attachments=(old,)),
            now - timedelta(days=100),
        )
        await services.close_ticket(
            uow(), number_of(ticket), member(roster, 222), now - timedelta(days=95)
        )
        recent = await services.open_ticket(uow(), catalog, OpenTicket(CITRA, "Baru"), now)
    finally:
        await engine.dispose()

    # The command runs its own event loop, as it does from the shell: give it a thread.
    code, stdout, stderr = await asyncio.to_thread(
        invoke_retention, env_file, "--days", "90", "--dry-run"
    )
    assert code == 0, stderr
    assert stdout.startswith("dry run, nothing changed: tickets closed before ")
    assert "tickets purged" in stdout and "files deleted" in stdout
    assert store.path_for(old.sha256).exists()

    code, stdout, stderr = await asyncio.to_thread(invoke_retention, env_file, "--days", "90")
    assert code == 0, stderr
    rows = dict(line.rsplit(None, 1) for line in stdout.splitlines()[3:])
    assert rows["tickets purged"] == "1"
    assert rows["files deleted"] == "1"
    assert rows["requesters anonymised"] == "1"
    assert not store.path_for(old.sha256).exists()

    engine = create_engine(database_url)
    try:
        async with SqlUnitOfWork(create_session_factory(engine), load_catalog()) as unit:
            assert (await unit.tickets.get(number_of(ticket))).subject == PURGED
            assert (await unit.tickets.get(number_of(recent))).subject == "Baru"
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "Invalid value for '--days'"),
        (["--dry-run"], "Missing option '--days'"),
    ],
)
def test_retention_command_rejects_bad_days(args: list[str], message: str, tmp_path: Path) -> None:
    env_file = tmp_path / "e.env"
    env_file.write_text(f"DATABASE_URL=sqlite+aiosqlite:///{tmp_path / 'x.db'}\n")
    code, _, stderr = invoke_retention(env_file, *args)
    assert code == 2
    assert message in stderr


def test_report_rows_name_every_count() -> None:
    report = PurgeReport(closed_before=NOW, dry_run=True, tickets=3)
    assert dict(report.rows())["tickets purged"] == 3
    assert len(report.rows()) == 16


async def test_the_newest_telegram_update_stays_for_the_polling_offset(
    uow_factory: UowFactory,
    sessions: async_sessionmaker[AsyncSession],
    store: AttachmentStore,
) -> None:
    async with uow_factory() as uow:
        await uow.telegram_inbox.store([{"update_id": 20}, {"update_id": 21}], LONG_AGO)
        await uow.telegram_inbox.mark_done([20, 21], LONG_AGO)
        await uow.commit()
    report = await purge(sessions, store, closed_before=CUTOFF, dry_run=False)
    assert report.telegram_inbox == 1
    async with uow_factory() as uow:
        assert await uow.telegram_inbox.next_offset() == 22
