"""A local, strict stand-in for the Telegram Bot API, for end-to-end tests.

The bot under test keeps its real python-telegram-bot (PTB) ``Application`` and talks HTTP to this
server instead of api.telegram.org (``base_url=stand_in.base_url``,
``base_file_url=stand_in.file_base_url``). The server runs on aiohttp in the test's event loop.

It is deliberately strict, answering like the real API (https://core.telegram.org/bots/api) so
that mistakes surface in tests instead of in production: HTML/Markdown entity parsing, text and
caption limits, unknown chats, users who never started the bot, replies to missing messages,
callback_data limits, "message is not modified", stale callback queries, oversized files, flood
limits, and injected 429/5xx errors or dropped connections.

Test-side API: simulate users (``send_text``, ``send_document``, ``press_button``...), which queues
real-shaped ``Update`` JSON for ``getUpdates``; inspect what the bot did through ``sent``,
``calls``, ``messages_to`` and ``wait_for``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import mimetypes
import re
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self

from aiohttp import web

JsonDict = dict[str, Any]

BOT_ID = 123456
BOT_USERNAME = "lpse_test_bot"
BOT_FIRST_NAME = "LPSE Helpdesk (test)"
DEFAULT_TOKEN = f"{BOT_ID}:TEST-TOKEN"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_UPLOAD_SIZE = 50 * 1024 * 1024  # multipart uploads by bots
MAX_PHOTO_UPLOAD_SIZE = 10 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# Update types delivered when allowed_updates is empty or never set (as documented).
_DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "my_chat_member",
        "chat_join_request",
        "business_message",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_EXTENSION_RE = re.compile(r"^[A-Za-z0-9]{1,10}$")

# How form fields are decoded: PTB JSON-encodes every non-string value (see
# telegram/request/_requestparameter.py), so "123" and "true" arrive as strings.
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "icon_color",
        "max_connections",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "allow_sending_without_reply",
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "commands",
        "scope",
        "message_ids",
    }
)


# --------------------------------------------------------------------------------------------
# errors and small helpers
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer of the Bot API (``{"ok": false, ...}``)."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def response(self) -> web.Response:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.status)


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


class EntityParseError(Exception):
    """Text markup Telegram would refuse; the message follows tdlib's wording."""


def private_text_update(update_id: int, chat: int) -> JsonDict:
    """A raw update as Telegram sends it: text "pesan <update_id>" from user ``chat`` in
    their private chat (for tests that store updates without the stand-in's queue)."""
    sender = {"id": chat, "is_bot": False, "first_name": "Budi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": chat, "type": "private", "first_name": "Budi"},
            "from": sender,
            "text": f"pesan {update_id}",
        },
    }


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    # tdlib reports parse errors at UTF-8 byte offsets
    return len(text[:index].encode("utf-8"))


def _now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class FakeUser:
    """A simulated Telegram user."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "id"

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class UploadedFile:
    """A multipart file part as received from the client."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:  # keep `calls` readable in assertion output
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


@dataclass
class StoredFile:
    """A file known to the stand-in (uploaded by a simulated user or sent by the bot)."""

    file_id: str
    file_unique_id: str
    kind: str  # "document" | "photo"
    data: bytes
    file_name: str | None
    mime_type: str | None
    size: int  # may exceed len(data): lets tests fake huge files cheaply
    width: int = 0
    height: int = 0
    file_path: str | None = None
    #: Bytes the download really serves (``data``, then filler), whatever ``size`` claims.
    served_size: int | None = None

    def document_dict(self) -> JsonDict:
        data: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        return data

    def photo_size_dict(self) -> JsonDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width,
            "height": self.height,
        }


@dataclass
class _Chat:
    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    is_forum: bool = False
    bot_status: str = "member"  # the bot's own membership: member/administrator/left/kicked
    started: bool = False  # private chats: the user has messaged the bot
    blocked: bool = False  # private chats: the user blocked the bot
    members: dict[int, str] = field(default_factory=dict)
    topics: dict[int, JsonDict] = field(default_factory=dict)
    last_message_id: int = 0

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or ""
            if self.username:
                data["username"] = self.username
        else:
            data["title"] = self.title or ""
            if self.is_forum:
                data["is_forum"] = True  # Telegram omits false booleans
        return data

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class _Fault:
    status: int
    retry_after: int
    description: str | None
    remaining: int
    drop: bool = False
    after_processing: bool = False
    #: seconds the answer is held back (a slow Telegram; beyond the client's timeout: lost)
    delay: float = 0.0
    #: only calls for this chat are hit (None: any call of the method)
    chat_id: int | None = None
    #: only calls whose parameters satisfy this are hit
    where: Callable[[Params], bool] | None = None

    def applies_to(self, params: Params) -> bool:
        if self.chat_id is not None and params.get("chat_id") != self.chat_id:
            return False
        return self.where is None or self.where(params)

    def response(self) -> web.Response:
        if self.status == 429:
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            ).response()
        if self.status == 502 and self.description is None:
            # a real 502 comes from the nginx front, as HTML rather than JSON
            return web.Response(
                status=502,
                text="<html><head><title>502 Bad Gateway</title></head></html>",
                content_type="text/html",
            )
        if self.description is not None:
            description = self.description
        elif self.status == 400:
            description = "Bad Request: injected failure"
        elif self.status == 403:
            description = "Forbidden: injected failure"
        else:
            description = HTTPStatus(self.status).phrase
        return ApiError(self.status, description).response()


# --------------------------------------------------------------------------------------------
# text markup parsing (HTML, MarkdownV2, legacy Markdown)
# --------------------------------------------------------------------------------------------


