"""Special discounts 特殊优惠审批 (DESIGN.md "Special discounts").

The API other areas call (the deals area's subscriptions):
    usable_approval(customer_id, unit_id, at)      the approval a subscription may use, or None
    require_approval_for(customer, unit, deal_price, at)   refuse a special price without one
    consume(request, subscription_ref, actor, at)  mark it used, exactly once
"""
from app.services.discounts.decisions import (
                                              CONFIRM_DAYS,
                                              confirm_verbal,
                                              decide,
                                              expire_due,
                                              record_verbal,
)
from app.services.discounts.files import add_attachment
from app.services.discounts.limits import limit_for, set_limit
from app.services.discounts.pricing import quote, standard_price
from app.services.discounts.requests import create_request, withdraw
from app.services.discounts.usage import consume, require_approval_for, usable_approval

__all__ = [
    "CONFIRM_DAYS", "add_attachment", "confirm_verbal", "consume", "create_request", "decide",
    "expire_due", "limit_for", "quote", "record_verbal", "require_approval_for", "set_limit",
    "standard_price", "usable_approval", "withdraw",
]
