"""Subscriptions 认购书: signed from a confirmed deposit; never edited, only voided and
reissued (认购书不能擅自涂改)."""
import json
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    DiscountRequest,
    MoneyStatus,
    Subscription,
    SubscriptionDiscount,
    SubscriptionStatus,
    UnitStatus,
)
from app.services import audit, clock, discounts, record_status
from app.services.board import unit_status
from app.services.customers import attribution
from app.services.deals import deposits, outcomes, price_policy
from app.services.deals.common import PLANS, check_form_key, choice, lock_and_find, project_customer
from app.services.deals.identity import buyer_identity, unmasked
from app.services.discounts.requests import describe_value
from app.services.errors import Conflict, RuleViolation
from app.services.money import parse_money, round_price
from app.services.verification import VerifiedDocument, fingerprint, register

ID_CHARS = set("0123456789Xx")


def parse_co_buyers(text, known=()):
    """One co-buyer a line: '姓名 身份证号' → [[name, id number]]. A line that is the mask of
    a co-buyer in `known` ([[name, id number]], the corrected 认购书's) means their number."""
    buyers = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace(",", " ").replace(",", " ").split()
        if not parts:
            continue
        if len(parts) == 2:
            parts[1] = unmasked(parts[0][:32], parts[1], known)
        if len(parts) != 2 or len(parts[1]) != 18 or not set(parts[1]) <= ID_CHARS:
            raise RuleViolation(f"第 {number} 行应为“姓名 18位身份证号”", "co_buyers")
        buyers.append([parts[0][:32], parts[1].upper()])
    if len(buyers) > 4:
        raise RuleViolation("共同购房人最多 4 人", "co_buyers")
    return buyers


def price_terms(unit, customer, deal_text, at, field="deal_price", prior_approval=None,
                plan=None, policy_at=None):
    """(deal price rounded by the project's rule, approval to consume or None)."""
    deal, approval, _steps = priced(unit, customer, deal_text, at, field, prior_approval,
                                    plan, policy_at)
    return deal, approval


def priced(unit, customer, deal_text, at, field="deal_price", prior_approval=None, plan=None,
           policy_at=None, on_paper=False):
    """(deal price, approval or None, [Step]): list price → the price policy's standard
    discounts for `plan` in force at `policy_at` → a special discount only with an approval.

    `on_paper`: an opening import's deal, whose special discount was approved on paper
    before the system existed: it needs no approval here and is listed as 期初导入."""
    project = unit.building.project
    steps, standard = price_policy.breakdown(unit, plan, policy_at or at)
    deal = round_price(parse_money(deal_text, field) if str(deal_text or "").strip()
                       else standard, project.rounding)
    if deal <= 0:
        raise RuleViolation("成交价必须大于零", field)
    if deal > unit.total_price:
        raise RuleViolation("成交价不能高于表价", field)
    if deal > standard:
        raise RuleViolation(f"成交价不能高于按价格政策计算的标准优惠价 ¥{standard:,.2f}", field)
    approval = None
    if prior_approval is not None and deal >= prior_approval.deal_price:
        approval = prior_approval  # a reissue keeps the approval its original consumed
    elif deal < standard and not on_paper:
        approval = discounts.require_approval_for(customer, unit, deal, at, field=field,
                                                  standard=standard)
    if unit.floor_price is not None and deal < unit.floor_price and approval is None \
            and not on_paper:
        raise RuleViolation("成交价低于底价,须有已批准的特殊优惠审批", field)
    if deal < standard:
        terms = (describe_value(approval.kind, approval.value) if approval is not None
                 else "期初导入(纸质审批)" if on_paper else "特殊优惠")[:64]
        steps = [*steps, price_policy.Step("special", "特殊优惠", terms, standard - deal, deal,
                                           request_id=approval and approval.id)]
    return deal, approval, steps


