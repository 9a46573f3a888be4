"""Issue #16, finding 9 (and the retention half of 2): retention left personal data behind:
a form's summary queued without a ticket in the outbox, the uploads of an abandoned form on
disk, purged text in SQLite's free pages, and FAQ entries published from purged tickets.

The office is driven through the running bot (a form filled in up to its summary and then
abandoned, a question answered, closed and published to the FAQ); then retention runs, and
the database file, its WAL and the attachments directory are read as an intruder would."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.runtime import build_runtime
from storage.retention import PURGED, purge
from tests.e2e.conftest import STAFF_CHAT, BotUnderTest
from tests.e2e.test_telegram_forms import RHS, send_file

NAME = "Siti Zqxaminah"
MAIL = "siti.zqx@oganilir.go.id"
QUESTION = "Apakah jadwal zqxrahasia tender dinas kami bisa diundur?"


def database_bytes(workdir: Path) -> bytes:
    files = [workdir / "helpdesk.db", workdir / "helpdesk.db-wal"]
    return b"".join(path.read_bytes() for path in files if path.exists())


async def test_retention_leaves_no_personal_data_in_outbox_disk_or_free_pages(
    bot: BotUnderTest,
) -> None:
    # A form filled in up to its summary (name, e-mail, an .rhs upload), then abandoned.
    menu = await bot.ask(bot.requester, "/start")
    mark = await bot.press(bot.requester, menu, "File .rhs tidak bisa dibuka")
    await bot.said_to(bot.requester.id, lambda r: True, since=mark)
    await bot.ask(bot.requester, NAME)
    await bot.ask(bot.requester, "Pokja Pemilihan 3 Dinas PUPR")
    await bot.ask(bot.requester, "10234567")
    await bot.ask(bot.requester, "CV Maju Jaya")
    await bot.ask(bot.requester, MAIL)
    await bot.ask(bot.requester, "0812 3456 7890")
    description = await send_file(bot, RHS, "penawaran_cv_maju.rhs", "application/octet-stream")
    mark = await bot.press(bot.requester, description, "Lewati")
    summary = await bot.said_to(
        bot.requester.id, lambda r: "Kirim" in str(r["reply_markup"]), since=mark
    )
    assert NAME in summary["text"]
    await bot.ask(bot.requester, "/batal")

    # A question, answered, closed and published (an entry that kept the requester's name,
    # as entries published before drafts existed did, is scrubbed too).
    other = bot.api.user(90003, "Zqxbambang")
    card = await bot.escalate(other, QUESTION, 1)
    bot.api.send_text(
        bot.rina, STAFF_CHAT, "Bisa, Pak Zqxbambang: ajukan surat.", reply_to=card["message_id"]
    )
    await bot.said_to(other.id, lambda r: "ajukan surat" in r["text"])
    mark = await bot.press(bot.rina, card, "Selesai")
    await bot.said_to(other.id, lambda r: "Tiket #1 selesai" in r["text"], since=mark)
    bot.api.send_text(bot.outsider, bot.outsider.id, "/start")  # the newest update stays
    await bot.api.wait_until_idle()
    await bot.stop()
    with sqlite3.connect(bot.workdir / "helpdesk.db") as connection:
        connection.execute(
            "INSERT INTO faq_entries (id, category, question, variants, keywords, answer, route,"
            " sop, source_ticket_id, published_by, published_at) VALUES ('tiket-1', 'dari-tiket',"
            " ?, '[]', '[]', 'Bisa, Pak Zqxbambang: ajukan surat.', 'helpdesk', 'SOP-02', 1,"
            " 'staff:111', '2026-01-01 00:00:00')",
            ("Apakah jadwal tender bisa diundur?",),
        )
    assert NAME.encode() in database_bytes(bot.workdir)
    uploads = [p for p in bot.settings.attachments_dir.rglob("*") if p.is_file()]
    assert uploads

    runtime = await build_runtime(bot.settings, load_faq=False)
    try:
        # Everything is past retention: the cutoff is tomorrow.
        report = await purge(
            runtime.session_factory,
            runtime.attachments,
            closed_before=datetime.now(UTC) + timedelta(days=1),
            dry_run=False,
        )
    finally:
        await runtime.close()
    assert report.tickets == 1 and report.database_compacted == 1

    # The abandoned form's upload is gone from disk.
    assert [p for p in bot.settings.attachments_dir.rglob("*") if p.is_file()] == []
    with sqlite3.connect(bot.workdir / "helpdesk.db") as connection:
        outbox = connection.execute("SELECT destination, payload FROM outbox").fetchall()
        [(_, answer)] = connection.execute("SELECT question, answer FROM faq_entries")
    # The summary queued without a ticket lost its text and the requester's chat id.
    assert not [row for row in outbox if NAME in row[1] or MAIL in row[1]]
    assert not [row for row in outbox if row[0] == str(bot.requester.id)]
    assert "Zqxbambang" not in answer and PURGED.strip("[]") in answer
    # Nothing left in the file, its free pages or the WAL.
    raw = database_bytes(bot.workdir)
    for secret in (NAME, MAIL, "zqxrahasia", "Zqxbambang"):
        assert secret.encode() not in raw, secret
