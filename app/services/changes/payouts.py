"""Finance's side of a change: pay a refund out (退款收据) and confirm a 过户费."""
from sqlalchemy import select

from app.extensions import db
from app.models import MoneyStatus, Payout, PayoutStatus, TransferFee
from app.services import clock, record_status
from app.services.deals.common import METHODS, choice


def pay(payout, method, actor, now=None):
    """Finance records the refund as paid out; the 退款收据 gets its number."""
    now = now or clock.now()
    choice(method, METHODS, "method", "退款方式")
    number = f"TK{clock.local(now):%Y}-{payout.id:05d}"
    return record_status.transition(payout, "pay", actor, now=now,
                                    values={"method": method, "number": number})


def decide_fee(fee, approve, reason, actor, now=None):
    """Finance confirms the 过户费 against its receipt, or rejects it with a reason."""
    return record_status.transition(fee, "confirm" if approve else "reject", actor,
                                    reason=reason, now=now)


def pending_payouts(project_id):
    return db.session.scalars(select(Payout).where(Payout.project_id == project_id,
                                                   Payout.status == PayoutStatus.PENDING)
                              .order_by(Payout.created_at)).all()


def recent_payouts(project_id, limit=20):
    return db.session.scalars(select(Payout).where(Payout.project_id == project_id,
                                                   Payout.status == PayoutStatus.PAID)
                              .order_by(Payout.paid_at.desc()).limit(limit)).all()


def pending_fees(project_id):
    return db.session.scalars(select(TransferFee).where(TransferFee.project_id == project_id,
                                                        TransferFee.status == MoneyStatus.PENDING)
                              .order_by(TransferFee.recorded_at)).all()
