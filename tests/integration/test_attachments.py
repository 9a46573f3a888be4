"""Attachments on disk by content hash, with name, type and size in the database."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from bot import services
from bot.core.sop import SopCatalog
from bot.core.tickets import Channel, Requester
from bot.services import OpenTicket
from storage.attachments import AttachmentStore, clean_filename
from tests.integration.conftest import UowFactory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_files_stored_once_by_hash_and_listed_with_message(
    tmp_path: Path, catalog: SopCatalog, uow_factory: UowFactory
) -> None:
    store = AttachmentStore(tmp_path / "attachments")
    letter = b"%PDF-1.7 surat permohonan"
    first = await store.put(letter, "Surat Permohonan.pdf", "application/pdf")
    again = await store.put(letter, "copy.pdf", "application/pdf")
    decree = await store.put(b"\x89PNG sk", "../../etc/SK pengangkatan.png", "image/png")

    assert first.sha256 == again.sha256 == hashlib.sha256(letter).hexdigest()
    assert store.path_for(first.sha256).read_bytes() == letter
    assert len(list((tmp_path / "attachments").rglob("*"))) == 2 * 2 + 2  # dirs + 2 files
    assert decree.filename == "SK pengangkatan.png"

    identity = Requester(channel=Channel.EMAIL, email="ppk@oganilir.go.id")
    ticket = await services.open_ticket(
        uow_factory(),
        catalog,
        OpenTicket(identity, "Permohonan user ID PPK", "SOP-04", attachments=(first, decree)),
        NOW,
    )
    assert ticket.number is not None
    async with uow_factory() as uow:
        [message] = await uow.tickets.messages(ticket.number)
    assert message.attachments == (first, decree)
    assert await store.read(decree.sha256) == b"\x89PNG sk"


def test_clean_filename_strips_paths_and_control_characters() -> None:
    assert clean_filename("C:\\Users\\x\\dok.pdf") == "dok.pdf"
    assert clean_filename("a\r\nb.pdf") == "a_b.pdf"
    assert clean_filename("...") == "lampiran"
    assert len(clean_filename("x" * 400 + ".pdf")) == 255
