"""Form helpers shared by every blueprint."""
from wtforms import SelectChoice


def choices(pairs):
    """Select options from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if hasattr(pairs, "items") else pairs
    return [SelectChoice(value, label) for value, label in items]