class _Out:
    """Accumulates plain text and tracks its length in UTF-16 units for entity offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _Open:
    name: str  # tag name (HTML) or entity kind (Markdown)
    offset: int  # UTF-16 offset in the output where the entity starts
    byte: int  # byte offset in the input, for error messages
    attrs: dict[str, str] = field(default_factory=dict)


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_entity(match: re.Match[str]) -> str | None:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED_ENTITIES[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_attribute(value: str) -> str:
    return _HTML_ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), value)


def _parse_html_attributes(text: str, pos: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parses ``attr="v" attr2='v' attr3=v flag`` up to ``>``; returns attrs and index after it."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[pos] == ">":
            return attrs, pos + 1
        start = pos
        while pos < n and not text[pos].isspace() and text[pos] not in "=>":
            pos += 1
        name = text[start:pos].lower()
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[pos] != "=":
            if tag == "blockquote" and name == "expandable":
                attrs[name] = ""
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(text, begin)}"
            )
        pos += 1
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[pos] in "\"'":
            quote = text[pos]
            end = text.find(quote, pos + 1)
            if end == -1:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            value = text[pos + 1 : end]
            pos = end + 1
        else:
            start = pos
            while pos < n and not text[pos].isspace() and text[pos] != ">":
                pos += 1
            value = text[start:pos]
        attrs[name] = _unescape_attribute(value)


def _close_html_tag(opened: _Open, end: int, stack: list[_Open], entities: list[JsonDict]) -> None:
    length = end - opened.offset
    kind = _HTML_TAGS[opened.name]
    parent = stack[-1] if stack else None
    if kind == "code" and parent is not None and parent.name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language, as in Telegram
        language = opened.attrs.get("class", "")
        if language.startswith("language-") and parent.offset == opened.offset:
            parent.attrs["language"] = language.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: JsonDict = {"type": kind, "offset": opened.offset, "length": length}
    if kind == "text_link":
        href = opened.attrs.get("href")
        if not href:
            return  # <a> without href is plain text in Telegram
        entity["url"] = href
    elif kind == "pre" and opened.attrs.get("language"):
        entity["language"] = opened.attrs["language"]
    elif kind == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = opened.attrs["emoji-id"]
    entities.append(entity)


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JsonDict]]:
    """Parses Telegram-flavoured HTML into (plain text, entities), raising EntityParseError.

    Follows tdlib's parser: only the supported tags, properly nested, and ``<`` must start a tag.
    ``strict_ampersand`` additionally refuses a bare ``&`` (real Telegram keeps it literally, but
    unescaped user text is a bug: "a&lt;b" typed by a user would render as "a<b").
    """
    out = _Out()
    stack: list[_Open] = []
    entities: list[JsonDict] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            decoded = _decode_entity(match) if match else None
            if match and decoded is not None:
                out.add(decoded)
                i = match.end()
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Unsupported HTML entity or unescaped "&" at byte offset '
                    f"{_byte_offset(text, i)}; use &amp;"
                )
            out.add(ch)
            i += 1
            continue
        if ch != "<":
            out.add(ch)
            i += 1
            continue
        begin = i
        if text.startswith("</", i):
            end = text.find(">", i + 2)
            if end == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, i)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            opened = stack.pop()
            if name != opened.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                    f'expected "</{opened.name}>", found "</{name}>"'
                )
            _close_html_tag(opened, out.length, stack, entities)
            i = end + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
            )
        attrs, i = _parse_html_attributes(text, j, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError(
                "Custom emoji entity must contain a valid custom emoji identifier"
            )
        stack.append(_Open(name, out.length, _byte_offset(text, begin), attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.text(), entities


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_MDV2_MARKERS = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def _read_md_url(text: str, pos: int) -> tuple[str, int] | None:
    """Reads ``(url)`` at pos (``)`` and ``\\`` escaped with ``\\``); returns url, next index."""
    if pos >= len(text) or text[pos] != "(":
        return None
    url: list[str] = []
    pos += 1
    while pos < len(text):
        ch = text[pos]
        if ch == "\\" and pos + 1 < len(text):
            url.append(text[pos + 1])
            pos += 2
            continue
        if ch == ")":
            return "".join(url), pos + 1
        url.append(ch)
        pos += 1
    return None


def parse_markdown_v2(text: str) -> tuple[str, list[JsonDict]]:
    """Parses MarkdownV2 like tdlib (simplified: no blockquote entities are produced)."""
    out = _Out()
    stack: list[_Open] = []
    entities: list[JsonDict] = []
    i, n = 0, len(text)

    def close(opened: _Open, extra: JsonDict | None = None) -> None:
        length = out.length - opened.offset
        if length > 0:
            entities.append(
                {"type": opened.name, "offset": opened.offset, "length": length, **(extra or {})}
            )

    while i < n:
        ch = text[i]
        top = stack[-1] if stack else None
        if ch == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        if top is not None and top.name in ("code", "pre"):
            if top.name == "pre" and text.startswith("```", i):
                stack.pop()
                language = top.attrs.get("language")
                close(top, {"language": language} if language else None)
                i += 3
            elif top.name == "code" and ch == "`":
                stack.pop()
                close(top)
                i += 1
            else:
                out.add(ch)
                i += 1
            continue
        if ch not in _MDV2_RESERVED:
            out.add(ch)
            i += 1
            continue
        byte = _byte_offset(text, i)
        if ch == "]" and any(o.name in ("text_link", "custom_emoji") for o in stack):
            assert top is not None
            if top.name not in ("text_link", "custom_emoji"):
                raise EntityParseError(
                    f"Can't find end of {_MDV2_NAMES[top.name]} entity at byte offset {top.byte}"
                )
            stack.pop()
            parsed = _read_md_url(text, i + 1)
            if parsed is None:
                if top.name == "custom_emoji":
                    raise EntityParseError(
                        f"Custom emoji entity must contain a tg://emoji URL at byte offset {byte}"
                    )
                i += 1  # "[text]" without a URL stays plain text
                continue
            url, i = parsed
            if top.name == "custom_emoji":
                emoji_id = url.removeprefix("tg://emoji?id=")
                close(top, {"custom_emoji_id": emoji_id})
            else:
                close(top, {"url": url})
            continue
        if ch == "`":
            if text.startswith("```", i):
                newline = text.find("\n", i + 3)
                language = text[i + 3 : newline] if newline != -1 else ""
                if newline == -1 or any(c.isspace() for c in language):
                    language, start = "", i + 3
                else:
                    start = newline + 1
                stack.append(_Open("pre", out.length, byte, {"language": language}))
                i = start
            else:
                stack.append(_Open("code", out.length, byte))
                i += 1
            continue
        if ch == "[" or (ch == "!" and text.startswith("![", i)):
            link_kind = "text_link" if ch == "[" else "custom_emoji"
            stack.append(_Open(link_kind, out.length, byte))
            i += 1 if ch == "[" else 2
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # block quotation marker: accepted, no entity recorded (approximation)
            continue
        marker = text[i : i + 2] if text[i : i + 2] in ("__", "||") else ch
        if marker == "__" and top is not None and top.name == "italic":
            marker = "_"  # "___a___" closes italic first, like tdlib
        kind = _MDV2_MARKERS.get(marker)
        if kind is None:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        opened_same = next((o for o in reversed(stack) if o.name == kind), None)
        if opened_same is None:
            stack.append(_Open(kind, out.length, byte))
        elif opened_same is top:
            stack.pop()
            close(top)
        else:
            assert top is not None
            raise EntityParseError(
                f"Can't find end of {_MDV2_NAMES[top.name]} entity at byte offset {top.byte}"
            )
        i += len(marker)
    if stack:
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[stack[-1].name]} entity at byte offset "
            f"{stack[-1].byte}"
        )
    return out.text(), entities


def parse_markdown(text: str) -> tuple[str, list[JsonDict]]:
    """Parses legacy Markdown (no nesting; ``\\`` escapes ``_*`[``), like tdlib."""
    out = _Out()
    entities: list[JsonDict] = []
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if ch not in "_*`[":
            out.add(ch)
            i += 1
            continue
        error = EntityParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
        )
        offset = out.length
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise error
            body, language = text[i + 3 : end], ""
            first_line, newline, rest = body.partition("\n")
            if newline and first_line and not any(c.isspace() for c in first_line):
                body, language = rest, first_line
            out.add(body)
            entity: JsonDict = {"type": "pre", "offset": offset, "length": utf16_len(body)}
            if language:
                entity["language"] = language
            entities.append(entity)
            i = end + 3
        elif ch == "[":
            end = text.find("]", i + 1)
            if end == -1:
                raise error
            label = text[i + 1 : end]
            out.add(label)
            parsed = _read_md_url(text, end + 1)
            if parsed is not None:
                url, i = parsed
                entities.append(
                    {"type": "text_link", "offset": offset, "length": utf16_len(label), "url": url}
                )
            else:
                i = end + 1
        else:
            end = text.find(ch, i + 1)
            if end == -1:
                raise error
            body = text[i + 1 : end]
            out.add(body)
            entities.append({"type": kinds[ch], "offset": offset, "length": utf16_len(body)})
            i = end + 1
    return out.text(), [e for e in entities if e["length"] > 0]


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram strips leading/trailing whitespace of message text; entities move along."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    trimmed: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] - shift + entity["length"], limit)
        if end > start:
            trimmed.append({**entity, "offset": start, "length": end - start})
    return stripped, trimmed


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[JsonDict]]:
    """Plain text and entities for ``text``/``caption`` with a Bot API ``parse_mode``."""
    mode = (parse_mode or "").lower()
    entities: list[JsonDict]
    try:
        if mode == "":
            plain, entities = text, []
        elif mode == "html":
            plain, entities = parse_html(text)
        elif mode == "markdownv2":
            plain, entities = parse_markdown_v2(text)
        elif mode == "markdown":
            plain, entities = parse_markdown(text)
        else:
            raise bad_request("unsupported parse_mode")
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from exc
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return _trim(plain, entities)


