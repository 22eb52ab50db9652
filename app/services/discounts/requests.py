"""Asking for a special discount, and withdrawing the request."""
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    Building,
    Customer,
    DiscountKind,
    DiscountRequest,
    DiscountStatus,
    Unit,
    UnitStatus,
)
from app.models.pricing import RULE_PLANS
from app.policy import can
from app.services.clock import now
from app.services.discounts.decisions import expire_due
from app.services.discounts.events import log_event
from app.services.discounts.pricing import quote
from app.services.discounts.transitions import move
from app.services.errors import NotAllowed, RuleViolation
from app.services.money import format_money

# A discount can be asked for on a unit that is for sale or being sold to this customer.
OPEN_UNIT_STATUSES = (UnitStatus.AVAILABLE, UnitStatus.HELD, UnitStatus.DEPOSIT_PENDING,
                      UnitStatus.DEPOSIT_CONFIRMED)


def describe_value(kind, value):
    if kind == DiscountKind.PERCENT:
        return f"{DiscountKind.LABELS[kind]} {value}%"
    return f"{DiscountKind.LABELS[kind]} {format_money(value)}"


def check_unit(customer, unit, field="unit_no"):
    if unit.building.project_id != customer.project_id:
        raise RuleViolation("客户与房源不属于同一项目", field)
    if unit.status not in OPEN_UNIT_STATUSES:
        raise RuleViolation(f"该房源当前为「{unit.status_label}」,不能申请特殊优惠", field)


def open_request(customer_id, unit_id, at):
    """The pending or still-valid approved request for this customer and unit, if any."""
    return db.session.scalar(
        select(DiscountRequest).where(
            DiscountRequest.customer_id == customer_id, DiscountRequest.unit_id == unit_id,
            or_(DiscountRequest.status == DiscountStatus.PENDING,
                (DiscountRequest.status == DiscountStatus.APPROVED)
                & (DiscountRequest.valid_until > at)))
        .order_by(DiscountRequest.id.desc()).limit(1))


def find_unit(project_id, building_id, unit_no):
    unit = db.session.scalar(
        select(Unit).join(Building).where(Building.project_id == project_id,
                                          Unit.building_id == building_id,
                                          Unit.unit_no == str(unit_no or "").strip()))
    if unit is None:
        raise RuleViolation("该楼栋没有这个房号", "unit_no")
    return unit


def create_request(customer, unit, kind, value_text, reason, actor, at=None, plan=None):
    """A consultant (or manager) asks for a special discount for one customer on one unit."""
    at = at or now()
    plan = plan or None
    if plan is not None and plan not in RULE_PLANS:
        raise RuleViolation("请选择付款方式", "plan")
    if not can(actor, "discount.request", customer):
        raise NotAllowed("只能为自己的客户申请特殊优惠")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写申请理由", "reason")
    check_unit(customer, unit)
    project = unit.building.project
    value, priced = quote(unit, kind, value_text, project.rounding, plan)
    expire_due(project.id, at)  # an approval past its validity no longer counts as open
    existing = open_request(customer.id, unit.id, at)
    if existing is not None:
        raise RuleViolation(_already_open(existing), "value")
    request = DiscountRequest(
        project_id=project.id, customer_id=customer.id, unit_id=unit.id,
        requested_by_id=actor.id, created_at=at, kind=kind, value=value, reason=reason[:500],
        list_price=priced.list_price, standard_price=priced.standard_price,
        deal_price=priced.deal_price, discount_amount=priced.discount_amount,
        floor_price=priced.floor_price, status=DiscountStatus.PENDING, plan=plan)
    try:
        with db.session.begin_nested():  # uq_discount_request_open: one open per customer+unit
            db.session.add(request)
    except IntegrityError:
        existing = open_request(customer.id, unit.id, at)
        raise RuleViolation(_already_open(existing) if existing is not None else
                            "该客户在此房源已有未结的特殊优惠申请,请刷新后查看", "value") from None
    log_event(request, "requested", actor, at=at,
              detail=f"{describe_value(kind, value)},成交价 {format_money(priced.deal_price)};"
                     f"理由:{reason}",
              after={"customer": customer.id, "unit": unit.id, "deal_price": priced.deal_price})
    return request


def _already_open(existing):
    label = DiscountStatus.LABELS[existing.status]
    return (f"该客户在此房源已有{label}的特殊优惠申请(编号 {existing.id}),"
            "同一客户同一房源只能有一个未结申请;如需重新申请请先撤回")


def withdraw(request, actor, at=None):
    """The requester takes back a pending request or an unused approval."""
    at = at or now()
    if request.requested_by_id != actor.id:
        raise NotAllowed("只有申请人可以撤回")
    before = request.status
    move(request, (DiscountStatus.PENDING, DiscountStatus.APPROVED),
         status=DiscountStatus.WITHDRAWN)
    log_event(request, "withdrawn", actor, at=at, before={"status": before},
              after={"status": DiscountStatus.WITHDRAWN})
    return request


def load_customer(project_id, customer_id):
    customer = db.session.get(Customer, customer_id) if customer_id else None
    return customer if customer is not None and customer.project_id == project_id else None
