"""Keep personal numbers out of logs: phone and ID numbers are masked in every log line.

Logs end up in files, backups and support tickets; customer phone numbers and ID numbers
must not (PIPL / GB/T 35273). Exceptions can carry them (SQL parameters of a failed insert)
and so can URLs (a search by phone), so the filter masks any that slip into a record.
"""
import logging
import re

from app.services.customers.phones import mask_id_number, mask_phone

_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")


def mask_text(text):
    text = _ID.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group(0))[-11:]), text)


class MaskPersonalNumbers(logging.Filter):
    """Rewrites the formatted message (and exception text) of each record it passes."""

    def filter(self, record):
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


FILTER = MaskPersonalNumbers()


def install(app):
    """Attach the filter to every handler that exists now (app, root, gunicorn, werkzeug)."""
    names = ["", "gunicorn.error", "gunicorn.access", "werkzeug", app.logger.name]
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if FILTER not in handler.filters:
                handler.addFilter(FILTER)
