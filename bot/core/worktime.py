"""Office working time: which minutes count towards an SOP step's budget.

``OFFICE_HOURS`` examples: ``mon-fri 08:00-16:00``; ``mon-thu 08:00-12:00,13:00-16:00; fri
08:00-11:00,13:30-16:30`` (several ranges per day, e.g. a lunch break); ``24/7`` (every minute
counts, holidays included).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLAUSE = re.compile(
    r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+(?P<ranges>.+)$"
)
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class OfficeHours:
    """Working ranges per weekday (0 = Monday); ``always`` means 24/7 without holidays."""

    ranges: tuple[tuple[tuple[time, time], ...], ...]
    always: bool = False

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        """Parse an ``OFFICE_HOURS`` value; ``ValueError`` says what is wrong."""
        text = " ".join(spec.strip().lower().split())
        if text in ("24/7", "24x7"):
            return cls(
                ranges=tuple(((time(0), time(23, 59, 59, 999999)),) for _ in range(7)), always=True
            )
        per_day: list[list[tuple[time, time]]] = [[] for _ in DAY_NAMES]
        for clause in filter(None, (part.strip() for part in text.split(";"))):
            match = _CLAUSE.match(clause)
            if not match:
                raise ValueError(f"expected e.g. 'mon-fri 08:00-16:00', got {clause!r}")
            days = _parse_days(match["days"])
            for day in days:
                if per_day[day]:
                    raise ValueError(f"{DAY_NAMES[day]} is given twice")
            ranges = [_parse_range(part) for part in match["ranges"].replace(" ", "").split(",")]
            ranges.sort()
            for (_, end), (start, _) in itertools.pairwise(ranges):
                if start < end:
                    raise ValueError(f"overlapping ranges in {clause!r}")
            for day in days:
                per_day[day] = ranges
        if not any(per_day):
            raise ValueError("no working time given")
        return cls(ranges=tuple(tuple(day) for day in per_day))


def _parse_days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        for name in (first, last or first):
            if name not in DAY_NAMES:
                raise ValueError(f"unknown day {name!r} (use {', '.join(DAY_NAMES)})")
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        if end < start:
            raise ValueError(f"day range {part!r} runs backwards")
        days.extend(range(start, end + 1))
    return days


def _parse_range(text: str) -> tuple[time, time]:
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"expected a time range like 08:00-16:00, got {text!r}")
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    if start_h > 23 or end_h > 24 or start_m > 59 or end_m > 59 or (end_h == 24 and end_m):
        raise ValueError(f"invalid time in {text!r}")
    start = time(start_h, start_m)
    end = time(23, 59, 59, 999999) if end_h == 24 else time(end_h, end_m)
    if end <= start:
        raise ValueError(f"range {text!r} ends before it starts")
    return start, end


class WorkCalendar:
    """Adds and measures working minutes: office hours in a zone, minus holidays.

    Instants are aware datetimes (any zone); results are in the office zone.
    """

    def __init__(self, hours: OfficeHours, zone: tzinfo, holidays: Set[date] = frozenset()):
        self.hours = hours
        self.zone = zone
        self.holidays = frozenset() if hours.always else frozenset(holidays)

    def _ranges_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        ranges = []
        for start, end in self.hours.ranges[day.weekday()]:
            end_at = (
                self._instant(day + timedelta(days=1), time(0))
                if end == time(23, 59, 59, 999999)
                else self._instant(day, end)
            )
            ranges.append((self._instant(day, start), end_at))
        return ranges

    def _instant(self, day: date, wall: time) -> datetime:
        """The UTC instant of a wall-clock time in the office zone.

        Compared and subtracted in UTC, because wall-clock arithmetic is wrong across DST
        changes. A wall time skipped by a DST jump (02:30 when 02:00 jumps to 03:00) means
        the moment of the jump: the first instant of the range that exists.
        """
        local = datetime.combine(day, wall, self.zone)
        utc = local.astimezone(UTC)
        if utc.astimezone(self.zone).replace(tzinfo=None) == local.replace(tzinfo=None):
            return utc
        # fold=1 reads the skipped time with the later offset (an instant before the jump),
        # fold=0 with the earlier one (after it); the jump lies between: bisect to it.
        before, after = local.replace(fold=1).astimezone(UTC), utc
        offset_after = after.astimezone(self.zone).utcoffset()
        while after - before > timedelta(seconds=1):
            middle = before + (after - before) / 2
            if middle.astimezone(self.zone).utcoffset() == offset_after:
                after = middle
            else:
                before = middle
        return after.replace(microsecond=0)

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant when ``minutes`` of working time have passed after ``start``."""
        if minutes < 0:
            raise ValueError("working minutes to add must not be negative")
        remaining = timedelta(minutes=minutes)
        moment = start.astimezone(UTC)
        day = start.astimezone(self.zone).date()
        for _ in range(3660):  # ten years of days: a calendar without working time stops here
            for range_start, range_end in self._ranges_on(day):
                begin = max(range_start, moment)
                if begin >= range_end:
                    continue
                available = range_end - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(self.zone)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time within ten years")

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes in [start, end); negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_minutes_between(end, start)
        first, last = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta()
        day = start.astimezone(self.zone).date()
        while day <= end.astimezone(self.zone).date():
            for range_start, range_end in self._ranges_on(day):
                overlap = min(range_end, last) - max(range_start, first)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds() / 60

    def is_working(self, moment: datetime) -> bool:
        """True when ``moment`` lies in working time."""
        day = moment.astimezone(self.zone).date()
        return any(start <= moment < end for start, end in self._ranges_on(day))


def round_the_clock() -> WorkCalendar:
    """A 24/7 calendar in UTC: every minute counts (tools and tests without office hours)."""
    return WorkCalendar(OfficeHours.parse("24/7"), UTC)
