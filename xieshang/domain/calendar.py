"""The county's calendar: local dates of instants, today's date where the county is."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_today(zone: ZoneInfo) -> date:
    """Today's date in ``zone`` (a county's calendar), whatever the server's own zone is."""
    return datetime.now(zone).date()


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date of ``instant`` in ``zone``."""
    return instant.astimezone(zone).date()
