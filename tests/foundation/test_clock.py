"""Times are stored in UTC and reasoned about in the office's zone."""
from datetime import date, datetime, timezone

import time_machine

from app.services.clock import day_bounds, local, today


def test_the_office_day_follows_shanghai_not_utc(db):
    with time_machine.travel(datetime(2026, 11, 23, 16, 30, tzinfo=timezone.utc), tick=False):
        assert today() == date(2026, 11, 24)  # 00:30 in Shanghai
    with time_machine.travel(datetime(2026, 11, 23, 15, 59, tzinfo=timezone.utc), tick=False):
        assert today() == date(2026, 11, 23)


def test_day_bounds_are_half_open_utc_instants(db):
    start, end = day_bounds(date(2026, 11, 24))
    assert start == datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)
    assert local(start).hour == 0
