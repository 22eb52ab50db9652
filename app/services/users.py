"""User accounts: create, change role, reset password, deactivate (admin only)."""
from sqlalchemy import select

from app.extensions import db
from app.models import ROLES, User
from app.services import audit
from app.services.auth import forget_users, logout_everywhere
from app.services.errors import RuleViolation
from app.services.passwords import check_password_policy, hash_password


def create_user(username, display_name, role, password, is_admin=False):
    username = (username or "").strip().lower()
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        raise RuleViolation("用户名只能包含字母、数字、点和下划线", "username")
    if role not in ROLES:
        raise RuleViolation("未知角色", "role")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise RuleViolation("该用户名已存在", "username")
    check_password_policy(password, username)
    user = User(username=username, display_name=display_name.strip(), role=role,
                is_admin=bool(is_admin), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", "user", user.id, after={"username": username, "role": role,
                                                          "is_admin": bool(is_admin)})
    return user


def update_user(user, display_name, role, is_admin, actor):
    if role not in ROLES:
        raise RuleViolation("未知角色", "role")
    if user.id == actor.id and (role != user.role or bool(is_admin) != user.is_admin):
        raise RuleViolation("不能修改自己的角色", "role")
    before = {"display_name": user.display_name, "role": user.role, "is_admin": user.is_admin}
    user.display_name, user.role, user.is_admin = display_name.strip(), role, bool(is_admin)
    after = {"display_name": user.display_name, "role": user.role, "is_admin": user.is_admin}
    forget_users()  # the new name shows from this worker's next request
    if before["role"] != role or before["is_admin"] != user.is_admin:
        logout_everywhere(user, action="sessions_revoked")  # new rights from the next login
    audit.record("user_updated", "user", user.id, before=before, after=after)


def set_password(user, password, action="password_reset"):
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    logout_everywhere(user, action="sessions_revoked")
    audit.record(action, "user", user.id)


def set_active(user, active, actor):
    if user.id == actor.id:
        raise RuleViolation("不能停用自己的账号")
    if user.active == active:
        return
    user.active = active
    forget_users()
    if not active:
        logout_everywhere(user, action="sessions_revoked")
    audit.record("user_activated" if active else "user_deactivated", "user", user.id,
                 before={"active": not active}, after={"active": active})
