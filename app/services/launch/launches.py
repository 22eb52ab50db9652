"""The launch itself: creation, settings, its lock and the version the hall screen polls."""
import json
import secrets

from sqlalchemy import select, update

from app.extensions import db
from app.models import (
    CallStatus,
    Launch,
    LaunchRegistration,
    LaunchStatus,
    Project,
    RegistrationStatus,
)
from app.services import audit, clock
from app.services.board import grid
from app.services.errors import Conflict, RuleViolation
from app.services.money import parse_money

STATUS = LaunchStatus.LABELS
MODES = {"order": "按认筹顺序排号", "lottery": "公开摇号"}
REG_STATUS = RegistrationStatus.LABELS
CALL_STATUS = CallStatus.LABELS


def create(project, *, name, mode, amount_text, window_minutes, miss_penalty, actor, now=None):
    """A new launch in registration; the verification page's token is made here."""
    name = (name or "").strip()
    if not name:
        raise RuleViolation("请填写开盘活动名称", "name")
    if mode not in MODES:
        raise RuleViolation("请选择排号方式", "mode")
    amount = parse_money(amount_text, "amount")
    if amount <= 0:
        raise RuleViolation("诚意金金额必须大于零", "amount")
    if window_minutes is None or not 1 <= window_minutes <= 60:
        raise RuleViolation("选房时限应在 1 到 60 分钟之间", "window_minutes")
    if miss_penalty is None or not 0 <= miss_penalty <= 100:
        raise RuleViolation("过号顺延位数应在 0 到 100 之间", "miss_penalty")
    launch = Launch(project_id=project.id, name=name[:64], mode=mode, sincerity_amount=amount,
                    window_seconds=window_minutes * 60, miss_penalty=miss_penalty,
                    public_token=secrets.token_urlsafe(18), created_by_id=actor.id,
                    created_at=now or clock.now())
    db.session.add(launch)
    db.session.flush()
    audit.record("launch_created", "launch", launch.id, project_id=project.id, user=actor,
                 after={"name": launch.name, "mode": mode, "amount": amount,
                        "window_seconds": launch.window_seconds, "miss_penalty": miss_penalty})
    return launch


def lock(launch):
    """Take the launch's lock and move its version on (the hall's ETag); reloads the row.

    Every write to a launch, its registrations or its queue starts here, so they apply one
    at a time and in version order. A pick takes the project's board lock after this one.
    """
    version = db.session.execute(
        update(Launch).where(Launch.id == launch.id).values(version=Launch.version + 1)
        .returning(Launch.version)).scalar_one_or_none()
    if version is None:
        raise RuleViolation("开盘活动不存在")
    db.session.refresh(launch)
    return version


def expect(launch, *statuses, message=None):
    if launch.status not in statuses:
        raise Conflict(message or f"开盘活动当前为「{STATUS[launch.status]}」,不能进行此操作")


def of_project(project_id):
    return db.session.scalars(select(Launch).where(Launch.project_id == project_id)
                              .order_by(Launch.id.desc())).all()


def participants(launch):
    return json.loads(launch.participants or "[]")


def hall_tag(launch_id):
    """'"launch.version.board"': moves with the queue and with every unit move."""
    row = db.session.execute(
        select(Launch.version, Project.board_version).join(Project, Project.id == Launch.project_id)
        .where(Launch.id == launch_id)).first()
    return None if row is None else f'"{launch_id}.{row[0]}.{row[1]}"'


def console_tag(launch_id):
    """The console's ETag: the queue and the board (a unit held or picked elsewhere leaves
    the buyers' choice at once, not when a pick of it is refused)."""
    row = db.session.execute(select(Launch.version, Launch.project_id)
                             .where(Launch.id == launch_id)).first()
    if row is None:
        return None
    board = grid.polled_etag(row.project_id).strip('"')
    return f'"c{launch_id}.{row.version}.{board}"'


def counts(launch_id):
    rows = db.session.execute(
        select(LaunchRegistration.call_status, db.func.count())
        .where(LaunchRegistration.launch_id == launch_id)
        .group_by(LaunchRegistration.call_status)).all()
    return {status or "none": n for status, n in rows}
