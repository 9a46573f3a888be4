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


#: The extension each accepted type is stored and shown under; the first is the canonical one.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg", ".jpe"),
    PNG: (".png",),
    RHS: (".rhs",),
}


def name_for_type(filename: str, content_type: str) -> str:
    """``filename`` with the extension of its sniffed ``content_type``.

    A sender's name can lie: a PDF named ``tagihan.hta`` or ``.bat`` must reach staff as
    ``tagihan.pdf``, or a click on it in a download folder runs it. A name already ending in
    a right extension is kept; any other extension is replaced, a missing one added.
    """
    extensions = EXTENSIONS.get(content_type)
    if not extensions or filename.lower().endswith(extensions):
        return filename
    stem, dot, _old = filename.rpartition(".")
    return (stem if dot and stem.strip(" .") else filename).rstrip(" .") + extensions[0]
