"""Helpers shared by the customer-area blueprints (objects load through app.loaders)."""
from app.forms import choices
from app.services.customers import cards


def consultant_choices(blank=None):
    """Select options for the active consultants (with a first 'blank' option, value 0)."""
    pairs = ([(0, blank)] if blank else []) + [(u.id, u.display_name)
                                              for u in cards.consultants()]
    return choices(pairs)

