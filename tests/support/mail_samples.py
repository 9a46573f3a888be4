"""Raw sample mails built with the stdlib, for parser unit tests and SMTP integration tests.

Each function returns the bytes a client would send after DATA (CRLF line ends, RFC 5321
2.3.8), with parameters for what a test needs to vary. A few samples are written byte by byte
because the stdlib refuses to produce them: wrong charset labels, broken MIME, 8-bit headers.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

HELPDESK = "helpdesk@lpse.example.go.id"
REQUESTER = "budi.santoso@example.com"
REQUESTER_NAME = "Budi Santoso"
DATE = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
# What an MTA gives as MAIL FROM for a bounce: the null reverse-path (RFC 5321 4.5.5).
# smtplib's sendmail("", ...) sends exactly "MAIL FROM:<>".
BOUNCE_ENVELOPE_FROM = ""

QUESTION = (
    "Selamat pagi, bagaimana cara mendaftar sebagai penyedia di SPSE Kabupaten Ogan Ilir?\n"
    "Dokumen apa saja yang harus disiapkan untuk verifikasi?"
)
# Indonesian text that needs more than ASCII; every character exists in ISO-8859-1.
LATIN1_TEXT = "Mohon bantuan: berkas penawaran CV Karya Mandiri (café & katering) ± Rp 1.500.000."
# Indonesian text with the cp1252-only typography that Word and Outlook produce.
CP1252_TEXT = "Dokumen “penawaran” saya – untuk tender 12345 – tidak bisa dibuka… €"

_SMTP_POLICY = policy.SMTP


@dataclass(frozen=True)
class SampleFile:
    """One file to attach."""

    filename: str
    content_type: str
    data: bytes


def pdf_bytes(size: int = 2048, *, seed: int = 1) -> bytes:
    """A file that passes the PDF sniff: "%PDF-" magic, then reproducible random bytes."""
    header = b"%PDF-1.7\n"
    return header + random.Random(seed).randbytes(max(0, size - len(header)))


def jpeg_bytes(size: int = 1024, *, seed: int = 2) -> bytes:
    """A file that passes the JPEG sniff (SOI + APP0 marker)."""
    header = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
    return header + random.Random(seed).randbytes(max(0, size - len(header)))


def large_pdf(megabytes: int = 10) -> SampleFile:
    """A PDF of exactly ``megabytes`` MiB: the MAX_ATTACHMENT_MB boundary."""
    data = pdf_bytes(megabytes * 1024 * 1024, seed=3)
    return SampleFile("dokumen-besar.pdf", "application/pdf", data)


def plain_text(
    *,
    sender: str = REQUESTER,
    sender_name: str | None = REQUESTER_NAME,
    to: str = HELPDESK,
    cc: Sequence[str] = (),
    subject: str = "Pertanyaan pendaftaran penyedia",
    body: str = QUESTION,
    message_id: str | None = "<q1@example.com>",
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    charset: str = "utf-8",
    cte: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> bytes:
    """A text/plain mail; ``cte`` "base64" or "quoted-printable" encodes the body so."""
    message = _headers(
        EmailMessage(),
        sender=sender,
        sender_name=sender_name,
        to=to,
        cc=cc,
        subject=subject,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        extra_headers=extra_headers,
    )
    message.set_content(body, charset=charset, cte=cte)
    return message.as_bytes(policy=_SMTP_POLICY)


def html_only(
    *,
    sender: str = REQUESTER,
    subject: str = "Pertanyaan (HTML)",
    html: str | None = None,
    message_id: str | None = "<html1@example.com>",
    cte: str | None = "quoted-printable",
) -> bytes:
    """A text/html mail with no plain alternative, as some webmail sends."""
    message = _headers(EmailMessage(), sender=sender, subject=subject, message_id=message_id)
    message.set_content(html if html is not None else HTML_QUESTION, subtype="html", cte=cte)
    return message.as_bytes(policy=_SMTP_POLICY)


HTML_QUESTION = """<!DOCTYPE html><html><head><title>ignored title</title>
<style>p { color: red; }</style><script>alert("x")</script></head>
<body><div>Selamat pagi,</div><p>Bagaimana cara <b>reset</b> akun&nbsp;PPK? Lihat
<a href="https://lpse.example.go.id/faq">halaman FAQ</a> &amp; panduan.</p>
<ul><li>NIP: 198001012000011001</li><li>Instansi: Dinas PU</li></ul>
<p>Terima&nbsp;kasih<br>Budi</p></body></html>"""


def alternative(
    *,
    sender: str = REQUESTER,
    subject: str = "Pertanyaan (alternatif)",
    body: str = QUESTION,
    html: str = "<p>Versi <b>HTML</b> yang tidak dipakai.</p>",
    message_id: str | None = "<alt1@example.com>",
) -> bytes:
    """multipart/alternative with a text/plain and a text/html version."""
    message = _headers(EmailMessage(), sender=sender, subject=subject, message_id=message_id)
    message.set_content(body)
    message.add_alternative(html, subtype="html")
    return message.as_bytes(policy=_SMTP_POLICY)


def legacy_charset(
    *, charset: str, body: str, cte: str = "8bit", subject: str = "Berkas penawaran"
) -> bytes:
    """A text/plain body in ``charset`` (iso-8859-1, windows-1252...), sent as ``cte``."""
    return plain_text(subject=subject, body=body, charset=charset, cte=cte)


def mislabeled_charset(
    *, body: str = LATIN1_TEXT, declared: str = "utf-8", actual: str = "latin-1"
) -> bytes:
    """A body encoded in ``actual`` but labelled ``declared``: what old clients do."""
    return raw_message(
        [
            ("From", REQUESTER),
            ("To", HELPDESK),
            ("Subject", "Label charset salah"),
            ("Message-ID", "<mislabel@example.com>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'text/plain; charset="{declared}"'),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        body.encode(actual),
    )


def encoded_headers(
    *,
    subject: str = "Permohonan akun PPK – Dinas Pekerjaan Umum",
    sender_name: str = "Siti Nurhaliza – Pokja ULP",
    charset: str = "utf-8",
    sender: str = "siti@example.go.id",
) -> bytes:
    """Subject and display name as RFC 2047 encoded words in ``charset`` (B or Q, as the
    stdlib chooses), with the subject split over folded lines."""
    encoded_subject = Header(subject, charset, maxlinelen=40).encode(linesep="\r\n")
    encoded_name = Header(sender_name, charset).encode()
    return raw_message(
        [
            ("From", f"{encoded_name} <{sender}>"),
            ("To", HELPDESK),
            ("Subject", encoded_subject),
            ("Message-ID", "<encoded@example.go.id>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'text/plain; charset="utf-8"'),
        ],
        QUESTION.encode(),
    )


def with_attachments(
    files: Iterable[SampleFile],
    *,
    sender: str = REQUESTER,
    subject: str = "Dokumen pra-verifikasi",
    body: str = "Berikut saya lampirkan dokumen untuk pra-verifikasi.",
    message_id: str | None = "<files@example.com>",
    inline: bool = False,
) -> bytes:
    """multipart/mixed: a text body and ``files`` (RFC 2231 names where needed)."""
    message = _headers(EmailMessage(), sender=sender, subject=subject, message_id=message_id)
    message.set_content(body)
    for file in files:
        maintype, _, subtype = file.content_type.partition("/")
        message.add_attachment(
            file.data,
            maintype=maintype,
            subtype=subtype,
            filename=file.filename,
            disposition="inline" if inline else "attachment",
        )
    return message.as_bytes(policy=_SMTP_POLICY)


def rfc2231_attachment(data: bytes | None = None) -> bytes:
    """A PDF whose name carries a Windows path and needs RFC 2231 (charset + continuation)."""
    payload = pdf_bytes(4096) if data is None else data
    return raw_message(
        [
            ("From", REQUESTER),
            ("To", HELPDESK),
            ("Subject", "Surat penawaran"),
            ("Message-ID", "<rfc2231@example.com>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'multipart/mixed; boundary="b1"'),
        ],
        b"\r\n".join(
            [
                b"--b1",
                b"Content-Type: text/plain; charset=utf-8",
                b"",
                b"Surat penawaran terlampir.",
                b"--b1",
                b"Content-Type: application/pdf",
                b"Content-Transfer-Encoding: base64",
                b"Content-Disposition: attachment;",
                b" filename*0*=utf-8''C%3A%5CUsers%5Cbudi%5CDokumen%5CSurat%20Penawaran;",
                b" filename*1*=%20%E2%80%93%20CV%20Maju%20%C3%89lok.pdf",
                b"",
                _base64_lines(payload),
                b"--b1--",
                b"",
            ]
        ),
    )


SIGNED_OFF_TEXT = "Baik, dokumen NIB sudah saya unggah ulang. Apakah sudah bisa diverifikasi?"
QUOTED_REPLY_BODY = f"""{SIGNED_OFF_TEXT}

Salam,
Budi Santoso
Direktur CV Maju Jaya
0812-0000-0000

Pada Sen, 1 Des 2026 pukul 09.00, Helpdesk LPSE <{HELPDESK}> menulis:
> Mohon unggah ulang dokumen NIB Anda.
>
> Referensi: {{token}}
"""


def reply(
    *,
    in_reply_to: str = "<lpse.7.0123456789abcdef@lpse.example.go.id>",
    references: Sequence[str] = (
        "<q1@example.com>",
        "<lpse.7.0123456789abcdef@lpse.example.go.id>",
    ),
    subject: str = "Re: Pertanyaan pendaftaran penyedia [#7]",
    token: str = "LPSE-7-000000",
    sender: str = REQUESTER,
    message_id: str | None = "<reply1@example.com>",
) -> bytes:
    """A requester's answer to our mail: threading headers, a signature, our quoted text."""
    return plain_text(
        sender=sender,
        subject=subject,
        body=QUOTED_REPLY_BODY.format(token=token),
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
    )


def out_of_office(
    *,
    sender: str = REQUESTER,
    subject: str = "Automatic reply: Tiket #7 diterima [#7]",
    auto_submitted: str | None = "auto-replied",
    extra_headers: Mapping[str, str] | None = None,
) -> bytes:
    """An out-of-office answer (RFC 3834 5.1 Auto-Submitted: auto-replied)."""
    headers = dict(extra_headers or {})
    if auto_submitted is not None:
        headers["Auto-Submitted"] = auto_submitted
    return plain_text(
        sender=sender,
        subject=subject,
        body="Saya sedang cuti sampai 5 Desember. Pesan Anda akan dibalas setelah itu.",
        message_id="<oof1@example.com>",
        in_reply_to="<lpse.7.0123456789abcdef@lpse.example.go.id>",
        extra_headers=headers,
    )


