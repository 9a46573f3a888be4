"""Issue 16: the pieces behind the mail trust rules, on their own (the attacks on the running
bot are in tests/e2e/test_trust_mail_*.py)."""

from __future__ import annotations

import pytest

from bot.core.filetypes import JPEG, PDF, PNG, RHS, name_for_type
from handlers.email.acknowledgements import budgets, client_ip
from handlers.email.oversize import LARGE_HEADER_BYTES, trim_headers
from handlers.email.parse import parse_mail
from handlers.email.processor import read_mail


def _mail(*headers: bytes, body: bytes = b"isi") -> bytes:
    return b"\r\n".join([*headers, b"", body])


def test_ordinary_mail_is_not_touched() -> None:
    raw = _mail(b"From: a@b.id", b"References: <1@x> <2@x>", b"Subject: halo")
    assert trim_headers(raw, 100) is raw


def test_a_huge_references_header_keeps_the_newest_ids_and_the_rest_of_the_mail() -> None:
    ids = b"\r\n ".join(b"<r%d@x>" % n for n in range(20_000))
    raw = _mail(
        b"From: Budi <budi@cvmaju.co.id>",
        b"References: " + ids,
        b"X-Huge: " + b"a" * (LARGE_HEADER_BYTES * 2),
        b"Subject: Re: tanya",
        body=b"isi pesan",
    )
    trimmed = parse_mail(trim_headers(raw, 100))
    assert trimmed.references == tuple(f"<r{n}@x>" for n in range(19_900, 20_000))
    assert trimmed.subject == "Re: tanya" and trimmed.from_address == "budi@cvmaju.co.id"
    assert trimmed.body.strip() == "isi pesan"
    assert "x-huge" not in trimmed.headers  # one line longer than any field kept


def test_a_bare_lf_mail_is_trimmed_too() -> None:
    ids = b"\n ".join(b"<r%d@x>" % n for n in range(20_000))
    raw = b"From: a@b.id\nReferences: " + ids + b"\nSubject: s\n\nisi\n"
    trimmed = parse_mail(trim_headers(raw, 3))
    assert trimmed.references == ("<r19997@x>", "<r19998@x>", "<r19999@x>")
    assert trimmed.subject == "s" and trimmed.body.strip() == "isi"


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("tagihan.hta", PDF, "tagihan.pdf"),
        ("surat.html", PDF, "surat.pdf"),
        ("jalankan.bat", PDF, "jalankan.pdf"),
        ("Surat.PDF", PDF, "Surat.PDF"),
        ("foto.jpeg", JPEG, "foto.jpeg"),
        ("foto.exe", JPEG, "foto.jpg"),
        ("scan", PNG, "scan.png"),
        ("penawaran.rhs", RHS, "penawaran.rhs"),
    ],
)
def test_the_stored_name_carries_the_sniffed_type(
    name: str, content_type: str, expected: str
) -> None:
    assert name_for_type(name, content_type) == expected


def test_acknowledgement_budgets_count_the_mx_client_ip_and_the_domain() -> None:
    raw = _mail(
        b"Received: from x.example (x.example [198.51.100.7]) by mx.lpse.go.id; "
        b"Sun, 6 Dec 2026 10:00:00 +0700",
        b"Received: from forged (forged [203.0.113.9]) by forged",
        b"From: korban@Korban.Example",
    )
    mail = parse_mail(raw)
    assert client_ip(mail) == "198.51.100.7"
    keys = [key for key, _limit in budgets(mail, "korban@korban.example")]
    assert keys == ["all", "domain:korban.example", "ip:198.51.100.7"]
    assert client_ip(parse_mail(_mail(b"From: a@b.id"))) is None


@pytest.mark.parametrize(
    "headers",
    [
        (b"From: a@b.id", b"Subject: password saya Rahasia123"),
        (b'From: "pw: bintang" <a@b.id>', b"Subject: halo"),
    ],
)
def test_a_password_anywhere_holds_the_mail_back(headers: tuple[bytes, ...]) -> None:
    assert read_mail(_mail(*headers), "a@b.id", "k").held_back


def test_dmarc_fail_is_read_from_authentication_results() -> None:
    failed = _mail(b"Authentication-Results: mx.lpse.go.id; dmarc=fail (p=none)", b"From: a@b.id")
    passed = _mail(b"Authentication-Results: mx.lpse.go.id; dmarc=pass", b"From: a@b.id")
    assert read_mail(failed, "a@b.id", "k").dmarc_failed
    assert not read_mail(passed, "a@b.id", "k").dmarc_failed
