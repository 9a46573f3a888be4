"""Which uploads are accepted, judged by content, not by the name a sender gives."""

from __future__ import annotations

PDF, JPEG, PNG, RHS = "application/pdf", "image/jpeg", "image/png", "application/octet-stream"

_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


def sniff(data: bytes, filename: str) -> str | None:
    """The accepted content type of ``data``, or None when the file is refused.

    PDF, JPEG and PNG are recognised by their magic bytes whatever the name says. Encrypted
    bid files (``.rhs``, SOP-06) have no signature and are accepted by their extension.
    """
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    if filename.lower().endswith(".rhs") and data:
        return RHS
    return None
