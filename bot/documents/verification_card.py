"""The `Kartu Tanda Lulus Verifikasi` (SOP-01 step 7) as a one-page PDF.

The seed's "kartu kuning": a yellow A6 card with the office as header, the provider, NPWP,
register number, verification date and verifier, printed in 4 copies (1 for the provider).

Text uses the PDF's built-in Helvetica, so nothing is downloaded or bundled. It covers
Windows-1252 (Latin letters with accents, curly quotes, dashes); any other character a user
typed is reduced to its plain Latin base where Unicode has one (full-width letters, ligatures)
and otherwise shown as "?", instead of failing the render. The output is deterministic: the
same card gives the same bytes, so a retried send carries the same document.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from typing import cast

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from bot import texts

# Helvetica's glyphs are addressed through WinAnsiEncoding (fpdf2 declares it for core fonts).
_FONT_ENCODING = "windows-1252"
_FONT = "Helvetica"
_UNPRINTABLE = "?"
_ELLIPSIS = "…"

_PAGE_WIDTH_MM = 148.0  # A6 landscape
_PAGE_HEIGHT_MM = 105.0
_MARGIN_MM = 10.0
_LABEL_WIDTH_MM = 32.0
_COLON_WIDTH_MM = 4.0
_ROW_HEIGHT_MM = 5.5
_PROVIDER_MAX_LINES = 2

_CARD_YELLOW = (255, 236, 140)
_INK = (33, 33, 33)
_FRAME = (120, 96, 0)


@dataclass(frozen=True)
class VerificationCard:
    """What the card states about one verified provider."""

    office_name: str
    provider_name: str
    npwp: str | None
    register_number: str
    verified_on: datetime.date
    verifier_name: str
    ticket_number: int


def render_verification_card(card: VerificationCard) -> bytes:
    """The card as a PDF document of one A6 page."""
    pdf = FPDF(unit="mm", format=(_PAGE_WIDTH_MM, _PAGE_HEIGHT_MM))
    pdf.core_fonts_encoding = _FONT_ENCODING
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_title(_printable(f"{texts.VERIFICATION_CARD_TITLE.title()} {card.register_number}"))
    pdf.set_author(_printable(card.office_name))
    pdf.set_creation_date(
        datetime.datetime.combine(card.verified_on, datetime.time(), tzinfo=datetime.UTC)
    )
    pdf.add_page()
    _draw_card_background(pdf)
    _draw_header(pdf, card)
    _draw_fields(pdf, card)
    _draw_footer(pdf, card)
    return bytes(pdf.output())


def _draw_card_background(pdf: FPDF) -> None:
    pdf.set_fill_color(*_CARD_YELLOW)
    pdf.rect(0, 0, _PAGE_WIDTH_MM, _PAGE_HEIGHT_MM, style="F")
    pdf.set_draw_color(*_FRAME)
    pdf.set_line_width(0.8)
    pdf.rect(4, 4, _PAGE_WIDTH_MM - 8, _PAGE_HEIGHT_MM - 8)
    pdf.set_line_width(0.2)
    pdf.rect(5.5, 5.5, _PAGE_WIDTH_MM - 11, _PAGE_HEIGHT_MM - 11)
    pdf.set_text_color(*_INK)


def _draw_header(pdf: FPDF, card: VerificationCard) -> None:
    width = pdf.epw
    pdf.set_xy(_MARGIN_MM, 9)
    pdf.set_font(_FONT, style="B", size=11)
    office = _fit_one_line(pdf, _printable(card.office_name).upper(), width)
    pdf.cell(width, 5, office, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*_FRAME)
    pdf.set_line_width(0.4)
    pdf.line(_MARGIN_MM, pdf.get_y() + 1, _PAGE_WIDTH_MM - _MARGIN_MM, pdf.get_y() + 1)
    pdf.ln(3.5)
    pdf.set_font(_FONT, style="B", size=14)
    pdf.cell(
        width, 7, texts.VERIFICATION_CARD_TITLE, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(_FONT, style="I", size=8)
    pdf.cell(
        width,
        4,
        texts.VERIFICATION_CARD_SUBTITLE,
        align=Align.C,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)


def _draw_fields(pdf: FPDF, card: VerificationCard) -> None:
    value_width = pdf.epw - _LABEL_WIDTH_MM - _COLON_WIDTH_MM
    rows = [
        (texts.VERIFICATION_CARD_PROVIDER, card.provider_name, _PROVIDER_MAX_LINES, True),
        (texts.VERIFICATION_CARD_NPWP, card.npwp or texts.VERIFICATION_CARD_NO_VALUE, 1, False),
        (texts.VERIFICATION_CARD_REGISTER, card.register_number, 1, True),
        (texts.VERIFICATION_CARD_DATE, card.verified_on.strftime("%d-%m-%Y"), 1, False),
    ]
    for label, value, max_lines, bold in rows:
        pdf.set_x(_MARGIN_MM)
        pdf.set_font(_FONT, size=9)
        pdf.cell(_LABEL_WIDTH_MM, _ROW_HEIGHT_MM, label)
        pdf.cell(_COLON_WIDTH_MM, _ROW_HEIGHT_MM, ":")
        pdf.set_font(_FONT, style="B" if bold else "", size=10)
        lines = _fit_lines(pdf, _printable(value), value_width, max_lines)
        pdf.multi_cell(
            value_width,
            _ROW_HEIGHT_MM,
            "\n".join(lines),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


def _draw_footer(pdf: FPDF, card: VerificationCard) -> None:
    signature_width = 52.0
    signature_x = _PAGE_WIDTH_MM - _MARGIN_MM - signature_width
    top = _PAGE_HEIGHT_MM - 32
    pdf.set_font(_FONT, size=9)
    pdf.set_xy(signature_x, top)
    pdf.cell(signature_width, 4.5, f"{texts.VERIFICATION_CARD_VERIFIER},", align=Align.C)
    pdf.set_font(_FONT, style="BU", size=9)
    pdf.set_xy(signature_x, top + 15)
    verifier = _fit_one_line(pdf, _printable(card.verifier_name), signature_width)
    pdf.cell(signature_width, 4.5, verifier, align=Align.C)

    note_width = signature_x - _MARGIN_MM - 2
    pdf.set_font(_FONT, style="I", size=7)
    pdf.set_xy(_MARGIN_MM, top + 11.5)
    pdf.multi_cell(note_width, 3.5, texts.VERIFICATION_CARD_NOTE)
    pdf.set_font(_FONT, size=7)
    pdf.set_x(_MARGIN_MM)
    pdf.cell(note_width, 3.5, texts.VERIFICATION_CARD_TICKET.format(number=card.ticket_number))


def _printable(text: str) -> str:
    """`text` on one line with only characters Helvetica can show (see the module docstring)."""
    kept: list[str] = []
    replacing = False  # one "?" stands for a whole run (an emoji sequence, a Cyrillic word)
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.category(char) in ("Cf", "Mn", "Me"):
            continue  # joiners, variation selectors, stray accents: nothing to show
        if char.isspace():
            shown = " "
        elif _encodable(char):
            shown = char
        else:
            shown = "".join(
                part
                for part in unicodedata.normalize("NFKD", char)
                if _encodable(part) and not unicodedata.combining(part)
            )
        if not shown and replacing:
            continue
        replacing = not shown
        kept.append(shown or _UNPRINTABLE)
    return " ".join("".join(kept).split())


def _encodable(char: str) -> bool:
    try:
        char.encode(_FONT_ENCODING)
    except UnicodeEncodeError:
        return False
    return char.isprintable()


def _fit_lines(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """`text` wrapped to `width` in the current font, cut with an ellipsis after `max_lines`."""
    if not text:
        return [texts.VERIFICATION_CARD_NO_VALUE]
    # multi_cell's return type is a union over its `output` modes; "LINES" gives list[str].
    wrapped = cast(
        list[str], pdf.multi_cell(width, _ROW_HEIGHT_MM, text, dry_run=True, output="LINES")
    )
    # The dry run returns the lines already encoded for the font (bytes as latin-1 text);
    # decode them so they can be written like any other text.
    lines = [line.encode("latin-1").decode(_FONT_ENCODING) for line in wrapped]
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = _fit_one_line(pdf, kept[-1] + _ELLIPSIS, width)
    return kept


def _fit_one_line(pdf: FPDF, text: str, width: float) -> str:
    """`text`, shortened with an ellipsis until it fits `width` in the current font."""
    # multi_cell keeps a small inner margin on each side; leave room for it.
    usable = width - 2 * pdf.c_margin
    if pdf.get_string_width(text) <= usable:
        return text
    text = text.removesuffix(_ELLIPSIS)
    while text and pdf.get_string_width(text + _ELLIPSIS) > usable:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS
