"""Long messages: quoted replies and signatures are cut, questions weigh more."""

from __future__ import annotations

import pytest

from faq.own_words import read_own_words
from faq.split import (
    QUESTION_WEIGHT,
    STATEMENT_WEIGHT,
    is_question,
    split_sentences,
    strip_quotes_and_signature,
)

MAIL = """Selamat siang,

Kami sudah mengirim berkas minggu lalu. Bagaimana cara mengecek statusnya?

Salam,
Budi Santoso
Direktur CV Contoh
0812-0000-0000

On Mon, 3 Feb 2025 at 09:00, Helpdesk LPSE <helpdesk@example.go.id> wrote:
> Terima kasih, tiket Anda #12 sudah kami terima.
> Mohon tunggu.
"""


def test_quoted_reply_and_signature_are_removed() -> None:
    body = strip_quotes_and_signature(MAIL)
    assert "Bagaimana cara mengecek statusnya?" in body
    assert "Budi" not in body
    assert "tiket Anda" not in body
    assert "wrote" not in body


def test_indonesian_reply_header_and_forward_markers_cut_the_rest() -> None:
    text = "Apakah bisa diproses hari ini?\nPada 2 Feb 2025, Admin menulis:\nteks lama"
    assert strip_quotes_and_signature(text) == "Apakah bisa diproses hari ini?"
    forwarded = "Mohon dibantu.\n---------- Forwarded message ---------\nFrom: a@b.id\nisi lama"
    # The sender's own words end there; the forwarded text is kept apart (faq.own_words).
    assert read_own_words(forwarded).words == "Mohon dibantu."


def test_signature_dash_line_and_device_lines_are_removed() -> None:
    text = "Bagaimana cara ganti email?\nDikirim dari iPhone saya\n-- \nAndi\nPT Contoh"
    assert strip_quotes_and_signature(text) == "Bagaimana cara ganti email?"
    assert strip_quotes_and_signature("Kenapa gagal?\nSent from my Galaxy") == "Kenapa gagal?"


def test_closing_word_followed_by_a_long_paragraph_is_not_a_signature() -> None:
    paragraph = "kami ingin bertanya tentang prosedur yang berlaku di kantor ini " * 2
    text = "Terima kasih,\n" + paragraph
    assert "prosedur" in strip_quotes_and_signature(text)


def test_question_sentences_weigh_more_than_the_story() -> None:
    sentences = split_sentences(MAIL)
    weights = {sentence.text: sentence.weight for sentence in sentences}
    assert weights["Bagaimana cara mengecek statusnya?"] == QUESTION_WEIGHT
    assert weights["Kami sudah mengirim berkas minggu lalu."] == STATEMENT_WEIGHT


def test_a_single_sentence_is_the_question_itself() -> None:
    assert [s.weight for s in split_sentences("akun terkunci")] == [QUESTION_WEIGHT]


def test_trailing_condition_clause_weighs_less_than_the_main_clause() -> None:
    main, condition = split_sentences("Berapa lama prosesnya jika berkas sudah lengkap?")
    assert main.text == "Berapa lama prosesnya"
    assert condition.weight < main.weight


def test_question_detection() -> None:
    assert is_question("gmn caranya")
    assert is_question("Where is the office")
    assert not is_question("Kami dari CV Contoh.")


@pytest.mark.parametrize(
    "sentence",
    [
        "Rina-san, please ask LPSE how we can reset the password of our vendor account.",
        "Pak, bagaimana cara daftar akun penyedia",
        "Selamat siang, sy mau nanya soal akun yg terkunci",
        "Dear Sir, we would like to know the fee for verification.",
        "Kami tidak tahu bagaimana caranya mengganti e-mail akun.",
        "We are unsure how the bid deadline is counted.",
        "Kindly advise on the documents for verification.",
    ],
)
def test_a_request_or_an_indirect_question_asks(sentence: str) -> None:
    assert is_question(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Pak, kami sudah datang ke kantor kemarin.",
        "Bu Rina, berkas kami kirim besok pagi.",
        "Terima kasih, akun kami sudah aktif kembali.",
    ],
)
def test_a_statement_after_a_form_of_address_does_not_ask(sentence: str) -> None:
    assert not is_question(sentence)
