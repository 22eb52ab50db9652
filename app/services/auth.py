"""Login with throttling kept in the database, and session revocation."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginAttempt, User
from app.services import audit
from app.services.clock import now
from app.services.errors import RuleViolation
from app.services.passwords import hash_password, needs_rehash, verify_password


class Throttled(Exception):
    """Too many failed logins for this username (mapped to 429)."""


def recent_failures(username):
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    return db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.username == username,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > now() - window,
        )
    )


def authenticate(username, password, ip=None):
    """Return the user for good credentials; raise Throttled or RuleViolation otherwise.

    The attempt and its audit row are committed by the caller either way.
    """
    username = (username or "").strip().lower()
    if recent_failures(username) >= current_app.config["LOGIN_MAX_FAILURES"]:
        db.session.add(LoginAttempt(username=username, ip=ip, at=now(), success=False))
        audit.record("login_throttled", "user", username, reason="连续失败次数过多")
        raise Throttled()
    user = db.session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    if ok and not user.active:
        ok = False
    db.session.add(LoginAttempt(username=username, ip=ip, at=now(), success=ok))
    if not ok:
        audit.record("login_failed", "user", username, user=user)
        raise RuleViolation("用户名或密码错误")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now()
    audit.record("login", "user", user.id, user=user)
    return user


def logout_everywhere(user, action="logout"):
    """End every session of this user: older cookies carry an older version."""
    user.session_version = (user.session_version or 0) + 1
    audit.record(action, "user", user.id, user=user)


def load_user(session_id):
    """Flask-Login loader: 'id:version' must match the user's current version."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except (AttributeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user
