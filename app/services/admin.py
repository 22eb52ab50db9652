"""Accounts, projects and the audit log as the admin pages (and cron commands) list them."""
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Project, User
from app.services import audit_text


def users():
    """Every account, by role and username."""
    return db.session.scalars(select(User).order_by(User.role, User.username)).all()


def projects():
    return db.session.scalars(select(Project).order_by(Project.id)).all()


def audit_page(actor=None, action=None, object_type=None, before_id=None, size=50):
    """One page of the audit log, newest first, filtered; (rows, whether there are more)."""
    query = audit_text.with_people(select(AuditLog).order_by(AuditLog.id.desc()))
    if actor:
        query = query.where(AuditLog.actor == actor.strip().lower())
    if action:
        query = query.where(AuditLog.action == action.strip())
    if object_type:
        query = query.where(AuditLog.object_type == object_type.strip())
    if before_id:
        query = query.where(AuditLog.id < before_id)
    rows = db.session.scalars(query.limit(size + 1)).all()
    return audit_text.entries(rows[:size]), len(rows) > size


def people():
    """(username, name) of everyone, for the audit log's 操作人 choice."""
    return [(user.username, user.display_name) for user in users()]
