"""The opening imports' tests run on one fixed day: ownership and expiry depend on it."""
from datetime import datetime, timezone

import pytest

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # 2026-12-01 10:00 in Shanghai


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("app.services.clock.now", lambda: NOW)
    monkeypatch.setattr("app.services.opening.customers.now", lambda: NOW)
    monkeypatch.setattr("app.services.customers.ownership.now", lambda: NOW)
    monkeypatch.setattr("app.services.customers.cards.now", lambda: NOW)
