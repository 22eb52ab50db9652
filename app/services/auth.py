"""Login with throttling kept in the database, and session revocation."""
import time
from typing import NamedTuple

from flask import current_app, g
from sqlalchemy import and_, bindparam, exists, func, or_, select

from app.database import as_loaded
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
    forget_users()
    audit.record(action, "user", user.id, user=user)


def forget_users():
    """Drop this worker's kept users and live projects (_active_users, _live_projects): a
    logout, a deactivation, a new role or membership, a project archived or edited counts on
    this worker from its next request (on the others: within POLL_TAG_SECONDS)."""
    current_app.extensions.pop("active_users", None)
    current_app.extensions.pop("live_projects", None)


class ActiveUser(NamedTuple):
    id: int
    session_version: int
    role: str
    is_admin: bool
    roles: dict  # {project id: their role there}; no project: office-wide
    columns: dict  # the user row, to make the request's User from (load_user)


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
    return row.role == "admin" or row.is_admin or not row.roles or project_id in row.roles


def _kept(name, read):
    """read() once per worker at most every POLL_TAG_SECONDS, kept under `name`."""
    app = current_app._get_current_object()  # (see app.sessions._before_request)
    kept = app.extensions.get(name)
    moment = time.time()  # a clock set back makes the kept rows old, never young forever
    if kept is None or not 0 <= moment - kept[0] < app.config["POLL_TAG_SECONDS"]:
        kept = app.extensions[name] = (moment, read())
    return kept[1]


def _active_users():
    return _kept("active_users", _read_active_users)


def _read_active_users():
    """{user id: ActiveUser}: one statement, a row per user and membership."""
    users = {}
    for row in db.session.execute(_ACTIVE_USERS):
        if row.id not in users:
            users[row.id] = (dict(zip(_USER_KEYS, row, strict=False)), {})  # not the member columns
        if row.member_project is not None:
            users[row.id][1][row.member_project] = row.member_role
    return {user_id: ActiveUser(columns["id"], columns["session_version"], columns["role"],
                                columns["is_admin"], roles, columns)
            for user_id, (columns, roles) in users.items()}


_USER_KEYS = [prop.key for prop in User.__mapper__.column_attrs]
_ACTIVE_USERS = (select(*(getattr(User, key) for key in _USER_KEYS),
                        ProjectMember.project_id.label("member_project"),
                        ProjectMember.role.label("member_role"))
                 .outerjoin(ProjectMember, ProjectMember.user_id == User.id)
                 .where(User.active.is_(True)))
_PROJECT_KEYS = [prop.key for prop in Project.__mapper__.column_attrs]
_LIVE_PROJECTS = (select(*(getattr(Project, key) for key in _PROJECT_KEYS))
                  .where(Project.archived_at.is_(None)).order_by(Project.id))


def _live_projects():
    """{project id: column values} of the live projects, in id order, kept as _active_users."""
    return _kept("live_projects", lambda: {
        row.id: dict(zip(_PROJECT_KEYS, row, strict=True))
        for row in db.session.execute(_LIVE_PROJECTS)})


def load_user(session_id):
    """Flask-Login loader: 'id:version' must match the user's current version.

    Each worker keeps every active user with their memberships, and the live projects, read
    at most every POLL_TAG_SECONDS (_active_users, _live_projects): a request then reads no
    user at all, and gets its own ORM objects made from the kept columns (persistent in its
    session, as if just loaded), so nothing one request changes reaches another. A user the
    kept rows do not know at this session's version (just created, reactivated, a password
    just changed) is read from the database instead, as when nothing is kept (tests): one
    statement, the user with their memberships and the live projects the request may be
    about. The request's project and role are worked out from them next
    (app.loaders.enter_project), with no second statement."""
    parsed = _parse_session_id(session_id)
    if parsed is None:
        return None
    user_id, version = parsed
    if current_app._get_current_object().config["POLL_TAG_SECONDS"] > 0:
        kept = _active_users().get(user_id)
        if kept is not None and kept.session_version == version:
            return _from_kept(kept)
    rows = db.session.execute(_USER_AND_MEMBERSHIPS, {
        "id": user_id, "chosen": chosen_project_id()}).all()
    user = rows[0][0] if rows else None
    if user is None or not user.active or user.session_version != version:
        return None
    g.member_roles = (user.id, {row.project_id: row.role for row in rows
                                if row.project_id is not None})
    g.live_projects = (user.id, {row.Project.id: row.Project for row in rows
                                 if row.Project is not None})
    return user


def _from_kept(kept):
    """load_user from a kept row: the user, their roles, and of the live projects the chosen
    one and the first they may see (what _USER_AND_MEMBERSHIPS reads, by the same rule)."""
    live = _live_projects()
    every = kept.role == "admin" or kept.is_admin or not kept.roles
    first = next((pid for pid in live if every or pid in kept.roles), None)
    chosen = chosen_project_id()
    wanted = [pid for pid in dict.fromkeys((chosen, first)) if pid in live]
    context, session = g._get_current_object(), db.session()
    context.member_roles = (kept.id, dict(kept.roles))
    context.live_projects = (kept.id, {pid: as_loaded(session, Project, live[pid])
                                       for pid in wanted})
    return as_loaded(session, User, kept.columns)


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
