"""The reading fixtures as cases: other projects' public fixtures and our Indonesian mails.

Each case is a body as the bot reads it (an .eml through ``parse_mail``, an HTML page as an
HTML-only mail, a plain text as it is) and what the reader must find in it:

- ``email_reply_parser``: the sender's own words (``OwnWords.words``).
- ``talon``: the body without the quote, signature kept (``OwnWords.reply``): talon's
  ``extract_from_plain`` / ``extract_from_html`` do not cut signatures. HTML cases compare
  without any white space, as talon's own HTML tests do (and without the "> " that stands for
  a kept blockquote in the bot's text).
- ``indonesian``: the own words; where a case names a ``signature`` or a ``quote`` part, that
  text must be in what was cut.

Texts compare line by line with trailing spaces and blank lines ignored. The loader uses only
the stdlib and PyYAML, so ``bench/email_reading.py`` can score other libraries on the same cases.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
SUITES = ("email_reply_parser", "talon", "indonesian")


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    #: What the bot's parser reads: raw mail bytes.
    raw: bytes
    #: What the peer libraries read: the text/plain part (or the HTML markup when ``html``).
    peer_input: str
    html: bool
    #: "words" or "reply": which reading ``expected`` describes.
    field: str
    expected: str
    #: Texts that must be among the cut parts (Indonesian cases).
    cut: tuple[str, ...] = ()


def normalise(text: str, *, html: bool = False) -> str:
    if html:
        # A kept <blockquote> is "> " in the bot's text and a tag in talon's HTML: same content.
        return re.sub(r"\s+", "", re.sub(r"(?m)^\s*>+", "", text))
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def matches(case: Case, got: str) -> bool:
    return normalise(got, html=case.html) == normalise(case.expected, html=case.html)


def cases(suite: str | None = None) -> list[Case]:
    loaders: dict[str, Callable[[], list[Case]]] = {
        "email_reply_parser": _erp_cases,
        "talon": _talon_cases,
        "indonesian": _indonesian_cases,
    }
    return [case for name in SUITES if suite in (None, name) for case in loaders[name]()]


def _load(path: Path) -> list[dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def _plain_mail(text: str) -> bytes:
    message = EmailMessage()
    message["From"] = "sender@example.com"
    message["To"] = "helpdesk@lpse.example.go.id"
    message["Subject"] = "Re: fixture"
    message.set_content(text)
    return message.as_bytes(policy=policy.SMTP)


def _html_mail(markup: str) -> bytes:
    message = EmailMessage()
    message["From"] = "sender@example.com"
    message["To"] = "helpdesk@lpse.example.go.id"
    message["Subject"] = "Re: fixture"
    message.set_content(markup, subtype="html")
    return message.as_bytes(policy=policy.SMTP)


def _first_plain_part(raw: bytes) -> str:
    """The first text/plain part, as talon's own standard-replies test takes it."""
    message = message_from_bytes(raw, policy=policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            charset = part.get_content_charset() or "utf-8"
            if isinstance(payload, bytes):
                return payload.decode(charset, errors="replace")
    return ""


def _erp_cases() -> list[Case]:
    folder = ROOT / "email_reply_parser"
    found = []
    for item in _load(folder / "cases.yaml"):
        text = (folder / item["file"]).read_text(encoding="utf-8")
        found.append(
            Case(
                "email_reply_parser",
                item["file"],
                _plain_mail(text),
                text,
                False,
                "words",
                item["words"],
            )
        )
    return found


def _talon_cases() -> list[Case]:
    folder = ROOT / "talon"
    found = []
    for item in _load(folder / "text_cases.yaml"):
        found.append(
            Case(
                "talon",
                item["name"],
                _plain_mail(item["body"]),
                item["body"],
                False,
                "reply",
                item["reply"],
            )
        )
    for item in _load(folder / "cases.yaml"):
        path = folder / item["file"]
        data = path.read_bytes()
        if path.suffix == ".eml":
            found.append(
                Case(
                    "talon",
                    item["file"],
                    data,
                    _first_plain_part(data),
                    False,
                    "reply",
                    item["reply"],
                )
            )
        else:
            markup = data.decode("utf-8")
            found.append(
                Case(
                    "talon", item["file"], _html_mail(markup), markup, True, "reply", item["reply"]
                )
            )
    return found


def _indonesian_cases() -> list[Case]:
    folder = ROOT / "indonesian"
    found = []
    for item in _load(folder / "cases.yaml"):
        data = (folder / item["file"]).read_bytes()
        cut = tuple(item.get("cut", ()))
        found.append(
            Case(
                "indonesian",
                item["file"],
                data,
                _first_plain_part(data),
                False,
                "words",
                item["words"],
                cut,
            )
        )
    return found
