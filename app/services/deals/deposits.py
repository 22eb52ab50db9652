"""Deposits 小定 / 大定: recorded by the office, confirmed or rejected by finance only."""
from decimal import Decimal

from app.extensions import db
from app.models import DealShare, Deposit, MoneyStatus, UnitStatus
from app.policy import can
from app.services import audit, clock, record_status
from app.services.board import unit_status
from app.services.customers import attribution, channels
from app.services.deals import receipts
from app.services.deals.common import (
    DEPOSIT_KINDS,
    METHODS,
    check_form_key,
    choice,
    consultant_user,
    lock_and_find,
    project_customer,
)
from app.services.errors import RuleViolation
from app.services.money import parse_money


def record(unit, *, kind, amount_text, method, receipt_no, customer_id, consultant_id,
           form_key, actor, now=None, case=None, opening=False):
    """Record a deposit and move the unit to deposit_pending; returns (deposit, created).

    A repeat of the same form (same key) returns the first deposit and records nothing.
    The deal's consultant split (`case`: a seed 002 case when another consultant owns the
    customer) and the channel protecting the customer are fixed here. `opening`: brought
    in by an opening import (see unit_status.transition).
    """
    now = now or clock.now()
    project_id = unit.building.project_id
    key = check_form_key(form_key)
    choice(kind, DEPOSIT_KINDS, "kind", "定金类型")
    choice(method, METHODS, "method", "付款方式")
    amount = parse_money(amount_text, "amount")
    if amount <= Decimal("0"):
        raise RuleViolation("定金金额必须大于零", "amount")
    if amount > unit.total_price:
        raise RuleViolation("定金不能超过房源总价", "amount")
    customer = project_customer(project_id, customer_id)
    consultant = actor if can(actor, "customers.own") else consultant_user(consultant_id)
    existing = lock_and_find(project_id, Deposit, key)
    if existing is not None:
        return existing, False
    split = attribution.split_for(customer, consultant, now, case or None)
    protection = channels.active_protection(customer, now)
    receipt = receipts.issue(project_id, receipt_no, purpose=kind, amount=amount, method=method,
                             payer=customer, unit=unit, actor=actor, now=now)

    def guard(row):
        if row.held_by_id not in (None, consultant.id) and row.status == UnitStatus.HELD:
            return (f"{row.building} {row.unit_no} 已被 {row.holder} 保留,"
                    f"不能为 {consultant.display_name} 的客户收定金")
        return None

    unit_status.transition(unit, "record_deposit", actor, now=now, guard=guard,
                           opening=opening)
    deposit = Deposit(project_id=project_id, unit_id=unit.id, customer_id=customer.id,
                      consultant_id=consultant.id, receipt_id=receipt.id, kind=kind,
                      amount=amount, method=method, recorded_by_id=actor.id, recorded_at=now,
                      form_key=key, split_case=split.case, split_reason=split.reason,
                      split_status="pending" if split.pending else None,
                      channel_report_id=protection and protection.id)
    db.session.add(deposit)
    db.session.flush()
    store_split(deposit, split)
    audit.record("deposit_recorded", "deposit", deposit.id, project_id=project_id, user=actor,
                 after={"unit": unit.id, "kind": kind, "amount": amount,
                        "receipt_no": receipt.number, "customer": customer.id,
                        "split": split.as_dict()["shares"], "split_case": split.case,
                        "credit": split.as_dict()["credit"],
                        "channel_report": protection and protection.id})
    return deposit, True


def store_split(deposit, split):
    """The deal's shares: one row per consultant with their 奖金 and 业绩 percent."""
    db.session.add_all(DealShare(deposit_id=deposit.id, user_id=user.id, percent=percent,
                                 credit=credit) for user, percent, credit in split.rows())


def confirm(deposit, actor, now=None, opening=False):
    """Finance confirms that the money and the receipt match: the unit shows 定金已确认.
    `opening`: money finance confirmed on paper, brought in by an opening import."""
    return record_status.transition(deposit, "confirm", actor, now=now, opening=opening)


def reject(deposit, reason, actor, now=None):
    """Finance rejects (reason required): the receipt is voided, the unit goes back."""
    return record_status.transition(deposit, "reject", actor, reason=reason, now=now)


def confirmed_for(unit_id):
    """The confirmed deposit a subscription of this unit starts from (the latest)."""
    return db.session.scalar(
        db.select(Deposit).where(Deposit.unit_id == unit_id,
                                 Deposit.status == MoneyStatus.CONFIRMED)
        .order_by(Deposit.id.desc()).limit(1))


def open_deposit(unit_id):
    """The unit's latest deposit still pending or confirmed (whose customer the deal is for)."""
    return db.session.scalar(
        db.select(Deposit).where(Deposit.unit_id == unit_id,
                                 Deposit.status.in_(MoneyStatus.LIVE))
        .order_by(Deposit.id.desc()).limit(1))


def pending(project_id):
    return db.session.scalars(
        db.select(Deposit).where(Deposit.project_id == project_id,
                                 Deposit.status == MoneyStatus.PENDING)
        .order_by(Deposit.recorded_at)).all()


def split_label(deposit):
    """The seed 002 case of the deposit's split, as the office words it."""
    from app.services.customers.attribution import AUTOMATIC, SPLIT_CASES
    label, rule = (SPLIT_CASES.get(deposit.split_case) or AUTOMATIC.get(deposit.split_case)
                   or ("—", ""))
    return f"{label}({rule})" if rule else label
