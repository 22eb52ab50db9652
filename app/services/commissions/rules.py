"""Commission rules: versions by effective date (like the price policy), one in force per
payee kind and product type on any day; the project's payable setting; product types 业态.

A version is never edited or deleted: a new one starts after the old one is given an end
date, so every line names the version it was computed under.
"""
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select, update

from app.extensions import db
from app.models import Building, CommissionLine, CommissionRule, Subscription, Unit
from app.models.commission import PAYABLE_WHEN, PAYEE_KINDS, PRODUCT_TYPES, RATE_KINDS
from app.services import audit, clock
from app.services.errors import RuleViolation
from app.services.money import parse_money

HUNDRED = Decimal(100)


def parse_rate(text, field="value"):
    """'1.5' or '1.5%' → Decimal('1.50'): a percentage of the deal price, 0 to 100."""
    cleaned = str(text or "").strip().rstrip("%％").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RuleViolation("比例请填写数字,如 1.5(即成交价的 1.5%)", field) from None
    if not value.is_finite() or not Decimal(0) < value <= HUNDRED:
        raise RuleViolation("比例应在 0 到 100% 之间(不含 0)", field)
    if value != value.quantize(Decimal("0.01")):
        raise RuleViolation("比例最多两位小数,如 1.25", field)
    return value.quantize(Decimal("0.01"))


def _amount(text, field):
    value = parse_money(text, field)  # refuses negative amounts in Chinese
    if value <= 0:
        raise RuleViolation("金额应大于零", field)
    return value


def _clean(data):
    payee = data.get("payee_kind")
    if payee not in PAYEE_KINDS:
        raise RuleViolation("请选择佣金对象", "payee_kind")
    product = data.get("product_type")
    if product not in PRODUCT_TYPES:
        raise RuleViolation("请选择业态", "product_type")
    kind = data.get("kind")
    if kind not in RATE_KINDS or (payee in ("staff", "broker") and kind != "amount"):
        raise RuleViolation("内部员工推荐和全民经纪人按每套固定金额计" if kind in RATE_KINDS
                            else "请选择计算方式", "kind")
    values = {"payee_kind": payee, "product_type": product, "kind": kind,
              "value_2": None, "value_3": None}
    if kind == "rate":
        values["value"] = parse_rate(data.get("value"))
    else:
        values["value"] = _amount(data.get("value"), "value")
    if payee == "broker":
        values["value_2"] = _amount(data.get("value_2"), "value_2")
        values["value_3"] = _amount(data.get("value_3"), "value_3")
    start, end = data.get("valid_from"), data.get("valid_until")
    if not isinstance(start, date):
        raise RuleViolation("请填写生效日期", "valid_from")
    if end is not None and end < start:
        raise RuleViolation("截止日期不能早于生效日期", "valid_until")
    values.update(valid_from=start, valid_until=end)
    return values


def _overlapping(project_id, payee, product, start, end, rule_id=None):
    query = select(CommissionRule).where(
        CommissionRule.project_id == project_id, CommissionRule.payee_kind == payee,
        CommissionRule.product_type == product,
        or_(CommissionRule.valid_until.is_(None), CommissionRule.valid_until >= start))
    if end is not None:
        query = query.where(CommissionRule.valid_from <= end)
    if rule_id is not None:
        query = query.where(CommissionRule.id != rule_id)
    return db.session.scalar(query.limit(1))


def _period(rule):
    return f"{rule.valid_from} 至 {rule.valid_until or '长期'}"


def _snapshot(rule):
    return {"payee_kind": rule.payee_kind, "product_type": rule.product_type,
            "kind": rule.kind, "value": rule.value, "value_2": rule.value_2,
            "value_3": rule.value_3, "valid_from": rule.valid_from,
            "valid_until": rule.valid_until}


def add_rule(project, data, actor, now=None):
    """A new rule version; refused when it overlaps another for the same payee and 业态."""
    values = _clean(data)
    clash = _overlapping(project.id, values["payee_kind"], values["product_type"],
                         values["valid_from"], values["valid_until"])
    if clash is not None:
        raise RuleViolation(
            f"与已有规则({PAYEE_KINDS[clash.payee_kind]} · {PRODUCT_TYPES[clash.product_type]},"
            f"{_period(clash)})时间重叠;请先给旧规则设截止日期", "valid_from")
    rule = CommissionRule(project_id=project.id, created_by_id=actor.id,
                          created_at=now or clock.now(), **values)
    db.session.add(rule)
    db.session.flush()
    audit.record("commission_rule_created", "commission_rule", rule.id, project_id=project.id,
                 user=actor, after=_snapshot(rule))
    return rule