def dsn_bounce(
    *,
    original: bytes | None = None,
    failed_recipient: str = "tidak.ada@example.com",
    reporting_mta: str = "mx.example.com",
) -> bytes:
    """A delivery status notification (RFC 3464) in multipart/report (RFC 6522), as Postfix
    sends it: from MAILER-DAEMON, to be sent with the null envelope sender."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = f"Mail Delivery System <MAILER-DAEMON@{reporting_mta}>"
    report["To"] = HELPDESK
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<dsn1@mx.example.com>"
    report["Date"] = format_datetime(DATE)
    report["Auto-Submitted"] = "auto-replied"
    report.attach(
        MIMEText(
            f"This is the mail system at host {reporting_mta}.\n\n"
            f"<{failed_recipient}>: host {reporting_mta} said: 550 5.1.1 User unknown\n"
        )
    )
    per_message = Message()
    per_message["Reporting-MTA"] = f"dns; {reporting_mta}"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {failed_recipient}"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.1.1"
    status = MIMEBase("message", "delivery-status")
    status.set_payload([per_message, per_recipient])
    report.attach(status)
    returned = (
        original if original is not None else plain_text(sender=HELPDESK, to=failed_recipient)
    )
    report.attach(MIMEMessage(message_from_bytes(returned)))
    return report.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


def list_mail(
    *,
    list_id: str = "Pengumuman LPSE <pengumuman.lists.example.go.id>",
    precedence: str | None = "list",
) -> bytes:
    """A mailing-list post (RFC 2919 List-Id, RFC 2369 List-Unsubscribe)."""
    headers = {
        "List-Id": list_id,
        "List-Unsubscribe": "<mailto:pengumuman-leave@lists.example.go.id>",
    }
    if precedence is not None:
        headers["Precedence"] = precedence
    return plain_text(
        sender="pengumuman@lists.example.go.id",
        sender_name="Pengumuman LPSE",
        subject="[Pengumuman] Jadwal pemeliharaan SPSE",
        body="SPSE tidak dapat diakses pada Sabtu pukul 22.00-24.00 WIB.",
        message_id="<list1@lists.example.go.id>",
        extra_headers=headers,
    )


def malformed_samples() -> dict[str, bytes]:
    """Broken mail that must still parse: each entry one way real software gets MIME wrong."""
    head = b"From: budi@example.com\r\nTo: " + HELPDESK.encode() + b"\r\nSubject: rusak\r\n"
    return {
        "empty": b"",
        "no_headers": b"hanya teks tanpa header\r\n",
        "garbage": bytes(range(256)) * 4,
        "nul_bytes": head + b"\r\nte\x00ks\x00 dengan NUL\r\n",
        "eight_bit_header_utf8": b"From: Bud\xc3\xad <budi@example.com>\r\n"
        b"Subject: caf\xc3\xa9 pendaftaran\r\n\r\nisi\r\n",
        "eight_bit_header_latin1": b"From: Bud\xed <budi@example.com>\r\n"
        b"Subject: caf\xe9 pendaftaran\r\n\r\nisi\r\n",
        "bad_encoded_words": b"From: =?utf-8?B?###?= <budi@example.com>\r\n"
        b"Subject: =?x-unknown?Q?caf=E9?= =?utf-8?B?w6k?= =?utf-8?Q?=ZZ?= =?broken\r\n"
        b"\r\nisi\r\n",
        "multipart_without_boundary": head + b"Content-Type: multipart/mixed\r\n\r\nisi saja\r\n",
        "multipart_unterminated": head + b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\n'
        b"--zz\r\nContent-Type: text/plain\r\n\r\nbagian pertama tanpa penutup\r\n",
        "invalid_base64": head + b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nU2VsYW1hdCBwYWdp!!!*&^%\r\nx\r\n",
        "invalid_quoted_printable": head + b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nteks =ZZ =C3 =\r\nakhir=\r\n",
        "unknown_charset": head + b"Content-Type: text/plain; charset=x-unknown\r\n\r\n"
        b"caf\xc3\xa9 pendaftaran\r\n",
        "non_text_charset": head + b"Content-Type: text/plain; charset=base64\r\n\r\nisi\r\n",
        "bad_content_type": head
        + b"Content-Type: ;;;==\r\nContent-Disposition: ==;\r\n\r\nisi\r\n",
        "header_without_colon": b"From budi\r\nSubject: x\r\nini bukan header\r\n\r\nisi\r\n",
        "deep_nesting": head
        + b"".join(
            f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
            for i in range(60)
        )
        + b"Content-Type: text/plain\r\n\r\ndalam sekali\r\n",
    }


def all_samples() -> dict[str, bytes]:
    """Every small sample by name (the 10 MB one left out), e.g. as seeds for mutation."""
    samples = {
        "plain": plain_text(),
        "plain_base64": plain_text(cte="base64"),
        "plain_quoted_printable": plain_text(body=LATIN1_TEXT, cte="quoted-printable"),
        "html_only": html_only(),
        "alternative": alternative(),
        "latin1": legacy_charset(charset="iso-8859-1", body=LATIN1_TEXT),
        "cp1252": legacy_charset(charset="windows-1252", body=CP1252_TEXT),
        "utf8_8bit": legacy_charset(charset="utf-8", body=CP1252_TEXT),
        "mislabeled": mislabeled_charset(),
        "unknown_label": mislabeled_charset(declared="x-unknown", actual="utf-8"),
        "encoded_headers": encoded_headers(),
        "attachments": with_attachments(
            [
                SampleFile("surat.pdf", "application/pdf", pdf_bytes()),
                SampleFile("foto ktp.jpg", "image/jpeg", jpeg_bytes()),
            ]
        ),
        "rfc2231": rfc2231_attachment(),
        "reply": reply(),
        "out_of_office": out_of_office(),
        "dsn": dsn_bounce(),
        "list": list_mail(),
    }
    samples.update(malformed_samples())
    return samples


def raw_message(headers: Sequence[tuple[str, str]], body: bytes) -> bytes:
    """A message written byte by byte, for what the stdlib would refuse to build."""
    head = b"".join(f"{name}: {value}\r\n".encode() for name, value in headers)
    return head + b"\r\n" + body


def _headers(
    message: EmailMessage,
    *,
    sender: str,
    subject: str,
    message_id: str | None,
    sender_name: str | None = None,
    to: str = HELPDESK,
    cc: Sequence[str] = (),
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    extra_headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    message["From"] = formataddr((sender_name, sender)) if sender_name else sender
    message["To"] = to
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(DATE)
    if message_id is not None:
        message["Message-ID"] = message_id
    if in_reply_to is not None:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    for name, value in (extra_headers or {}).items():
        message[name] = value
    return message


def _base64_lines(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
