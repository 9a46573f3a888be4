"""Builds the office's working-time calendar from settings (hours, zone, holidays)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays as holiday_data

from bot.core.worktime import WorkCalendar
from bot.settings import Settings

#: Years of national holidays loaded around the current one.
_YEARS_AROUND = 2


def holiday_dates(spec: str, today: date) -> set[date]:
    """Dates from ``HOLIDAYS``: ``ID`` (national), ``ID,<file>`` (plus extra dates), ``none``."""
    source, _, extra_file = spec.partition(",")
    if source.strip().lower() == "none":
        return set()
    years = range(today.year - _YEARS_AROUND, today.year + _YEARS_AROUND + 1)
    dates = set(holiday_data.country_holidays("ID", years=years).keys())
    if extra_file.strip():
        for line in Path(extra_file.strip()).read_text(encoding="utf-8").splitlines():
            text = line.split("#", 1)[0].strip()
            if text:
                dates.add(date.fromisoformat(text))
    return dates


def build_calendar(settings: Settings, today: date) -> WorkCalendar:
    """The calendar SLA clocks use."""
    return WorkCalendar(
        settings.office_hours_parsed,
        ZoneInfo(settings.office_timezone),
        holiday_dates(settings.holidays, today),
    )
