"""Finance's side of a change: pay a refund out (退款收据) and confirm a 过户费."""
from sqlalchemy import select, update

from app.extensions import db
from app.models import Payout, TransferFee
from app.policy import can
from app.services import audit, clock
from app.services.board import unit_status
from app.services.deals import receipts
from app.services.deals.common import METHODS, choice
from app.services.errors import Conflict, NotAllowed, RuleViolation


def pay(payout, method, actor, now=None):
    """Finance records the refund as paid out; the 退款收据 gets its number."""
    now = now or clock.now()
    if not can(actor, "payout.pay", payout):
        raise NotAllowed("只有财务可以支付退款")
    choice(method, METHODS, "method", "退款方式")
    unit_status.bump_board(payout.project_id)
    number = f"TK{clock.local(now):%Y}-{payout.id:05d}"
    rows = db.session.execute(update(Payout).where(Payout.id == payout.id,
                                                   Payout.status == "pending")
                              .values(status="paid", method=method, number=number,
                                      paid_by_id=actor.id, paid_at=now)).rowcount
    db.session.expire(payout)
    if rows != 1:
        raise Conflict("该退款已支付过,请刷新")
    audit.record("payout_paid", "payout", payout.id, project_id=payout.project_id, user=actor,
                 before={"status": "pending"},
                 after={"status": "paid", "number": number, "amount": payout.amount,
                        "method": method})
    return payout


def decide_fee(fee, approve, reason, actor, now=None):
    """Finance confirms the 过户费 against its receipt, or rejects it with a reason."""
    now = now or clock.now()
    if not can(actor, "fee.confirm", fee):
        raise NotAllowed("登记人不能确认自己登记的款项" if actor.id == fee.recorded_by_id
                         else "只有财务可以确认过户费")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise RuleViolation("请填写退回原因", "reason")
    status = "confirmed" if approve else "rejected"
    unit_status.bump_board(fee.project_id)
    rows = db.session.execute(update(TransferFee).where(
        TransferFee.id == fee.id, TransferFee.status == "pending")
        .values(status=status, decided_by_id=actor.id, decided_at=now,
                reject_reason=reason[:200] or None)).rowcount
    db.session.expire(fee)
    if rows != 1:
        raise Conflict("该过户费已被处理过,请刷新")
    receipts.close(fee.receipt, "confirmed" if approve else "voided", actor, now, reason)
    audit.record(f"fee_{status}", "transfer_fee", fee.id, project_id=fee.project_id, user=actor,
                 before={"status": "pending"}, after={"status": status}, reason=reason or None)
    return fee


def pending_payouts(project_id):
    return db.session.scalars(select(Payout).where(Payout.project_id == project_id,
                                                   Payout.status == "pending")
                              .order_by(Payout.created_at)).all()


def recent_payouts(project_id, limit=20):
    return db.session.scalars(select(Payout).where(Payout.project_id == project_id,
                                                   Payout.status == "paid")
                              .order_by(Payout.paid_at.desc()).limit(limit)).all()


def pending_fees(project_id):
    return db.session.scalars(select(TransferFee).where(TransferFee.project_id == project_id,
                                                        TransferFee.status == "pending")
                              .order_by(TransferFee.recorded_at)).all()
