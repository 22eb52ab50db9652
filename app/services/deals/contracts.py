"""Contracts 签约, their instalments, payments 回款 (confirmed by finance) and arrears."""

from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Contract, Instalment, MoneyStatus, Payment, Subscription, SubscriptionStatus
from app.services import audit, clock, record_status
from app.services.board import unit_status
from app.services.deals import receipts, subscriptions
from app.services.deals.common import (
    METHODS,
    check_form_key,
    choice,
    lock_and_find,
)
from app.services.errors import RuleViolation
from app.services.money import from_fen, parse_money, sum_fen

DEFAULT_DAYS = 60  # overdue more than two months: 违约
FEN = Decimal("0.01")


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue


def schedule(total, plan, first_due, down_payment=None, count=1):
    """[(label, due date, amount)] adding up to `total` exactly (the last takes the rest)."""
    if plan == "full":
        return [("全款", first_due, total)]
    if plan == "mortgage":
        return [("首付款", first_due, down_payment),
                ("银行按揭放款", add_months(first_due, 1), total - down_payment)]
    if not 2 <= count <= 36:
        raise RuleViolation("分期期数应在 2 到 36 之间", "count")
    part = (total / count).quantize(FEN, rounding=ROUND_DOWN)
    rows = [(f"第 {n + 1} 期", add_months(first_due, n), part) for n in range(count - 1)]
    rows.append((f"第 {count} 期", add_months(first_due, count - 1), total - part * (count - 1)))
    return rows


def sign(subscription, data, actor, now=None, opening=False):
    """Sign the contract from a signed subscription; the unit becomes contracted
    (`opening`: a contract signed on paper, brought in by an opening import)."""
    now = now or clock.now()
    key = check_form_key(data.get("form_key"))
    existing = lock_and_find(subscription.project_id, Contract, key)
    if existing is not None:
        return existing, False
    db.session.refresh(subscription)
    if subscription.status != SubscriptionStatus.SIGNED:
        raise RuleViolation("该认购书已作废,请从有效的认购书签约")
    signed = of_subscription(subscription.id)
    if signed is not None:  # a stale tab, a second user, or a contract an exchange carried over
        raise RuleViolation(already_signed(signed))
    number = (data.get("number") or "").strip()
    if not number or len(number) > 32:
        raise RuleViolation("请填写合同编号(32 个字符以内)", "number")
    if db.session.scalar(select(Contract.id).where(Contract.project_id == subscription.project_id,
                                                   Contract.number == number)):
        raise RuleViolation(f"合同编号 {number} 已被使用", "number")
    sign_date, first_due = data.get("sign_date"), data.get("first_due")
    if sign_date is None or sign_date > clock.today():
        raise RuleViolation("请填写签约日期(不能晚于今天)", "sign_date")
    if first_due is None or first_due < sign_date:
        raise RuleViolation("首期付款日不能早于签约日期", "first_due")
    rows = schedule(subscription.deal_price, subscription.plan, first_due,
                    subscription.down_payment, data.get("count") or 0)
    credit = sum((d.amount for d in subscriptions.deposits_paid(subscription)), Decimal("0.00"))
    contract = Contract(project_id=subscription.project_id, number=number,
                        unit_id=subscription.unit_id, subscription_id=subscription.id,
                        customer_id=subscription.customer_id, sign_date=sign_date,
                        total_price=subscription.deal_price, plan=subscription.plan,
                        created_by_id=actor.id, created_at=now, form_key=key)
    contract.instalments = [
        Instalment(seq=n, label=label, due_date=due, amount=amount, credited=credited)
        for n, ((label, due, amount), credited) in enumerate(
            zip(rows, allocate(credit, [row[2] for row in rows]), strict=True), start=1)]
    db.session.add(contract)
    db.session.flush()
    unit_status.transition(subscription.unit, "sign_contract", actor, now=now,
                           opening=opening)
    audit.record("contract_signed", "contract", contract.id, project_id=contract.project_id,
                 user=actor, after={"number": number, "total_price": contract.total_price,
                                    "instalments": len(rows), "deposit_credited": credit})
    _payable(subscription.deposit, actor, now)
    return contract, True


def already_signed(contract):
    return f"该认购书已签约(合同 {contract.number})"


def allocate(credit, amounts):
    """The confirmed deposits credited to the instalments in order (首付款 first), exactly."""
    result = []
    for amount in amounts:
        part = min(credit, amount)
        result.append(part)
        credit -= part
    return result


def paid(instalment_ids, statuses=(MoneyStatus.CONFIRMED,)):
    """{instalment id: sum of its payments in `statuses`} (SQL over integer fen)."""
    rows = db.session.execute(
        select(Payment.instalment_id, sum_fen(Payment.amount))
        .where(Payment.instalment_id.in_(list(instalment_ids)), Payment.status.in_(statuses))
        .group_by(Payment.instalment_id)).all()
    return {iid: from_fen(total) for iid, total in rows}


