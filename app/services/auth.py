"""Login with throttling kept in the database, and session revocation."""
import time
from collections import OrderedDict
from typing import NamedTuple

from flask import current_app, g
from sqlalchemy import and_, bindparam, exists, func, inspect, or_, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.loaders import chosen_project_id
from app.models import LoginAttempt, Project, ProjectMember, User
from app.policy import roles_allow
from app.services import audit, login_throttle
from app.services.clock import now
from app.services.errors import RuleViolation
from app.services.passwords import hash_password, needs_rehash, verify_password

THROTTLE_REASONS = {login_throttle.SOURCE: "该地址连续失败次数过多",
                    login_throttle.ACCOUNT: "该账号失败次数过多(疑似持续攻击)"}


class Throttled(Exception):
    """Too many failed logins for this username from this address, or for the account
    (mapped to 429; app.services.login_throttle)."""


def authenticate(username, password, ip=None):
    """Return the user for good credentials; raise Throttled or RuleViolation otherwise.

    The attempt and its audit row are committed by the caller either way.
    """
    username = (username or "").strip().lower()
    refused = login_throttle.refusal(username, ip)
    if refused:  # audited, not counted (see login_throttle)
        audit.record("login_throttled", "user", username, reason=THROTTLE_REASONS[refused])
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
    forget_user(user.id)
    audit.record(action, "user", user.id, user=user)


def forget_user(user_id=None):
    """Drop what this worker keeps of the user, or of everyone (_seen_user): a logout, a
    deactivation, a new role or membership, a project archived or edited counts on this
    worker from its next request (on other workers: within POLL_TAG_SECONDS)."""
    kept = current_app.extensions.get("seen_users")
    for key in [key for key in kept or () if user_id is None or key[0] == user_id]:
        kept.pop(key, None)


class ActiveUser(NamedTuple):
    id: int
    session_version: int
    role: str
    is_admin: bool
    projects: frozenset  # the projects they are a member of; none: office-wide


def _parse_session_id(session_id):
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except (AttributeError, ValueError):
        return None
    return user_id, version


def session_allows(session_id, action, project_id=None):
    """What load_user and require(action) would decide, without loading the user.

    For polls answered before the user is loaded (app.sessions). Each worker keeps one small
    row per active user (a sales office has dozens), read in one query at most every
    POLL_TAG_SECONDS: a deactivated user, a revoked session or a changed role takes effect
    within that, and 200 boards polling cost no query each.
    """
    parsed = _parse_session_id(session_id)
    if parsed is None:
        return False
    user_id, version = parsed
    row = _active_users().get(user_id)
    return (row is not None and row.session_version == version and roles_allow(row, action)
            and (project_id is None or _in_project(row, project_id)))


def _in_project(row, project_id):
    """The user may open the project: an admin, an office-wide account or a member."""
    return row.role == "admin" or row.is_admin or not row.projects or project_id in row.projects


def _active_users():
    kept = current_app.extensions.get("active_users")
    moment = time.time()  # a clock set back makes the kept rows old, never young forever
    if kept is None or not 0 <= moment - kept[0] < current_app.config["POLL_TAG_SECONDS"]:
        rows = db.session.execute(  # one statement: a user and the projects they are in
            select(User.id, User.session_version, User.role, User.is_admin,
                   ProjectMember.project_id)
            .outerjoin(ProjectMember, ProjectMember.user_id == User.id)
            .where(User.active.is_(True))).all()
        projects = {}
        for row in rows:
            projects.setdefault(row.id, set()).update({row.project_id} - {None})
        kept = current_app.extensions["active_users"] = (moment, {
            row.id: ActiveUser(*row[:4], frozenset(projects[row.id])) for row in rows})
    return kept[1]


