"""The one way every service writes its audit row."""
import json
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from app.driver import run
from app.extensions import db
from app.models import AuditLog
from app.services.audit_labels import ACTION_LABELS, OBJECT_LABELS
from app.services.clock import now

__all__ = ["ACTION_LABELS", "OBJECT_LABELS", "READ_ACTION_SUFFIXES", "client_ip", "record",
           "record_many", "reason_for_all", "row_values"]

# Reading personal data is itself recorded (an export, a reveal). Those rows are the only
# writes a GET may make; their action names end with one of these.
READ_ACTION_SUFFIXES = ("_exported", "_viewed", "_revealed")


def _json(value):
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_default)


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot audit {type(value).__name__}")


_DEFAULT_REASON = ContextVar("audit_default_reason", default=None)


@contextmanager
def reason_for_all(reason):
    """Every row written inside gets `reason` unless it gives its own: the deposits,
    认购书 and unit moves of an opening import all say 期初导入."""
    token = _DEFAULT_REASON.set(reason)
    try:
        yield
    finally:
        _DEFAULT_REASON.reset(token)


def client_ip():
    return request._get_current_object().remote_addr if has_request_context() else None


def _values(action, obj_type, obj_id, before, after, reason, project_id, user):
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    reason = reason or _DEFAULT_REASON.get()
    return dict(
        at=now(),
        user_id=getattr(user, "id", None),
        actor=getattr(user, "username", None) or "system",
        action=action,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        project_id=project_id,
        before=_json(before),
        after=_json(after),
        reason=(reason or None) and reason[:500],
        ip=client_ip(),
    )


def row_values(action, obj_type, obj_id=None, *, before=None, after=None, reason=None,
               project_id=None, user=None):
    """An audit row's column values, for a service that inserts the row inside its own
    statement (a board move on PostgreSQL: the INSERT reads the UPDATE's RETURNING)."""
    return _values(action, obj_type, obj_id, before, after, reason, project_id, user)


def record(action, obj_type, obj_id=None, *, before=None, after=None, reason=None,
           project_id=None, user=None):
    """Add an audit row to the current transaction (it commits with the change)."""
    row = AuditLog(**_values(action, obj_type, obj_id, before, after, reason, project_id, user))
    db.session.add(row)
    return row


def record_many(action, obj_type, changes, *, reason=None, project_id=None, user=None):
    """One audit row per (obj_id, before, after) in `changes`, inserted in one statement.

    For moves of a whole building and imports of thousands of units, where adding one ORM
    object per row would cost seconds.
    """
    rows = [_values(action, obj_type, obj_id, before, after, reason, project_id, user)
            for obj_id, before, after in changes]
    if rows:  # no ORM objects, no RETURNING: one row (a board move) on the driver's cursor,
        run(db.session, _INSERT, rows)  # more as SQLAlchemy's executemany, which batches them
    return len(rows)


_INSERT = insert(AuditLog.__table__)  # built once: a board move writes one row every time
