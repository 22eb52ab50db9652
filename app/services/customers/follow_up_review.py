"""Effective follow-ups under the manager's eye: the ones that keep cards alive, and the
manager's judgement that one was not effective, after which the card's validity is recomputed.

DESIGN.md: the card is valid 2 months after the last effective follow-up (seed 002 客户建档有效期
为2个月; seed 001 无有效跟进维护的客户回收). A follow-up that did not reach the customer, or
that only pretended to, must not keep another consultant away from them.
"""
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import FollowUp, Visit
from app.services import audit
from app.services.clock import local, now
from app.services.customers.ownership import valid_until
from app.services.errors import RuleViolation

VALIDITY_RULE = "规则:002 客户建档有效期为2个月,自最后一次到访或有效跟进起算"


def effective_follow_ups(project_id, days=62, at=None):
    """Effective follow-ups of the last `days` days (those that can keep a card valid)."""
    since = (at or now()) - timedelta(days=days)
    return db.session.scalars(
        select(FollowUp).where(FollowUp.project_id == project_id, FollowUp.effective.is_(True),
                               FollowUp.at >= since)
        .options(selectinload(FollowUp.customer), selectinload(FollowUp.consultant))
        .order_by(FollowUp.at.desc())).all()


def last_effective(customer):
    """The latest walk-in or effective follow-up of the customer, or None."""
    visit = db.session.scalar(select(func.max(Visit.at)).where(
        Visit.customer_id == customer.id, Visit.kind == "visit"))
    follow = db.session.scalar(select(func.max(FollowUp.at)).where(
        FollowUp.customer_id == customer.id, FollowUp.effective.is_(True)))
    stamps = [s for s in (visit, follow) if s is not None]
    return max(stamps) if stamps else None


def _day(value):
    return f"{local(value):%Y-%m-%d}" if value else "无"


def mark_not_effective(follow_up, reason, *, by, at=None):
    """The manager judges a follow-up not effective; returns the recomputed reason (Chinese)."""
    if not follow_up.effective:
        raise RuleViolation("该跟进已是无效跟进")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写判为无效的原因", "reason")
    customer = follow_up.customer
    before = valid_until(customer)
    follow_up.effective, follow_up.ineffective_reason = False, reason[:200]
    follow_up.judged_by_id, follow_up.judged_at = by.id, at or now()
    db.session.flush()
    customer.last_effective_at = last_effective(customer)
    after = valid_until(customer)
    why = (f"{_day(follow_up.at)} 的跟进被判无效({reason[:60]});最后有效跟进/到访 "
           f"{_day(customer.last_effective_at)},有效期由 {before or '—'} 改为 {after or '—'}"
           f"({VALIDITY_RULE})")
    audit.record("follow_up_judged_ineffective", "follow_up", follow_up.id,
                 project_id=follow_up.project_id, before={"valid_until": before},
                 after={"valid_until": after, "customer": customer.id}, reason=why, user=by)
    return why
