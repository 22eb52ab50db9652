"""Executing an approved change in one transaction: units, 认购书, contract, receipts and
money move together, each with its audit row; any refusal rolls all of it back."""
from decimal import Decimal

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    ChangeRequest,
    ChangeStatus,
    Customer,
    Deposit,
    MoneyStatus,
    Payout,
    TransferFee,
    UnitStatus,
)
from app.policy import can
from app.services import audit, clock, record_status
from app.services.board import unit_status
from app.services.changes import deal as deals
from app.services.changes.documents import reissue, terms_of
from app.services.changes.requests import check_penalty, exchange_override, target_price
from app.services.commissions import accrual
from app.services.customers import attribution
from app.services.deals import contracts, receipts
from app.services.deals.common import METHODS, choice
from app.services.deals.subscriptions import co_buyers
from app.services.errors import Conflict, NotAllowed, RuleViolation


def execute(change, data, actor, now=None):
    """Execute an approved request once (a second attempt gets Conflict)."""
    now = now or clock.now()
    if not can(actor, "change.execute", change):
        raise NotAllowed("只有销售秘书可以执行换房、退房和换名")
    unit_status.lock_project(change.project_id)  # the project lock first, as every writer
    rows = db.session.execute(update(ChangeRequest).where(
        ChangeRequest.id == change.id, ChangeRequest.status == ChangeStatus.APPROVED)
        .values(status=ChangeStatus.EXECUTED, executed_by_id=actor.id, executed_at=now)).rowcount
    db.session.expire(change)
    if rows != 1:
        raise Conflict("该申请不是“已批准待执行”状态(可能已被执行或撤回),请刷新")
    db.session.refresh(change.unit)
    try:
        deal = deals.of_unit(change.unit)
    except RuleViolation:
        raise Conflict("原成交已发生变化,不能执行,请撤回后重新申请") from None
    if deal.deposit.id != change.deposit_id:
        raise Conflict("原成交已发生变化,不能执行,请撤回后重新申请")
    change.received = deals.received(deal)
    change.old_price = deal.price
    reason = f"{KIND_TEXT[change.kind]}(申请 #{change.id})"
    {"exchange": _exchange, "refund": _refund, "rename": _rename}[change.kind](
        change, deal, data, reason, actor, now)
    accrual.settle(deal.deposit, actor, reason, now)  # 退房 reverses, 换房 recomputes
    db.session.flush()
    audit.record("change_executed", "change_request", change.id, project_id=change.project_id,
                 user=actor, before={"status": ChangeStatus.APPROVED}, after={
                     "status": ChangeStatus.EXECUTED, "received": change.received,
                     "old_price": change.old_price, "new_price": change.new_price,
                     "penalty": change.penalty})
    return change


KIND_TEXT = {"exchange": "换房", "refund": "退房", "rename": "换名"}


def _exchange(change, deal, data, reason, actor, now):
    target = change.target_unit
    price = target_price(target, deal.subscription.plan)
    why = exchange_override(deal.unit, target, deal.price, price)
    if why and not change.override:
        raise RuleViolation(why)
    change.new_price = price

    def guard(row):
        if row.status == UnitStatus.HELD and row.held_by_id != change.consultant_id:
            return f"{row.building} {row.unit_no} 已被 {row.holder} 保留,不能换入"
        return None

    move_in = "exchange_in_contracted" if deal.contract else "exchange_in"
    unit_status.transition(target, move_in, actor, reason=reason, now=now, guard=guard)
    unit_status.transition(deal.unit, "exchange_out", actor, reason=reason, now=now)
    db.session.execute(update(Deposit).where(Deposit.id == deal.deposit.id)
                       .values(unit_id=target.id))
    db.session.expire(deal.deposit)
    audit.record("deposit_moved", "deposit", deal.deposit.id, project_id=change.project_id,
                 user=actor, reason=reason, before={"unit": deal.unit.id},
                 after={"unit": target.id, "amount": deal.deposit.amount})
    fresh, contract = reissue(deal.subscription, target,
                              terms_of(deal.subscription, deal_price=str(price)), reason,
                              actor, now)
    change.new_subscription_id = fresh.id
    if contract is not None:
        _move_contract(contract, target, price - deal.price, reason, actor)


def _move_contract(contract, target, difference, reason, actor):
    """The contract follows the deal: new unit and total; the last instalment takes the
    difference (what is already paid is never touched)."""
    last = contract.instalments[-1]
    paid = contracts.paid([last.id], MoneyStatus.LIVE).get(last.id, Decimal("0.00"))
    amount = last.amount + difference
    if amount <= 0 or amount < paid:
        raise RuleViolation("差价超过末期未付金额,付款计划无法自动调整,请先与财务核对")
    before = {"unit": contract.unit_id, "total_price": contract.total_price}
    contract.unit_id, contract.total_price = target.id, contract.total_price + difference
    last.amount = amount
    audit.record("contract_moved", "contract", contract.id, project_id=contract.project_id,
                 user=actor, reason=reason, before=before,
                 after={"unit": target.id, "total_price": contract.total_price,
                        "last_instalment": amount})


