"""Raw RFC 5322 bytes -> ``ParsedMail``: what the intake needs from a mail, never raising.

Mail arrives from any software on the internet, so every step tolerates broken input: unknown
or wrong charsets, 8-bit headers, bad encoded words, invalid base64 or quoted-printable and
malformed MIME all degrade to the best readable text instead of an exception, because a mail
that cannot be parsed must still become a ticket.
"""

from __future__ import annotations

import binascii
import codecs
import logging
import mimetypes
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from email.utils import getaddresses, unquote
from html.parser import HTMLParser
from types import MappingProxyType

from bot.core.filetypes import sniff
from faq.own_words import read_own_words
from handlers.email.reference import normalise_address

logger = logging.getLogger(__name__)

FALLBACK_FILENAME_STEM = "lampiran"
#: The line a forwarded message's text starts with (as Gmail writes it inline).
FORWARD_MARKER = "---------- Forwarded message ---------"
MAX_FILENAME_LENGTH = 200
# Real mail nests a few levels (mixed > alternative > related); anything deeper is hostile
# and would otherwise end in a RecursionError.
_MAX_MIME_DEPTH = 32

# Everything below U+0020 except tab and newline, DEL and the C1 block; lone surrogates (which
# some codecs produce and which cannot be stored as UTF-8) become U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_HEADER_WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")
# RFC 5322 2.2.3: unfolding removes the CRLF in front of the folding white space.
_FOLD = re.compile(r"\r?\n(?=[ \t])")
# RFC 2047 2: =?charset?encoding?encoded-text?=; RFC 2231 5 allows "charset*language".
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_ENCODED_WORD_GAP = re.compile(r"[ \t\r\n]*")
_QP_OCTET = re.compile(rb"=([0-9A-Fa-f]{2})")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_ANGLE_ID = re.compile(r"<([^<>]*)>")
#: A mailbox written as ``display name <local@domain>``: the angle address closes the value.
_ANGLE_MAILBOX = re.compile(r"^(?P<name>.*)<\s*(?P<address>[^<>\s]+@[^<>\s]+)\s*>\s*$", re.DOTALL)
# RFC 2045 5.1: type "/" subtype, both tokens.
_MIME_TYPE = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+/[a-z0-9!#$%&'*+.^_`|~-]+")

# Labels that old clients put on any 8-bit text; the bytes decide what it really is.
_GUESSABLE_LABELS = frozenset({"ascii", "utf-8"})
# A well-formed UTF-8 multi-byte sequence (RFC 3629 4), which legacy 8-bit text hardly has.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)

# File extensions for nameless attachments; mimetypes' answer depends on the host's tables.
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "message/rfc822": ".eml",
    "application/zip": ".zip",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
_GENERIC_EXTENSION = ".bin"
_BODY_TYPES = frozenset({"text/plain", "text/html"})
# Text subtypes that are data for a program, not words for a reader.
_TEXT_FILES = frozenset(
    {
        "text/calendar",
        "text/vcard",
        "text/x-vcard",
        "text/csv",
        "text/rfc822-headers",
        "text/directory",
        "text/x-vcalendar",
    }
)
# Main types that are files even without a name, and the parts of those that are not.
_FILE_TYPES = frozenset({"image", "audio", "video", "application"})
_NOT_FILES = frozenset(
    {
        "application/pgp-signature",
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-encrypted",
        "application/ms-tnef",
    }
)


@dataclass(frozen=True)
class MailAttachment:
    """One attached file, decoded.

    ``embedded``: a picture shown inside the HTML body (a signature logo, a pasted image
    referenced as ``cid:``), not a file the sender chose to attach. It is kept with the mail
    like any file, but it does not make the mail an official letter (see the processor).
    """

    filename: str
    content_type: str
    data: bytes
    embedded: bool = False


@dataclass(frozen=True)
class ParsedMail:
    """What the intake uses from one inbound mail. Addresses are lower-cased addr-specs."""

    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_address: str | None
    from_name: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: str | None
    body: str
    text: str
    attachments: tuple[MailAttachment, ...]
    headers: Mapping[str, str] = field(hash=False)
    content_type: str
    #: The texts of body alternatives the mail carries but ``body`` does not show (the HTML
    #: half of a plain+HTML mail): read for credentials, never stored as the person's words.
    unshown: tuple[str, ...] = ()

    @property
    def has_letter_files(self) -> bool:
        """Files the sender attached on purpose (pictures embedded in the body aside)."""
        return any(not attachment.embedded for attachment in self.attachments)

    @property
    def question(self) -> str:
        """What a ticket stores as the person's words: the text, else the subject."""
        return self.text if self.text.strip() else self.subject


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one raw message (RFC 5322 / MIME); never raises.

    Should the stdlib parser itself fail on some input nobody foresaw, the mail is kept as its
    raw text so that no question is lost.
    """
    try:
        return _parse(raw)
    except Exception:
        logger.warning("mail could not be parsed, keeping its raw text", exc_info=True)
        return _unparsed(raw)


def _parse(raw: bytes) -> ParsedMail:
    message = message_from_bytes(raw, policy=policy.default)
    raw_headers = _raw_headers(message)
    headers = {name: _header_text(values[0]) for name, values in raw_headers.items()}

    def first(name: str) -> str:
        return raw_headers.get(name, [""])[0]

    tree = _tree(message, 0)
    body_text = _body(tree)
    body = body_text[0] if body_text else ""
    from_name, from_address = _sender(raw_headers.get("from", []))
    reply_to = _addresses(raw_headers.get("reply-to", []))
    return ParsedMail(
        message_id=next(iter(_message_ids(first("message-id"))), None),
        in_reply_to=_message_ids(first("in-reply-to")),
        references=_message_ids(first("references")),
        subject=headers.get("subject", ""),
        from_address=from_address,
        from_name=from_name,
        to=_unique(address for _name, address in _addresses(raw_headers.get("to", []))),
        cc=_unique(address for _name, address in _addresses(raw_headers.get("cc", []))),
        reply_to=reply_to[0][1] if reply_to else None,
        body=body,
        text=read_own_words(body).text or body,
        attachments=tuple(_attachments(tree)),
        headers=MappingProxyType(headers),
        content_type=tree.content_type,
        unshown=tuple(_unshown_alternatives(tree)),
    )


def _unshown_alternatives(root: _Part) -> Iterator[str]:
    """The text of each alternative that _body() passes over, anywhere in the tree."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.content_type != "multipart/alternative":
            stack.extend(node.children)
            continue
        found = [text for child in node.children if (text := _body(child, 1)) and text[0].strip()]
        chosen = next((text for text in found if text[1]), found[0] if found else None)
        yield from (text for text, _plain in found if (text, _plain) != chosen)


def _unparsed(raw: bytes) -> ParsedMail:
    """The last resort: the whole raw message as the body, nothing else known."""
    body = _clean_text(_decode_bytes(raw, None))
    return ParsedMail(
        message_id=None,
        in_reply_to=(),
        references=(),
        subject="",
        from_address=None,
        from_name=None,
        to=(),
        cc=(),
        reply_to=None,
        body=body,
        text=body,
        attachments=(),
        headers=MappingProxyType({}),
        content_type="text/plain",
    )


# --- charsets -------------------------------------------------------------------------------


def _decode_bytes(data: bytes, declared: str | None) -> str:
    """Text from bytes whatever the label says: known charset, else UTF-8, else cp1252.

    A known legacy charset is trusted (a bad byte becomes U+FFFD). A "us-ascii" or "utf-8"
    label, or none, is checked: valid UTF-8 is UTF-8; bytes with some valid multi-byte
    sequences are damaged UTF-8; bytes with none are 8-bit text from an old client, read as
    cp1252 (ISO-8859-1 plus typography), and latin-1 as the last resort that decodes anything.
    """
    codec = _codec_name(declared)
    if codec == "iso8859-1":
        # Windows clients label cp1252 text ISO-8859-1; its 0x80-0x9F range (C1 controls,
        # never text) holds their dashes and curly quotes, so cp1252 reads every such mail
        # right and true ISO-8859-1 text the same.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    if codec is not None and codec not in _GUESSABLE_LABELS:
        try:
            return data.decode(codec, errors="replace")
        except (UnicodeError, LookupError, ValueError, TypeError):
            pass  # a codec Python knows but that cannot decode this: guess below
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _UTF8_SEQUENCE.search(data):
        return data.decode("utf-8", errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _codec_name(label: str | None) -> str | None:
    """Python's codec for a MIME charset label, or None when Python does not know it."""
    if not label:
        return None
    # RFC 2231 5 lets a charset carry a language ("utf-8*id"); the language is not needed.
    label = label.split("*", 1)[0].strip().strip('"').lower()
    if not label or not label.isascii():
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # "base64", "zlib" and friends are codecs too, but not text encodings.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _clean_text(text: str) -> str:
    """One newline convention, no control characters, no lone surrogates; outer blanks cut."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


# --- headers --------------------------------------------------------------------------------


def _raw_headers(message: Message) -> dict[str, list[str]]:
    """Header values exactly as received, by lower-cased name, in order.

    The raw values are decoded here rather than through ``policy.default``'s header objects:
    those turn 8-bit bytes into replacement characters and have raised on malformed
    structured headers, while a single decoder below handles every case the same way.
    """
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        headers.setdefault(str(name).strip().lower(), []).append(str(value))
    return headers


def _header_bytes_to_text(value: str) -> str:
    """A raw header value as text: 8-bit bytes decoded (RFC 6532 UTF-8 or legacy), unfolded."""
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = value.encode("utf-8", "replace")
    return _FOLD.sub("", _decode_bytes(data, None))


def _header_text(value: str) -> str:
    """An unstructured header value (RFC 5322 3.2.5) decoded to one clean line."""
    return _single_line(_decode_encoded_words(_header_bytes_to_text(value)))


def _single_line(text: str) -> str:
    return _SURROGATE.sub("\ufffd", _HEADER_WHITESPACE.sub(" ", text)).strip()


def _decode_encoded_words(text: str) -> str:
    """RFC 2047 encoded words decoded, leniently.

    White space between adjacent encoded words is dropped (RFC 2047 6.2), and adjacent words
    in one charset are decoded together because some clients split a multi-byte character
    across two words. Encoded words inside quoted strings are decoded too: common, if not
    allowed (RFC 2047 5).
    """
    pieces: list[str] = []
    pending = b""
    pending_charset: str | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(text):
        gap = text[position : match.start()]
        if pending and not _ENCODED_WORD_GAP.fullmatch(gap):
            pieces.append(_decode_bytes(pending, pending_charset))
            pending = b""
        if not pending:
            pieces.append(gap)
        charset, encoding, encoded = match.groups()
        data = _decode_b(encoded) if encoding in "bB" else _decode_q(encoded)
        if pending and charset.lower() != (pending_charset or "").lower():
            pieces.append(_decode_bytes(pending, pending_charset))
            pending = b""
        pending += data
        pending_charset = charset
        position = match.end()
    if pending:
        pieces.append(_decode_bytes(pending, pending_charset))
    pieces.append(text[position:])
    return "".join(pieces)


def _decode_b(encoded: str) -> bytes:
    """Base64 that tolerates stray characters and missing or extra padding."""
    data = _NOT_BASE64.sub(b"", encoded.encode("ascii", "ignore"))
    remainder = len(data) % 4
    if remainder == 1:  # a lone trailing sextet carries no complete byte
        data = data[:-1]
    elif remainder:
        data += b"=" * (4 - remainder)
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return b""


def _decode_q(encoded: str) -> bytes:
    """RFC 2047 4.2 "Q": "_" is a space, "=XX" an octet, anything else literal."""
    data = encoded.replace("_", " ").encode("utf-8", "replace")
    return _QP_OCTET.sub(lambda octet: bytes([int(octet.group(1), 16)]), data)


def _sender(values: list[str]) -> tuple[str | None, str | None]:
    """(display name, address) of the From header.

    When the value ends in an angle address, that is the sender, whatever the display name
    says: a name like "victim@evil.example" or "Budi: victim@evil.example;" must not become
    the requester (the angle address is also the mailbox SPF/DMARC checks are about).
    """
    if not values:
        return None, None
    mailbox = _ANGLE_MAILBOX.match(_single_line(_header_bytes_to_text(values[0])))
    # A name part with its own "<" is a list of mailboxes (RFC 5322 allows several in From):
    # then the first one is the sender, as getaddresses() reads it.
    if mailbox is not None and "<" not in mailbox["name"]:
        address = normalise_address(mailbox["address"])
        if address is not None:
            name = _header_text(unquote(mailbox["name"].strip()))
            return name or None, address
    pairs = _addresses(values)
    return pairs[0] if pairs else (None, None)


def _addresses(values: list[str]) -> list[tuple[str | None, str]]:
    """(decoded display name or None, lower-cased address) of address headers, valid ones only.

    The display names are decoded after the address list is split, so that a decoded name
    containing "," or "<" cannot change where addresses begin (RFC 2047 5 (3)).
    """
    texts = [_single_line(_header_bytes_to_text(value)) for value in values]
    try:
        pairs = getaddresses(texts)
    except Exception:  # older stdlib parsers raised on some malformed lists
        return []
    found: list[tuple[str | None, str]] = []
    for name, address in pairs:
        normalised = normalise_address(address)
        if normalised is not None:
            found.append((_header_text(name) or None, normalised))
    return found


def _message_ids(value: str) -> tuple[str, ...]:
    """Message-IDs (RFC 5322 3.6.4) as "<id>", folding white space removed, first seen first.

    Some clients write ids without angle brackets; a bare token with an "@" is accepted then.
    """
    text = _single_line(_header_bytes_to_text(value))
    found = [re.sub(r"\s+", "", inner) for inner in _ANGLE_ID.findall(text)]
    if not found:
        found = [token.strip("<>") for token in text.split() if "@" in token]
    return _unique(f"<{inner}>" for inner in found if inner)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


# --- MIME structure -------------------------------------------------------------------------


def _content_type(part: Message) -> str:
    """The part's type; an unusable one reads as text/plain, RFC 2045 5.2's default."""
    try:
        content_type = part.get_content_type()
    except Exception:  # a structured-header parser failure
        return "text/plain"
    return content_type if _MIME_TYPE.fullmatch(content_type) else "text/plain"


@dataclass(frozen=True)
class _Part:
    """One MIME part as the walks below need it; its headers are parsed only once."""

    message: Message
    content_type: str
    attachment: bool
    children: tuple[_Part, ...]


def _tree(part: Message, depth: int) -> _Part:
    """The MIME tree down to the parts that matter: attachments and embedded messages
    (message/rfc822, the original in a bounce) are leaves, one file or nothing."""
    content_type = _content_type(part)
    attachment = _is_attachment(part, content_type)
    children: tuple[_Part, ...] = ()
    if not attachment and content_type.startswith("multipart/") and depth < _MAX_MIME_DEPTH:
        children = tuple(_tree(child, depth + 1) for child in _children(part))
    return _Part(part, content_type, attachment, children)


def _is_attachment(part: Message, content_type: str) -> bool:
    """A file the sender attached, as opposed to a body part.

    Content-Disposition "attachment" (RFC 2183 2.2), a picture, sound, video or document part
    even without a name, or any other part that is not a text body and has a file name:
    inline images of a signature count, message/rfc822 with a name too.
    """
    if content_type.startswith("multipart/") and part.is_multipart():
        return False
    try:
        disposition = part.get_content_disposition()
    except Exception:
        disposition = None
    if disposition == "attachment":
        return True
    if content_type in _BODY_TYPES:
        return False
    # A nameless picture or document (a pasted screenshot) is still what the sender sent.
    if content_type.partition("/")[0] in _FILE_TYPES and content_type not in _NOT_FILES:
        return True
    return _raw_filename(part) is not None


def _children(part: Message) -> list[Message]:
    if not part.is_multipart():
        return []
    payload = part.get_payload()
    return [child for child in payload if isinstance(child, Message)] if payload else []


def _body(node: _Part, depth: int = 0) -> tuple[str, bool] | None:
    """The readable text of a part and whether it came from text/plain, or None.

    multipart/alternative (RFC 2046 5.1.4) takes its text/plain alternative, else the first
    one with any text; other multiparts (mixed, related, report, signed) join their texts.
    A forwarded message (message/rfc822, attached or in a digest) counts with its text, under
    a "Forwarded message" line; the returned mail in a bounce (multipart/report) does not.
    """
    if node.content_type == "message/rfc822" and depth < _MAX_MIME_DEPTH:
        return _forwarded_text(node, depth)
    if node.attachment or node.content_type.startswith("message/"):
        return None
    if node.message.is_multipart():
        children = node.children
        if node.content_type == "multipart/report":
            children = tuple(c for c in children if not c.content_type.startswith("message/"))
        found = [
            text for child in children if (text := _body(child, depth + 1)) and text[0].strip()
        ]
        if node.content_type == "multipart/alternative":
            plain = [text for text in found if text[1]]
            return (plain or found)[0] if found else None
        if not found:
            return None
        return "\n\n".join(text for text, _plain in found), any(plain for _t, plain in found)
    if node.content_type == "text/html":
        return _html_to_text(_part_text(node.message)), False
    # Also a "multipart/*" without a usable boundary: its raw text is better than nothing;
    # and a text subtype nobody knows reads as text/plain (RFC 2046 4.1.4).
    if (
        node.content_type == "text/plain"
        or node.content_type.startswith("multipart/")
        or (node.content_type.startswith("text/") and node.content_type not in _TEXT_FILES)
    ):
        return _plain_text(node.message), True
    return None


def _forwarded_text(node: _Part, depth: int) -> tuple[str, bool] | None:
    """A forwarded message as the reader sees it in a mail client: who, when, what, its text."""
    inner = _children(node.message)
    if not inner:
        return None
    message = inner[0]
    found = _body(_tree(message, depth + 1), depth + 1)
    lines = [FORWARD_MARKER]
    for name in ("From", "Date", "Subject", "To"):
        value = message.get_all(name) if hasattr(message, "get_all") else None
        if value:
            lines.append(f"{name}: {_header_text(str(value[0]))}")
    text = "\n".join(lines)
    if found:
        text += "\n\n" + found[0]
    return text, found[1] if found else True


def _payload_bytes(part: Message) -> bytes:
    """The decoded payload (RFC 2045 6: base64, quoted-printable; others as they are)."""
    if part.is_multipart():
        return b""
    if _transfer_encoding(part) == "base64":
        # The stdlib gives up on a body with a stray trailing character and returns the
        # base64 text itself; decoding what is decodable serves the reader better.
        try:
            encoded = part.get_payload()
        except Exception:  # 8-bit junk in the body is decoded with the declared charset
            encoded = None
        if isinstance(encoded, str):
            return _decode_b(encoded)
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # e.g. a broken x-uuencode body
        payload = None
    return payload if isinstance(payload, bytes) else b""


def _transfer_encoding(part: Message) -> str:
    for name, value in part.raw_items():
        if str(name).strip().lower() == "content-transfer-encoding":
            return _single_line(_header_bytes_to_text(str(value))).lower()
    return ""


def _param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return str(value) if value is not None else None


def _part_text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return _decode_bytes(_payload_bytes(part), charset)


def _plain_text(part: Message) -> str:
    text = _clean_text(_part_text(part))
    if (_param(part, "format") or "").lower() == "flowed":
        text = _unflow(text, delete_space=(_param(part, "delsp") or "").lower() == "yes")
    return text


def _unflow(text: str, *, delete_space: bool) -> str:
    """format=flowed (RFC 3676 4) lines joined back into paragraphs.

    A line ending in a space continues on the next line of the same quote depth; the
    signature separator "-- " never flows (RFC 3676 4.3), and a leading space added for
    stuffing is removed (RFC 3676 4.4).
    """
    lines: list[str] = []
    previous_flowed = False
    previous_depth = -1
    for line in text.split("\n"):
        stripped = line.lstrip(">")
        depth = len(line) - len(stripped)
        if stripped.startswith(" "):
            stripped = stripped[1:]
        flowed = stripped.endswith(" ") and stripped != "-- "
        if flowed and delete_space:
            stripped = stripped[:-1]
        if previous_flowed and depth == previous_depth and lines:
            lines[-1] += stripped
        else:
            lines.append(("> " * depth if depth else "") + stripped)
        previous_flowed, previous_depth = flowed, depth
    return "\n".join(line.rstrip() for line in lines)


# --- HTML -----------------------------------------------------------------------------------


# Elements that stand apart by a blank line, and those that only start a new line.
_HTML_PARAGRAPH_TEXT = """p h1 h2 h3 h4 h5 h6 ul ol table blockquote pre hr dl section article
    header footer address"""
_HTML_LINE_TEXT = "div li tr dt dd"


class _HtmlText(HTMLParser):
    """Readable text of an HTML body: blocks become lines, quotes become "> " lines."""

    _SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
    _PARAGRAPHS = frozenset(_HTML_PARAGRAPH_TEXT.split())
    _LINES = frozenset(_HTML_LINE_TEXT.split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skipping: list[str] = []
        self._quote_depth = 0
        self._preformatted = 0
        self._blank_pending = False
        self._last_quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping.append(tag)
        elif tag == "body":
            # A missing </head> must not hide the whole body.
            self._skipping.clear()
        elif tag == "br":
            self._end_line(force=True)
        elif tag in ("td", "th"):
            self._line.append(" ")
        elif tag in self._LINES:
            self._end_line(force=False)
            if tag == "li":
                self._line.append("- ")
        elif tag in self._PARAGRAPHS:
            self._end_paragraph()
            if tag == "blockquote":
                self._quote_depth += 1
            elif tag == "pre":
                self._preformatted += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            if tag in self._skipping:
                del self._skipping[len(self._skipping) - 1 - self._skipping[::-1].index(tag) :]
        elif tag in self._LINES:
            self._end_line(force=False)
        elif tag in self._PARAGRAPHS:
            self._end_paragraph()
            if tag == "blockquote":
                self._quote_depth = max(0, self._quote_depth - 1)
            elif tag == "pre":
                self._preformatted = max(0, self._preformatted - 1)

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._preformatted:
            first, *rest = data.replace("\r\n", "\n").split("\n")
            self._line.append(first)
            for line in rest:
                self._end_line(force=True)
                self._line.append(line)
        else:
            self._line.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        self._end_line(force=False)
        return "\n".join(self.lines)

    def _end_paragraph(self) -> None:
        # The blank line waits for the next text, so that nested blocks make only one.
        self._end_line(force=False)
        self._blank_pending = bool(self.lines)

    def _end_line(self, *, force: bool) -> None:
        content = "".join(self._line).replace("\xa0", " ")
        self._line = []
        content = content.rstrip() if self._preformatted else " ".join(content.split())
        if not content and not force:
            return
        quote = "> " * self._quote_depth
        if self._blank_pending:
            same_quote = self._quote_depth == self._last_quote_depth
            self.lines.append(quote.rstrip() if same_quote else "")
            self._blank_pending = False
        self.lines.append(f"{quote}{content}" if content else quote.rstrip())
        self._last_quote_depth = self._quote_depth


def _html_to_text(markup: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # html.parser is lenient, but the text so far is worth keeping anyway
        pass
    return _clean_text(parser.text())


# --- attachments ----------------------------------------------------------------------------

_CID_REFERENCE = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)


def _attachments(root: _Part) -> Iterator[MailAttachment]:
    """The attachments in MIME order; a nameless one is "lampiran-N" (N: its position)."""
    referenced = _cid_references(root)
    for position, node in enumerate(_attachment_nodes(root), start=1):
        data = _attachment_bytes(node.message, node.content_type)
        name = _safe_filename(_raw_filename(node.message))
        if name is None:
            name = f"{FALLBACK_FILENAME_STEM}-{position}{_extension(node.content_type, data)}"
        yield MailAttachment(
            filename=name,
            content_type=node.content_type,
            data=data,
            embedded=_is_embedded(node, referenced),
        )


def _cid_references(root: _Part) -> frozenset[str]:
    """Content-IDs the mail's HTML parts show as pictures (``src="cid:..."``)."""
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.content_type == "text/html" and not node.attachment:
            html = _payload_bytes(node.message)[: 2 * 1024 * 1024].decode("latin-1")
            found.update(match.lower() for match in _CID_REFERENCE.findall(html))
    return frozenset(found)


def _is_embedded(node: _Part, referenced: frozenset[str]) -> bool:
    """A picture whose Content-ID the HTML body shows (clients mark it inline or not)."""
    if not node.content_type.startswith("image/"):
        return False
    content_id = str(node.message.get("Content-ID", "")).strip().strip("<>").lower()
    return bool(content_id) and content_id in referenced


def _attachment_nodes(node: _Part) -> Iterator[_Part]:
    if node.attachment:
        yield node
    for child in node.children:
        yield from _attachment_nodes(child)


def _attachment_bytes(part: Message, content_type: str) -> bytes:
    if not part.is_multipart():
        return _payload_bytes(part)
    if content_type.startswith("message/"):
        children = _children(part)
        try:
            return children[0].as_bytes(policy=policy.compat32) if children else b""
        except Exception:  # re-serialising a malformed embedded message can fail
            return b""
    return b""


def _raw_filename(part: Message) -> str | None:
    """The sender's file name (Content-Disposition filename, else Content-Type name).

    RFC 2231 continuations and charsets, and RFC 2047 words inside the quoted name (Outlook
    and Gmail write those, RFC 2047 5 forbids them) are decoded.
    """
    try:
        name = part.get_filename()
    except Exception:
        name = _param(part, "filename") or _param(part, "name")
    if not name:
        return None
    return _decode_encoded_words(_header_bytes_to_text(name))


def _safe_filename(name: str | None) -> str | None:
    """Only the last path component, no control characters, bounded length; None if empty."""
    if name is None:
        return None
    name = _CONTROL.sub("", _SURROGATE.sub("\ufffd", name)).replace("\\", "/")
    name = " ".join(name.rsplit("/", 1)[-1].split())
    if name.strip(".") == "":
        return None
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME_LENGTH]
    return name


def _extension(content_type: str, data: bytes) -> str:
    """An extension for a nameless file: from its type, else from its content."""
    extension = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type)
    if extension and content_type != "application/octet-stream":
        return extension
    sniffed = sniff(data, "")
    return _EXTENSIONS.get(sniffed or "", _GENERIC_EXTENSION)
