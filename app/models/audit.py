"""Append-only audit log and the login attempts behind throttling."""
from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class AuditLog(db.Model):
    """Who did what, when, from which state to which, and why.

    UPDATE and DELETE are refused by a database trigger (see the migration).
    """

    __tablename__ = "audit_log"
    # A unit's (or any object's) history is read by object, newest first (id): the board's
    # unit panel after every move.
    __table_args__ = (db.Index("ix_audit_log_object", "object_type", "object_id", "id"),)

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.ForeignKey("user.id"), index=True)
    actor = db.Column(db.String(64))  # username at the time, kept if the user is renamed
    action = db.Column(db.String(64), nullable=False, index=True)
    object_type = db.Column(db.String(32), nullable=False)
    object_id = db.Column(db.String(64))
    project_id = db.Column(db.ForeignKey("project.id"), index=True)
    before = db.Column(db.Text)  # JSON
    after = db.Column(db.Text)  # JSON
    reason = db.Column(db.String(500))
    ip = db.Column(db.String(64))

    user = db.relationship("User")


class LoginAttempt(db.Model):
    """One row per login try; throttling counts these, so it works across workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (db.Index("ix_login_attempt_username_at", "username", "at"),)

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False)
    ip = db.Column(db.String(64))
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    success = db.Column(db.Boolean, nullable=False)
    # An admin cleared the lockout this failure was part of: it no longer counts.
    cleared_at = db.Column(UTCDateTime)
