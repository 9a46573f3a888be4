"""Inbound mail parsing: every sample reads as a person would read it, and nothing raises."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.email.parse import ParsedMail, parse_mail
from tests.support import mail_samples as samples
from tests.support.mail_samples import SampleFile

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def parsed_without_fallback() -> Iterator[None]:
    """Fail if parse_mail had to fall back to "raw text only": the parser itself broke."""
    recorder = _Records()
    logger = logging.getLogger("handlers.email.parse")
    logger.addHandler(recorder)
    try:
        yield
    finally:
        logger.removeHandler(recorder)
    assert not recorder.records, [record.getMessage() for record in recorder.records]


def parse(raw: bytes) -> ParsedMail:
    with parsed_without_fallback():
        return parse_mail(raw)


def assert_well_formed(mail: ParsedMail) -> None:
    """What later code may rely on, whatever came in."""
    single_lines = [mail.subject, mail.from_name or "", mail.content_type, *mail.headers.values()]
    for value in single_lines:
        assert "\n" not in value and "\r" not in value and not CONTROL.search(value)
        assert value == value.strip()
    for value in (mail.body, mail.text, *single_lines):
        value.encode("utf-8")  # no lone surrogates: storable as UTF-8 anywhere
    assert not CONTROL.search(mail.body) and not CONTROL.search(mail.text)
    assert "\r" not in mail.body
    for address in (mail.from_address, mail.reply_to, *mail.to, *mail.cc):
        if address is not None:
            assert address == address.lower() and "@" in address and " " not in address
    for message_id in (mail.message_id, *mail.in_reply_to, *mail.references):
        if message_id is not None:
            assert message_id.startswith("<") and message_id.endswith(">")
            assert not re.search(r"\s", message_id) and len(message_id) > 2
    for attachment in mail.attachments:
        name = attachment.filename
        assert name and name.strip(".") and not CONTROL.search(name)
        assert "/" not in name and "\\" not in name
    assert all(name == name.lower() for name in mail.headers)
    assert bool(mail.text) == bool(mail.body)
    assert "/" in mail.content_type


# --- every sample ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(samples.all_samples()))
def test_every_sample_parses_well_formed(name: str) -> None:
    assert_well_formed(parse(samples.all_samples()[name]))


def test_plain_text_mail() -> None:
    mail = parse(samples.plain_text(cc=["Andi@Example.com", "Rina <RINA@example.go.id>"]))
    assert mail.message_id == "<q1@example.com>"
    assert mail.subject == "Pertanyaan pendaftaran penyedia"
    assert mail.from_address == samples.REQUESTER
    assert mail.from_name == samples.REQUESTER_NAME
    assert mail.to == (samples.HELPDESK,)
    assert mail.cc == ("andi@example.com", "rina@example.go.id")
    assert mail.body == samples.QUESTION and mail.text == samples.QUESTION
    assert mail.attachments == () and mail.in_reply_to == () and mail.references == ()
    assert mail.content_type == "text/plain"
    assert mail.headers["subject"] == mail.subject
    assert mail.headers["message-id"] == "<q1@example.com>"


@pytest.mark.parametrize("cte", ["base64", "quoted-printable", "8bit"])
def test_transfer_encodings_are_decoded(cte: str) -> None:
    body = samples.LATIN1_TEXT + "\n" + "baris panjang " * 20
    raw = samples.plain_text(body=body, cte=cte)
    assert parse(raw).body == body.strip()


def test_html_only_becomes_readable_text() -> None:
    mail = parse(samples.html_only())
    assert mail.content_type == "text/html"
    assert mail.body.splitlines() == [
        "Selamat pagi,",
        "",
        "Bagaimana cara reset akun PPK? Lihat halaman FAQ & panduan.",
        "",
        "- NIP: 198001012000011001",
        "- Instansi: Dinas PU",
        "",
        "Terima kasih",
        "Budi",
    ]
    # The closing and name are the signature; the question stays.
    assert mail.text.endswith("- Instansi: Dinas PU")


def test_html_quotes_become_quoted_lines_and_leave_text() -> None:
    html = (
        "<div>Sudah saya kirim ulang.</div><div><br></div>"
        "<blockquote><div>Mohon kirim ulang berkas.</div><blockquote>lama</blockquote>"
        "</blockquote><table><tr><td>Nama</td><td>Budi</td></tr></table>"
        "<pre>  kode   12345\n  baris 2</pre><head><script>var x = 1;</script>"
    )
    mail = parse(samples.html_only(html=html))
    assert mail.body.splitlines() == [
        "Sudah saya kirim ulang.",
        "",
        "> Mohon kirim ulang berkas.",
        "",
        "> > lama",
        "",
        "Nama Budi",
        "",
        "  kode   12345",
        "  baris 2",
    ]
    assert "Mohon" not in mail.text and "Nama Budi" in mail.text


def test_alternative_prefers_plain_text() -> None:
    mail = parse(samples.alternative())
    assert mail.content_type == "multipart/alternative"
    assert mail.body == samples.QUESTION


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("iso-8859-1", samples.LATIN1_TEXT),
        ("windows-1252", samples.CP1252_TEXT),
        ("utf-8", samples.CP1252_TEXT),
    ],
)
@pytest.mark.parametrize("cte", ["8bit", "quoted-printable", "base64"])
def test_indonesian_text_in_legacy_charsets(charset: str, text: str, cte: str) -> None:
    assert parse(samples.legacy_charset(charset=charset, body=text, cte=cte)).body == text


def test_utf8_label_on_latin1_bytes_is_read_as_latin1() -> None:
    assert parse(samples.mislabeled_charset()).body == samples.LATIN1_TEXT


def test_unknown_charset_falls_back_to_utf8_then_cp1252() -> None:
    utf8 = samples.mislabeled_charset(declared="x-unknown", actual="utf-8")
    cp1252 = samples.mislabeled_charset(
        body=samples.CP1252_TEXT, declared="x-unknown", actual="cp1252"
    )
    assert parse(utf8).body == samples.LATIN1_TEXT
    assert parse(cp1252).body == samples.CP1252_TEXT


def test_damaged_utf8_keeps_the_good_characters() -> None:
    body = "Dokumen “penawaran” rusak".encode() + b" \xff ok"
    raw = samples.raw_message([("Content-Type", "text/plain; charset=utf-8")], body)
    assert parse(raw).body == "Dokumen “penawaran” rusak \ufffd ok"


@pytest.mark.parametrize(
    ("charset", "subject", "name"),
    [
        ("utf-8", "Permohonan akun PPK – Dinas Pekerjaan Umum", "Siti Nurhaliza – Pokja ULP"),
        ("iso-8859-1", "Pendaftaran café dan katering " * 3, "Siti Nurhaliza Sé"),
        ("windows-1252", "Dokumen “penawaran” tender", "Siti “Nur”"),
    ],
)
def test_encoded_words_in_subject_and_name(charset: str, subject: str, name: str) -> None:
    mail = parse(samples.encoded_headers(subject=subject, sender_name=name, charset=charset))
    assert mail.subject == subject.strip()
    assert mail.from_name == name
    assert mail.from_address == "siti@example.go.id"


def test_encoded_word_split_inside_a_character_and_inside_quotes() -> None:
    # "é" = C3 A9, split across two encoded words: decoded together (RFC 2047 6.2 gap).
    raw = samples.raw_message(
        [
            ("From", '"=?utf-8?Q?Bud=C3=AD?=, Pokja" <Budi@Example.COM>'),
            ("Subject", "=?utf-8?B?Y2Fmw6k=?=  =?utf-8?Q?_caf=C3?=\r\n =?utf-8?Q?=A9?= selesai"),
            ("To", "a@example.com, =?utf-8?Q?Nama_=3Cpalsu=3E?= <b@example.com>"),
        ],
        b"isi",
    )
    mail = parse(raw)
    assert mail.subject == "café café selesai"
    assert mail.from_name == "Budí, Pokja" and mail.from_address == "budi@example.com"
    assert mail.to == ("a@example.com", "b@example.com")


def test_attachments_are_decoded_with_their_names() -> None:
    pdf, jpg = samples.pdf_bytes(5000), samples.jpeg_bytes(3000)
    mail = parse(
        samples.with_attachments(
            [
                SampleFile("surat.pdf", "application/pdf", pdf),
                SampleFile("foto ktp.jpg", "image/jpeg", jpg),
            ]
        )
    )
    assert [(a.filename, a.content_type, a.data) for a in mail.attachments] == [
        ("surat.pdf", "application/pdf", pdf),
        ("foto ktp.jpg", "image/jpeg", jpg),
    ]
    assert mail.body == "Berikut saya lampirkan dokumen untuk pra-verifikasi."


def test_ten_megabyte_pdf_arrives_whole() -> None:
    big = samples.large_pdf()
    (attachment,) = parse(samples.with_attachments([big])).attachments
    assert attachment.filename == "dokumen-besar.pdf"
    assert len(attachment.data) == 10 * 1024 * 1024 and attachment.data == big.data


def test_rfc2231_name_with_a_windows_path_keeps_only_the_file_name() -> None:
    (attachment,) = parse(samples.rfc2231_attachment()).attachments
    assert attachment.filename == "Surat Penawaran – CV Maju Élok.pdf"
    assert attachment.data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\system32\\evil.pdf", "evil.pdf"),
        ("laporan\x00\x07.pdf", "laporan.pdf"),
        ("..", "lampiran-1.pdf"),
        ("=?utf-8?B?U3VyYXQgw6kucGRm?=", "Surat é.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_attachment_names_are_made_safe(given_name: str, expected: str) -> None:
    raw = samples.with_attachments([SampleFile(given_name, "application/pdf", samples.pdf_bytes())])
    assert parse(raw).attachments[0].filename == expected


def test_nameless_attachments_are_numbered_with_an_extension() -> None:
    boundary = b"--b\r\n"
    raw = samples.raw_message(
        [("Content-Type", 'multipart/mixed; boundary="b"')],
        boundary
        + b"Content-Type: text/plain\r\n\r\nlihat lampiran\r\n"
        + boundary
        + b"Content-Type: image/jpeg\r\nContent-Disposition: attachment\r\n\r\njpegdata\r\n"
        + boundary
        + b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment\r\n"
        + b"\r\n%PDF-1.4 isi\r\n"
        + b"--b--\r\n",
    )
    mail = parse(raw)
    assert [a.filename for a in mail.attachments] == ["lampiran-1.jpg", "lampiran-2.pdf"]
    assert mail.body == "lihat lampiran"


def test_inline_images_with_names_count_nameless_text_parts_do_not() -> None:
    raw = samples.with_attachments(
        [SampleFile("image001.png", "image/png", b"\x89PNG\r\n\x1a\nrest")], inline=True
    )
    mail = parse(raw)
    assert [a.filename for a in mail.attachments] == ["image001.png"]


def test_attached_message_is_one_file() -> None:
    inner = samples.with_attachments([SampleFile("dalam.pdf", "application/pdf", b"%PDF-1")])
    raw = samples.raw_message(
        [("Content-Type", 'multipart/mixed; boundary="o"')],
        b"--o\r\nContent-Type: text/plain\r\n\r\nteruskan\r\n--o\r\n"
        b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        + inner
        + b"\r\n--o--\r\n",
    )
    mail = parse(raw)
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("lampiran-1.eml", "message/rfc822")
    ]
    assert b"dalam.pdf" in mail.attachments[0].data
    # The forwarded mail's words count too (DESIGN "E-mail reading"), under its own header.
    assert mail.body.startswith("teruskan\n\n---------- Forwarded message ---------\n")
    assert "Berikut saya lampirkan dokumen" in mail.text


def test_reply_threading_headers_and_quotes() -> None:
    mail = parse(samples.reply(token="LPSE-7-abcdef"))
    assert mail.in_reply_to == ("<lpse.7.0123456789abcdef@lpse.example.go.id>",)
    assert mail.references == (
        "<q1@example.com>",
        "<lpse.7.0123456789abcdef@lpse.example.go.id>",
    )
    assert mail.text == samples.SIGNED_OFF_TEXT
    # body keeps everything, our reference token in the quote included.
    assert "Direktur CV Maju Jaya" in mail.body
    assert "> Referensi: LPSE-7-abcdef" in mail.body


def test_text_falls_back_to_body_when_everything_is_quoted() -> None:
    body = "> Mohon unggah ulang dokumen NIB Anda.\n> Terima kasih"
    mail = parse(samples.plain_text(body=body))
    assert mail.text == mail.body == body


def test_message_ids_are_normalised() -> None:
    raw = samples.raw_message(
        [
            ("Message-ID", "  <abc.123 @example.com>  (komentar)"),
            ("In-Reply-To", "bare-id@example.com"),
            ("References", "<a@x>\r\n <b\r\n @x> <a@x> <>"),
        ],
        b"isi",
    )
    mail = parse(raw)
    assert mail.message_id == "<abc.123@example.com>"
    assert mail.in_reply_to == ("<bare-id@example.com>",)
    assert mail.references == ("<a@x>", "<b@x>")


def test_headers_map_first_values_by_lower_case_name() -> None:
    raw = samples.raw_message(
        [("X-Auto-Response-Suppress", "All"), ("Received", "first"), ("RECEIVED", "second")],
        b"isi",
    )
    headers = parse(raw).headers
    assert headers["x-auto-response-suppress"] == "All"
    assert headers["received"] == "first"


def test_reply_to_and_sender_name_absent() -> None:
    raw = samples.raw_message(
        [("From", "budi@example.com"), ("Reply-To", "Kantor <Kantor@Example.com>")], b"x"
    )
    mail = parse(raw)
    assert mail.from_name is None and mail.reply_to == "kantor@example.com"


def test_format_flowed_paragraphs_are_joined() -> None:
    body = b"Bagaimana cara mendaftar \r\nsebagai penyedia? \r\nTerima kasih.\r\n-- \r\nBudi\r\n"
    raw = samples.raw_message(
        [("Content-Type", "text/plain; charset=utf-8; format=flowed; delsp=no")], body
    )
    mail = parse(raw)
    assert mail.body.splitlines() == [
        "Bagaimana cara mendaftar sebagai penyedia? Terima kasih.",
        "--",
        "Budi",
    ]
    assert mail.text == "Bagaimana cara mendaftar sebagai penyedia? Terima kasih."


def test_bounce_body_is_the_report_not_the_returned_mail() -> None:
    mail = parse(samples.dsn_bounce())
    assert mail.content_type == "multipart/report"
    assert mail.from_address == "mailer-daemon@mx.example.com"
    assert "550 5.1.1 User unknown" in mail.body
    assert samples.QUESTION.splitlines()[0] not in mail.body
    assert mail.attachments == ()


@pytest.mark.parametrize(
    ("name", "expected_body"),
    [
        ("nul_bytes", "teks dengan NUL"),
        ("invalid_base64", "Selamat pagi"),
        ("unknown_charset", "café pendaftaran"),
        ("non_text_charset", "isi"),
        ("multipart_without_boundary", "isi saja"),
        ("multipart_unterminated", "bagian pertama tanpa penutup"),
        ("empty", ""),
    ],
)
def test_malformed_bodies_degrade_to_readable_text(name: str, expected_body: str) -> None:
    assert parse(samples.malformed_samples()[name]).body == expected_body


@pytest.mark.parametrize("name", ["eight_bit_header_utf8", "eight_bit_header_latin1"])
def test_eight_bit_headers_are_decoded(name: str) -> None:
    mail = parse(samples.malformed_samples()[name])
    assert mail.subject == "café pendaftaran"
    assert mail.from_name == "Budí" and mail.from_address == "budi@example.com"


def test_bad_encoded_words_decode_what_they_can() -> None:
    mail = parse(samples.malformed_samples()["bad_encoded_words"])
    assert mail.subject.startswith("caféé")
    assert mail.from_address == "budi@example.com"


def test_fallback_keeps_the_raw_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(raw: bytes, policy: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr("handlers.email.parse.message_from_bytes", broken)
    mail = parse_mail(b"Subject: x\r\n\r\npertanyaan saya")
    assert "pertanyaan saya" in mail.body and mail.subject == ""
    assert_well_formed(mail)


# --- never raises ---------------------------------------------------------------------------

SMALL_SAMPLES = samples.all_samples()
# Pieces that steer a mutation into the parser's interesting corners.
SPECIAL_BYTES = [
    b"\r\n",
    b"\r\n\r\n",
    b"=?",
    b"?=",
    b"=?utf-8?B?",
    b"=?x-unknown?Q?=E9",
    b"--",
    b"boundary=",
    b'"',
    b";",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"=\r\n",
    b"=Z",
    b"charset=",
    b"filename*0*=",
    b"Content-Type: multipart/mixed; boundary=x\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Disposition: attachment; filename=",
    b"<",
    b">",
    b"@",
    b"<script>",
    b"&#x110000;",
    b"format=flowed",
]


@st.composite
def mutated_samples(draw: st.DrawFn) -> bytes:
    data = bytearray(SMALL_SAMPLES[draw(st.sampled_from(sorted(SMALL_SAMPLES)))])
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        position = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["insert", "special", "delete", "flip", "cut", "copy"]))
        if action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif action == "special":
            data[position:position] = draw(st.sampled_from(SPECIAL_BYTES))
        elif action == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=64))]
        elif action == "flip" and position < len(data):
            data[position] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif action == "cut":
            del data[position:]
        elif action == "copy":
            end = min(len(data), position + draw(st.integers(min_value=1, max_value=200)))
            data[position:position] = data[position:end]
    return bytes(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert_well_formed(parse(raw))


@settings(max_examples=200, deadline=None)
@given(mutated_samples())
def test_mutated_samples_never_raise(raw: bytes) -> None:
    assert_well_formed(parse(raw))


header_names = st.sampled_from(
    [
        "From",
        "To",
        "Cc",
        "Subject",
        "Message-ID",
        "References",
        "In-Reply-To",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "Reply-To",
        "X-Other",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(header_names, st.text(max_size=80)), max_size=12),
    st.text(max_size=400),
    st.sampled_from(["utf-8", "latin-1", "cp1252", "utf-16"]),
)
def test_random_headers_and_text_never_raise(
    headers: list[tuple[str, str]], body: str, encoding: str
) -> None:
    head = b"".join(
        name.encode() + b": " + value.encode(encoding, "replace") + b"\r\n"
        for name, value in headers
    )
    assert_well_formed(parse(head + b"\r\n" + body.encode(encoding, "replace")))


def _html_mail_with_picture(src: str, disposition: str) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "budi@cvmaju.co.id"
    message["Subject"] = "Tanya"
    message.set_content("Berapa batas ukuran file?")
    message.add_alternative(f'<p>Berapa batas ukuran file?</p><img src="{src}">', subtype="html")
    html = message.get_payload()[1]  # type: ignore[index]
    html.add_related(
        b"\x89PNG\r\n\x1a\n",
        "image",
        "png",
        cid="<logo@cv>",
        filename="logo.png",
        disposition=disposition,
    )
    return message.as_bytes()


@pytest.mark.parametrize("disposition", ["inline", "attachment"])
def test_a_picture_shown_in_the_html_body_is_embedded(disposition: str) -> None:
    parsed = parse_mail(_html_mail_with_picture("cid:logo@cv", disposition))
    assert [(a.filename, a.embedded) for a in parsed.attachments] == [("logo.png", True)]
    assert not parsed.has_letter_files


def test_a_picture_the_body_does_not_show_is_a_letter_file() -> None:
    parsed = parse_mail(_html_mail_with_picture("https://cvmaju.co.id/logo.png", "inline"))
    assert [(a.filename, a.embedded) for a in parsed.attachments] == [("logo.png", False)]
    assert parsed.has_letter_files


def test_the_alternative_the_body_does_not_show_is_kept_apart() -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "budi@cvmaju.co.id"
    message.set_content("Pesan ini memerlukan klien HTML.")
    message.add_alternative("<p>Mohon reset akun kami</p>", subtype="html")
    parsed = parse_mail(message.as_bytes())
    assert parsed.body.strip() == "Pesan ini memerlukan klien HTML."
    assert parsed.unshown == ("Mohon reset akun kami",)