def plan_terms(plan, down_text, bank, deal, field="down_payment"):
    choice(plan, PLANS, "plan", "付款方式")
    if plan != "mortgage":
        return None, None
    down = parse_money(down_text, field)
    if down <= 0 or down >= deal:
        raise RuleViolation("首付款应大于零且小于成交价", field)
    if not (bank or "").strip():
        raise RuleViolation("请填写按揭银行", "bank")
    return down, bank.strip()[:64]


def sign(unit, data, actor, now=None, opening=False):
    """Sign the 认购书 and mark the unit sold (subscribed); returns (subscription, created).

    `opening`: a 认购书 signed on paper, brought in by an opening import: back-dated to
    `now`, its special discount approved on paper, its deadline judged from its own date."""
    now = now or clock.now()
    project_id = unit.building.project_id
    key = check_form_key(data.get("form_key"))
    existing = lock_and_find(project_id, Subscription, key)
    if existing is not None:
        return existing, False
    deposit = deposits.confirmed_for(unit.id)
    if deposit is None:
        raise RuleViolation("该房源的定金尚未经财务确认,不能认购")
    subscription = _new(unit, deposit, data, key, actor, now, opening=opening)
    unit_status.transition(unit, "mark_sold", actor, now=now, opening=opening)
    audit.record("subscription_signed", "subscription", subscription.id, project_id=project_id,
                 user=actor, after=_summary(subscription))
    # 以成交为准: the card follows the deal's 业绩, no longer expires, recycling skips it
    attribution.mark_deal(subscription.customer, at=now, user=actor,
                          deposit=subscription.deposit)
    _commissions().settle(subscription.deposit, actor, "认购", now)
    return subscription, True


def void_and_reissue(original, data, reason, actor, now=None):
    """Void a signed subscription (reason required) and issue its correction; both stay."""
    now = now or clock.now()
    reason = (reason or "").strip()
    key = check_form_key(data.get("form_key"))
    existing = lock_and_find(original.project_id, Subscription, key)
    if existing is not None:
        return existing, False
    record_status.transition(original, "void", actor, reason=reason, now=now)
    if original.unit.status != UnitStatus.SUBSCRIBED:
        raise Conflict("房源已签约,认购书不能再更正")
    # a correction keeps the price policy the original was signed under
    fresh = _new(original.unit, original.deposit, data, key, actor, now, replaces=original,
                 policy_at=data.get("policy_at", original.signed_at))
    audit.record("subscription_reissued", "subscription", fresh.id,
                 project_id=original.project_id, user=actor, reason=reason,
                 after={**_summary(fresh), "replaces": original.number})
    db.session.expire(original)
    _commissions().settle(fresh.deposit, actor, "更正认购书", now)
    return fresh, True


def _commissions():
    """Commission lines follow every 认购 (imported here: they read contracts and payments)."""
    from app.services.commissions import accrual
    return accrual


