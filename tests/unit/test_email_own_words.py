"""The sender's own words: other projects' public fixtures, our Indonesian mails, edge cases.

The fixtures and their expectations live in ``tests/email_reading`` (licences noted there);
``python -m bench.email_reading`` prints the scores next to the peer libraries'.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.own_words import read_own_words, strip_quotes_and_signature
from handlers.email.parse import parse_mail
from tests.email_reading import corpus

# Cases this project reads differently from the fixture's expectation, and why.
KNOWN_MISSES = {
    "talon/reply-separated-by-hr.html": (
        "talon drops the name 'Bob' above the <hr> with the quote's block; a lone name line "
        "is not cut as a signature here (it would eat one-word answers)"
    ),
}
CASES = corpus.cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.suite}/{c.name}" for c in CASES])
def test_fixture_is_read_as_expected(case: corpus.Case) -> None:
    miss = KNOWN_MISSES.get(f"{case.suite}/{case.name}")
    if miss:
        pytest.xfail(miss)
    reading = read_own_words(parse_mail(case.raw).body)
    got = reading.words if case.field == "words" else reading.reply
    assert corpus.normalise(got, html=case.html) == corpus.normalise(case.expected, html=case.html)
    cut = corpus.normalise(reading.quote + "\n" + reading.signature)
    for text in case.cut:
        assert corpus.normalise(text) in cut


def test_scores_reach_the_peer_libraries() -> None:
    """At or above the peers' own scores on these cases (bench/results/email_reading.json):
    email-reply-parser 24/25 on its fixtures, talon 74/85 on its, neither above 8/34 on ours."""
    peers = {"email_reply_parser": 24, "talon": 74, "indonesian": 8}
    for suite, peer in peers.items():
        cases = corpus.cases(suite)
        right = 0
        for case in cases:
            reading = read_own_words(parse_mail(case.raw).body)
            got = reading.words if case.field == "words" else reading.reply
            right += corpus.matches(case, got)
        assert right >= peer, suite
    assert len(corpus.cases("indonesian")) >= 30


def test_quote_signature_and_forward_are_kept_apart() -> None:
    body = (
        "Mohon dibantu.\n\nSalam,\nBudi\n\n---------- Pesan terusan ----------\n"
        "Dari: Siti <siti@example.com>\n\nApakah bisa bayar pakai kartu kredit?"
    )
    reading = read_own_words(body)
    assert reading.words == "Mohon dibantu."
    assert reading.signature == "Salam,\nBudi"
    assert reading.forwarded.endswith("Apakah bisa bayar pakai kartu kredit?")
    assert reading.text == reading.words + "\n\n" + reading.forwarded
    assert strip_quotes_and_signature(body) == reading.text


def test_text_written_below_a_quote_is_kept() -> None:
    body = (
        "Pada Sen, 3 Feb 2025 pukul 09.15 Helpdesk <helpdesk@example.go.id> menulis:\n"
        "> Mohon kirim NIB.\n> Terima kasih.\n\nSudah saya kirim tadi pagi, sudah diterima?"
    )
    reading = read_own_words(body)
    assert reading.words == "Sudah saya kirim tadi pagi, sudah diterima?"
    assert "Mohon kirim NIB." in reading.quote


@pytest.mark.parametrize(
    "attribution",
    [
        "Pada tanggal Sen, 3 Feb 2025 pukul 09.15 Helpdesk LPSE Kabupaten <\n"
        "helpdesk@example.go.id> menulis:",
        "On Mon, Feb 3, 2025 at 9:15 AM Helpdesk LPSE Kabupaten Ogan Ilir\n"
        "<helpdesk@example.go.id> wrote:",
        "Am 03.02.2025 um 09:15 schrieb Helpdesk <helpdesk@example.go.id>:",
        "Le 3 févr. 2025 à 09:15, Helpdesk <helpdesk@example.go.id> a écrit :",
        "3 февр. 2025 г., в 09:15, Helpdesk <helpdesk@example.go.id> написал(а):",
    ],
)
def test_attributions_in_many_clients_and_languages(attribution: str) -> None:
    body = f"Kapan jadwal verifikasi?\n\n{attribution}\n\n> Yth. Bapak/Ibu,\n> Tiket #12"
    assert read_own_words(body).words == "Kapan jadwal verifikasi?"


def test_header_blocks_without_an_address_in_plain_and_bold() -> None:
    for block in (
        "Dari: Helpdesk LPSE\nDikirim: Senin, 03 Februari 2025 09:15\nKepada: Budi\n"
        "Subjek: RE: Tiket [#12]",
        "*From:* Helpdesk LPSE\n*Sent:* Monday, February 3, 2025 9:15 AM\n*To:* Budi\n"
        "*Subject:* RE: Tiket [#12]",
        "Von: Helpdesk\nGesendet: Montag, 3. Februar 2025 09:15\nAn: Budi\nBetreff: Tiket",
    ):
        body = f"Apakah sudah diproses?\n\n{block}\n\nYth. Bapak/Ibu, tiket sudah diterima."
        assert read_own_words(body).words == "Apakah sudah diproses?", block


def test_an_official_letter_heading_is_the_senders_words() -> None:
    """Kepada/Dari/Perihal at the top of a letter is not a quoted mail's header block."""
    for heading in (
        "Kepada: Yth. Kepala LPSE\nDari: CV Maju Jaya\nPerihal: Permohonan user ID",
        "Dari: CV Maju Jaya (budi@cvmaju.co.id)\nKepada: LPSE\nPerihal: Permohonan user ID",
    ):
        body = f"Selamat pagi,\n\n{heading}\n\nDengan hormat, kami mengajukan user ID baru."
        assert read_own_words(body).words == body


