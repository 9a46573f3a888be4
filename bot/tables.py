"""Plain-text tables for the command line."""

import re
from collections.abc import Sequence

# Control characters (ESC, BEL, CR, ...) from requesters' text would drive the operator's
# terminal (retitle, clear, overwrite lines): they are shown as visible escapes instead.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _visible(cell: object) -> str:
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(cell))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell, a rule under the header."""
    cells = [[_visible(cell) for cell in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines.extend(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )
    return "\n".join(lines)