def record_payment(instalment, amount_text, method, receipt_no, form_key, actor, now=None):
    """Record money received against an instalment; pending until finance confirms it."""
    now = now or clock.now()
    contract = instalment.contract
    key = check_form_key(form_key)
    choice(method, METHODS, "method", "付款方式")
    amount = parse_money(amount_text, "amount")
    if amount <= 0:
        raise RuleViolation("回款金额必须大于零", "amount")
    existing = lock_and_find(contract.project_id, Payment, key)
    if existing is not None:
        return existing, False
    open_amount = instalment.due - paid([instalment.id], MoneyStatus.LIVE).get(
        instalment.id, Decimal("0.00"))
    if open_amount <= 0:
        raise RuleViolation(f"{instalment.label}已付清(含定金抵扣和待财务确认的回款),"
                            "无需再登记回款", "instalment_id")
    if amount > open_amount:
        raise RuleViolation(f"回款金额超过本期未付金额 ¥{open_amount:,.2f}", "amount")
    receipt = receipts.issue(contract.project_id, receipt_no, purpose="payment", amount=amount,
                             method=method, payer=contract.customer, unit=contract.unit,
                             actor=actor, now=now)
    payment = Payment(project_id=contract.project_id, contract_id=contract.id,
                      instalment_id=instalment.id, receipt_id=receipt.id, amount=amount,
                      method=method, recorded_by_id=actor.id, recorded_at=now, form_key=key)
    db.session.add(payment)
    db.session.flush()
    audit.record("payment_recorded", "payment", payment.id, project_id=contract.project_id,
                 user=actor, after={"contract": contract.number, "amount": amount,
                                    "receipt_no": receipt.number})
    return payment, True


def decide_payment(payment, approve, reason, actor, now=None, opening=False):
    """Finance confirms a payment against its receipt, or rejects it with a reason
    (`opening`: money finance confirmed on paper, brought in by an opening import)."""
    record_status.transition(payment, "confirm" if approve else "reject", actor,
                             reason=reason, now=now, opening=opening)
    if approve:  # the money is in: commission lines may become payable
        _payable(payment.contract.subscription.deposit, actor, now)
    return payment


def _payable(deposit, actor, now):
    from app.services.commissions import accrual  # it reads contracts and payments
    accrual.make_payable(deposit, actor, now)


def credited(contract):
    """The confirmed deposits credited against the contract's instalments."""
    return from_fen(db.session.scalar(select(sum_fen(Instalment.credited)).where(
        Instalment.contract_id == contract.id)))


def balance(contract):
    """Outstanding balance: total price less credited deposits and confirmed payments; a
    refunded contract (its 认购书 voided by the 退房) owes nothing."""
    if contract.subscription.status != SubscriptionStatus.SIGNED:
        return Decimal("0.00")
    received = db.session.scalar(select(sum_fen(Payment.amount)).where(
        Payment.contract_id == contract.id, Payment.status == MoneyStatus.CONFIRMED))
    return contract.total_price - credited(contract) - from_fen(received)


def overdue(project_id, today=None):
    """[(instalment, unpaid, days overdue)] for instalments past due and not fully paid."""
    today = today or clock.today()
    due = db.session.scalars(
        select(Instalment).join(Contract).join(Subscription)
        .where(Contract.project_id == project_id, Instalment.due_date < today,
               Subscription.status == SubscriptionStatus.SIGNED)  # a refunded deal owes nothing
        .order_by(Instalment.due_date)).all()
    received = paid([i.id for i in due]) if due else {}
    result = []
    for instalment in due:
        unpaid = instalment.due - received.get(instalment.id, Decimal("0.00"))
        if unpaid > 0:
            result.append((instalment, unpaid, (today - instalment.due_date).days))
    return result


def in_default(overdue_rows):
    """Contract ids with an instalment overdue more than two months (违约)."""
    return {i.contract_id for i, _, days in overdue_rows if days > DEFAULT_DAYS}


def open_instalments(contract):
    """[(instalment, amount still open)] of the instalments not yet paid in full (recorded
    payments waiting on finance count as paid): the ones a payment may be recorded against."""
    ids = [i.id for i in contract.instalments]
    live = paid(ids, MoneyStatus.LIVE) if ids else {}
    rows = [(i, i.due - live.get(i.id, Decimal("0.00"))) for i in contract.instalments]
    return [(i, left) for i, left in rows if left > 0]


def of_subscription(subscription_id):
    return db.session.scalar(select(Contract).where(Contract.subscription_id == subscription_id))


def pending_payments(project_id):
    return db.session.scalars(select(Payment).where(Payment.project_id == project_id,
                                                    Payment.status == MoneyStatus.PENDING)
                              .order_by(Payment.recorded_at)).all()


