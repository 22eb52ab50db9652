"""Why an ownership, credit or rotation decision came out as it did, in Chinese: the rule it
applied and the card's dates it compared (kept with the decision for a later 裁定归属)."""
from app.services.clock import local
from app.services.customers.ownership import ownership_valid, valid_until

POOL_KINDS = {"expired": "过期释放", "recycled": "月度回收", "released": "释放"}


def _day(value):
    return f"{local(value):%Y-%m-%d}" if value else "—"


def card_dates(customer):
    """'建档 2026-01-10,最后有效跟进 2026-02-01,有效期至 2026-04-01' (or the pool's date)."""
    text = f"建档 {_day(customer.created_at)},最后有效跟进 {_day(customer.last_effective_at)}"
    if customer.owner_id is None:
        kind = POOL_KINDS.get(customer.pool_reason, customer.pool_reason or "")
        return f"{text},{_day(customer.pooled_at)} 进入公共池({kind})"
    until = valid_until(customer)
    return f"{text},归属 {customer.owner.display_name},有效期至 {until:%Y-%m-%d}"


def card_state(customer, at, event):
    """The card's dates and how `event` day (成交日, 到访日...) compares with the validity."""
    day = f"{event} {local(at):%Y-%m-%d}"
    if customer.owner_id is None:
        return f"{card_dates(customer)};{day},客户在公共池"
    if customer.deal_at is not None:
        return f"{card_dates(customer)};已于 {_day(customer.deal_at)} 成交,{day}"
    inside = "在有效期内" if ownership_valid(customer, at) else "超过有效期"
    return f"{card_dates(customer)};{day} {inside}"


def percents(shares):
    """'李军 80%、王芳 20%'."""
    return "、".join(f"{user.display_name} {pct.normalize():f}%" for user, pct in shares if pct)