_AUTO_ENTITY_RE = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<mention>(?<!\w)@[A-Za-z0-9_]{5,32})"
    r"|(?P<url>https?://[^\s<>\"]+)"
)


def auto_entities(text: str) -> list[JsonDict]:
    """Entities Telegram detects in incoming user text: bot_command, mention, url."""
    entities: list[JsonDict] = []
    for match in _AUTO_ENTITY_RE.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities


# --------------------------------------------------------------------------------------------
# reply markup validation
# --------------------------------------------------------------------------------------------

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _validate_inline_keyboard(markup: JsonDict) -> JsonDict:
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            text = button.get("text")
            if not isinstance(text, str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not text.strip():
                raise bad_request("BUTTON_TEXT_EMPTY")  # approximation of the exact wording
            if not any(button.get(action) is not None for action in _INLINE_ACTIONS):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and (
                not isinstance(data, str)
                or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and (
                not isinstance(url, str)
                or not re.match(r"^(https?://[^\s/$.?#][^\s]*|tg://\S+)$", url)
            ):
                raise bad_request("BUTTON_URL_INVALID")
    return markup


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> JsonDict | None:
    """Checks a decoded reply_markup like Telegram; returns it normalised (no null fields)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    cleaned: JsonDict = _drop_nulls(markup)
    if "inline_keyboard" in cleaned:
        return _validate_inline_keyboard(cleaned)
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in cleaned:
        rows = cleaned["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not isinstance(text, str) or not text.strip():
                    raise bad_request("keyboard button text is empty")
        return cleaned
    if cleaned.get("remove_keyboard") is True or cleaned.get("force_reply") is True:
        return cleaned
    raise bad_request("can't parse reply keyboard markup JSON object")


def _drop_nulls(value: Any) -> Any:
    # PTB omits None fields already; JSON bodies from other clients might not
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# request parameters
# --------------------------------------------------------------------------------------------


def _decode_field(name: str, value: Any) -> Any:
    """Types a form field the way the Bot API server does; leaves undecodable values as-is."""
    if not isinstance(value, str):
        return value
    try:
        if name in _JSON_FIELDS:
            return json.loads(value)
        if name in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
            return int(value)
        if name in _INT_FIELDS and re.fullmatch(r"-?\d+\.\d*", value):
            return float(value)
    except json.JSONDecodeError:
        return value
    if name in _BOOL_FIELDS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


class Params(dict[str, Any]):
    """Decoded request parameters with typed accessors that raise Bot-API-style errors."""

    def get_int(
        self, name: str, default: int | None = None, *, required: bool = False
    ) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_request(f"invalid {name} specified")
        return int(value)

    def req_int(self, name: str) -> int:
        value = self.get_int(name, required=True)
        assert value is not None
        return value

    def get_str(self, name: str) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        return json.dumps(value) if isinstance(value, dict | list) else str(value)

    def get_bool(self, name: str) -> bool:
        value = self.get(name)
        return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))

    def get_json(self, name: str, what: str) -> Any:
        value = self.get(name)
        if isinstance(value, str):  # left undecoded by _decode_field: invalid JSON
            raise bad_request(f"can't parse {what} JSON object")
        return value


# --------------------------------------------------------------------------------------------
# the stand-in
# --------------------------------------------------------------------------------------------

Handler = Callable[[Params], Awaitable[Any]]


class BotApiStandIn:
    """Strict local Telegram Bot API server plus helpers to drive and inspect it from tests."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = BOT_USERNAME
        # privacy mode on (BotFather default): in groups where the bot is not an admin it only
        # receives commands, replies to its own messages and @mentions
        self.privacy_mode = privacy_mode
        self.clock = clock
        self.base_url = ""
        self.file_base_url = ""
        self.port = 0
        # callbacks not answered within this many seconds become "too old" (None: never)
        self.callback_query_ttl: float | None = None

        # what the bot did
        self.sent: list[JsonDict] = []
        self.calls: list[tuple[str, Params]] = []
        self.left_chats: set[int] = set()
        self.answered_callbacks: list[JsonDict] = []
        self.deleted: list[tuple[int, int]] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[str, list[JsonDict]] = {}
        self.webhook: JsonDict | None = None
        # calls hit by a fault: performed but the answer never reached the bot, and calls
        # the bot gave up on before they were performed
        self.lost_results: list[tuple[str, Any]] = []
        self.abandoned_calls: list[tuple[str, Params]] = []

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        #: Bytes of each file path the downloads took (see ``StoredFile.served_size``).
        self.bytes_served: dict[str, int] = {}
        self._file_counter = itertools.count(1)
        self._updates: list[JsonDict] = []
        self._update_counter = itertools.count(10_000_001)
        self._delivered_up_to = 0
        self._allowed_updates: frozenset[str] = _DEFAULT_UPDATE_TYPES
        self._callback_counter = itertools.count(4_000_000_000_000_000_001)
        self._pending_callbacks: dict[str, tuple[JsonDict, float]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._group_limits: dict[int, int] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._poller: object | None = None
        self._changed = asyncio.Event()
        self._last_activity = time.monotonic()  # for wait_until_idle, independent of `clock`
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "leavechat": self._leave_chat,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
            "createforumtopic": self._create_forum_topic,
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 4 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        # short shutdown_timeout: a long poll abandoned by the client must not stall stop()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.file_base_url = f"http://127.0.0.1:{self.port}/file/bot"

    async def stop(self) -> None:
        self._closing = True
        self._notify()  # wake pending long polls so they answer [] right away
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- test setup helpers

    def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "id",
    ) -> FakeUser:
        """Registers a user. The bot still cannot message them until they message the bot."""
        fake = FakeUser(user_id, first_name, username, last_name, language_code)
        self._users[user_id] = fake
        chat = self._chats.get(user_id)
        if chat is None:
            self._chats[user_id] = _Chat(
                user_id, "private", first_name=first_name, username=username
            )
        return fake

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        forum: bool = False,
        bot_admin: bool = True,
        chat_type: str = "supergroup",
    ) -> None:
        """A group the bot is already in (admin by default, so it sees every message)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative (supergroups: -100...)")
        self._chats[chat_id] = _Chat(
            chat_id,
            chat_type,
            title=title,
            is_forum=forum,
            bot_status="administrator" if bot_admin else "member",
        )

    def add_member(self, chat_id: int, user: FakeUser, status: str = "member") -> None:
        """Sets a user's membership (member/administrator/creator/left/kicked) in a group."""
        if status not in ("member", "administrator", "creator", "left", "kicked"):
            raise ValueError(f"unsupported member status {status!r}")
        self._group(chat_id).members[user.id] = status

    def add_topic(self, chat_id: int, name: str, *, icon_color: int = 7322096) -> int:
        """Creates a forum topic (as if a human did); returns its message_thread_id."""
        chat = self._group(chat_id)
        if not chat.is_forum:
            raise ValueError(f"chat {chat_id} is not a forum")
        return self._new_topic(chat, name, icon_color, creator=None)

    def block_bot(self, user: FakeUser) -> None:
        """The user blocks the bot: sends to them fail with 403."""
        self._chats[user.id].blocked = True

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
        where: Callable[[Params], bool] | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` fail (429 carries parameters.retry_after).

        ``chat_id`` and ``where`` narrow the calls that are hit (to one chat; to those whose
        parameters satisfy ``where``); other calls pass untouched.
        """
        self._add_fault(
            method,
            _Fault(status, retry_after, description, times, chat_id=chat_id, where=where),
        )

    def drop_next(
        self,
        method: str,
        times: int = 1,
        *,
        after_processing: bool = False,
        chat_id: int | None = None,
        where: Callable[[Params], bool] | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` get their connection closed without an answer.

        ``after_processing=True`` performs the call first (message delivered, answer lost), which
        is what makes blind retries send duplicates.
        """
        self._add_fault(
            method,
            _Fault(0, 0, None, times, True, after_processing, chat_id=chat_id, where=where),
        )

    def delay_next(
        self,
        method: str,
        seconds: float,
        times: int = 1,
        *,
        after_processing: bool = False,
        chat_id: int | None = None,
        where: Callable[[Params], bool] | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` are answered ``seconds`` late.

        A client that gives up first (its read timeout) gets no answer. Before processing,
        such a call is then never performed (it did not reach Telegram); with
        ``after_processing=True`` it was performed and only the answer is lost, so a retry
        duplicates it. A client still waiting when the delay ends is answered normally.
        """
        self._add_fault(
            method,
            _Fault(
                0,
                0,
                None,
                times,
                after_processing=after_processing,
                delay=seconds,
                chat_id=chat_id,
                where=where,
            ),
        )

    def faults_left(self, method: str | None = None) -> int:
        """Injected faults not yet used up (of ``method``, or of every method)."""
        queues = [self._faults.get(method.lower(), deque())] if method else self._faults.values()
        return sum(fault.remaining for queue in queues for fault in queue)

    def _add_fault(self, method: str, fault: _Fault) -> None:
        self._faults.setdefault(method.lower(), deque()).append(fault)

    def set_group_limit(self, chat_id: int, per_minute: int) -> None:
        """Enforces Telegram's per-group flood limit (about 20 messages a minute)."""
        self._group_limits[chat_id] = per_minute

    # ---------------------------------------------------------------- simulated users

    def send_text(
        self,
        user: FakeUser,
        chat_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        """The user sends a text message; returns the Message dict (queued as an update)."""
        return self._user_message(
            user, chat_id, {"text": text, "entities": auto_entities(text)}, reply_to, thread_id
        )

    def send_document(
        self,
        user: FakeUser,
        chat_id: int,
        data: bytes,
        filename: str,
        mime_type: str,
        *,
        caption: str | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
        file_size: int | None = None,
        served_size: int | None = None,
    ) -> JsonDict:
        """The user sends a file. ``file_size`` fakes a bigger size without allocating it;
        ``served_size`` makes the download that long (a file lying about its size)."""
        stored = self._store_file("document", data, filename, mime_type, file_size)
        stored.served_size = served_size
        content: JsonDict = {"document": stored.document_dict()}
        content.update(self._caption_fields(caption))
        return self._user_message(user, chat_id, content, reply_to, thread_id)

    def send_photo(
        self,
        user: FakeUser,
        chat_id: int,
        data: bytes,
        *,
        caption: str | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        """The user sends a photo; like Telegram, ``photo`` lists a thumbnail first."""
        content: JsonDict = {"photo": self._photo_sizes(data)}
        content.update(self._caption_fields(caption))
        return self._user_message(user, chat_id, content, reply_to, thread_id)

    def edit_text(self, user: FakeUser, chat_id: int, message_id: int, new_text: str) -> JsonDict:
        """The user edits their text message; queues an ``edited_message`` update."""
        message = self._messages.get((chat_id, message_id))
        if message is None or message.get("from", {}).get("id") != user.id:
            raise ValueError(f"user {user.id} has no message {message_id} in chat {chat_id}")
        if "text" not in message:
            raise ValueError("only text messages can be edited with edit_text")
        edited = {**message, "text": new_text, "edit_date": _now()}
        edited.pop("entities", None)
        if entities := auto_entities(new_text):
            edited["entities"] = entities
        self._messages[(chat_id, message_id)] = edited
        if self._bot_receives(self._chats[chat_id], edited):
            self._push_update("edited_message", edited)
        return edited

    def press_button(
        self, user: FakeUser, chat_id: int, message_id: int, callback_data: str
    ) -> JsonDict:
        """The user presses an inline button; the data is not checked against the keyboard so
        tests can forge it."""
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        self._remember_user(user)
        query: JsonDict = {
            "id": str(next(self._callback_counter)),
            "from": user.to_dict(),
            "message": message,
            "chat_instance": str(abs(hash((self.bot_id, chat_id)))),
            "data": callback_data,
        }
        self._pending_callbacks[query["id"]] = (query, self.clock())
        self._push_update("callback_query", query)
        return query

    def add_member_to_unknown_group(
        self,
        user: FakeUser,
        chat_id: int,
        title: str,
        *,
        status: str = "member",
        chat_type: str = "supergroup",
        with_service_message: bool = True,
    ) -> JsonDict:
        """Someone adds the bot to a group the deployment does not know: a my_chat_member
        update (and, like Telegram, a new_chat_members service message). Returns the
        ChatMemberUpdated dict."""
        chat = _Chat(chat_id, chat_type, title=title, bot_status=status)
        chat.members[user.id] = "member"
        self._chats[chat_id] = chat
        self._remember_user(user)
        updated: JsonDict = {
            "chat": chat.to_dict(),
            "from": user.to_dict(),
            "date": _now(),
            "old_chat_member": {"status": "left", "user": self._bot_user()},
            "new_chat_member": self._member_dict(chat, self.bot_id),
        }
        self._push_update("my_chat_member", updated)
        if with_service_message:
            message = self._store_message(
                chat, user.to_dict(), {"new_chat_members": [self._bot_user()]}
            )
            self._push_update("message", message)
        return updated

    def remove_bot_from_group(self, user: FakeUser, chat_id: int) -> JsonDict:
        """An admin kicks the bot: my_chat_member update; later sends get 403."""
        chat = self._group(chat_id)
        old = self._member_dict(chat, self.bot_id)
        chat.bot_status = "kicked"
        updated: JsonDict = {
            "chat": chat.to_dict(),
            "from": user.to_dict(),
            "date": _now(),
            "old_chat_member": old,
            "new_chat_member": self._member_dict(chat, self.bot_id),
        }
        self._push_update("my_chat_member", updated)
        return updated

    # ---------------------------------------------------------------- inspection helpers

    def messages_to(self, chat_id: int) -> list[JsonDict]:
        """Records of messages the bot sent or edited in ``chat_id``, in order."""
        return [record for record in self.sent if record["chat_id"] == chat_id]

    def message(self, chat_id: int, message_id: int) -> JsonDict | None:
        """Current state of any message (user or bot) as Telegram would return it."""
        return self._messages.get((chat_id, message_id))

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    def calls_of(self, method: str) -> list[Params]:
        return [params for name, params in self.calls if name.lower() == method.lower()]

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by the bot (getUpdates offset)."""
        return list(self._updates)

    async def wait_for(
        self,
        predicate: Callable[[JsonDict], bool],
        timeout: float = 5.0,
        *,
        since: int = 0,
    ) -> JsonDict:
        """Waits until a record in ``sent[since:]`` satisfies ``predicate`` and returns it.

        Pass ``since=len(stand_in.sent)`` taken before acting to ignore earlier messages.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        index = since
        while True:
            for record in self.sent[index:]:
                if predicate(record):
                    return record
            index = len(self.sent)
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [
                    (r["chat_id"], r["message_id"], r["text"][:80]) for r in self.sent[since:][-10:]
                ]
                raise AssertionError(
                    f"no sent message matched within {timeout}s; latest sent: {recent}"
                )
            await self._wait_change(remaining)

    async def wait_until_idle(self, timeout: float = 5.0, quiet: float = 0.1) -> None:
        """Waits until the bot fetched every queued update and made no other API call for
        ``quiet`` seconds (its handlers have settled)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            fetched = all(u["update_id"] <= self._delivered_up_to for u in self._updates)
            idle_for = time.monotonic() - self._last_activity
            if fetched and idle_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"bot not idle after {timeout}s (all updates fetched: {fetched})"
                )
            await self._wait_change(min(remaining, max(quiet - idle_for, 0.01)))

    # ---------------------------------------------------------------- internals: state

    def _notify(self) -> None:
        # generation-style broadcast usable from sync helpers: wake every waiter once
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": self.bot_username,
        }

    def _group(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise ValueError(f"unknown group {chat_id}; register it with add_group()")
        return chat

    def _remember_user(self, user: FakeUser) -> None:
        if user.id not in self._users:
            self.user(user.id, user.first_name, user.username, last_name=user.last_name)

    def _push_update(self, kind: str, payload: JsonDict) -> JsonDict:
        update_id = next(self._update_counter)
        update = {"update_id": update_id, kind: payload}
        self._updates.append(update)
        self._last_activity = time.monotonic()
        self._notify()
        return update

    def _store_message(self, chat: _Chat, sender: JsonDict, content: JsonDict) -> JsonDict:
        message: JsonDict = {
            "message_id": chat.next_message_id(),
            "from": sender,
            "chat": chat.to_dict(),
            "date": _now(),
        }
        message.update({k: v for k, v in content.items() if v is not None and v != []})
        self._messages[(chat.id, message["message_id"])] = message
        return message

    def _reply_snapshot(self, chat_id: int, message_id: int) -> JsonDict | None:
        replied = self._messages.get((chat_id, message_id))
        if replied is None:
            return None
        # Telegram nests only one level of reply_to_message
        return {k: v for k, v in replied.items() if k != "reply_to_message"}

    def _thread_fields(
        self, chat: _Chat, thread_id: int | None, reply: JsonDict | None
    ) -> JsonDict:
        fields: JsonDict = {}
        if thread_id is not None and chat.is_forum:
            fields["message_thread_id"] = thread_id
            fields["is_topic_message"] = True
            if reply is None:
                # Telegram quirk: in a topic, a non-reply "replies" to the topic's creation
                # message, so handlers must not treat reply_to_message as a real reply
                reply = self._reply_snapshot(chat.id, thread_id)
        if reply is not None:
            fields["reply_to_message"] = reply
        return fields

    def _user_message(
        self,
        user: FakeUser,
        chat_id: int,
        content: JsonDict,
        reply_to: int | None,
        thread_id: int | None,
    ) -> JsonDict:
        self._remember_user(user)
        if chat_id == user.id:
            chat = self._chats[user.id]
            chat.started = True  # any private message means the user pressed Start
            chat.blocked = False
        else:
            chat = self._group(chat_id)
            if chat.members.get(user.id) not in ("administrator", "creator"):
                chat.members[user.id] = "member"
            if thread_id is not None and thread_id not in chat.topics:
                raise ValueError(f"no topic {thread_id} in chat {chat_id}")
        reply: JsonDict | None = None
        if reply_to is not None:
            reply = self._reply_snapshot(chat.id, reply_to)
            if reply is None:
                raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
        message = self._store_message(
            chat, user.to_dict(), {**self._thread_fields(chat, thread_id, reply), **content}
        )
        if self._bot_receives(chat, message):
            self._push_update("message", message)
        return message

    def _bot_receives(self, chat: _Chat, message: JsonDict) -> bool:
        if chat.type == "private":
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        text = message.get("text") or message.get("caption") or ""
        if text.startswith("/"):
            command = text.split()[0]
            return "@" not in command or command.endswith(f"@{self.bot_username}")
        replied = message.get("reply_to_message") or {}
        if replied.get("from", {}).get("id") == self.bot_id:
            return True
        return f"@{self.bot_username}" in text or "new_chat_members" in message

    def _caption_fields(self, caption: str | None) -> JsonDict:
        if caption is None:
            return {}
        fields: JsonDict = {"caption": caption}
        if entities := auto_entities(caption):
            fields["caption_entities"] = entities
        return fields

    def _store_file(
        self,
        kind: str,
        data: bytes,
        file_name: str | None,
        mime_type: str | None,
        size: int | None = None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        number = next(self._file_counter)
        prefix = "BQACAgUAAxkBAAI" if kind == "document" else "AgACAgUAAxkBAAI"
        digest = hashlib.sha256(data).hexdigest()[:12]
        stored = StoredFile(
            file_id=f"{prefix}{number:06d}{digest}",
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            size=len(data) if size is None else size,
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        return stored

    def _photo_sizes(self, data: bytes) -> list[JsonDict]:
        width, height = _image_size(data) or (1280, 960)
        scale = 90 / max(width, height)
        # the thumbnail is a distinct file with different bytes, so code that downloads
        # photo[0] instead of the largest size photo[-1] gets caught
        thumb = self._store_file(
            "photo",
            b"THUMBNAIL:" + hashlib.sha256(data).digest(),
            None,
            None,
            width=max(int(width * scale), 1),
            height=max(int(height * scale), 1),
        )
        full = self._store_file("photo", data, None, None, width=width, height=height)
        return [thumb.photo_size_dict(), full.photo_size_dict()]

    def _member_dict(self, chat: _Chat, user_id: int) -> JsonDict:
        if user_id == self.bot_id:
            status, user = chat.bot_status, self._bot_user()
        else:
            status = chat.members.get(user_id, "left")
            known = self._users.get(user_id)
            if known is None:
                raise bad_request("PARTICIPANT_ID_INVALID")
            user = known.to_dict()
        if status == "administrator":
            rights = {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
            if chat.is_forum:
                rights["can_manage_topics"] = True
            return {"status": status, "user": user, **rights}
        if status == "creator":
            return {"status": status, "user": user, "is_anonymous": False}
        if status == "kicked":
            return {"status": status, "user": user, "until_date": 0}
        return {"status": status, "user": user}

    def _new_topic(self, chat: _Chat, name: str, icon_color: int, creator: JsonDict | None) -> int:
        created = {"name": name, "icon_color": icon_color}
        sender = creator or self._bot_user()
        message = self._store_message(chat, sender, {"forum_topic_created": created})
        thread_id = int(message["message_id"])
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
        chat.topics[thread_id] = {"message_thread_id": thread_id, **created}
        return thread_id

    # ---------------------------------------------------------------- internals: HTTP

    async def _read_params(self, request: web.Request) -> Params:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError as exc:
                raise bad_request("can't parse JSON encoded request parameters") from exc
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON encoded request parameters")
            raw.update(body)
        elif request.method == "POST":
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    if len(data) > MAX_UPLOAD_SIZE:
                        raise ApiError(413, "Request Entity Too Large")
                    raw[name] = UploadedFile(value.filename, value.content_type, data)
                else:
                    raw[name] = value
        return Params({name: _decode_field(name, value) for name, value in raw.items()})

    def _take_fault(self, method: str, params: Params) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = next((fault for fault in queue if fault.applies_to(params)), None)
        if fault is None:
            return None
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.remove(fault)
        return fault

    async def _hold(self, request: web.Request, seconds: float) -> bool:
        """Waits ``seconds``; False as soon as the client hangs up (or the server stops)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            if request.transport is None or self._closing:
                return False
            await asyncio.sleep(min(0.02, max(deadline - loop.time(), 0)))
        return request.transport is not None

    @staticmethod
    def _drop_connection(request: web.Request) -> web.Response:
        # abort the socket: the client sees the connection die with no HTTP answer
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        if token != self.token:
            # Telegram: malformed token -> 404, well-formed but wrong -> 401
            if _TOKEN_RE.match(token):
                return ApiError(401, "Unauthorized").response()
            return ApiError(404, "Not Found").response()
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            self.calls.append((method, Params()))
            return exc.response()
        key = method.lower()
        self.calls.append((method, params))
        if key != "getupdates":
            self._last_activity = time.monotonic()
        fault = self._take_fault(key, params)
        if fault is not None and fault.delay and not fault.after_processing:
            if not await self._hold(request, fault.delay):
                self.abandoned_calls.append((method, params))
                self._notify()
                return web.Response(status=499)  # nobody reads it
            fault = None  # answered late but in time: an ordinary call
        elif fault is not None and not fault.after_processing:
            self._notify()
            return self._drop_connection(request) if fault.drop else fault.response()
        handler = self._methods.get(key)
        if handler is None:
            return ApiError(404, "Not Found").response()
        try:
            result = await handler(params)
        except ApiError as exc:
            return exc.response()
        finally:
            self._notify()
        answer = web.json_response({"ok": True, "result": result})
        if fault is None:
            return answer
        if fault.delay and await self._hold(request, fault.delay):
            return answer
        self.lost_results.append((method, result))
        self._notify()
        return self._drop_connection(request) if fault.drop else answer

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        path = request.match_info["file_path"]
        stored = self._files_by_path.get(path)
        if stored is None:
            return ApiError(404, "Not Found").response()
        if stored.served_size is None:
            self.bytes_served[path] = self.bytes_served.get(path, 0) + len(stored.data)
            return web.Response(
                body=stored.data, content_type=stored.mime_type or "application/octet-stream"
            )
        # Streamed with back-pressure, so ``bytes_served`` shows how much the client read.
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)
        chunk, left = stored.data or b"\0", stored.served_size
        self.bytes_served[path] = 0
        try:
            while left > 0:
                piece = (chunk * (65536 // len(chunk) + 1))[: min(65536, left)]
                await response.write(piece)
                self.bytes_served[path] += len(piece)
                left -= len(piece)
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client stopped reading
        return response

    # ---------------------------------------------------------------- internals: validation

    def _target_chat(self, params: Params, name: str = "chat_id") -> _Chat:
        raw = params.get(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is empty")
        chat: _Chat | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            chat = self._chats.get(raw)
        elif isinstance(raw, str) and raw.startswith("@"):
            chat = next(
                (c for c in self._chats.values() if c.type != "private" and c.username == raw[1:]),
                None,
            )
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private":
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
            if chat.blocked:
                raise forbidden("bot was blocked by the user")
        elif chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        elif chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def _check_flood(self, chat: _Chat) -> None:
        limit = self._group_limits.get(chat.id)
        if limit is None:
            return
        sends = self._group_sends.setdefault(chat.id, deque())
        now = self.clock()
        while sends and now - sends[0] >= 60:
            sends.popleft()
        if len(sends) >= limit:
            retry_after = max(int(60 - (now - sends[0])) + 1, 1)
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    def _count_send(self, chat: _Chat) -> None:
        if chat.id in self._group_limits:
            self._group_sends.setdefault(chat.id, deque()).append(self.clock())

    def _thread_id(self, chat: _Chat, params: Params) -> int | None:
        thread_id = params.get_int("message_thread_id")
        if thread_id is None or not chat.is_forum:
            return None
        if thread_id not in chat.topics:
            raise bad_request("message thread not found")
        return thread_id

    def _reply_target(self, chat: _Chat, params: Params) -> JsonDict | None:
        reply_parameters = params.get_json("reply_parameters", "reply parameters")
        allow_missing = params.get_bool("allow_sending_without_reply")
        if reply_parameters is not None:
            if not isinstance(reply_parameters, dict):
                raise bad_request("can't parse reply parameters JSON object")
            message_id = reply_parameters.get("message_id")
            reply_chat_id = reply_parameters.get("chat_id", chat.id)
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply"))
        else:
            message_id = params.get_int("reply_to_message_id")
            reply_chat_id = chat.id
        if message_id is None:
            return None
        if not isinstance(message_id, int) or not isinstance(reply_chat_id, int):
            raise bad_request("message to be replied not found")
        reply = self._reply_snapshot(reply_chat_id, message_id)
        if reply is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return reply

    def _text(self, params: Params, name: str = "text") -> tuple[str, str, list[JsonDict]]:
        raw = params.get_str(name) or ""
        explicit = params.get_json("entities", "message entities")
        plain, entities = parse_formatted(raw, params.get_str("parse_mode"))
        if not plain.strip():
            raise bad_request("message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        if explicit is not None and not params.get_str("parse_mode"):
            entities = explicit
        return raw, plain, entities

    def _caption(self, params: Params) -> tuple[str | None, str | None, list[JsonDict]]:
        raw = params.get_str("caption")
        if raw is None:
            return None, None, []
        plain, entities = parse_formatted(raw, params.get_str("parse_mode"))
        if utf16_len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return raw, plain, entities

    def _bot_message(
        self, chat: _Chat, params: Params, content: JsonDict
    ) -> tuple[JsonDict, JsonDict | None]:
        """Validates thread, reply and markup, then stores a message sent by the bot.

        Returns the message and the reply markup as sent (reply keyboards are not echoed back
        in the Message, only inline keyboards are).
        """
        thread_id = self._thread_id(chat, params)
        reply = self._reply_target(chat, params)
        markup = validate_reply_markup(params.get_json("reply_markup", "reply keyboard markup"))
        fields = self._thread_fields(chat, thread_id, reply)
        if markup is not None and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        message = self._store_message(chat, self._bot_user(), {**fields, **content})
        return message, markup

    def _record(
        self,
        method: str,
        message: JsonDict,
        *,
        raw_text: str | None,
        parse_mode: str | None,
        markup: JsonDict | None = None,
        edited: bool = False,
        extra: JsonDict | None = None,
    ) -> JsonDict:
        if markup is None:
            markup = message.get("reply_markup")
        reply = message.get("reply_to_message")
        explicit_reply = reply is not None and reply.get("message_id") != message.get(
            "message_thread_id"
        )
        record: JsonDict = {
            "method": method,
            "chat_id": message["chat"]["id"],
            "message_id": message["message_id"],
            "text": message.get("text", message.get("caption", "")),
            "raw_text": raw_text,
            "parse_mode": parse_mode,
            "entities": message.get("entities", message.get("caption_entities", [])),
            "reply_markup": markup,
            "reply_to_message_id": reply["message_id"] if explicit_reply and reply else None,
            "message_thread_id": message.get("message_thread_id"),
            "document": None,
            "photo": None,
            "edited": edited,
            "message": message,
        }
        if extra:
            record.update(extra)
        self.sent.append(record)
        self._last_activity = time.monotonic()
        return record

    def _file_info(self, stored: StoredFile) -> JsonDict:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": stored.size,
            "data": stored.data,
        }

    def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
        value = params.get(name)
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            if kind == "photo":
                if len(value.data) > MAX_PHOTO_UPLOAD_SIZE:
                    raise bad_request("PHOTO_SAVE_FILE_INVALID")
                size = _image_size(value.data)
                if size is None:
                    raise bad_request("IMAGE_PROCESS_FAILED")
                width, height = size
                return self._store_file("photo", value.data, None, None, width=width, height=height)
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or "application/octet-stream"
            return self._store_file("document", value.data, value.filename, mime)
        if isinstance(value, str) and value:
            if value.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            stored = self._files.get(value)
            if stored is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            if stored.kind != kind:
                raise bad_request(
                    f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
                )
            return stored
        raise bad_request(f"there is no {name} in the request")

    def _editable(self, params: Params) -> tuple[_Chat, JsonDict]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline mode is not simulated
        chat = self._target_chat(params)
        message_id = params.req_int("message_id")
        message = self._messages.get((chat.id, message_id))
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id or "forum_topic_created" in message:
            raise bad_request("message can't be edited")
        return chat, message

    def _save_edit(self, chat: _Chat, message: JsonDict, changes: JsonDict) -> JsonDict:
        edited = {k: v for k, v in message.items() if k not in changes}
        edited.update({k: v for k, v in changes.items() if v is not None and v != []})
        edited["edit_date"] = _now()
        self._messages[(chat.id, edited["message_id"])] = edited
        return edited

    # ---------------------------------------------------------------- Bot API methods

    async def _get_me(self, params: Params) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: Params) -> list[JsonDict]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset", 0) or 0
        limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
        timeout = max(params.get_int("timeout", 0) or 0, 0)
        allowed = params.get_json("allowed_updates", "allowed updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATE_TYPES
        # confirm: updates below a positive offset are forgotten; a negative offset keeps
        # only the last -offset updates
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        me = object()
        self._poller = me
        self._notify()  # an older long poll still waiting gets 409 (only one poller allowed)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._poller is not me:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if self._closing:
                return []
            # updates of types the bot did not ask for are never delivered
            self._updates = [
                u for u in self._updates if self._update_kind(u) in self._allowed_updates
            ]
            batch = self._updates[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                break
            await self._wait_change(remaining)
        self._poller = None
        if batch:
            self._delivered_up_to = max(self._delivered_up_to, batch[-1]["update_id"])
        return batch

    @staticmethod
    def _update_kind(update: Mapping[str, Any]) -> str:
        return next(k for k in update if k != "update_id")

    async def _delete_webhook(self, params: Params) -> bool:
        self.webhook = None
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _set_webhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if url == "":
            self.webhook = None
            return True
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret, "params": dict(params)}
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> JsonDict:
        return {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    @staticmethod
    def _commands_key(params: Params) -> str:
        scope = params.get_json("scope", "bot command scope") or {"type": "default"}
        return json.dumps([scope, params.get_str("language_code") or ""], sort_keys=True)

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.get_json("commands", "bot commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse bot commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command"))):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: Params) -> list[JsonDict]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _get_chat(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        user_id = params.req_int("user_id")
        if chat.type == "private":
            if user_id not in (chat.id, self.bot_id):
                raise bad_request("PARTICIPANT_ID_INVALID")
            user = self._bot_user() if user_id == self.bot_id else self._users[chat.id].to_dict()
            return {"status": "member", "user": user}
        return self._member_dict(chat, user_id)

    async def _leave_chat(self, params: Params) -> bool:
        chat = self._target_chat(params)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.bot_status = "left"
        self.left_chats.add(chat.id)
        return True

    async def _send_message(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        self._check_flood(chat)
        raw, plain, entities = self._text(params)
        message, markup = self._bot_message(chat, params, {"text": plain, "entities": entities})
        self._count_send(chat)
        self._record(
            "sendMessage",
            message,
            raw_text=raw,
            parse_mode=params.get_str("parse_mode"),
            markup=markup,
        )
        return message

    async def _edit_message_text(self, params: Params) -> JsonDict:
        chat, message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        raw, plain, entities = self._text(params)
        markup = validate_reply_markup(
            params.get_json("reply_markup", "reply keyboard markup"), inline_only=True
        )
        # like Telegram, omitting reply_markup on an edit removes the inline keyboard
        if (
            plain == message.get("text")
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = self._save_edit(
            chat, message, {"text": plain, "entities": entities, "reply_markup": markup}
        )
        self._record(
            "editMessageText",
            edited,
            raw_text=raw,
            parse_mode=params.get_str("parse_mode"),
            edited=True,
        )
        return edited

    async def _edit_message_caption(self, params: Params) -> JsonDict:
        chat, message = self._editable(params)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        raw, plain, entities = self._caption(params)
        markup = validate_reply_markup(
            params.get_json("reply_markup", "reply keyboard markup"), inline_only=True
        )
        if (
            plain == message.get("caption")
            and entities == message.get("caption_entities", [])
            and markup == message.get("reply_markup")
        ):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = self._save_edit(
            chat,
            message,
            {"caption": plain, "caption_entities": entities, "reply_markup": markup},
        )
        self._record(
            "editMessageCaption",
            edited,
            raw_text=raw,
            parse_mode=params.get_str("parse_mode"),
            edited=True,
        )
        return edited

    async def _edit_message_reply_markup(self, params: Params) -> JsonDict:
        chat, message = self._editable(params)
        markup = validate_reply_markup(
            params.get_json("reply_markup", "reply keyboard markup"), inline_only=True
        )
        if markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = self._save_edit(chat, message, {"reply_markup": markup})
        self._record("editMessageReplyMarkup", edited, raw_text=None, parse_mode=None, edited=True)
        return edited

    async def _delete_message(self, params: Params) -> bool:
        chat = self._target_chat(params)
        message_id = params.req_int("message_id")
        message = self._messages.get((chat.id, message_id))
        if message is None:
            raise bad_request("message to delete not found")
        own = message.get("from", {}).get("id") == self.bot_id
        if not own and chat.type != "private" and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        del self._messages[(chat.id, message_id)]
        self.deleted.append((chat.id, message_id))
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        pending = self._pending_callbacks.pop(query_id, None)
        if pending is None:
            raise bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        if self.callback_query_ttl is not None and (
            self.clock() - pending[1] > self.callback_query_ttl
        ):
            raise bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.get_str("text")
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            self._pending_callbacks[query_id] = pending  # still answerable after the error
            raise bad_request("MESSAGE_TOO_LONG")
        self.answered_callbacks.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": params.get_bool("show_alert"),
                "url": params.get_str("url"),
                "cache_time": params.get_int("cache_time"),
                "query": pending[0],
            }
        )
        return True

    async def _send_document(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        self._check_flood(chat)
        stored = self._input_file(params, "document", "document")
        raw, plain, entities = self._caption(params)
        message, markup = self._bot_message(
            chat,
            params,
            {"document": stored.document_dict(), "caption": plain, "caption_entities": entities},
        )
        self._count_send(chat)
        self._record(
            "sendDocument",
            message,
            raw_text=raw,
            parse_mode=params.get_str("parse_mode"),
            markup=markup,
            extra={"document": self._file_info(stored)},
        )
        return message

    async def _send_photo(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        self._check_flood(chat)
        stored = self._input_file(params, "photo", "photo")
        raw, plain, entities = self._caption(params)
        message, markup = self._bot_message(
            chat,
            params,
            {"photo": [stored.photo_size_dict()], "caption": plain, "caption_entities": entities},
        )
        self._count_send(chat)
        self._record(
            "sendPhoto",
            message,
            raw_text=raw,
            parse_mode=params.get_str("parse_mode"),
            markup=markup,
            extra={"photo": self._file_info(stored)},
        )
        return message

    def _source_message(self, params: Params, what: str) -> tuple[_Chat, JsonDict]:
        """The message to copy/forward; service messages cannot be (what: copy | forward)."""
        from_chat = self._chats.get(params.req_int("from_chat_id"))
        if from_chat is None:
            raise bad_request("chat not found")
        message = self._messages.get((from_chat.id, params.req_int("message_id")))
        if message is None:
            raise bad_request(f"message to {what} not found")
        if not any(k in message for k in ("text", "document", "photo")):
            participle = "copied" if what == "copy" else "forwarded"
            raise bad_request(f"message can't be {participle}")
        return from_chat, message

    async def _copy_message(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        self._check_flood(chat)
        from_chat, source = self._source_message(params, "copy")
        content: JsonDict = {
            k: source[k] for k in ("text", "entities", "document", "photo") if k in source
        }
        raw: str | None = source.get("text")
        if "text" not in source:
            if params.get("caption") is not None:  # a new caption replaces the original one
                raw, plain, entities = self._caption(params)
                content.update({"caption": plain, "caption_entities": entities})
            else:
                raw = source.get("caption")
                content["caption"] = source.get("caption")
                content["caption_entities"] = source.get("caption_entities")
        message, markup = self._bot_message(chat, params, content)
        self._count_send(chat)
        extra: JsonDict = {"copied_from": (from_chat.id, source["message_id"])}
        if "document" in source:
            extra["document"] = self._file_info(self._files[source["document"]["file_id"]])
        if "photo" in source:
            extra["photo"] = self._file_info(self._files[source["photo"][-1]["file_id"]])
        self._record(
            "copyMessage",
            message,
            raw_text=raw,
            parse_mode=params.get_str("parse_mode"),
            markup=markup,
            extra=extra,
        )
        return {"message_id": message["message_id"]}

    async def _forward_message(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        self._check_flood(chat)
        from_chat, source = self._source_message(params, "forward")
        origin: JsonDict = {"type": "user", "date": source["date"], "sender_user": source["from"]}
        content: JsonDict = {
            k: source[k]
            for k in ("text", "entities", "document", "photo", "caption", "caption_entities")
            if k in source
        }
        thread_id = self._thread_id(chat, params)
        message = self._store_message(
            chat,
            self._bot_user(),
            {**self._thread_fields(chat, thread_id, None), "forward_origin": origin, **content},
        )
        self._count_send(chat)
        extra: JsonDict = {"forwarded_from": (from_chat.id, source["message_id"])}
        if "document" in source:
            extra["document"] = self._file_info(self._files[source["document"]["file_id"]])
        self._record("forwardMessage", message, raw_text=None, parse_mode=None, extra=extra)
        return message

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._target_chat(params)
        action = params.get_str("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.id, action))
        return True

    async def _get_file(self, params: Params) -> JsonDict:
        file_id = params.get_str("file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        if stored.file_path is None:
            folder = "documents" if stored.kind == "document" else "photos"
            suffix = ""
            extension = (stored.file_name or "").rpartition(".")[2]
            if stored.file_name and "." in stored.file_name and _EXTENSION_RE.match(extension):
                # only a plain extension: the path goes into a URL, a user's name must not
                suffix = "." + extension
            elif stored.kind == "photo":
                suffix = ".jpg"
            stored.file_path = f"{folder}/file_{len(self._files_by_path)}{suffix}"
            self._files_by_path[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _create_forum_topic(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if chat.bot_status != "administrator":
            raise bad_request("not enough rights to create a topic")
        name = params.get_str("name") or ""
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        icon_color = params.get_int("icon_color", 7322096) or 7322096
        thread_id = self._new_topic(chat, name, icon_color, creator=None)
        return {"message_thread_id": thread_id, "name": name, "icon_color": icon_color}


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG/JPEG/GIF/WebP image, or None if it is not one we recognise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return (512, 512)  # WebP headers vary by codec; the size is not important here
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 < len(data):
            if data[pos] != 0xFF:
                return None
            marker = data[pos + 1]
            length = int.from_bytes(data[pos + 2 : pos + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return int(width), int(height)
            pos += 2 + length
        return (800, 600)  # a JPEG without a frame header we can find
    return None
