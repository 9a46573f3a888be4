"""Per-person message rate: more than the limit in a minute earns one polite notice."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

#: Past this many tracked senders, quiet ones are forgotten.
PRUNE_ABOVE = 1000


class FloodGuard:
    """Sliding one-minute window per sender; ``notice_due`` is True once per burst."""

    def __init__(self, limit_per_minute: int = 20, window: timedelta = timedelta(minutes=1)):
        self._limit = limit_per_minute
        self._window = window
        self._seen: dict[int | str, deque[datetime]] = {}
        self._noticed: dict[int | str, datetime] = {}

    def notice_due(self, sender: int | str, now: datetime) -> bool:
        """Count one message; True when this one crosses the limit and no notice went out."""
        if len(self._seen) > PRUNE_ABOVE:
            self._forget_quiet(now)
        # Re-inserted on every message, so the dict is ordered by last activity and the
        # quiet senders are always at its front.
        times = self._seen.pop(sender, None) or deque()
        self._seen[sender] = times
        times.append(now)
        while times and now - times[0] > self._window:
            times.popleft()
        if len(times) <= self._limit:
            return False
        last = self._noticed.get(sender)
        if last is not None and now - last <= self._window:
            return False
        self._noticed[sender] = now
        return True

    def tracked_senders(self) -> int:
        """How many senders are remembered (memory follows the active ones)."""
        return len(self._seen)

    def _forget_quiet(self, now: datetime) -> None:
        """Drop senders silent for a whole window, so memory follows the active ones.

        Only the quiet front of the activity-ordered dict is visited: a busy minute with
        thousands of senders costs nothing per message beyond the senders actually dropped.
        """
        quiet = []
        for sender, times in self._seen.items():
            if now - times[-1] <= self._window:
                break
            quiet.append(sender)
        for sender in quiet:
            del self._seen[sender]
            self._noticed.pop(sender, None)
