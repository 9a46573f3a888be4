"""Upload sniffing and the per-person flood guard."""

from datetime import UTC, datetime, timedelta

from bot.core.filetypes import JPEG, PDF, PNG, RHS, sniff
from bot.core.flood import PRUNE_ABOVE, FloodGuard


def test_sniff_by_content_not_name() -> None:
    assert sniff(b"%PDF-1.7 ...", "surat.exe") == PDF
    assert sniff(b"\xff\xd8\xff\xe0 jpg", "foto.pdf") == JPEG
    assert sniff(b"\x89PNG\r\n\x1a\n....", "x") == PNG
    assert sniff(b"MZ\x90\x00 windows exe", "surat.pdf") is None
    assert sniff(b"\x00encrypted", "penawaran.RHS") == RHS
    assert sniff(b"", "kosong.rhs") is None


def test_flood_guard_notices_once_per_burst() -> None:
    guard = FloodGuard(limit_per_minute=20)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    notices = [guard.notice_due(7, start + timedelta(seconds=i)) for i in range(30)]
    assert notices.count(True) == 1 and notices[20] is True
    assert not guard.notice_due(8, start)  # other senders are not affected
    later = start + timedelta(minutes=5)
    assert [guard.notice_due(7, later + timedelta(seconds=i)) for i in range(21)][-1] is True


def test_quiet_senders_are_forgotten_and_busy_ones_kept() -> None:
    """Past PRUNE_ABOVE senders, those silent for a window go; a busy one keeps its count."""
    guard = FloodGuard(limit_per_minute=3)
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    for sender in range(PRUNE_ABOVE + 10):
        guard.notice_due(sender, start)
    later = start + timedelta(seconds=90)
    for _ in range(3):
        assert not guard.notice_due("busy", later)
    assert guard.notice_due("busy", later)  # the fourth in a minute earns the notice
    assert guard.tracked_senders() == 1
