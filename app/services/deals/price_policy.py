"""The price policy 价格政策: standard discounts a manager sets up, applied in a fixed order.

    list price → rule 1 → rule 2 → ... → standard price 标准优惠价

Rules apply in `seq` order (then id); each step is rounded with the project's rule
(money.round_price), so every intermediate price and the amount of each discount are exact
and list price − Σ amounts = standard price. A rule for one payment plan (一次性 98折,
按揭 99折) applies only when that plan is chosen; without a plan (a special-discount quote)
only the rules for every plan apply.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import PriceRule
from app.models.pricing import RULE_KINDS, RULE_PLANS
from app.services import audit, clock
from app.services.errors import RuleViolation
from app.services.money import parse_money, round_price

HUNDRED = Decimal(100)
PLANS = {key: label for key, label in RULE_PLANS.items() if key}


@dataclass(frozen=True)
class Step:
    """One discount applied: how much it took off and the price after it."""

    kind: str  # standard / special
    name: str
    terms: str
    amount: Decimal
    price_after: Decimal
    rule_id: int | None = None
    request_id: int | None = None


def rules_in_force(project_id, plan=None, day=None):
    """Active rules valid on `day` for `plan` (None: only rules for every plan), in order."""
    day = day or clock.today()
    plans = [""] if not plan else ["", plan]
    return db.session.scalars(
        select(PriceRule).where(
            PriceRule.project_id == project_id, PriceRule.active.is_(True),
            PriceRule.plan.in_(plans), PriceRule.valid_from <= day,
            or_(PriceRule.valid_until.is_(None), PriceRule.valid_until >= day))
        .order_by(PriceRule.seq, PriceRule.id)).all()


def breakdown(unit, plan=None, at=None):
    """([Step], standard price) for `unit` under the policy in force at `at`."""
    day = clock.local(at).date() if at is not None else clock.today()
    project = getattr(getattr(unit, "building", None), "project", None)
    if project is None:  # a unit outside any project (a quote's stand-in) has no policy
        return [], unit.total_price
    return breakdown_of(project, unit.total_price, plan, day)


def breakdown_of(project, list_price, plan=None, day=None):
    """([Step], standard price) for a list price under the project's policy on `day`."""
    price, steps = list_price, []
    for rule in rules_in_force(project.id, plan, day):
        after = apply_rule(rule.kind, rule.value, price, project.rounding)
        if after <= 0 or after >= price:
            continue  # a rule that would give the unit away, or take nothing off
        steps.append(Step("standard", rule.name, rule.describe, price - after, after, rule.id))
        price = after
    return steps, price


def apply_rule(kind, value, price, rounding):
    if kind == "rate":
        return round_price(price * value / HUNDRED, rounding)
    return round_price(price - value, rounding)


def all_rules(project_id):
    return db.session.scalars(select(PriceRule).where(PriceRule.project_id == project_id)
                              .order_by(PriceRule.active.desc(), PriceRule.seq,
                                        PriceRule.id)).all()


def parse_rate(text, field="value"):
    """'98' or '98折' or '98%' → Decimal('98.00'): the percentage of the price paid."""
    cleaned = str(text or "").strip().rstrip("折%％").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RuleViolation("折扣请填写如 98(即 98折)", field) from None
    if not value.is_finite() or not Decimal(50) <= value < HUNDRED:
        raise RuleViolation("折扣应在 50 到 100 之间(不含 100),如 98 即 98折", field)
    if value != value.quantize(Decimal("0.01")):
        raise RuleViolation("折扣最多两位小数,如 98.5", field)
    return value.quantize(Decimal("0.01"))


def _clean(data):
    name = (data.get("name") or "").strip()
    if not name or len(name) > 64:
        raise RuleViolation("请填写名称(64 个字符以内)", "name")
    kind = data.get("kind")
    if kind not in RULE_KINDS:
        raise RuleViolation("请选择优惠方式", "kind")
    if kind == "rate":
        value = parse_rate(data.get("value"))
    else:
        value = parse_money(data.get("value"), "value")
        if value <= 0:
            raise RuleViolation("直减金额应大于零", "value")
    plan = data.get("plan") or ""
    if plan not in RULE_PLANS:
        raise RuleViolation("请选择适用的付款方式", "plan")
    start, end = data.get("valid_from"), data.get("valid_until")
    if not isinstance(start, date):
        raise RuleViolation("请填写生效日期", "valid_from")
    if end is not None and end < start:
        raise RuleViolation("截止日期不能早于生效日期", "valid_until")
    seq = data.get("seq")
    if not isinstance(seq, int) or not 1 <= seq <= 99:
        raise RuleViolation("顺序应为 1 到 99 的整数", "seq")
    return {"name": name, "kind": kind, "value": value, "plan": plan, "valid_from": start,
            "valid_until": end, "seq": seq}


def _snapshot(rule):
    return {"name": rule.name, "kind": rule.kind, "value": rule.value, "plan": rule.plan,
            "valid_from": rule.valid_from, "valid_until": rule.valid_until, "seq": rule.seq,
            "active": rule.active}


def _name_taken(project_id, name, rule_id=None):
    query = select(PriceRule.id).where(PriceRule.project_id == project_id,
                                       PriceRule.name == name)
    if rule_id is not None:
        query = query.where(PriceRule.id != rule_id)
    return db.session.scalar(query) is not None


def save_rule(project, data, actor, rule=None, now=None):
    """Create a rule, or change one (audited with before and after)."""
    values = _clean(data)
    if _name_taken(project.id, values["name"], rule and rule.id):
        raise RuleViolation(f"已有名为「{values['name']}」的价格政策", "name")
    now = now or clock.now()
    if rule is None:
        rule = PriceRule(project_id=project.id, created_by_id=actor.id, created_at=now,
                         active=True, **values)
        db.session.add(rule)
        db.session.flush()
        audit.record("price_rule_created", "price_rule", rule.id, project_id=project.id,
                     user=actor, after=_snapshot(rule))
        return rule
    before = _snapshot(rule)
    for key, value in values.items():
        setattr(rule, key, value)
    db.session.flush()
    audit.record("price_rule_changed", "price_rule", rule.id, project_id=project.id, user=actor,
                 before=before, after=_snapshot(rule))
    return rule


def set_active(rule, active, actor, reason=None):
    """Switch a rule off (or on again): rules are never deleted, subscriptions name them."""
    if rule.active == active:
        return rule
    rule.active = active
    db.session.flush()
    audit.record("price_rule_enabled" if active else "price_rule_disabled", "price_rule",
                 rule.id, project_id=rule.project_id, user=actor,
                 before={"active": not active}, after={"active": active}, reason=reason)
    return rule


def next_seq(project_id):
    return (db.session.scalar(select(func.max(PriceRule.seq))
                              .where(PriceRule.project_id == project_id)) or 0) + 1
