"""`lpse-helpdesk mail show`: what the bot reads from a mail file, run as an operator runs it."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

from tests.email_reading.corpus import ROOT as FIXTURES
from tests.integration.test_cli import lpse
from tests.support import mail_samples as samples


def test_text_shows_sender_words_and_what_was_cut(tmp_path: Path) -> None:
    mail = FIXTURES / "indonesian" / "outlook_html_only_dari.eml"
    result = lpse(tmp_path, "mail", "show", str(mail))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "From:        Andi Wijaya <andi.wijaya@ogan-ilir.example.go.id>" in out
    assert "Subject:     RE: Tidak bisa login [#12]" in out
    stored = out.split("--- Stored in the ticket ---\n")[1].split("\n\n---")[0]
    assert stored.startswith("Selamat pagi,") and stored.endswith("Mohon bantuannya.")
    assert "--- Quote cut ---\nDari: Helpdesk LPSE Kabupaten Ogan Ilir" in out
    assert "--- Signature cut ---\nHormat kami," in out


def test_json_of_a_subject_only_mail_with_a_nameless_picture(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = f"Budi Santoso <{samples.REQUESTER}>"
    message["To"] = samples.HELPDESK
    message["Subject"] = "Cara reset password akun penyedia"
    message.add_attachment(samples.jpeg_bytes(), maintype="image", subtype="jpeg")
    path = tmp_path / "subjek.eml"
    path.write_bytes(message.as_bytes())

    result = lpse(tmp_path, "mail", "show", "--json", str(path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["from"] == {"name": "Budi Santoso", "address": samples.REQUESTER}
    assert report["stored_text"] == "Cara reset password akun penyedia"
    assert report["subject_as_text"] is True
    [picture] = report["attachments"]
    assert picture["filename"] == "lampiran-1.jpg" and picture["accepted_as"] == "image/jpeg"
    assert set(report) >= {"words", "quote", "signature", "forwarded", "password_held_back"}


def test_an_empty_file_gets_one_clear_line(tmp_path: Path) -> None:
    empty = tmp_path / "kosong.eml"
    empty.write_bytes(b"")
    result = lpse(tmp_path, "mail", "show", str(empty))
    assert result.returncode == 2
    assert result.stderr.strip() == f"lpse-helpdesk: {empty}: empty file, not a mail"
