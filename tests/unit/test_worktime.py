"""Working-time arithmetic: properties of ``WorkCalendar`` and concrete SLA deadlines.

The properties run on office hours with a lunch break and a short Friday, on ``24/7`` and on
plain weekdays, with and without Indonesian holidays, in a zone without daylight saving time
(Asia/Jakarta) and in two with it (Europe/Berlin, America/New_York).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar import holiday_dates
from bot.core import sla
from bot.core.sla import StepClock
from bot.core.worktime import OfficeHours, WorkCalendar

LUNCH_BREAK = "mon-thu 08:00-12:00,13:00-16:00; fri 08:00-11:30,13:30-16:30"
JAKARTA = ZoneInfo("Asia/Jakarta")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
#: National holidays 2024-2028, which covers every instant the properties draw.
ID_HOLIDAYS = frozenset(holiday_dates("ID", date(2026, 6, 1)))

CALENDARS = {
    "lunch-jakarta-holidays": WorkCalendar(OfficeHours.parse(LUNCH_BREAK), JAKARTA, ID_HOLIDAYS),
    "lunch-berlin": WorkCalendar(OfficeHours.parse(LUNCH_BREAK), BERLIN),
    "weekdays-new-york-holidays": WorkCalendar(
        OfficeHours.parse("mon-fri 08:00-16:00"), NEW_YORK, ID_HOLIDAYS
    ),
    "always-jakarta": WorkCalendar(OfficeHours.parse("24/7"), JAKARTA, ID_HOLIDAYS),
    "always-berlin": WorkCalendar(OfficeHours.parse("24/7"), BERLIN),
    "always-new-york": WorkCalendar(OfficeHours.parse("24/7"), NEW_YORK),
}
ALWAYS = [CALENDARS["always-berlin"], CALENDARS["always-new-york"]]

# Microsecond rounding of timedelta(minutes=float) is the only tolerated difference.
TOLERANCE = timedelta(microseconds=2)

calendars = st.sampled_from(list(CALENDARS.values()))
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
minutes = st.floats(min_value=0, max_value=3000, allow_nan=False, allow_infinity=False)
positive_minutes = st.floats(min_value=0.001, max_value=3000, allow_nan=False)
# Bounded so the whole file runs in a few seconds.
few = settings(max_examples=120, deadline=None)


def wib(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


# --- properties ---------------------------------------------------------------------------


@few
@given(calendars, instants, minutes, minutes)
def test_monotonic_in_minutes(calendar: WorkCalendar, start: datetime, a: float, b: float) -> None:
    fewer, more = sorted((a, b))
    assert calendar.add_working_minutes(start, fewer) <= calendar.add_working_minutes(start, more)


@few
@given(calendars, instants, instants, minutes)
def test_monotonic_in_start(
    calendar: WorkCalendar, first: datetime, second: datetime, amount: float
) -> None:
    earlier, later = sorted((first, second))
    assert calendar.add_working_minutes(earlier, amount) <= calendar.add_working_minutes(
        later, amount
    )


@few
@given(calendars, instants, minutes, positive_minutes)
def test_additive(calendar: WorkCalendar, start: datetime, a: float, b: float) -> None:
    # b > 0: adding zero at the very end of a range jumps to the next range (see the report).
    stepwise = calendar.add_working_minutes(calendar.add_working_minutes(start, a), b)
    at_once = calendar.add_working_minutes(start, a + b)
    assert abs(stepwise - at_once) <= TOLERANCE


@few
@given(calendars, instants, minutes)
def test_result_is_working_time_or_the_end_of_a_range(
    calendar: WorkCalendar, start: datetime, amount: float
) -> None:
    result = calendar.add_working_minutes(start, amount)
    assert result >= start
    assert calendar.is_working(result) or calendar.is_working(result - timedelta(microseconds=1)), (
        result
    )


@few
@given(calendars, instants, minutes)
def test_measuring_what_was_added_gives_it_back(
    calendar: WorkCalendar, start: datetime, amount: float
) -> None:
    end = calendar.add_working_minutes(start, amount)
    assert calendar.working_minutes_between(start, end) == pytest.approx(amount, abs=1e-6)
    assert calendar.working_minutes_between(end, start) == pytest.approx(-amount, abs=1e-6)


@few
@given(calendars, instants, instants)
def test_working_minutes_never_exceed_real_minutes(
    calendar: WorkCalendar, first: datetime, second: datetime
) -> None:
    earlier, later = sorted((first, second))
    worked = calendar.working_minutes_between(earlier, later)
    assert 0 <= worked <= (later - earlier).total_seconds() / 60 + 1e-9


@few
@given(st.sampled_from(ALWAYS), instants, minutes)
def test_always_counts_real_elapsed_minutes_across_dst(
    calendar: WorkCalendar, start: datetime, amount: float
) -> None:
    expected = start + timedelta(minutes=amount)
    assert abs(calendar.add_working_minutes(start, amount) - expected) <= TOLERANCE


@few
@given(instants, minutes)
def test_no_working_minute_on_a_holiday(start: datetime, amount: float) -> None:
    calendar = CALENDARS["lunch-jakarta-holidays"]
    result = calendar.add_working_minutes(start, amount).astimezone(JAKARTA)
    assert result.date() not in ID_HOLIDAYS


# --- daylight saving time, concretely -------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "saturday", "hours"),
    [
        (BERLIN, date(2026, 3, 28), 47),  # CET -> CEST: the night is one hour shorter
        (BERLIN, date(2026, 10, 24), 49),
        (NEW_YORK, date(2026, 3, 7), 47),
        (NEW_YORK, date(2026, 10, 31), 49),
        (JAKARTA, date(2026, 3, 28), 48),  # no DST in WIB
    ],
)
def test_always_weekend_across_dst_change(zone: ZoneInfo, saturday: date, hours: int) -> None:
    calendar = WorkCalendar(OfficeHours.parse("24/7"), zone)
    start = datetime.combine(saturday, time(0), zone)
    monday = datetime.combine(saturday + timedelta(days=2), time(0), zone)
    assert calendar.working_minutes_between(start, monday) == hours * 60
    assert calendar.add_working_minutes(start, hours * 60) == monday


def test_office_hours_unaffected_by_dst_change() -> None:
    calendar = WorkCalendar(OfficeHours.parse("mon-fri 08:00-16:00"), BERLIN)
    friday_noon = datetime(2026, 3, 27, 12, tzinfo=BERLIN)
    due = calendar.add_working_minutes(friday_noon, 6 * 60)
    assert due == datetime(2026, 3, 30, 10, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)


# --- concrete deadlines in the LPSE office --------------------------------------------

OFFICE = CALENDARS["lunch-jakarta-holidays"]


def test_deadline_across_a_weekend() -> None:
    # Friday 15:00: 90 minutes until 16:30, the other 30 on Monday morning.
    assert OFFICE.add_working_minutes(wib(2026, 12, 4, 15), 120) == wib(2026, 12, 7, 8, 30)


def test_deadline_across_christmas() -> None:
    # Thursday 24 Dec 15:00: one hour that day; Friday 25 Dec is a national holiday.
    assert date(2026, 12, 25) in ID_HOLIDAYS
    assert OFFICE.add_working_minutes(wib(2026, 12, 24, 15), 120) == wib(2026, 12, 28, 9)
    assert OFFICE.working_minutes_between(wib(2026, 12, 25, 0), wib(2026, 12, 26, 0)) == 0


def test_deadline_across_the_lunch_break() -> None:
    assert OFFICE.add_working_minutes(wib(2026, 12, 1, 11, 45), 25) == wib(2026, 12, 1, 13, 10)
    # The short Friday: lunch from 11:30 to 13:30.
    assert OFFICE.add_working_minutes(wib(2026, 12, 4, 11, 20), 25) == wib(2026, 12, 4, 13, 45)


def test_step_opened_outside_office_hours_starts_counting_next_morning() -> None:
    assert OFFICE.add_working_minutes(wib(2026, 12, 1, 20), 10) == wib(2026, 12, 2, 8, 10)
    assert OFFICE.add_working_minutes(wib(2026, 12, 1, 12, 30), 10) == wib(2026, 12, 1, 13, 10)


def test_deadline_moves_by_a_pause_for_requester_data() -> None:
    # SOP-02 step 3 (25 min) starts Tuesday 10:00; data is asked for at 10:10 and arrives
    # Wednesday 14:00: the 15 minutes left run from then.
    clock = sla.start_step(StepClock(), wib(2026, 12, 1, 10), 25, OFFICE)
    assert clock.due_at == wib(2026, 12, 1, 10, 25)
    clock = sla.pause(clock, wib(2026, 12, 1, 10, 10), OFFICE)
    assert clock.worked_minutes == 10
    clock = sla.resume(clock, wib(2026, 12, 2, 14), 25, OFFICE)
    assert clock.due_at == wib(2026, 12, 2, 14, 15)
    assert sla.deadlines(clock, 25, OFFICE) == [
        sla.Deadline(sla.DeadlineKind.REMINDER, wib(2026, 12, 2, 14, 10)),
        sla.Deadline(sla.DeadlineKind.BREACH, wib(2026, 12, 2, 14, 15)),
    ]


def test_pause_and_resume_across_lunch_and_holiday() -> None:
    # Thursday 24 Dec 11:50, 60 minutes: 10 before lunch, pause at 13:05 (15 worked),
    # the answer comes on Christmas Day; the remaining 45 run on Monday.
    clock = sla.start_step(StepClock(), wib(2026, 12, 24, 11, 50), 60, OFFICE)
    assert clock.due_at == wib(2026, 12, 24, 13, 50)
    clock = sla.pause(clock, wib(2026, 12, 24, 13, 5), OFFICE)
    assert clock.worked_minutes == 15
    clock = sla.resume(clock, wib(2026, 12, 25, 9), 60, OFFICE)
    assert clock.due_at == wib(2026, 12, 28, 8, 45)


# --- found while writing these tests; see the report (worktime.py is not ours to edit) --


def test_range_starting_in_a_dst_gap() -> None:
    # 2026-03-08 New York: 02:00 EST jumps to 03:00 EDT, so "02:30-04:00" is 03:00-04:00 on
    # the office clock: 60 real minutes (fold=0 alone would map 02:30 to 03:30 EDT).
    calendar = WorkCalendar(OfficeHours.parse("sun 02:30-04:00"), NEW_YORK)
    day = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert calendar.working_minutes_between(day, day + timedelta(days=1)) == 60