def load_user(session_id):
    """Flask-Login loader: 'id:version' must match the user's current version.

    One statement reads the user with their memberships (one row each) and the live projects
    the request may be about: the one chosen in the switcher and the first the user may see.
    The request's project and role are worked out from them next (app.loaders.enter_project),
    with no second statement. Each worker keeps what it read for POLL_TAG_SECONDS (see
    _seen_user): within that, a request reads no user at all."""
    parsed = _parse_session_id(session_id)
    if parsed is None:
        return None
    user_id, version = parsed
    seen = _seen_user(user_id, version, chosen_project_id())
    if seen is None:
        return None
    user, roles, live = seen
    if not user.active or user.session_version != version:
        return None
    g.member_roles = (user.id, roles)
    g.live_projects = (user.id, live)
    return user


SEEN_USERS_KEPT = 1_000  # (user, chosen project) pairs per worker: an office has dozens


def _seen_user(user_id, version, chosen):
    """(user, {project id: role}, {project id: live project}) for load_user, or None.

    Read from the database at most every POLL_TAG_SECONDS per worker, as session_allows
    reads its rows: a deactivated user, a revoked session, a changed role or membership takes
    effect within that. A session other than the one kept (a password just changed: a newer
    one) reads the row again rather than being judged on the old. In between, the request
    gets its own ORM objects, made from the columns the worker kept (persistent in the
    request's session, as if just loaded), so nothing a request changes leaks into
    another's."""
    lifetime = current_app.config["POLL_TAG_SECONDS"]
    cache = current_app.extensions.setdefault("seen_users", OrderedDict())
    key, moment = (user_id, chosen), time.time()
    hit = cache.get(key) if lifetime > 0 else None
    if (hit is not None and 0 <= moment - hit[0] < lifetime  # a clock set back: read again
            and hit[1]["session_version"] == version):
        _, user_columns, roles, projects = hit
        return (_as_loaded(User, user_columns), dict(roles),
                {pid: _as_loaded(Project, columns) for pid, columns in projects.items()})
    rows = db.session.execute(_USER_AND_MEMBERSHIPS, {"id": user_id, "chosen": chosen}).all()
    if not rows:
        cache.pop(key, None)
        return None
    user = rows[0][0]
    roles = {row.project_id: row.role for row in rows if row.project_id is not None}
    live = {row.Project.id: row.Project for row in rows if row.Project is not None}
    if lifetime > 0:
        cache[key] = (moment, _columns(user), dict(roles),
                      {pid: _columns(project) for pid, project in live.items()})
        cache.move_to_end(key)
        while len(cache) > SEEN_USERS_KEPT:
            cache.popitem(last=False)
    return user, roles, live


def _columns(obj):
    """The column values of a just-loaded ORM object."""
    values = inspect(obj).dict
    return {prop.key: values[prop.key] for prop in inspect(obj).mapper.column_attrs}


def _as_loaded(model, columns):
    """The request session's `model` row with these column values, as if a query had just
    loaded it (the one already in the session, if any)."""
    session = db.session()
    obj = session.identity_map.get(identity_key(model, columns["id"]))
    if obj is None:
        obj = model.__mapper__.class_manager.new_instance()
        obj.__dict__.update(columns)
        make_transient_to_detached(obj)
        session.add(obj)
    return obj


def _user_and_memberships():
    """The user, a row per membership, each with the chosen live project and the first live
    project the user may see (app.loaders.visible_projects, in SQL: an admin or an account
    in no project sees every project, a member their projects)."""
    mine, live = ProjectMember.__table__.alias("mine"), Project.__table__.alias("live")
    every_project = or_(User.role == "admin", User.is_admin.is_(True),
                        ~exists().where(mine.c.user_id == User.id).correlate(User))
    first = (select(func.min(live.c.id))
             .where(live.c.archived_at.is_(None),
                    or_(every_project,
                        live.c.id.in_(select(mine.c.project_id)
                                      .where(mine.c.user_id == User.id).correlate(User))))
             .correlate(User).scalar_subquery())
    return (select(User, ProjectMember.project_id, ProjectMember.role, Project)
            .outerjoin(ProjectMember, ProjectMember.user_id == User.id)
            .outerjoin(Project, and_(Project.archived_at.is_(None),
                                     or_(Project.id == bindparam("chosen"), Project.id == first)))
            .where(User.id == bindparam("id")))


_USER_AND_MEMBERSHIPS = _user_and_memberships()
