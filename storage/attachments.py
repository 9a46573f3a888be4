"""Uploaded files on disk, addressed by content hash (the same file is stored once)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from bot.core.filetypes import name_for_type
from bot.core.tickets import AttachmentRef

_UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f/\\]+")
MAX_NAME = 255


def clean_filename(name: str) -> str:
    """The original name, safe to show and to offer in a download: no path, no control bytes."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARACTERS.sub("_", name).strip(" .")
    if len(name) > MAX_NAME:  # shorten the stem: the extension says what the file is
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_NAME]
    return name or "lampiran"


class AttachmentStore:
    """Files under ``root/ab/cd/<sha256>``; names and types live in the database."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where the file with that hash lives."""
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def put(self, data: bytes, filename: str, content_type: str) -> AttachmentRef:
        """Store ``data`` (once per content) and describe it.

        The stored name carries the extension of ``content_type`` (sniffed from the bytes by
        the caller), whatever extension the sender gave: names shown to staff never lie.
        """
        digest = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write_once, digest, data)
        return AttachmentRef(
            sha256=digest,
            filename=clean_filename(name_for_type(clean_filename(filename), content_type)),
            content_type=content_type,
            size=len(data),
        )

    async def read(self, sha256: str) -> bytes:
        """The stored bytes of a file."""
        return await asyncio.to_thread(self.path_for(sha256).read_bytes)

    def _write_once(self, digest: str, data: bytes) -> None:
        target = self.path_for(digest)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write aside and rename so a crash never leaves a truncated file under the hash.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