def test_forms_and_lists_with_dates_stay_the_senders_words() -> None:
    """A date without a time of day is a form field, and "Pada ... kami mengirim:" starts a
    list: neither is a quoted mail."""
    for body in (
        "Mohon dibuatkan user ID:\nNama: Budi\nTanggal: 3 Februari 2025\nPerihal: User ID PPK"
        "\n\nApakah bisa hari ini?",
        "Dari: CV Maju Jaya\nTanggal: 03.02.2025\nKepada: Pokja 3\n\nMohon info jadwal.",
        "Pada tanggal 3 Februari 2025 kami sudah mengirim:\n- NIB\n- NPWP\nSudah diterima?",
        "On Monday 3 Feb I sent:\n- the deed\n- the tax number\nDid they arrive?",
    ):
        assert read_own_words(body).words == body


def test_a_form_with_a_date_line_is_not_a_header_block() -> None:
    body = "Jadwal verifikasi:\n\nTanggal: 10 Februari 2025\nTempat: Kantor LPSE\n\nBisa hadir?"
    assert read_own_words(body).words == body


def test_closing_followed_by_a_question_in_short_lines_is_not_a_signature() -> None:
    body = "Akun sudah aktif.\nTerima kasih,\nsatu lagi pak\nkalau lupa\nuser ID PPK\nbagaimana ya?"
    assert read_own_words(body).words == body
    signed = "Akun sudah aktif.\nTerima kasih,\nBudi Santoso\nCV Maju Jaya\n0812-3456-7890"
    assert read_own_words(signed).words == "Akun sudah aktif."


def test_device_lines_go_but_sentences_starting_alike_stay() -> None:
    assert read_own_words("Kenapa gagal?\n\nDikirim dari iPhone saya").words == "Kenapa gagal?"
    assert read_own_words("Kenapa gagal?\nDapatkan Outlook untuk Android").words == (
        "Kenapa gagal?"
    )
    sentence = "Dikirim dari kantor kami di Palembang kemarin, dokumen fisiknya sudah sampai?"
    assert read_own_words(sentence).words == sentence


def test_disclaimer_is_cut() -> None:
    body = (
        "Mohon dicek.\n\nPERHATIAN: Email ini bersifat rahasia dan hanya ditujukan kepada "
        "penerima yang dituju."
    )
    reading = read_own_words(body)
    assert reading.words == "Mohon dicek."
    assert reading.signature.startswith("PERHATIAN")


def test_long_lines_are_read() -> None:
    """Very long lines (pasted data, HTML without breaks) are never matched as splitters, so
    the regexes cannot backtrack over them (a regression would hang this test)."""
    line = "On " + "Mon, 3 Feb 2025 " * 3000 + "tanpa akhir"
    quoted = "\n".join("> " + "ACGT" * 2000 for _ in range(50))
    body = f"Pertanyaan saya.\n{line}\n{quoted}\n" + ("x " * 50_000)
    reading = read_own_words(body)
    assert reading.words.startswith("Pertanyaan saya.")


def test_empty_and_whitespace_bodies() -> None:
    for body in ("", "\n\n", "   \r\n  "):
        reading = read_own_words(body)
        assert reading.words == reading.text == reading.quote == reading.signature == ""


_MAIL_LINES = st.sampled_from(
    [
        "Mohon info jadwal verifikasi?",
        "> kutipan lama",
        ">",
        "",
        "Pada Sen, 3 Feb 2025 pukul 09.15 Helpdesk <h@x.id> menulis:",
        "On Mon, Feb 3, 2025 at 9:15 AM Helpdesk <",
        "h@x.id> wrote:",
        "Dari: Helpdesk",
        "Dikirim: Senin, 03 Februari 2025 09:15",
        "Subjek: RE: Tiket",
        "-----Pesan Asli-----",
        "---------- Forwarded message ---------",
        "________________________________",
        "-- ",
        "Terima kasih,",
        "Budi Santoso",
        "Dikirim dari iPhone saya",
        "PERHATIAN: Email ini bersifat rahasia.",
        "(http://example.com/x) >",
    ]
)


@given(st.lists(st.one_of(_MAIL_LINES, st.text(max_size=40)), max_size=40))
@settings(max_examples=200, deadline=None)
def test_reading_only_takes_lines_apart(lines: list[str]) -> None:
    """Whatever the mix of markers, the parts are made of the body's own text, and the words
    are never longer than the body."""
    body = "\n".join(lines)
    reading = read_own_words(body)
    flat = body.replace("\r\n", "\n").replace("\r", "\n")
    for part in (reading.words, reading.forwarded, reading.quote, reading.signature):
        for line in part.split("\n"):
            assert line.strip() in flat
    assert len(reading.words) <= len(flat)
