"""Form helpers shared by every blueprint."""
from wtforms import DateField, SelectChoice


def choices(pairs):
    """Select options from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if hasattr(pairs, "items") else pairs
    return [SelectChoice(value, label) for value, label in items]


def optional_int(value):
    """Select values to int; anything else to None (the view says what is missing)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ChineseDateField(DateField):
    """A date field whose format error is in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("日期格式应为 年-月-日") from None
