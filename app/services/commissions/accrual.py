"""Accrual and reversal: what each payee is owed for a deal now, and the lines that make the
sum of their lines equal to it.

`dues(deposit)` works the amounts out from the rules (the deal's 认购 date picks the version;
the live 认购书 gives the price and the unit its 业态). `settle(deposit)` compares them with
the deal's lines and appends what is missing: an unpaid line that no longer fits is cancelled
with an offsetting line, money already paid and no longer owed becomes a 追回 line, and a
new amount is accrued. Lines are never edited, so 退房 (owed: nothing), 换房 (owed: on the
new price) and 换名 (owed: the same) all come down to one comparison.
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ChannelReport,
    CommissionLine,
    Deposit,
    LineStatus,
    MoneyStatus,
    Payment,
    Subscription,
    SubscriptionStatus,
)
from app.models.commission import PRODUCT_TYPES
from app.services import audit, clock, record_status
from app.services.commissions.rules import in_force
from app.services.errors import Conflict, RuleViolation
from app.services.money import FEN, from_fen, sum_fen

HUNDRED = Decimal(100)
ORDINALS = {1: "第1套", 2: "第2套", 3: "第3套及以上"}


@dataclass(frozen=True)
class Due:
    payee_kind: str
    payee_key: str
    payee_name: str
    amount: Decimal
    basis: str
    rule_id: int
    user_id: int = None
    company_id: int = None
    agent_id: int = None


def yuan(value):
    return f"¥{value:,.2f}"


def live_subscription(deposit_id):
    return db.session.scalar(select(Subscription).where(
        Subscription.deposit_id == deposit_id, Subscription.status == SubscriptionStatus.SIGNED))


def deal_day(deposit_id):
    """The day of the deal's first 认购: it picks the rule version (换房 keeps it)."""
    first = db.session.scalar(select(func.min(Subscription.signed_at))
                              .where(Subscription.deposit_id == deposit_id))
    return clock.local(first).date()


def _rule_amount(rule, price):
    if rule.kind == "rate":
        amount = (price * rule.value / HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP)
        return amount, f"成交价 {yuan(price)} × {rule.value.normalize():f}% = {yuan(amount)}"
    return rule.value, f"每套 {yuan(rule.value)}"


def dues(deposit):
    """[Due] for the deal started by `deposit`: empty unless it is live (认购, not 退房)."""
    sub = live_subscription(deposit.id) if deposit.status == MoneyStatus.CONFIRMED else None
    product = sub.unit.product_type if sub is not None else None
    if product is None:
        return []
    day, price, found = deal_day(deposit.id), sub.deal_price, []
    label = f"{sub.unit.label} {PRODUCT_TYPES[product]}"

    def rule(payee):
        return in_force(deposit.project_id, payee, product, day)

    consultant = rule("consultant")
    # 准则(4): a complaint split counts for nobody until the manager has decided it
    if consultant is not None and deposit.split_status != "pending":
        total, how = _rule_amount(consultant, price)
        shares = [(s.user, s.percent) for s in deposit.shares] or [(deposit.consultant, HUNDRED)]
        for user, percent in shares:
            amount = (total * percent / HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP)
            found.append(Due("consultant", f"user:{user.id}", user.display_name, amount,
                             f"{label}:{how},奖金分配 {percent.normalize():f}% = {yuan(amount)}",
                             consultant.id, user_id=user.id))
    report = deposit.channel_report
    if report is not None and report.status == "visited":
        found.extend(_channel_due(deposit, report, label, price, rule))
    if deposit.staff_referrer:
        staff = rule("staff")
        if staff is not None:
            found.append(Due("staff", f"staff:{deposit.staff_referrer}", deposit.staff_referrer,
                             staff.value, f"{label}:内部员工推荐 每套 {yuan(staff.value)}",
                             staff.id))
    return [due for due in found if due.amount > 0]