def _refund(change, deal, data, reason, actor, now):
    if deal.contract is not None and not change.override:
        raise RuleViolation("已签约的房源原则上不退房,本申请没有经理特批,不能执行")
    if deals.pending_payments(deal):
        raise RuleViolation("该合同有待财务确认的回款,请财务先确认或退回后再执行退房")
    penalty = change.penalty or Decimal("0.00")
    check_penalty(penalty, change.received)
    move = "refund_withhold" if change.unit_after == UnitStatus.WITHHELD else "refund"
    unit_status.transition(deal.unit, move, actor, reason=reason, now=now)
    if deal.subscription is not None:
        record_status.transition(deal.subscription, "void", actor, reason=reason, now=now)
    record_status.transition(deal.deposit, "refund", actor, reason=reason, now=now)
    for receipt in [deal.deposit.receipt] + [p.receipt for p in deals.confirmed_payments(deal)]:
        record_status.transition(receipt, "refund", actor, reason=reason, now=now)
    amount = change.received - penalty
    if amount > 0:
        payout = Payout(project_id=change.project_id, change_id=change.id,
                        customer_id=change.customer_id, amount=amount, created_at=now)
        db.session.add(payout)
        db.session.flush()
        audit.record("payout_created", "payout", payout.id, project_id=change.project_id,
                     user=actor, after={"amount": amount, "penalty": penalty})
    attribution.clear_deal(deal.customer, reason, at=now, user=actor)


def _rename(change, deal, data, reason, actor, now):
    sub = deal.subscription
    buyers, customer_id = co_buyers(sub), sub.customer_id
    if change.rename_action == "add":
        if len(buyers) >= 4:
            raise RuleViolation("共同购房人最多 4 人")
        buyers.append([change.rename_name, change.rename_id_number])
    elif change.rename_action == "remove":
        kept = [b for b in buyers if b[0] != change.rename_name]
        if len(kept) == len(buyers):
            raise Conflict("认购书上已没有这位共同购房人")
        buyers = kept
    else:
        customer_id = change.new_customer_id
    fee = change.unit.building.project.transfer_fee if deal.contract is not None else None
    fresh, contract = reissue(sub, deal.unit, terms_of(sub, co_buyers=buyers,
                                                       customer_id=customer_id), reason,
                              actor, now)
    change.new_subscription_id = fresh.id
    if customer_id != sub.customer_id:  # 以成交为准: the new buyer's card is the deal's now
        attribution.mark_deal(fresh.customer, at=now, user=actor, deposit=deal.deposit)
        attribution.clear_deal(sub.customer, reason, at=now, user=actor)
    if contract is None:
        return
    before = {"customer": contract.customer_id}
    contract.customer_id = customer_id
    audit.record("contract_transferred", "contract", contract.id, project_id=contract.project_id,
                 user=actor, reason=reason, before=before, after={"customer": customer_id})
    if fee and fee > 0:
        _record_fee(change, fee, data, customer_id, actor, now)


def fee_rejected(change):
    """True when the executed change's 过户费 stands rejected: it may be recorded again."""
    return (change.status == ChangeStatus.EXECUTED and change.fee is not None
            and change.fee.status == MoneyStatus.REJECTED)


def record_fee_again(change, data, actor, now=None):
    """Record the 过户费 again after finance rejected it (wrong receipt, money not there):
    a new receipt, a new fee for finance to confirm; the rejected one stays on record."""
    now = now or clock.now()
    if not can(actor, "change.execute", change):
        raise NotAllowed("只有销售秘书可以登记过户费")
    unit_status.lock_project(change.project_id)  # one new fee, however many press
    db.session.expire(change, ["fees"])
    if not fee_rejected(change):
        raise Conflict("只有被财务退回的过户费可以重新登记,请刷新")
    amount = change.unit.building.project.transfer_fee
    if not amount or amount <= 0:
        raise RuleViolation("项目设置中的过户费为零,无需重新登记")
    _record_fee(change, amount, data, change.fee.receipt.payer_id, actor, now)
    db.session.expire(change, ["fees"])
    return change.fee


def _record_fee(change, fee, data, customer_id, actor, now):
    method = choice(data.get("method"), METHODS, "method", "过户费付款方式")
    receipt = receipts.issue(change.project_id, data.get("receipt_no"), purpose="transfer_fee",
                             amount=fee, method=method,
                             payer=db.session.get(Customer, customer_id), unit=change.unit,
                             actor=actor, now=now)
    entry = TransferFee(project_id=change.project_id, change_id=change.id,
                        receipt_id=receipt.id, amount=fee, method=method,
                        recorded_by_id=actor.id, recorded_at=now)
    db.session.add(entry)
    db.session.flush()
    audit.record("fee_recorded", "transfer_fee", entry.id, project_id=change.project_id,
                 user=actor, after={"amount": fee, "receipt_no": receipt.number})


def needs_fee(change):
    """True when executing this rename records a 过户费 (the execute form asks for it)."""
    if change.kind != "rename":
        return False
    contracted = change.unit.status == UnitStatus.CONTRACTED
    return contracted and change.unit.building.project.transfer_fee > 0


def waiting(project_id):
    """How many requests wait on the manager (pending) and on the office (approved)."""
    counts = dict(db.session.execute(
        select(ChangeRequest.status, func.count()).where(
            ChangeRequest.project_id == project_id,
            ChangeRequest.status.in_(ChangeStatus.OPEN)).group_by(ChangeRequest.status)
    ).all())
    return {status: counts.get(status, 0) for status in ChangeStatus.OPEN}


def pending(project_id, status):
    return db.session.scalars(select(ChangeRequest).where(
        ChangeRequest.project_id == project_id, ChangeRequest.status == status)
        .order_by(ChangeRequest.requested_at)).all()
