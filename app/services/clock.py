"""Time in one place: stored UTC, shown and reasoned about in the project's zone."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def now():
    """The current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


def zone(name=None):
    if name is None:
        name = (current_app._get_current_object().config["TIMEZONE"] if has_app_context()
                else "Asia/Shanghai")
    return ZoneInfo(name)


def local(value, tz=None):
    """An aware datetime converted to the office's zone."""
    return value.astimezone(zone(tz)) if value else None


def today(tz=None):
    """The office's calendar day (a Shanghai office's day starts at 16:00 UTC)."""
    return now().astimezone(zone(tz)).date()


def day_bounds(day, tz=None):
    """[start, end) of a local calendar day, as UTC instants for queries."""
    start = datetime.combine(day, time.min, tzinfo=zone(tz))
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone(tz))
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
