"""The Kartu Tanda Lulus Verifikasi PDF (SOP-01 step 7): what it says, and any typed text."""

from __future__ import annotations

import dataclasses
import datetime
import io

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from bot import texts
from bot.documents.verification_card import VerificationCard, render_verification_card

CARD = VerificationCard(
    office_name="LPSE Kabupaten Ogan Ilir",
    provider_name="CV Maju Jaya",
    npwp="01.234.567.8-901.000",
    register_number="REG-2026-0007",
    verified_on=datetime.date(2026, 3, 5),
    verifier_name="Dedi Kurniawan",
    ticket_number=42,
)


def _pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (the layout splits label and value)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _text(card: VerificationCard) -> str:
    pages = _pages(render_verification_card(card))
    assert len(pages) == 1
    return pages[0]


def test_card_is_one_small_page_stating_every_field() -> None:
    pdf = render_verification_card(CARD)
    assert pdf.startswith(b"%PDF-")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (420, 298)  # A6 landscape, in points

    text = _text(CARD)
    for expected in (
        "LPSE KABUPATEN OGAN ILIR",
        texts.VERIFICATION_CARD_TITLE,
        f"{texts.VERIFICATION_CARD_PROVIDER} : CV Maju Jaya",
        f"{texts.VERIFICATION_CARD_NPWP} : 01.234.567.8-901.000",
        f"{texts.VERIFICATION_CARD_REGISTER} : REG-2026-0007",
        f"{texts.VERIFICATION_CARD_DATE} : 05-03-2026",
        f"{texts.VERIFICATION_CARD_VERIFIER},",
        "Dedi Kurniawan",
        "Tiket #42",
        texts.VERIFICATION_CARD_NOTE,
    ):
        assert expected in text


def test_a_provider_without_npwp_gets_a_dash() -> None:
    text = _text(dataclasses.replace(CARD, npwp=None))
    assert f"{texts.VERIFICATION_CARD_NPWP} : - " in text


def test_typed_unicode_is_kept_where_the_font_has_it_and_replaced_where_not() -> None:
    text = _text(
        dataclasses.replace(
            CARD,
            provider_name="PT Ñusantara – “Jaya” 🚀",
            verifier_name="Ｄｅｄｉ\tK. 👨‍👩‍👧 Шарипов",
            office_name="LPSE Kabupaten Ogan Ilir\n",
        )
    )
    assert "PT Ñusantara – “Jaya” ?" in text
    # Full-width letters folded to ASCII; an emoji sequence or a Cyrillic word as one "?".
    assert "Dedi K. ? ?" in text
    assert "LPSE KABUPATEN OGAN ILIR" in text


def test_long_values_are_shortened_and_stay_on_one_page() -> None:
    long_name = "CV " + "Sangat Panjang Sekali " * 50
    text = _text(
        dataclasses.replace(
            CARD, provider_name=long_name, verifier_name=long_name, office_name=long_name
        )
    )
    assert "…" in text
    assert "REG-2026-0007" in text
    assert texts.VERIFICATION_CARD_NOTE in text


def test_the_same_card_renders_the_same_bytes() -> None:
    assert render_verification_card(CARD) == render_verification_card(CARD)


@settings(max_examples=40, deadline=None)
@given(provider=st.text(max_size=300), verifier=st.text(max_size=80), npwp=st.text(max_size=40))
def test_any_typed_text_renders_one_page(provider: str, verifier: str, npwp: str) -> None:
    card = dataclasses.replace(CARD, provider_name=provider, verifier_name=verifier, npwp=npwp)
    assert len(_pages(render_verification_card(card))) == 1
