"""提成审批 and payout: a manager approves payable lines together (never their own), finance
records the payout of approved lines (date, method, reference). Each line moves by one
conditional UPDATE (record_status), so of two managers approving, or two finance clerks
paying, the same line, one wins and the other is told; nothing half-done is kept."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import CommissionBatch, CommissionLine, LineStatus
from app.policy import can
from app.services import audit, clock, record_status
from app.services.deals.common import METHODS
from app.services.errors import Conflict, NotAllowed, RuleViolation


def _lines(project_id, line_ids):
    ids = sorted({i for i in line_ids or () if isinstance(i, int)})  # a bad value: none
    if not ids:
        raise RuleViolation("请至少勾选一笔佣金", "lines")
    lines = db.session.scalars(select(CommissionLine).where(
        CommissionLine.project_id == project_id, CommissionLine.id.in_(ids))
        .order_by(CommissionLine.id)).all()
    if len(lines) != len(ids):
        raise Conflict("所选佣金已变化,请刷新")
    return lines


def approve(project, line_ids, actor, now=None):
    """Approve payable lines as one batch; returns the batch."""
    if not can(actor, "commission.approve"):
        raise NotAllowed("只有销售经理可以审批提成")
    now = now or clock.now()
    lines = _lines(project.id, line_ids)
    own = [line for line in lines if not can(actor, "commission.approve", line)]
    if own:
        raise RuleViolation("不能审批自己的提成,请由另一位经理审批", "lines")
    stale = [line for line in lines if line.status != LineStatus.PAYABLE]
    if stale:
        raise Conflict(f"第 {stale[0].id} 号佣金当前为「{stale[0].status_label}」,"
                       "可能已被其他经理审批,请刷新")
    batch = CommissionBatch(project_id=project.id, approved_by_id=actor.id, approved_at=now,
                            total=sum((line.amount for line in lines), Decimal("0.00")),
                            line_count=len(lines))
    db.session.add(batch)
    db.session.flush()
    for line in lines:
        record_status.transition(line, "approve", actor, now=now, values={"batch_id": batch.id})
    audit.record("commission_batch_approved", "commission_batch", batch.id,
                 project_id=project.id, user=actor,
                 after={"count": batch.line_count, "amount": batch.total})
    return batch


# how the money of a 追回 line comes back: paid back, or kept from a payout to the same payee
RECOVERY_METHODS = {**METHODS, "deducted": "从应发佣金中扣回"}


def pay(project, line_ids, data, actor, now=None):
    """Record the payout of approved lines; returns the lines."""
    if not can(actor, "commission.pay"):
        raise NotAllowed("只有财务可以发放佣金")
    values = _money_moved(data, METHODS, "发放")
    return _move_lines(project, line_ids, LineStatus.APPROVED, "pay", values, actor, now,
                       "可能已发放过")


def recover(project, line_ids, data, actor, now=None):
    """Record that the money of 追回 lines came back (待追回 → 已追回): the day, how (paid
    back, or kept from a payout to the same payee: 从应发佣金中扣回) and a reference; returns
    the lines. The line's amount, and so what the payee is owed, does not change: only that
    the money is back."""
    if not can(actor, "commission.pay"):
        raise NotAllowed("只有财务可以登记追回")
    values = _money_moved(data, RECOVERY_METHODS, "追回")
    return _move_lines(project, line_ids, LineStatus.RECOVERING, "recover", values, actor, now,
                       "可能已登记过追回")


def _money_moved(data, methods, what):
    """The day, method and reference of money paid out or come back, checked."""
    moved_on, method = data.get("paid_on"), data.get("method")
    reference = (data.get("reference") or "").strip()
    if not isinstance(moved_on, date) or moved_on > clock.today():
        raise RuleViolation(f"请填写{what}日期(不能晚于今天)", "paid_on")
    if method not in methods:
        raise RuleViolation(f"请选择{what}方式", "method")
    if len(reference) > 64:
        raise RuleViolation("凭证号最多 64 个字符", "reference")
    return {"paid_on": moved_on, "pay_method": method, "pay_reference": reference or None}


def _move_lines(project, line_ids, status, move, values, actor, now, maybe):
    lines = _lines(project.id, line_ids)
    stale = [line for line in lines if line.status != status]
    if stale:
        raise Conflict(f"第 {stale[0].id} 号佣金当前为「{stale[0].status_label}」,{maybe},请刷新")
    for line in lines:
        record_status.transition(line, move, actor, now=now, values=values)
    return lines


def waiting(project_id, status, viewer=None):
    """Lines in `status` (可结算 for the manager, 已审批 and 待追回 for finance), oldest first."""
    query = select(CommissionLine).where(CommissionLine.project_id == project_id,
                                         CommissionLine.status == status)
    if viewer is not None and status == LineStatus.PAYABLE:
        query = query.where((CommissionLine.user_id.is_(None)) |
                            (CommissionLine.user_id != viewer.id))
    return db.session.scalars(query.order_by(CommissionLine.payee_key,
                                             CommissionLine.id)).all()


def batches(project_id, limit=20):
    return db.session.scalars(select(CommissionBatch).where(
        CommissionBatch.project_id == project_id).order_by(
        CommissionBatch.id.desc()).limit(limit)).all()