def _channel_due(deposit, report, label, price, rule):
    agent = report.agent
    company = agent.company
    if company.kind == "broker":
        broker = rule("broker")
        if broker is None:
            return []
        n = broker_ordinal(agent.id, deposit.id)
        amount = (broker.value, broker.value_2, broker.value_3)[min(n, 3) - 1]
        return [Due("broker", f"agent:{agent.id}", f"{agent.name}(全民经纪人)", amount,
                    f"{label}:全民经纪人{ORDINALS[min(n, 3)]} {yuan(amount)}", broker.id,
                    company_id=company.id, agent_id=agent.id)]
    channel = rule("channel")
    if channel is None:
        return []
    amount, how = _rule_amount(channel, price)
    return [Due("channel", f"company:{company.id}", company.name, amount,
                f"{label}:{how}(经纪人 {agent.name})", channel.id, company_id=company.id,
                agent_id=agent.id)]


def _broker_deals(agent_id):
    """The broker's live deals in order of their first 认购 (their 1st, 2nd, 3rd... sale)."""
    first = (select(Subscription.deposit_id, func.min(Subscription.signed_at).label("at"))
             .group_by(Subscription.deposit_id).subquery())
    live = select(Subscription.deposit_id).where(Subscription.status == SubscriptionStatus.SIGNED)
    return db.session.scalars(
        select(Deposit.id).join(ChannelReport, ChannelReport.id == Deposit.channel_report_id)
        .join(first, first.c.deposit_id == Deposit.id)
        .where(ChannelReport.agent_id == agent_id, ChannelReport.status == "visited",
               Deposit.status == MoneyStatus.CONFIRMED, Deposit.id.in_(live))
        .order_by(first.c.at, Deposit.id)).all()


def broker_ordinal(agent_id, deposit_id):
    deals = _broker_deals(agent_id)
    return deals.index(deposit_id) + 1 if deposit_id in deals else len(deals) + 1


def settle(deposit, actor, reason, now=None):
    """Bring the deal's lines (and, for a broker, the broker's other deals) to what is owed."""
    now = now or clock.now()
    db.session.flush()
    deals = [deposit]
    report = deposit.channel_report
    if report is not None and report.agent.company.kind == "broker":
        others = db.session.scalars(select(Deposit).join(
            ChannelReport, ChannelReport.id == Deposit.channel_report_id).where(
            ChannelReport.agent_id == report.agent_id, Deposit.id != deposit.id)).all()
        deals.extend(others)
    for deal in deals:
        _settle_one(deal, actor, reason, now)
        make_payable(deal, actor, now)


def lines_of(deposit_id):
    return db.session.scalars(select(CommissionLine).where(
        CommissionLine.deposit_id == deposit_id).order_by(CommissionLine.id)).all()


def _settle_one(deposit, actor, reason, now):
    owed = {due.payee_key: due for due in dues(deposit)}
    by_payee = defaultdict(list)
    for line in lines_of(deposit.id):
        by_payee[line.payee_key].append(line)
    sub = live_subscription(deposit.id)
    for key in sorted(owed.keys() | by_payee.keys()):
        due, lines = owed.get(key), by_payee.get(key, [])
        target = due.amount if due else Decimal("0.00")
        if sum((line.amount for line in lines), Decimal("0.00")) == target:
            continue
        for line in lines:
            if line.status in LineStatus.UNPAID and line.amount > 0:
                _cancel(line, actor, reason, now)
        held = sum((line.amount for line in lines_of_payee(deposit.id, key)), Decimal("0.00"))
        gap = target - held
        if gap == 0:
            continue
        template = due or lines[0]
        if gap > 0:
            kind = "accrual" if held == 0 else "adjustment"
            basis = due.basis if held == 0 else f"{due.basis};已发放 {yuan(held)},补差 {yuan(gap)}"
            _append(deposit, sub, template, kind, gap, LineStatus.ACCRUED, basis, actor, now,
                    rule_id=due.rule_id)
        else:
            _append(deposit, sub, template, "clawback", gap, LineStatus.RECOVERING,
                    f"{reason}:应得 {yuan(target)},已发放 {yuan(held)},追回 {yuan(-gap)}",
                    actor, now, rule_id=due.rule_id if due else None)


def lines_of_payee(deposit_id, key):
    return db.session.scalars(select(CommissionLine).where(
        CommissionLine.deposit_id == deposit_id, CommissionLine.payee_key == key)).all()


