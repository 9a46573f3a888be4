"""A mail body -> the sender's own words, with the quote and the signature it cut.

Pure text, no mail parsing: ``handlers.email.parse`` gives the readable body (plain text, or
HTML turned into text with ``>`` for blockquotes), this module finds what the person wrote.

How (the approach of mailgun/talon's line markers, extended with Indonesian and the signature
rules of GitHub's email_reply_parser): every line is marked as empty, quoted (``>``), a
splitter (an attribution "On ... wrote:" / "Pada ... menulis:" also wrapped over up to five
lines, an Outlook header block "From:/Dari: ... Subject:/Subjek:" in about twenty languages,
"-----Original Message-----" / "-----Pesan Asli-----"), the start of an inline forward, or text.

- A splitter followed by ``>`` lines is a quote up to its last ``>`` line; text written below
  it is kept. A splitter followed by plain text (Outlook's style) is a quote to the end.
- A run of two or more ``>`` lines is a quote; a single ``>`` line without a splitter is text
  (">>> offer <<<" in a newsletter, a quoted phrase).
- An inline forward ("---------- Forwarded message ---------", "Pesan terusan") is kept as
  ``forwarded``: what someone forwards to the helpdesk is what they ask about.
- The signature is cut from the sender's own lines: an RFC 3676 "-- " line and all after it,
  a disclaimer paragraph, "Sent from my ..." / "Dikirim dari ..." device lines, and a closing
  ("Salam,", "Terima kasih,", "Regards, Roman") followed only by a few short name/contact
  lines. A closing followed by a question ("Terima kasih,\\nbagaimana cara\\nreset akun?") is
  not a signature: the question stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from faq.question_words import QUESTION_WORDS

EMPTY, QUOTED, SPLITTER, FORWARD, TEXT = "e", "m", "s", "f", "t"

# Lines longer than this are never an attribution or a header (and keep the regexes cheap).
_MAX_SPLITTER_LENGTH = 400
# An attribution wrapped by the client (Gmail wraps its plain part at 76-78 characters).
_MAX_ATTRIBUTION_LINES = 5
_MAX_ATTRIBUTION_LENGTH = 400
# How far a header block may run, and how many wrapped value lines it may hold.
_HEADER_WINDOW = 12
_MAX_HEADER_CONTINUATIONS = 2

_OPENERS = r"""on|pada|le|am|el|em|op|il|w\s+dniu|den|på|vào|dne|в|no\s+dia|kl\.?|tanggal"""
_VERBS = r"""wrote|writes|menulis|a\s+écrit|schrieb|schreef|het\s+volgende
    \s+geschreven|escribió|escreveu|ha\s+scritto|napisał|napisała|napsal|skrev|đã\s+viết
    |написал|написала|написал\(а\)|kirjoitti|írta|yazdı|写道"""
_EMAIL = r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"

# "On Mon, 3 Feb 2025 at 09:00, Budi <b@x.id> wrote:", "Op 13-02-2014 schreef Julius <j@r>:".
_ATTRIBUTION = re.compile(
    rf"""^[-\s]*(?:{_OPENERS})\s(?=.*\d).{{0,300}}?(?<!\w)(?:{_VERBS})(?!\w)
        (?:.{{0,120}}:|\s*:|\s*-{{2,}})\s*-*\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_ATTRIBUTION_START = re.compile(
    rf"^[-\s]*(?:(?:{_OPENERS})\s|\d|[^\W\d_]{{2,12}},?\s+\d)", re.IGNORECASE | re.VERBOSE
)
# "Sent from Samsung MobileName <a@b.c> wrote:", "On ... Roman <r@e.com> sent:" (only after an
# address: "Pada 3 Feb kami mengirim:" / "On Monday I sent:" start a list, not a quote) and
# "---- John Smith wrote ----".
_ADDRESS_WROTE = re.compile(
    rf"""^.{{0,300}}(?:<\s*{_EMAIL}\s*>|\(\s*{_EMAIL}\s*\)|{_EMAIL})\s*(?:{_VERBS}|sent)\s*:\s*$
        |^\s*-{{2,}}.{{1,120}}?(?<!\w)(?:{_VERBS})(?!\w)\s*:?\s*-{{2,}}\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "2014-10-17 11:28 GMT+03:00 Postmaster <p@m.org>:", "Thu, 26 Jun 2014 14:00 от Alex <a@b>:",
# "26.06.2014, 14:41, "Alexander L" <a@b>:" (Yandex, Mail.ru) and old Gmail's
# "2011/4/7 Nathan <support@example.com>".
_DATE_ADDRESS = re.compile(
    rf"""^\s*(?=[^<]*\d).{{0,200}}[<(\[]\s*{_EMAIL}\s*[>)\]]\s*:\s*$
        |^\s*\d{{4}}[/-]\d{{1,2}}[/-]\d{{1,2}}\b.{{0,150}}<\s*{_EMAIL}\s*>\s*:?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_ORIGINAL_NAMES = r"""original\s+message|reply\s+message|ursprüngliche\s+nachricht|antwort\s+
    nachricht|oprindelig\s+meddelelse|pesan\s+asli|pesan\s+orisinal|pesan\s+awal|message\s+
    d['’]origine|mensaje\s+original|messaggio\s+originale|oorspronkelijk\s+bericht|
    originalmeddelande|ursprungligt\s+meddelande|alkuperäinen\s+viesti|opprinnelig\s+melding|
    исходное\s+сообщение|wiadomość\s+oryginalna|oryginalna\s+wiadomość|původní\s+zpráva|
    eredeti\s+üzenet|orijinal\s+mesaj|mensagem\s+original"""
_ORIGINAL_MESSAGE = re.compile(
    rf"^\s*[-_=*]{{2,}}\s*(?:{_ORIGINAL_NAMES})\s*:?\s*[-_=*]{{2,}}\s*$"
    rf"|^\s*(?:{_ORIGINAL_NAMES})\s*:?\s*$",
    re.IGNORECASE | re.VERBOSE,
)
_FORWARD_NAMES = r"""forwarded\s+message|begin\s+forwarded\s+message|pesan\s+terusan|pesan\s+yang
    \s+diteruskan|diteruskan|weitergeleitete\s+nachricht|message\s+transféré|mensaje\s+reenviado
    |messaggio\s+inoltrato|doorgestuurd\s+bericht|videresendt\s+melding|vidarebefordrat
    \s+meddelande|пересылаемое\s+сообщение|mensagem\s+encaminhada|forwarded\s+by\s.{1,80}"""
_FORWARD = re.compile(
    rf"^\s*[-_=*]*\s*(?:{_FORWARD_NAMES})\s*:?\s*[-_=*]*\s*$", re.IGNORECASE | re.VERBOSE
)
_SEPARATOR_LINE = re.compile(r"^\s*(?:_{5,}|-{5,}|={5,})\s*$")

# Header names of quoted-mail blocks (Outlook, Apple Mail, Samsung, Yahoo), by what they say.
_HEADER_KINDS: dict[str, str] = {}
for _kind, _names in {
    "from": """from von de fra från van da od от dari lähettäjä feladó kimden từ expéditeur
        remitente mittente afzender avsändare 发件人 寄件者 pengirim""",
    "date": """sent date datum gesendet envoyé enviado inviato verzonden sendt skickat wysłano
        отправлено дата dikirim tanggal terkirim data päivämäärä gönderildi tarih fecha
        lähetetty odesláno elküldve 发送时间 日期 waktu""",
    "to": """to an à a para til till aan do кому kepada untuk ke vastaanottaja kime címzett
        đến komu 收件人 penerima""",
    "cc": "cc kopie copie kopi копия tembusan bcc",
    "subject": """subject betreff objet asunto oggetto onderwerp emne ämne temat тема subjek
        perihal hal aihe konu tárgy předmět 主题 主旨 judul""",
}.items():
    for _name in _names.split():
        _HEADER_KINDS[_name] = _kind
# Multi-word names ("Chủ đề", "Ngày gửi") are rare enough to leave to the other headers.
_HEADER = re.compile(
    r"^\s*\*{0,2}\s?(?P<name>[^\W\d_]{1,14}|[\u4e00-\u9fff]{2,4})\s?\*{0,2}\s?[:：]\s?\*{0,2}(?:\s|$)"
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
# A time of day in a quoted header's date ("09:15", "9.15 AM", "09.15.22"), not a date "03.02.2025".
_TIME = re.compile(r"(?<![\d.:])\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?![\d.:]?\d)")
# A header block squeezed onto one line by an HTML mail: "From: x@y Date: Thu, 24 Mar ...".
_FROM_ADDRESS = re.compile(
    rf"^\s*\*{{0,2}}(?:from|dari|von|de)\s?\*{{0,2}}\s?:.*{_EMAIL}.*"
    r"\b(?:date|sent|tanggal|dikirim|datum|gesendet|envoyé)\s?\*{0,2}\s?:",
    re.IGNORECASE,
)

# Outlook and talon's "reply On Wed, ... wrote:" on one line, and "reply--- On ... wrote:".
_SHARED_LINE = re.compile(
    r"(?<=\S)\s*(?=(?:-{2,}\s*)?(?:On|Pada)\s.{3,300}?(?<!\w)(?:wrote|menulis)\s*:\s*$)"
)
# Yahoo's mobile app writes the quoted text on the attribution's own line.
_ATTRIBUTION_THEN_TEXT = re.compile(
    r"^\s*(?:On|Pada)\s(?=.*\d).{3,300}?(?<!\w)(?:wrote|menulis):(?=\s+\S)"
)
# A long link wrapped out of a quote: "(http://example.com/c/Yz) >", "_nonce=3dd518)".
_LINK_CONTINUATION = re.compile(r"^\s*\(?(?:https?://|mailto:)\S*\s*>?\s*$|^\s*[^\s>]+\)\s*>?\s*$")

# --- signatures -----------------------------------------------------------------------------

_SIGNATURE_DELIMITER = re.compile(r"^\s*--\s*$")
_NAME_DASH = re.compile(r"^\s*-[^\W\d_][\w.]*(?:\s+[^\W\d_][\w.]*){0,3}\s*$")
_DEVICE_LINE = re.compile(
    r"""^\s*(?:sent\s+from\s+my\s+\S+(?:\s+\S+){0,4}
      | sent\s+from\s+(?:yahoo|outlook|mail\s+for|samsung|acompli|my\s+mobile|mobile|ipad|iphone)
        (?:\s+\S+){0,5}
      | sent\s+(?:with|via|using)\s+\S+(?:\s+\S+){0,5}
      | get\s+outlook\s+for\s+\S+
      | dapatkan\s+outlook\s+untuk\s+\S+
      | dikirim\s+(?:dari|melalui|lewat|dengan)\s+\S+(?:\s+\S+){0,6}
      | (?:diketik|ditulis)\s+(?:dari|di)\s+\S+(?:\s+\S+){0,4}
      | enviado\s+desde\s+(?:mi\s+)?\S+(?:\s+\S+){0,4}
      | von\s+meinem\s+\S+(?:\s+\S+){0,3}\s+gesendet
      | envoyé\s+de\s+mon\s+\S+(?:\s+\S+){0,3}
      )\s*[.!]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_MAX_DEVICE_LINE_LENGTH = 70
_CLOSING_WORDS = r"""salam(?:\s+hormat|\s+hangat|\s+sukses|\s+kami|\s+saya)?|hormat\s+(?:kami|saya)
    |wassalam\w*(?:\s+[\w.]+){0,3}|regards|best\s+regards|kind\s+regards|warm\s+regards|best|thanks
    |many\s+thanks|thanks\s+again|thank\s+you|cheers|sincerely|yours\s+sincerely|yours\s+truly
    |best\s+wishes|terima\s+kasih(?:\s+banyak)?|terimakasih(?:\s+banyak)?|trims|tks|thx|makasih
    |matur\s+nuwun|tabik|hatur\s+nuhun"""
_CLOSING = re.compile(rf"^\s*(?:{_CLOSING_WORDS})\s*[,.!]*\s*$", re.IGNORECASE | re.VERBOSE)
# "Regards, Roman", "Salam, Budi Santoso": a closing and a name (capitalised words) on one line.
_CLOSING_WITH_NAME = re.compile(
    rf"^\s*(?:{_CLOSING_WORDS})\s*[,.!]?\s+(?:[A-Z][\w.'-]*\s*){{1,4}}$", re.VERBOSE | re.IGNORECASE
)
_DISCLAIMER = re.compile(
    r"""^\s*(?:disclaimer|confidentiality\s+notice|confidential|pernyataan|perhatian|peringatan
        |important\s+notice|legal\s+notice|privileged|catatan\s+penting)\s*[:：]
      | ^\s*(?:this\s+e-?mail|this\s+message|the\s+information\s+(?:contained|in\s+this)
        |e-?mail\s+ini|surel\s+ini|informasi\s+(?:dalam|yang\s+terdapat|yang\s+terkandung))\b
        .*\b(?:confidential|privileged|intended\s+(?:solely|only)|rahasia|ditujukan\s+hanya)""",
    re.IGNORECASE | re.VERBOSE,
)
# Name, title, office, phone lines after a closing are short; a longer line is a paragraph.
_MAX_SIGNATURE_LINES = 6
_MAX_SIGNATURE_LINE_LENGTH = 60
_MAX_TRAILER_LINES = 12
_SENTENCE_WORDS = 8


@dataclass(frozen=True, slots=True)
class OwnWords:
    """What a mail body says, taken apart.

    ``text`` is what a ticket stores: the sender's words and a forward they included;
    ``reply`` is the body without the quote but with the signature (what talon returns).
    """

    words: str
    forwarded: str
    quote: str
    signature: str
    reply: str

    @property
    def text(self) -> str:
        return "\n\n".join(part for part in (self.words, self.forwarded) if part)


def read_own_words(body: str) -> OwnWords:
    """Take a plain-text mail body apart into own words, forward, quote and signature."""
    lines = _prepare(body)
    # Windows Mail puts direction marks around the digits of dates: match without them.
    marks = _mark([_INVISIBLE.sub("", line) for line in lines])
    kept, quoted = _cut_quotes(marks)
    forward_at = next((i for i in kept if marks[i] == FORWARD), None)
    own = [i for i in kept if forward_at is None or i < forward_at]
    forwarded = [i for i in kept if forward_at is not None and i >= forward_at]
    words, signature = _cut_signature([lines[i] for i in own])
    return OwnWords(
        words=_join(words),
        forwarded=_join([lines[i] for i in forwarded]),
        quote=_join([lines[i] for i in quoted]),
        signature=_join(signature),
        reply=_join([lines[i] for i in kept]),
    )


def strip_quotes_and_signature(text: str) -> str:
    """The author's text as a ticket stores it: quote and signature cut, a forward kept."""
    return read_own_words(text).text


def _join(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n").strip()


# --- marking --------------------------------------------------------------------------------


def _prepare(body: str) -> list[str]:
    """Lines, with an attribution that shares a line with the reply moved to its own line."""
    lines: list[str] = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if len(line) <= _MAX_SPLITTER_LENGTH and not line.lstrip().startswith(">"):
            found = _SHARED_LINE.search(line)
            if found and found.start() > 0:
                lines += [line[: found.start()], line[found.end() :].lstrip()]
                continue
            found = _ATTRIBUTION_THEN_TEXT.match(line)
            if found:
                lines += [line[: found.end()], line[found.end() :].strip()]
                continue
        lines.append(line)
    return lines


def _mark(lines: list[str]) -> list[str]:
    marks = [_line_mark(line) for line in lines]
    for index, line in enumerate(lines):
        if marks[index] in (EMPTY, QUOTED, FORWARD) or len(line) > _MAX_SPLITTER_LENGTH:
            continue
        span = _attribution_span(lines, index) or _header_block_span(lines, index)
        if span is None and _SEPARATOR_LINE.match(line):
            following = _next_filled(lines, index + 1)
            if following is not None and _header_block_span(lines, following):
                span = following - index + 1
                marks[index] = SPLITTER
                continue
        if span:
            for covered in range(index, index + span):
                marks[covered] = SPLITTER
    _join_wrapped_links(lines, marks)
    return marks


def _line_mark(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return EMPTY
    if stripped.startswith(">"):
        return QUOTED
    if len(stripped) <= _MAX_SPLITTER_LENGTH:
        if _FORWARD.match(stripped):
            return FORWARD
        if _ORIGINAL_MESSAGE.match(stripped) or _FROM_ADDRESS.match(stripped):
            return SPLITTER
    return TEXT


def _attribution_span(lines: list[str], start: int) -> int | None:
    """How many lines from ``start`` form an attribution ("On ... wrote:"), or None.

    Only a line that starts like one (an opener word, a date) may continue on the next lines.
    """
    joined = ""
    most = _MAX_ATTRIBUTION_LINES if _ATTRIBUTION_START.match(lines[start]) else 1
    for count in range(1, most + 1):
        if start + count > len(lines):
            return None
        piece = lines[start + count - 1].strip()
        if count > 1 and piece.startswith(">") and not re.search(r"(?i)\b(?:wrote|menulis)", piece):
            return None
        joined = f"{joined} {piece}".strip() if piece else joined
        if len(joined) > _MAX_ATTRIBUTION_LENGTH:
            return None
        if not piece:
            continue
        if (
            _ATTRIBUTION.match(joined)
            or _ADDRESS_WROTE.match(joined)
            or _DATE_ADDRESS.match(joined)
        ):
            return count
    return None


def _header_kind(line: str) -> str | None:
    found = _HEADER.match(line)
    return _HEADER_KINDS.get(found.group("name").lower()) if found else None


def _header_block_span(lines: list[str], start: int) -> int | None:
    """Lines of a quoted mail's header block starting at ``start`` ("From: ...", "Sent: ...",
    "To: ...", "Subject: ..."): it starts with the sender or the date and has a date line with a
    time of day ("Sent: Monday, 3 February 2025 09:15") and another kind. A letter's own
    "Kepada: / Dari: / Tanggal: 3 Februari 2025 / Perihal:" heading or a form with a date
    (common in official Indonesian mail) has no time, so it stays the sender's words."""
    first = _header_kind(lines[start])
    if first not in ("from", "date"):
        return None
    kinds = {first if first != "date" or _TIME.search(lines[start]) else "undated"}
    last = start
    continuations = 0
    for index in range(start + 1, min(len(lines), start + _HEADER_WINDOW)):
        line = lines[index]
        if not line.strip():
            continue
        kind = _header_kind(line)
        if kind is not None:
            kinds.add(kind if kind != "date" or _TIME.search(line) else "undated")
            last = index
            continuations = 0
            continue
        continuations += 1
        if continuations > _MAX_HEADER_CONTINUATIONS:
            break
    if len(kinds) >= 2 and "date" in kinds:
        return last - start + 1
    return None


def _next_filled(lines: list[str], start: int) -> int | None:
    for index in range(start, min(len(lines), start + 3)):
        if lines[index].strip():
            return index
    return None


def _join_wrapped_links(lines: list[str], marks: list[str]) -> None:
    """A link wrapped out of a quote between two quoted lines belongs to the quote."""
    for index, line in enumerate(lines):
        if marks[index] != TEXT or not _LINK_CONTINUATION.match(line):
            continue
        before = next((marks[i] for i in range(index - 1, -1, -1) if marks[i] != EMPTY), None)
        after = next((marks[i] for i in range(index + 1, len(lines)) if marks[i] != EMPTY), None)
        if before == QUOTED and after in (QUOTED, None):
            marks[index] = QUOTED


# --- cutting the quote ----------------------------------------------------------------------


def _cut_quotes(marks: list[str]) -> tuple[list[int], list[int]]:
    """Indexes of the lines kept and of the lines that belong to a quote."""
    kept: list[int] = []
    quoted: list[int] = []
    index = 0
    total = len(marks)
    while index < total:
        mark = marks[index]
        if mark == FORWARD:
            kept += range(index, total)
            break
        if mark == SPLITTER:
            after = index
            while after < total and marks[after] in (SPLITTER, EMPTY):
                after += 1
            if after < total and marks[after] == QUOTED:
                end = _quote_run_end(marks, after)
                quoted += range(index, end)
                index = end
                continue
            quoted += range(index, total)
            break
        if mark == QUOTED:
            end = _quote_run_end(marks, index)
            quoted_lines = sum(1 for i in range(index, end) if marks[i] == QUOTED)
            (quoted if quoted_lines >= 2 else kept).extend(range(index, end))
            index = end
            continue
        kept.append(index)
        index += 1
    return kept, quoted


def _quote_run_end(marks: list[str], start: int) -> int:
    """One past the last quoted line of the run of quoted (and empty) lines from ``start``."""
    end = start
    index = start
    while index < len(marks) and marks[index] in (QUOTED, EMPTY):
        if marks[index] == QUOTED:
            end = index + 1
        index += 1
    return end


# --- cutting the signature ------------------------------------------------------------------


def _cut_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """The sender's lines without the signature, and the signature lines."""
    last = len(lines)
    while last and not lines[last - 1].strip():
        last -= 1
    lines = lines[:last]
    signature: list[str] = []
    for index, line in enumerate(lines):
        if _SIGNATURE_DELIMITER.match(line) or _DISCLAIMER.match(line):
            lines, signature = lines[:index], lines[index:]
            break
    for index, line in enumerate(lines):
        if (_SEPARATOR_LINE.match(line) or _NAME_DASH.match(line)) and _is_trailer(
            lines, index + 1, _MAX_TRAILER_LINES
        ):
            lines, signature = lines[:index], lines[index:] + signature
            break
    kept: list[str] = []
    devices: list[str] = []
    for index, line in enumerate(lines):
        if _is_device_line(line):
            if _is_trailer(lines, index + 1, _MAX_SIGNATURE_LINES):
                devices += lines[index:]
                break
            devices.append(line)
            continue
        kept.append(line)
    lines, signature = kept, devices + signature
    for index, line in enumerate(lines):
        closing = _CLOSING.match(line) or (
            _CLOSING_WITH_NAME.match(line) and index >= len(lines) - _MAX_SIGNATURE_LINES
        )
        if closing and _is_trailer(lines, index + 1, _MAX_SIGNATURE_LINES):
            lines, signature = lines[:index], lines[index:] + signature
            break
    return lines, signature


def _is_device_line(line: str) -> bool:
    return len(line.strip()) <= _MAX_DEVICE_LINE_LENGTH and bool(_DEVICE_LINE.match(line))


def _is_trailer(lines: list[str], start: int, most: int) -> bool:
    """Only a few short lines from ``start`` on that ask nothing: a name, a title, an office, a
    phone number. Read from the end, so that a long text is given up on at once."""
    filled: list[str] = []
    for index in range(len(lines) - 1, start - 1, -1):
        line = lines[index].strip()
        if line:
            filled.append(line)
            if len(filled) > most:
                return False
    return all(_is_signature_line(line) for line in filled)


def _is_signature_line(line: str) -> bool:
    if " " not in line and ("@" in line or "://" in line):
        return True  # an address or a link, however long
    if len(line) > _MAX_SIGNATURE_LINE_LENGTH or line.endswith("?"):
        return False
    words = line.lower().replace(",", " ").split()
    if words and words[0] in QUESTION_WORDS:
        return False
    return not (len(words) >= _SENTENCE_WORDS and line.endswith("."))
