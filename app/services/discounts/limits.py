"""Approval limits: how far below list (or floor) price each approver may go.

Without a configured limit, a manager may approve down to the floor price (底价) and an
administrator has no limit: the usual split between a sales manager and the head of sales.
"""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import ApprovalLimit, User
from app.policy import can, holders
from app.services import audit
from app.services.clock import now
from app.services.discounts.pricing import parse_percent
from app.services.errors import RuleViolation
from app.services.money import format_money, parse_money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Limit:
    max_percent: Decimal | None = None
    max_amount: Decimal | None = None
    max_below_floor: Decimal | None = None
    configured: bool = False

    def covers(self, quote):
        """True when a discount with this quote is within the limit."""
        if self.max_percent is not None and quote.list_discount_percent > self.max_percent:
            return False
        if self.max_amount is not None and quote.list_discount > self.max_amount:
            return False
        return self.max_below_floor is None or quote.below_floor <= self.max_below_floor

    def describe(self):
        if self.max_percent is None and self.max_amount is None and self.max_below_floor is None:
            return "不限(可低于底价)"
        parts = []
        if self.max_percent is not None:
            parts.append(f"低于表价不超过 {self.max_percent}%")
        if self.max_amount is not None:
            parts.append(f"优惠不超过 {format_money(self.max_amount)}")
        if self.max_below_floor is None:
            parts.append("可低于底价")
        elif self.max_below_floor == 0:
            parts.append("不得低于底价")
        else:
            parts.append(f"低于底价不超过 {format_money(self.max_below_floor)}")
        return ",".join(parts)


MANAGER_DEFAULT = Limit(max_below_floor=ZERO)
UNLIMITED = Limit()


def is_approver(user):
    return user is not None and user.active and can(user, "discount.decide")


def configured_limits(project_id):
    """{user_id: ApprovalLimit} of the project, in one query."""
    rows = db.session.scalars(select(ApprovalLimit).where(ApprovalLimit.project_id == project_id))
    return {row.user_id: row for row in rows}


def limit_for(user, project_id, configured=None):
    """The user's limit in the project, or None when they approve nothing."""
    if not is_approver(user):
        return None
    if configured is None:
        row = db.session.scalar(select(ApprovalLimit).where(
            ApprovalLimit.project_id == project_id, ApprovalLimit.user_id == user.id))
    else:
        row = configured.get(user.id)
    if row is not None:
        return Limit(row.max_percent, row.max_amount, row.max_below_floor, configured=True)
    return UNLIMITED if can(user, "discount.unlimited") else MANAGER_DEFAULT


def approvers():
    """Active managers, then administrators (sorted in Python: same order on every engine)."""
    users = db.session.scalars(
        select(User).where(User.active.is_(True), holders("discount.decide")))
    return sorted(users, key=lambda u: (can(u, "discount.unlimited"), u.display_name, u.id))


def approvers_for(quote, project_id, exclude_id=None, people=None, configured=None):
    """Who may approve a discount with this quote (never the requester)."""
    people = approvers() if people is None else people
    configured = configured_limits(project_id) if configured is None else configured
    return [user for user in people
            if user.id != exclude_id and limit_for(user, project_id, configured).covers(quote)]


def _optional_money(text, field):
    return None if not str(text or "").strip() else parse_money(text, field=field)


def set_limit(project_id, user, max_percent, max_amount, max_below_floor, actor):
    """Set an approver's limit; empty fields mean no cap on that measure."""
    if not is_approver(user):
        raise RuleViolation("只有销售经理和管理员可设置审批权限")
    percent = None if not str(max_percent or "").strip() else parse_percent(
        max_percent, "max_percent", inclusive=True)
    amount = _optional_money(max_amount, "max_amount")
    floor = _optional_money(max_below_floor, "max_below_floor")
    row = db.session.scalar(select(ApprovalLimit).where(
        ApprovalLimit.project_id == project_id, ApprovalLimit.user_id == user.id))
    before = limit_for(user, project_id)
    if row is None:
        row = ApprovalLimit(project_id=project_id, user_id=user.id)
        db.session.add(row)
    row.max_percent, row.max_amount, row.max_below_floor = percent, amount, floor
    row.updated_at, row.updated_by_id = now(), actor.id
    after = Limit(percent, amount, floor, configured=True)
    audit.record("discount_limit_changed", "discount_limit", user.id, project_id=project_id,
                 before={"limit": before.describe()}, after={"limit": after.describe()},
                 user=actor)
    return after
