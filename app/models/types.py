"""Column types: exact decimals stored as scaled integers, and UTC datetimes.

SQLite keeps NUMERIC as a float, so money and areas are stored as integers
(fen, hundredths of a square metre) on every engine and come back as Decimal.
"""
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator):
    """A Decimal with a fixed number of places, stored as an integer."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places=2):
        super().__init__()
        self.places = places
        self.scale = 10 ** places
        self.quantum = Decimal(1).scaleb(-places)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("float is not accepted for exact amounts; use Decimal")
        try:
            value = Decimal(value)
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal: {value!r}") from exc
        scaled = value * self.scale
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / self.scale).quantize(self.quantum)

    @property
    def python_type(self):
        return Decimal


def Money():
    """Yuan with fen precision (stored as integer fen)."""
    return ScaledDecimal(2)


def Area():
    """Square metres with two decimals (stored as integer hundredths)."""
    return ScaledDecimal(2)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes, stored as naive UTC on every engine."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow():
    return datetime.now(timezone.utc)
