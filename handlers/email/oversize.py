"""Hostile header blocks cut down before parsing, so no single mail holds the event loop.

A mail with 400,000 ids in ``References`` (4 MB of header) makes the stdlib parser and our
header clean-up run single regular-expression calls over megabytes; such a call holds the
GIL for half a second, so even in a worker thread it stalls the bot's event loop. Nothing in
a header that long is needed: DESIGN looks at the newest 100 ids of ``References`` only, and
no other field a person writes is anywhere near 16 KB. So before parsing, a header block
over ``LARGE_HEADER_BYTES`` keeps the newest ``max_ids`` ids of ``References`` /
``In-Reply-To`` and, of any other field, the whole lines that fit in ``MAX_FIELD_BYTES`` (a
field whose first line is longer is dropped). The work goes line by
line, never one C call over the whole block. Ordinary mail is returned untouched.
"""

from __future__ import annotations

import io
import re
from typing import Final

#: Header blocks up to this size are left alone (real mail has a few kilobytes).
LARGE_HEADER_BYTES: Final = 64 * 1024
#: Longest field kept from a large header block.
MAX_FIELD_BYTES: Final = 16 * 1024
_ID_FIELDS: Final = (b"references", b"in-reply-to")
_MESSAGE_ID = re.compile(rb"<[^<>\s]{1,998}>")
_IDS_PER_LINE: Final = 10


def trim_headers(raw: bytes, max_ids: int) -> bytes:
    """``raw`` with a large header block cut down (see the module docstring)."""
    end = _header_end(raw)
    if end <= LARGE_HEADER_BYTES:
        return raw
    fields: list[list[bytes]] = []
    for line in io.BytesIO(raw[:end]):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    kept: list[bytes] = []
    for field in fields:
        name = field[0].split(b":", 1)[0].strip().lower()
        if name in _ID_FIELDS:
            kept += _newest_ids(field, max_ids)
            continue
        size = 0
        for line in field:
            size += len(line)
            if size > MAX_FIELD_BYTES:
                break
            kept.append(line)
    return b"".join(kept) + raw[end:]


def _header_end(raw: bytes) -> int:
    """Where the header block ends (the blank line), or the whole length when none."""
    # The block keeps its last line's own line end; the blank line starts the rest.
    ends = [
        found + length
        for found, length in ((raw.find(b"\r\n\r\n"), 2), (raw.find(b"\n\n"), 1))
        if found >= 0
    ]
    return min(ends) if ends else len(raw)


def _newest_ids(field: list[bytes], max_ids: int) -> list[bytes]:
    """The field rebuilt from its last ``max_ids`` message ids, folded, CRLF-terminated."""
    name = field[0].split(b":", 1)[0]
    newest: list[bytes] = []
    for line in reversed(field):
        for found in reversed(_MESSAGE_ID.findall(line)):
            if len(newest) >= max_ids:
                break
            newest.append(found)
        if len(newest) >= max_ids:
            break
    newest.reverse()
    if not newest:
        return []
    lines = [
        b" ".join(newest[start : start + _IDS_PER_LINE])
        for start in range(0, len(newest), _IDS_PER_LINE)
    ]
    return [name + b": " + b"\r\n ".join(lines) + b"\r\n"]
