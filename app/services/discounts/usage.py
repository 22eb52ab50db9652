"""What subscriptions (认购书) call: find a usable approval, refuse without one, consume it once.

    approval = require_approval_for(customer, unit, deal_price, at=signed_at)
    if approval is not None:
        consume(approval, subscription_ref="RG-2026-0012", actor=current_user, at=signed_at)
"""
from sqlalchemy import or_, select

from app.extensions import db
from app.models import DiscountRequest, DiscountStatus
from app.services.clock import now
from app.services.discounts.events import log_event
from app.services.discounts.pricing import standard_price
from app.services.discounts.transitions import move
from app.services.errors import RuleViolation
from app.services.money import format_money


def _usable_conditions(at):
    """Approved, within validity, and not a verbal approval whose written follow-up is late."""
    return (
        DiscountRequest.status == DiscountStatus.APPROVED,
        DiscountRequest.valid_until > at,
        or_(DiscountRequest.verbal.is_(False), DiscountRequest.confirmed_at.is_not(None),
            DiscountRequest.confirm_due_at > at),
    )


def usable_approval(customer_id, unit_id, at=None):
    """The approval a subscription for this customer and unit may use now, else None.

    Approved (in the system or verbally), not expired, not consumed, same customer and unit.
    The one with the lowest approved deal price wins when several are usable.
    """
    at = at or now()
    return db.session.scalar(
        select(DiscountRequest)
        .where(DiscountRequest.customer_id == customer_id, DiscountRequest.unit_id == unit_id,
               *_usable_conditions(at))
        .order_by(DiscountRequest.deal_price, DiscountRequest.id).limit(1))


def _overdue_verbal(customer_id, unit_id, at):
    """Whether a verbal approval for this customer and unit exists but its follow-up is late."""
    return db.session.scalar(
        select(DiscountRequest.id)
        .where(DiscountRequest.customer_id == customer_id, DiscountRequest.unit_id == unit_id,
               DiscountRequest.status == DiscountStatus.APPROVED, DiscountRequest.valid_until > at,
               DiscountRequest.verbal.is_(True), DiscountRequest.confirmed_at.is_(None),
               DiscountRequest.confirm_due_at <= at).limit(1)) is not None


def require_approval_for(customer, unit, deal_price, at=None, field="deal_price", standard=None):
    """Refuse a subscription priced below the standard price without a covering approval.

    Returns None when the deal price needs no special discount, else the approval to
    consume when the subscription is signed. Raises RuleViolation otherwise.
    """
    at = at or now()
    if deal_price >= (standard if standard is not None else standard_price(unit)):
        return None
    approval = usable_approval(customer.id, unit.id, at)
    if approval is None and _overdue_verbal(customer.id, unit.id, at):
        raise RuleViolation("该客户在此房源上的口头批准已逾期:批准后 7 天内未确认或补书面审批,"
                            "须先由批准的经理确认后才能使用", field)
    if approval is None:
        raise RuleViolation("成交价低于标准优惠价,属于特殊优惠:须先有该客户在此房源上"
                            "已批准且在有效期内的特殊优惠审批", field)
    if deal_price < approval.deal_price:
        raise RuleViolation(f"成交价低于已批准的特殊优惠价 {format_money(approval.deal_price)}",
                            field)
    return approval


def consume(request, subscription_ref, actor, at=None):
    """Mark an approval used by a subscription, exactly once (a second use is a Conflict)."""
    at = at or now()
    subscription_ref = str(subscription_ref or "").strip()[:64]
    if not subscription_ref:
        raise RuleViolation("缺少认购书编号", "subscription_ref")
    move(request, (DiscountStatus.APPROVED,), _usable_conditions(at)[1:],
         status=DiscountStatus.USED, used_at=at, used_by_id=actor.id,
         subscription_ref=subscription_ref)
    log_event(request, "used", actor, at=at, detail=f"认购书 {subscription_ref}",
              before={"status": DiscountStatus.APPROVED},
              after={"status": DiscountStatus.USED, "subscription": subscription_ref})
    return request
