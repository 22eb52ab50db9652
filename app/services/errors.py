"""Domain errors that views map back onto forms and pages."""


class RuleViolation(Exception):
    """A business rule refused the request; `field` names the form field, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(RuleViolation):
    """Someone else changed the object first (lost race); shown, never a 500."""


class NotAllowed(Exception):
    """The user may not do this to this object (mapped to 403)."""