def end_rule(rule, last_day, actor):
    """Give a rule version its last day, so a new version can start the day after."""
    if not isinstance(last_day, date):
        raise RuleViolation("请填写截止日期", "valid_until")
    if last_day < rule.valid_from:
        raise RuleViolation("截止日期不能早于生效日期", "valid_until")
    if rule.valid_until is not None and last_day > rule.valid_until:
        raise RuleViolation("只能提前截止,不能延长;请新增一条规则", "valid_until")
    used = db.session.scalar(select(func.max(Subscription.signed_at)).join(
        CommissionLine, CommissionLine.subscription_id == Subscription.id).where(
        CommissionLine.rule_id == rule.id))
    if used is not None and last_day < clock.local(used).date():
        raise RuleViolation(f"已有 {clock.local(used):%Y-%m-%d} 的认购按此规则计提,"
                            "截止日期不能早于该日", "valid_until")
    before = rule.valid_until
    db.session.execute(update(CommissionRule).where(CommissionRule.id == rule.id)
                       .values(valid_until=last_day))
    db.session.expire(rule)
    audit.record("commission_rule_ended", "commission_rule", rule.id,
                 project_id=rule.project_id, user=actor, before={"valid_until": before},
                 after={"valid_until": last_day})
    return rule


def in_force(project_id, payee, product, day):
    """The rule version for `payee` and `product` on `day`, or None."""
    return db.session.scalar(select(CommissionRule).where(
        CommissionRule.project_id == project_id, CommissionRule.payee_kind == payee,
        CommissionRule.product_type == product, CommissionRule.valid_from <= day,
        or_(CommissionRule.valid_until.is_(None), CommissionRule.valid_until >= day)))


def all_rules(project_id):
    return db.session.scalars(select(CommissionRule).where(
        CommissionRule.project_id == project_id).order_by(
        CommissionRule.payee_kind, CommissionRule.product_type,
        CommissionRule.valid_from)).all()


def save_settings(project, payable, percent, actor):
    """When lines become payable: 认购 / 签约 / 首付 / a share of the price received."""
    if payable not in PAYABLE_WHEN:
        raise RuleViolation("请选择结算条件", "payable")
    if payable == "percent" and (not isinstance(percent, int) or not 1 <= percent <= 100):
        raise RuleViolation("回款比例应为 1 到 100 的整数", "percent")
    before = {"commission_payable": project.commission_payable,
              "commission_percent": project.commission_percent}
    project.commission_payable = payable
    if payable == "percent":
        project.commission_percent = percent
    db.session.flush()
    audit.record("commission_settings_changed", "project", project.id, project_id=project.id,
                 user=actor, before=before, after={
                     "commission_payable": payable,
                     "commission_percent": project.commission_percent})
    from app.services.commissions import accrual  # it reads the rules: imported here
    for deposit in accrual.deals_with_accrued_lines(project.id):
        accrual.make_payable(deposit, actor)
    return project


def set_product_type(building, product, actor):
    """The manager sets the 业态 of every unit of a building; returns how many changed."""
    if product not in PRODUCT_TYPES:
        raise RuleViolation("请选择业态", "product_type")
    rows = db.session.execute(update(Unit).where(
        Unit.building_id == building.id,
        or_(Unit.product_type.is_(None), Unit.product_type != product))
        .values(product_type=product)).rowcount
    audit.record("product_type_set", "building", building.id, project_id=building.project_id,
                 user=actor, after={"product_type": product, "units": rows})
    return rows


def building_types(project_id):
    """[(building, {product type: units})] for the 业态 panel."""
    rows = db.session.execute(select(Building, Unit.product_type, db.func.count(Unit.id))
                              .join(Unit, Unit.building_id == Building.id)
                              .where(Building.project_id == project_id)
                              .group_by(Building.id, Unit.product_type)
                              .order_by(Building.sort_order, Building.name)).all()
    table = {}
    for building, product, count in rows:
        table.setdefault(building, {})[product] = count
    return list(table.items())


def next_start(rule):
    return (rule.valid_until or clock.today()) + timedelta(days=1)
