"""Login throttling by account AND source (OWASP ASVS V6.3, NIST 800-63B 5.2.2).

Failed attempts are rows of login_attempt, so every worker sees them. Two limits count the
failures of the window (LOGIN_WINDOW_MINUTES) that no admin has cleared:

- a username from one source address (LOGIN_MAX_FAILURES, 5): the guessing address is slowed,
  the real user's correct password from another address still logs in;
- a username from anywhere (LOGIN_ACCOUNT_MAX_FAILURES, 50): locks the account only under a
  sustained attack from many addresses.

A throttled try is audited (登录被限制) but not counted: hammering a closed door from one
address does not add up to the account's lock. The admin sees current lockouts and clears them.
"""
from datetime import timedelta
from typing import NamedTuple, Optional

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import LoginAttempt
from app.services import audit
from app.services.clock import now
from app.services.errors import RuleViolation

ACCOUNT = "account"
SOURCE = "source"


class Lockout(NamedTuple):
    username: str
    ip: Optional[str]  # None: the whole account, from every address
    failures: int
    last_at: object
    until: object


def _limits():
    config = current_app.config
    return config["LOGIN_MAX_FAILURES"], config["LOGIN_ACCOUNT_MAX_FAILURES"]


def _window_start():
    return now() - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def _counted(username=None):
    """Conditions on the failures that count now (of one username when given)."""
    conditions = [LoginAttempt.success.is_(False), LoginAttempt.cleared_at.is_(None),
                  LoginAttempt.at > _window_start()]
    if username is not None:
        conditions.append(LoginAttempt.username == username)
    return conditions


def _same_source(ip):
    return LoginAttempt.ip.is_(None) if ip is None else LoginAttempt.ip == ip


def refusal(username, ip):
    """SOURCE or ACCOUNT when this try must be refused without checking the password."""
    per_source, per_account = _limits()
    counts = db.session.execute(
        select(func.count(), func.count().filter(_same_source(ip)))
        .where(*_counted(username))).one()
    if counts[1] >= per_source:
        return SOURCE
    if counts[0] >= per_account:
        return ACCOUNT
    return None


def lockouts():
    """The lockouts in force: (username, address) pairs, then whole accounts."""
    per_source, per_account = _limits()
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    found = []
    for keys, limit in (((LoginAttempt.username, LoginAttempt.ip), per_source),
                        ((LoginAttempt.username,), per_account)):
        rows = db.session.execute(
            select(*keys, func.count(), func.max(LoginAttempt.at)).where(*_counted())
            .group_by(*keys).having(func.count() >= limit)
            .order_by(func.max(LoginAttempt.at).desc())).all()
        for row in rows:
            ip = row[1] if len(keys) == 2 else None
            found.append(Lockout(row[0], ip, row[-2], row[-1], row[-1] + window))
    return found


def clear(username, ip, actor):
    """Clear a lockout: its failures stop counting (audited). ip None: the whole account."""
    username = (username or "").strip().lower()
    conditions = _counted(username)
    if ip:
        conditions.append(LoginAttempt.ip == ip)
    cleared = db.session.execute(
        update(LoginAttempt).where(*conditions).values(cleared_at=now())
        .execution_options(synchronize_session=False)).rowcount
    if not cleared:
        raise RuleViolation("该锁定已解除或已过期")
    audit.record("login_lockout_cleared", "user", username, user=actor,
                 after={"ip": ip or "全部来源", "failures": cleared})
    return cleared
