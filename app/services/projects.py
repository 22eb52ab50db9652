"""Projects (楼盘) and who works in them (managed by admins)."""
import re

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import ROLES, Project, ProjectMember, User
from app.services import audit, clock
from app.services.auth import forget_users
from app.services.errors import RuleViolation
from app.services.money import parse_money

SETTINGS = ("name", "address", "hold_minutes", "hold_cap", "transfer_fee", "rounding",
            "approval_valid_days", "retention_months", "reveal_limit")
REVEAL_LIMITS = (1, 1000)  # 显示 (reveal) of full numbers per user per hour
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def create_project(name, code, address, actor, **settings):
    """A new project with its settings; the admin who made it is switched to it by the view."""
    code = (code or "").strip().upper() or _next_code()
    if not CODE.match(code):
        raise RuleViolation("项目编号只能包含字母、数字、横线和下划线(最多 32 位)", "code")
    if db.session.scalar(select(Project.id).where(func.upper(Project.code) == code)):
        raise RuleViolation("该项目编号已被使用", "code")
    project = Project(code=code, name="", board_version=0, board_layout_version=0)
    db.session.add(project)
    _apply(project, name, address, **settings)
    db.session.flush()
    forget_users()  # every user's kept live projects: the new one opens at once
    audit.record("project_created", "project", project.id, project_id=project.id, user=actor,
                 after={"code": code, **_values(project)})
    return project


def update_settings(project, name, hold_minutes, transfer_fee, rounding, approval_valid_days,
                    address=None, retention_months=None, hold_cap=None, reveal_limit=None):
    before = _values(project)
    _apply(project, name, project.address if address is None else address,
           hold_minutes=hold_minutes, transfer_fee=transfer_fee, rounding=rounding,
           approval_valid_days=approval_valid_days, retention_months=retention_months,
           hold_cap=hold_cap, reveal_limit=reveal_limit)
    after = _values(project)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        forget_users()  # every user's kept projects: the settings show from the next request
        audit.record("project_settings_changed", "project", project.id, project_id=project.id,
                     before={k: before[k] for k in changed}, after=changed)


def set_archived(project, archived, actor):
    """Archive a sold-out project (it leaves the switcher), or bring it back."""
    if project.archived == archived:
        return
    project.archived_at = clock.now() if archived else None
    forget_users()  # every user's kept live projects
    audit.record("project_archived" if archived else "project_restored", "project", project.id,
                 project_id=project.id, user=actor, after={"archived": archived})


def add_member(project, user, role, actor):
    """Put `user` in `project` with `role` there, or change their role there."""
    if role not in ROLES:
        raise RuleViolation("未知角色", "role")
    if user is None:
        raise RuleViolation("请选择用户", "user_id")
    member = db.session.scalar(select(ProjectMember).where(
        ProjectMember.project_id == project.id, ProjectMember.user_id == user.id))
    before = member.role if member else None
    if before == role:
        return member
    if member is None:
        member = ProjectMember(project_id=project.id, user_id=user.id, role=role)
        db.session.add(member)
    member.role = role
    db.session.flush()
    forget_users()
    audit.record("project_member_set", "user", user.id, project_id=project.id, user=actor,
                 before={"role": before} if before else None, after={"role": role})
    return member


def remove_member(project, user, actor):
    gone = db.session.execute(delete(ProjectMember).where(
        ProjectMember.project_id == project.id, ProjectMember.user_id == user.id)).rowcount
    if gone:
        forget_users()
        audit.record("project_member_removed", "user", user.id, project_id=project.id,
                     user=actor)


def members(project):
    return db.session.scalars(
        select(ProjectMember).join(User).where(ProjectMember.project_id == project.id)
        .order_by(ProjectMember.role, User.username)).all()


def _apply(project, name, address, hold_minutes, transfer_fee, rounding, approval_valid_days,
           retention_months=None, hold_cap=None, reveal_limit=None):
    fee = parse_money(transfer_fee, field="transfer_fee")
    if rounding not in ("fen", "yuan", "ten_yuan"):
        raise RuleViolation("未知的取整规则", "rounding")
    if not (name or "").strip():
        raise RuleViolation("请输入项目名称", "name")
    project.name = name.strip()
    project.address = (address or "").strip() or None
    project.hold_minutes = hold_minutes
    if hold_cap is not None:  # open holds per consultant (a manager may exceed it)
        if not 1 <= hold_cap <= 99:
            raise RuleViolation("保留上限应在 1 到 99 套之间", "hold_cap")
        project.hold_cap = hold_cap
    if reveal_limit is not None:
        low, high = REVEAL_LIMITS
        if not low <= reveal_limit <= high:
            raise RuleViolation(f"每小时显示上限应在 {low} 到 {high} 次之间", "reveal_limit")
        project.reveal_limit = reveal_limit
    project.transfer_fee = fee
    project.rounding = rounding
    project.approval_valid_days = approval_valid_days
    if retention_months is not None:  # seed 004: how long cards without a deal are kept
        project.retention_months = retention_months


def _values(project):
    return {key: getattr(project, key) for key in SETTINGS}


def _next_code():
    return f"P{(db.session.scalar(select(func.max(Project.id))) or 0) + 1}"