def _new(unit, deposit, data, key, actor, now, replaces=None, policy_at=None, opening=False):
    project_id = unit.building.project_id
    customer = project_customer(project_id, data.get("customer_id") or deposit.customer_id)
    prior = None
    if replaces is not None and replaces.approval_id:
        prior = db.session.get(DiscountRequest, replaces.approval_id)
    choice(data.get("plan"), PLANS, "plan", "付款方式")
    deal, approval, steps = priced(unit, customer, data.get("deal_price"), now,
                                   prior_approval=prior, plan=data.get("plan"),
                                   policy_at=policy_at, on_paper=opening)
    down, bank = plan_terms(data.get("plan"), data.get("down_payment"), data.get("bank"), deal)
    same_buyer = replaces is not None and replaces.customer_id == customer.id
    identity = buyer_identity(customer, data, replaces.buyer_id_number if same_buyer else None)
    deadline = data.get("sign_deadline")
    if opening and isinstance(deadline, date) and deadline < clock.local(now).date():
        raise RuleViolation("签约期限不能早于认购日期", "sign_deadline")
    if not isinstance(deadline, date) or (deadline < clock.today() and not opening):
        raise RuleViolation("签约期限应为今天或以后的日期", "sign_deadline")
    subscription = Subscription(
        project_id=project_id, number=_next_number(project_id, now), unit_id=unit.id,
        deposit_id=deposit.id, customer_id=customer.id,
        co_buyers=json.dumps(parse_co_buyers(
            data.get("co_buyers"), co_buyers(replaces) if replaces is not None else ()),
            ensure_ascii=False),
        list_price=unit.total_price, deal_price=deal, approval_id=approval and approval.id,
        plan=data["plan"], down_payment=down, bank=bank, sign_deadline=deadline,
        address=identity["address"], buyer_id_type=identity["id_type"],
        buyer_id_number=identity["id_number"], identity_note=identity["identity_note"],
        signed_by_id=actor.id,
        signed_at=now, replaces_id=replaces and replaces.id, form_key=key)
    db.session.add(subscription)
    db.session.flush()
    db.session.add_all(SubscriptionDiscount(
        subscription_id=subscription.id, seq=n, kind=step.kind, name=step.name[:64],
        terms=step.terms[:64], amount=step.amount, price_after=step.price_after,
        rule_id=step.rule_id, request_id=step.request_id) for n, step in enumerate(steps, 1))
    if approval is not None and approval is not prior:
        discounts.consume(approval, subscription.number, actor, at=now)
    return subscription


def _next_number(project_id, now):
    count = db.session.scalar(select(func.count()).select_from(Subscription)
                              .where(Subscription.project_id == project_id))
    return f"RG{clock.local(now):%Y}-{count + 1:04d}"


def _summary(subscription):
    return {"number": subscription.number, "unit": subscription.unit_id,
            "deal_price": subscription.deal_price, "plan": subscription.plan,
            "discounts": [[line.name, line.terms, line.amount] for line in
                          db.session.scalars(select(SubscriptionDiscount).where(
                              SubscriptionDiscount.subscription_id == subscription.id)
                              .order_by(SubscriptionDiscount.seq))]}


def deposits_paid(subscription):
    """The confirmed deposits credited against this subscription's price (定金抵扣房款)."""
    deposit = subscription.deposit
    return [deposit] if deposit is not None and deposit.status == MoneyStatus.CONFIRMED else []


def balance(subscription):
    """Deal price less the confirmed deposits: what the buyer still owes before the contract.
    A voided 认购书 (refunded, exchanged, corrected) owes nothing: its successor, if any, does."""
    if subscription.status != SubscriptionStatus.SIGNED:
        return Decimal("0.00")
    return subscription.deal_price - sum((d.amount for d in deposits_paid(subscription)),
                                         Decimal("0.00"))


def co_buyers(subscription):
    return json.loads(subscription.co_buyers or "[]")


def current_for(unit_id):
    return db.session.scalar(select(Subscription).where(
        Subscription.unit_id == unit_id, Subscription.status == SubscriptionStatus.SIGNED))


def subscription_fingerprint(sub):
    return fingerprint("subscription", sub.project_id, sub.number, sub.unit_id, sub.deal_price,
                       sub.customer_id)


def _load(subscription_id):
    from app.services.money import format_money
    if not isinstance(subscription_id, int):
        return None
    sub = db.session.get(Subscription, subscription_id)
    if sub is None:
        return None
    return VerifiedDocument(
        title=f"认购书 {sub.number}", status=outcomes.label_of(sub),
        valid=sub.status == SubscriptionStatus.SIGNED,
        fields=[("房源", f"{sub.unit.building.name} {sub.unit.unit_no}"),
                ("买受人", sub.customer.name), ("成交总价", format_money(sub.deal_price)),
                ("付款方式", PLANS[sub.plan])],
        fingerprint=subscription_fingerprint(sub))


register("subscription", _load)
