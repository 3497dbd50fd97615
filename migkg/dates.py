"""Dates as the facts store them: ISO-8601 strings at year, month or day precision.

A date of year or month precision stands for a period (`2024-11` is 1 to 30 November
2024). A date range is stored as the first day it allows and the last day it allows
(`date_earliest`, `date_latest`, always YYYY-MM-DD), so that comparing ranges is
comparing strings on both engines. `today()` is the day (UTC) that "date passed" is
judged against.
"""

from __future__ import annotations

import calendar
import datetime as dt

# The range properties, stored as days (xsd:date in RDF, whatever precision was written).
RANGE = ("date_earliest", "date_latest")
# How each stated relation to another item's date moves its range, in days: None
# where the text gives only the order (earlier / later), not the distance.
RELATION_DAYS: dict[str, int | None] = {
    "day_before": -1, "same_day": 0, "day_after": 1, "before": None, "after": None,
}


def first_day(value: str) -> str:
    """The first day of the period a date names (`2024-11` -> `2024-11-01`)."""
    parts = value.split("-")
    year, month, day = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, \
        int(parts[2]) if len(parts) > 2 else 1
    return dt.date(year, month, day).isoformat()


def last_day(value: str) -> str:
    """The last day of the period a date names (`2024-11` -> `2024-11-30`, `2024` -> `2024-12-31`)."""
    parts = value.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return dt.date(year, 12, 31).isoformat()
    month = int(parts[1])
    if len(parts) == 2:
        return dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()
    return dt.date(year, month, int(parts[2])).isoformat()


def shift(day: str, days: int) -> str:
    """A YYYY-MM-DD day moved by `days`."""
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def today() -> str:
    """Today (UTC) as YYYY-MM-DD: what a planned date is compared with."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def bounds(props: dict[str, object]) -> tuple[str | None, str | None]:
    """The first and last day an item's date may fall on: its date's period narrowed by
    its range (`date: "2026"` with `date_earliest: "2026-03"` is from 1 March 2026), or
    either alone; None for a side nothing bounds."""
    date, earliest, latest = (props.get(k) for k in ("date", "date_earliest", "date_latest"))
    low = [first_day(v) for v in (date, earliest) if isinstance(v, str)]
    high = [last_day(v) for v in (date, latest) if isinstance(v, str)]
    return (max(low) if low else None, min(high) if high else None)
