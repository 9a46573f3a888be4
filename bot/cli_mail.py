"""``lpse-helpdesk mail show FILE.eml``: what the bot reads from one mail, and why.

For an operator who wonders why a ticket holds what it holds: the sender, the subject, the
words a ticket stores, and what was cut around them (the quoted earlier mail, the signature),
a forward that was kept, and the attachments with the type the bot recognises in them. The
same parser and reader as the intake (``handlers.email.parse``, ``faq.own_words``); nothing
is stored or sent, and no settings are needed.
"""

from __future__ import annotations

import hashlib
import json
from typing import IO, Any

import click

from bot.cli_support import fail
from bot.core.filetypes import sniff
from bot.core.privacy import contains_credential
from faq.own_words import read_own_words
from handlers.email.parse import ParsedMail, parse_mail

#: Largest file read; larger input is refused with a message rather than read into memory.
MAX_MAIL_BYTES = 64 * 1024 * 1024


@click.group("mail")
def mail_group() -> None:
    """Inspect e-mail as the bot reads it."""


@mail_group.command("show")
@click.argument("source", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
def mail_show(source: IO[bytes], as_json: bool) -> None:
    """Show what the bot reads from a raw mail file (.eml; `-` reads stdin)."""
    raw = source.read(MAX_MAIL_BYTES + 1)
    if len(raw) > MAX_MAIL_BYTES:
        fail(f"{source.name}: larger than {MAX_MAIL_BYTES} bytes")
    if not raw.strip():
        fail(f"{source.name}: empty file, not a mail")
    report = describe(parse_mail(raw))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(render(report))


def describe(mail: ParsedMail) -> dict[str, Any]:
    """Everything the command shows, as plain data (the ``--json`` object)."""
    reading = read_own_words(mail.body)
    question = mail.question
    return {
        "from": {"name": mail.from_name, "address": mail.from_address},
        "to": list(mail.to),
        "cc": list(mail.cc),
        "subject": mail.subject,
        "message_id": mail.message_id,
        "in_reply_to": list(mail.in_reply_to),
        "references": list(mail.references),
        "content_type": mail.content_type,
        "stored_text": question,
        "subject_as_text": question != mail.text,
        "password_held_back": contains_credential(question),
        "words": reading.words,
        "forwarded": reading.forwarded,
        "quote": reading.quote,
        "signature": reading.signature,
        "attachments": [
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": len(attachment.data),
                "sha256": hashlib.sha256(attachment.data).hexdigest(),
                "accepted_as": sniff(attachment.data, attachment.filename),
            }
            for attachment in mail.attachments
        ],
    }


def render(report: dict[str, Any]) -> str:
    sender = report["from"]
    name = f"{sender['name']} " if sender["name"] else ""
    lines = [
        f"From:        {name}<{sender['address'] or '?'}>",
        f"Subject:     {report['subject'] or '(none)'}",
        f"Message-ID:  {report['message_id'] or '(none)'}",
        f"Type:        {report['content_type']}",
    ]
    if report["in_reply_to"] or report["references"]:
        lines.append(f"Replies to:  {' '.join(report['in_reply_to'] or report['references'])}")
    notes = []
    if report["subject_as_text"]:
        notes.append("no text in the body: the subject is the question")
    if report["password_held_back"]:
        notes.append("a password is in it: the ticket stores a notice instead")
    lines += [f"Note:        {note}" for note in notes]
    sections = [
        ("Stored in the ticket", report["stored_text"]),
        ("Forward kept with it", report["forwarded"]),
        ("Quote cut", report["quote"]),
        ("Signature cut", report["signature"]),
    ]
    for title, text in sections:
        if text or title == "Stored in the ticket":
            lines += ["", f"--- {title} ---", text or "(empty)"]
    lines += ["", f"--- Attachments ({len(report['attachments'])}) ---"]
    for item in report["attachments"]:
        kept = item["accepted_as"] or "refused: not a PDF, JPEG, PNG or .rhs"
        lines.append(f"{item['filename']}  {item['content_type']}  {item['size']} bytes  {kept}")
    return "\n".join(lines)
