"""Finance's side of a change: pay a refund out (退款收据) and confirm a 过户费."""
from sqlalchemy import select

from app.extensions import db
from app.models import MoneyStatus, Payout, PayoutStatus, TransferFee
from app.services import clock, record_status
from app.services.board import unit_status
from app.services.deals.common import METHODS, choice
from app.services.money import format_money, to_chinese_capital
from app.services.verification import VerifiedDocument, fingerprint, register


def pay(payout, method, actor, now=None):
    """Finance records the refund as paid out; the 退款收据 gets the next number of the
    project's year, in the order they are paid (TK2026-0001, TK2026-0002 ...)."""
    now = now or clock.now()
    choice(method, METHODS, "method", "退款方式")
    unit_status.lock_project(payout.project_id)  # the project lock: one number per receipt
    number = next_number(payout.project_id, clock.local(now).year)
    return record_status.transition(payout, "pay", actor, now=now,
                                    values={"method": method, "number": number})


def next_number(project_id, year):
    """The next 退款收据 number of the project's year (numbers are never reused)."""
    prefix = f"TK{year}-"
    numbers = db.session.scalars(select(Payout.number).where(
        Payout.project_id == project_id, Payout.number.like(f"{prefix}%"))).all()
    last = max((int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def payout_fingerprint(payout):
    return fingerprint("payout", payout.project_id, payout.number, payout.amount,
                       payout.customer_id, payout.change_id)


def _load(payout_id):
    """The verification page's view of a 退款收据 (only a paid one was ever printed)."""
    payout = db.session.get(Payout, payout_id) if isinstance(payout_id, int) else None
    if payout is None or payout.status != PayoutStatus.PAID:
        return None
    unit = payout.change.unit
    return VerifiedDocument(
        title=f"退款收据 {payout.number}", status="已退款", valid=True,
        fields=[("收款人", payout.customer.name), ("房源", f"{unit.building.name} {unit.unit_no}"),
                ("退款金额", format_money(payout.amount)),
                ("大写", to_chinese_capital(payout.amount)),
                ("付款日期", f"{clock.local(payout.paid_at):%Y-%m-%d}")],
        fingerprint=payout_fingerprint(payout))


register("payout", _load)


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