def _cancel(line, actor, reason, now):
    try:
        record_status.transition(line, "cancel", actor, reason=reason, now=now)
    except Conflict:
        return  # paid a moment ago: what was paid is clawed back instead
    _append(line.deposit, line.subscription, line, "offset", -line.amount,
            LineStatus.CANCELLED, f"{reason}:冲销第 {line.id} 号未发放佣金", actor, now,
            rule_id=line.rule_id, offsets_id=line.id)


def _append(deposit, sub, payee, kind, amount, status, basis, actor, now, rule_id=None,
            offsets_id=None):
    line = CommissionLine(
        project_id=deposit.project_id, deposit_id=deposit.id, subscription_id=sub and sub.id,
        payee_kind=payee.payee_kind, payee_key=payee.payee_key, payee_name=payee.payee_name,
        user_id=payee.user_id, company_id=payee.company_id, agent_id=payee.agent_id,
        kind=kind, amount=amount, rule_id=rule_id, basis=basis[:400], offsets_id=offsets_id,
        status=status, created_by_id=actor.id, created_at=now)
    db.session.add(line)
    db.session.flush()
    audit.record("commission_accrued" if amount > 0 else f"commission_{kind}",
                 "commission_line", line.id, project_id=deposit.project_id, user=actor,
                 after={"payee": line.payee_name, "amount": amount, "status": status,
                        "basis": line.basis})
    return line


def money_in(deposit, sub, project):
    """True when the project's condition for paying commissions holds for the deal."""
    when = project.commission_payable
    if when == "subscribed":
        return True
    from app.services.deals import contracts
    contract = contracts.of_subscription(sub.id)
    if contract is None:
        return False
    if when == "contracted":
        return True
    if when == "down_payment":
        first = contract.instalments[0]
        paid = contracts.paid([first.id]).get(first.id, Decimal("0.00"))
        return first.credited + paid >= first.amount
    fen = db.session.scalar(select(sum_fen(Payment.amount)).where(
        Payment.contract_id == contract.id, Payment.status == MoneyStatus.CONFIRMED))
    received = deposit.amount + from_fen(fen)
    return received * HUNDRED >= sub.deal_price * project.commission_percent


def deals_with_accrued_lines(project_id):
    """Deals with lines still waiting for the money (a new condition may release them)."""
    return db.session.scalars(select(Deposit).where(Deposit.id.in_(
        select(CommissionLine.deposit_id).where(CommissionLine.project_id == project_id,
                                                CommissionLine.status == LineStatus.ACCRUED)))
        .order_by(Deposit.id)).all()


def make_payable(deposit, actor, now=None):
    """Accrued lines of a live deal whose money is in become payable (可结算)."""
    sub = live_subscription(deposit.id)
    if sub is None or deposit.status != MoneyStatus.CONFIRMED:
        return 0
    accrued = [line for line in lines_of(deposit.id) if line.status == LineStatus.ACCRUED]
    if not accrued or not money_in(deposit, sub, sub.unit.building.project):
        return 0
    for line in accrued:
        record_status.transition(line, "payable", actor, now=now,
                                 values={"payable_at": now or clock.now()})
    return len(accrued)


def set_referrer(deposit, name, actor, now=None):
    """Record (or clear) the group employee who introduced the buyer (seed 003 全民营销:
    公寓类 3000元/套, 别墅类 12000元/套); the deal's lines follow."""
    name = (name or "").strip()
    if len(name) > 64:
        raise RuleViolation("员工姓名最多 64 个字符", "staff_referrer")
    if deposit.status != MoneyStatus.CONFIRMED:
        raise RuleViolation("该成交已退房或定金未确认,不能登记推荐人", "staff_referrer")
    before = deposit.staff_referrer
    if (before or "") == name:
        return deposit
    deposit.staff_referrer = name or None
    audit.record("staff_referrer_set", "deposit", deposit.id, project_id=deposit.project_id,
                 user=actor, before={"staff_referrer": before},
                 after={"staff_referrer": name or None})
    settle(deposit, actor, "登记内部员工推荐", now)
    return deposit
