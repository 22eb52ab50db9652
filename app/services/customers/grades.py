"""Grades A/B/C/D: set with a reason; a downgrade waits for the manager's confirmation.

Seed 000 第二部分 5: 对于B级、C级和D级客户的退化,必须及时报告现场主管,经分析确实无误后及时对
电子温馨卡进行修改 — the card keeps its grade until the 现场主管/manager confirms the downgrade;
the manager may reject it (with a reason). Upgrades apply at once (DESIGN.md: changed with a
reason, downgrades reported to the manager).
"""
from sqlalchemy import select

from app.extensions import db
from app.models import GradeChange
from app.models.customer import GRADES
from app.services import audit
from app.services.clock import local, now
from app.services.errors import RuleViolation

DOWNGRADE_RULE = "规则:000 客户退化须报告现场主管,经分析确实无误后修改"


def pending_downgrade(customer):
    return db.session.scalar(select(GradeChange).where(
        GradeChange.customer_id == customer.id, GradeChange.status == "pending"))


def change_grade(customer, grade, reason, *, by, at=None):
    """Set the grade with its reason; a downgrade is only proposed, for the manager."""
    if grade not in GRADES:
        raise RuleViolation("请选择级别 A/B/C/D", "grade")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写调整级别的原因", "reason")
    if grade == customer.grade:
        raise RuleViolation(f"客户已是 {grade} 级", "grade")
    waiting = pending_downgrade(customer)
    if waiting is not None:
        raise RuleViolation(f"该客户的降级 {waiting.before} → {waiting.after} 正等待经理确认,"
                            "确认前不能再调整级别", "grade")
    down = bool(customer.grade) and GRADES.index(grade) > GRADES.index(customer.grade)
    change = GradeChange(customer=customer, project_id=customer.project_id, at=at or now(),
                         by_id=by.id, before=customer.grade, after=grade, reason=reason[:300],
                         status="pending" if down else "applied")
    if not down:
        customer.grade = grade
    db.session.add(change)
    db.session.flush()
    audit.record("customer_grade_proposed" if down else "customer_grade_changed", "customer",
                 customer.id, project_id=customer.project_id, before={"grade": change.before},
                 after={"grade": grade, "status": change.status}, reason=reason, user=by)
    return change


def downgrades(project_id, pending_only=True, limit=100):
    """Downgrades (A→B, B→C...), newest first: those waiting for the manager, or all."""
    rows = db.session.scalars(
        select(GradeChange).where(GradeChange.project_id == project_id,
                                  GradeChange.before.is_not(None))
        .order_by(GradeChange.at.desc()).limit(limit * 3)).all()
    rows = [r for r in rows if r.is_downgrade and not (pending_only and r.status != "pending")]
    return rows[:limit]


def decide_downgrade(change, approve, note=None, *, by, at=None):
    """The manager confirms (the card's grade drops now) or rejects a proposed downgrade."""
    if change.status != "pending":
        raise RuleViolation("该降级已处理")
    note = (note or "").strip()
    if not approve and not note:
        raise RuleViolation("请填写驳回降级的原因", "note")
    at = at or now()
    customer = change.customer
    if approve:
        customer.grade = change.after
    change.status = "applied" if approve else "rejected"
    change.acknowledged_at, change.acknowledged_by_id = at, by.id
    change.decision_note = (note or (
        f"{local(change.at):%Y-%m-%d} 申请 {change.before}→{change.after},"
        f"{local(at):%Y-%m-%d} 经理确认({DOWNGRADE_RULE})"))[:300]
    audit.record("downgrade_acknowledged" if approve else "downgrade_rejected", "customer",
                 change.customer_id, project_id=change.project_id, reason=change.decision_note,
                 after={"from": change.before, "to": change.after, "status": change.status},
                 user=by)
    return change


def acknowledge(change, *, by, at=None):
    """The manager confirms a downgrade (经分析确实无误)."""
    if not change.is_downgrade:
        raise RuleViolation("只有降级需要确认")
    return decide_downgrade(change, True, by=by, at=at)
