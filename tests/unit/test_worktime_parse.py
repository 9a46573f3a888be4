"""Parsing OFFICE_HOURS."""

from __future__ import annotations

from datetime import time

import pytest

from bot.core.worktime import OfficeHours


def test_weekdays_with_lunch_break_and_short_friday() -> None:
    hours = OfficeHours.parse("mon-thu 08:00-12:00,13:00-16:00; fri 08:00-11:30,13:30-16:30")
    assert hours.ranges[0] == ((time(8), time(12)), (time(13), time(16)))
    assert hours.ranges[4] == ((time(8), time(11, 30)), (time(13, 30), time(16, 30)))
    assert hours.ranges[5] == hours.ranges[6] == ()
    assert not hours.always


def test_always() -> None:
    assert OfficeHours.parse("24/7").always


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("mon-fri", "expected e.g."),
        ("mon-fry 08:00-16:00", "unknown day 'fry'"),
        ("fri-mon 08:00-16:00", "runs backwards"),
        ("mon-fri 16:00-08:00", "ends before it starts"),
        ("mon-fri 08:00-25:00", "invalid time"),
        ("mon-fri 08:00-12:00,11:00-16:00", "overlapping"),
        ("mon 08:00-12:00; mon 13:00-16:00", "mon is given twice"),
        ("", "no working time"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OfficeHours.parse(spec)
