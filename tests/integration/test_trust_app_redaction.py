"""Issue #16, finding 2, the rule itself: personal data is removed from FAQ drafts and a
published entry that still carries any is refused (whoever calls ``publish_to_faq``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import services
from bot.core.errors import InvalidTransition
from bot.core.redaction import REMOVED, personal_data_in, redact
from bot.core.roster import Roster
from bot.core.sop import SopCatalog
from bot.core.tickets import Channel, Requester
from bot.services import OpenTicket
from tests.integration.conftest import UowFactory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("NIP saya 19850310 201001 1 002", "NIP/NIK"),
        ("NIK 3201234567890001", "NIP/NIK"),
        ("kirim ke budi.s@pu.go.id ya", "e-mail"),
        ("WA 0812-3456-7890", "telepon"),
        ("telp +62 711 123456", "telepon"),
        ("user id saya budi_cv", "user ID"),
        ("username: ppkdinas", "user ID"),
        ("hubungi @budi_cv", "user ID"),
        ("Nama: Siti Aminah", "nama"),
        ("Terima kasih Pak Bambang Sutrisno", "nama"),
    ],
)
def test_each_kind_of_personal_data_is_found_and_removed(text: str, kind: str) -> None:
    result = redact(text)
    assert result.kinds == (kind,)
    assert REMOVED in result.text


@pytest.mark.parametrize(
    "text",
    [
        "user id saya terkunci, bagaimana membukanya?",
        "Bapak/Ibu Penyedia dapat mengunggah ulang dokumen.",
        "Kode tender 10234567 gagal diunggah pada tahap 2.",
        "Hubungi helpdesk LPSE pada jam kerja.",
    ],
)
def test_ordinary_helpdesk_text_is_left_alone(text: str) -> None:
    assert redact(text).text == text and personal_data_in(text) == ()


def test_known_names_are_removed_whole_and_word_by_word() -> None:
    result = redact(
        "Budi Santoso bertanya; Pak Budi sudah dibantu oleh Rina.", ["Budi Santoso", "Rina"]
    )
    assert "Budi" not in result.text and "Santoso" not in result.text and "Rina" not in result.text


async def test_publishing_text_with_personal_data_is_refused(
    uow_factory: UowFactory, catalog: SopCatalog, roster: Roster
) -> None:
    requester = Requester(channel=Channel.TELEGRAM, telegram_id=9001, name="Budi Santoso")
    ticket = await services.open_ticket(
        uow_factory(), catalog, OpenTicket(requester, "Bagaimana reset user ID?"), NOW
    )
    assert ticket.number is not None
    rina = roster.member(111)
    assert rina is not None
    for question, answer in [
        ("Bagaimana reset user ID?", "Sudah kami reset, Pak Santoso."),  # the requester
        ("Bagaimana reset user ID?", "Tulis ke helpdesk@lpse.go.id"),
        ("Bagaimana reset user ID, NIP 198503102010011002?", "Hubungi helpdesk."),
    ]:
        with pytest.raises(InvalidTransition, match="data pribadi"):
            await services.publish_to_faq(
                uow_factory(), ticket.number, rina, NOW, question=question, answer=answer
            )
    entry = await services.publish_to_faq(
        uow_factory(),
        ticket.number,
        rina,
        NOW,
        question="Bagaimana reset user ID?",
        answer="Hubungi helpdesk LPSE dengan surat permohonan.",
    )
    assert entry.answer == "Hubungi helpdesk LPSE dengan surat permohonan."
