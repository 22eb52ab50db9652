"""Customer ownership 客户归属: validity, expiry to the public pool, monthly recycling, transfers.

Rules (DESIGN.md; seed 002 "客户的分配确认"; seed 001 "过期资源处理"):
- The first to register a phone number owns the customer (谁登记早是谁的客户).
- The card is valid 2 months (客户建档有效期为2个月) after the last visit or effective
  follow-up, or after the owner received the customer, whichever is later; then the
  customer is free (public pool).
- Once a month, customers with no deal 3 months after their (latest) visit are recycled
  to a pool the manager redistributes (全部系统过期客户资源(即到访3个月)统一回收交由销售
  经理重新分配,该工作每月进行一次); the original consultant keeps no share afterwards.
- A manager reassigns one or all customers of a consultant (请长假或调离: 由经理按随机抽数
  分配给其他销售代表) and settles disputes. Every change writes an OwnershipChange and an audit row.
"""
import calendar
import random
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Customer, OwnershipChange, User
from app.policy import can, holders
from app.services import audit
from app.services.clock import day_bounds, local, now, today
from app.services.errors import RuleViolation

OWNERSHIP_MONTHS = 2
RECYCLE_MONTHS = 3
CHANGE_KINDS = {
    "registered": "登记", "claimed": "重新登记(原归属已过期)", "expired": "过期释放",
    "recycled": "月度回收", "assigned": "公共池分配", "reassigned": "转移",
    "settled": "纠纷裁定", "deal": "成交归属", "backdated": "补录在先",
    "linked": "老带新/家庭",
}


def add_months(day, months):
    """The same day `months` later (clamped to the month's end: 12-31 + 2 → 02-28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def ownership_anchor(customer):
    """The instant the 2-month clock runs from: last visit / effective follow-up, or receipt."""
    stamps = [s for s in (customer.last_effective_at, customer.owned_since) if s is not None]
    return max(stamps) if stamps else customer.created_at


def valid_until(customer):
    """Last calendar day (office time) the owner's card is valid, or None without an owner."""
    if customer.owner_id is None:
        return None
    return add_months(local(ownership_anchor(customer)).date(), OWNERSHIP_MONTHS)


def ownership_valid(customer, at=None):
    """True while the owner's card is valid (a customer with a deal stays with the owner)."""
    if customer.owner_id is None:
        return False
    if customer.deal_at is not None:
        return True
    return local(at or now()).date() <= valid_until(customer)


def record_change(customer, from_user, to_user, kind, *, by=None, at=None, reason=None):
    """The ownership history row (settles disputes from the record)."""
    db.session.add(OwnershipChange(
        customer=customer, project_id=customer.project_id, at=at or now(),
        by_id=getattr(by, "id", None), from_id=getattr(from_user, "id", None),
        to_id=getattr(to_user, "id", None), kind=kind, reason=reason))


def set_owner(customer, to_user, kind, *, by=None, at=None, reason=None):
    """Move the customer to `to_user` (None: the public pool), with history and audit rows."""
    at = at or now()
    from_user = customer.owner
    customer.owner = to_user
    if to_user is not None:
        customer.owner_id = to_user.id
        customer.owned_since, customer.pooled_at, customer.pool_reason = at, None, None
    else:
        customer.owner_id = None
        customer.pooled_at, customer.pool_reason = at, kind
    record_change(customer, from_user, to_user, kind, by=by, at=at, reason=reason)
    audit.record("customer_owner_changed", "customer", customer.id, project_id=customer.project_id,
                 before={"owner": getattr(from_user, "display_name", None)},
                 after={"owner": getattr(to_user, "display_name", None), "kind": kind},
                 reason=reason, user=by)


def _owned_candidates(project_id, older_than):
    return db.session.scalars(
        select(Customer).where(
            Customer.project_id == project_id, Customer.owner_id.is_not(None),
            Customer.deal_at.is_(None), Customer.anonymised_at.is_(None),
            func.coalesce(Customer.owned_since, Customer.created_at) < older_than)
        .order_by(Customer.id)
    ).all()


def expired_owned(project, at=None):
    """Customers still with an owner whose card has expired (2 months without contact)."""
    at = at or now()
    return [c for c in _owned_candidates(project.id, at - timedelta(days=58))
            if not ownership_valid(c, at)]


def release_expired(project, *, by=None, at=None):
    """Send every customer whose card expired (2 months) to the public pool; returns them."""
    at = at or now()
    released = expired_owned(project, at)
    for customer in released:
        set_owner(customer, None, "expired", by=by, at=at, reason=expiry_reason(customer, at))
    if released:
        audit.record("customers_released", "project", project.id, project_id=project.id,
                     after={"customers": len(released)}, user=by)
    return released


def expiry_reason(customer, at):
    """'建档 …,有效期至 2026-03-05;释放日 2026-03-10 超过有效期 → 公共池(规则:…)'."""
    from app.services.customers.reasons import card_state  # it reads this module's dates
    return f"{card_state(customer, at, '释放日')} → 公共池(规则:002 客户建档有效期为2个月)"[:300]


def _recycle_reason(customer):
    visited = local(customer.last_visit_at or customer.created_at).date()
    return (f"最近到访 {visited:%Y-%m-%d},满 {RECYCLE_MONTHS} 个月 "
            f"{add_months(visited, RECYCLE_MONTHS):%Y-%m-%d} 未成交 → 公共池,由经理重新分配"
            "(规则:001 过期客户资源(即到访3个月)统一回收,每月一次)")


def last_recycle(project, at=None):
    """When this month's recycling ran (office time), or None."""
    start, _ = day_bounds(local(at or now()).date().replace(day=1))
    return db.session.scalar(
        select(AuditLog.at).where(AuditLog.project_id == project.id,
                                  AuditLog.action == "customers_recycled", AuditLog.at >= start)
        .order_by(AuditLog.at.desc()).limit(1))


def recycle_due(project, at=None):
    """Customers with no deal whose latest visit is 3 months old or more."""
    at = at or now()
    day = local(at).date()
    rows = _owned_candidates(project.id, at - timedelta(days=88))
    return [c for c in rows
            if add_months(local(c.last_visit_at or c.created_at).date(), RECYCLE_MONTHS) <= day]


def recycle(project, *, by=None, at=None):
    """The monthly recycling run (refused a second time in the same month)."""
    at = at or now()
    done = last_recycle(project, at)
    if done is not None:
        raise RuleViolation(f"本月已于 {local(done):%m-%d %H:%M} 执行过回收,每月一次")
    due = recycle_due(project, at)
    for customer in due:
        set_owner(customer, None, "recycled", by=by, at=at, reason=_recycle_reason(customer))
    audit.record("customers_recycled", "project", project.id, project_id=project.id,
                 after={"customers": len(due)}, user=by)
    return due


def _consultant(user_id, field="to_user"):
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active or not can(user, "customers.own"):
        raise RuleViolation("请选择在职的置业顾问", field)
    return user


def assign(customers, to_user_id, *, by, kind="assigned", reason=None, at=None):
    """Give customers (from the pool, or transferred) to one consultant."""
    to_user = _consultant(to_user_id)
    for customer in customers:
        if customer.owner_id != to_user.id:
            set_owner(customer, to_user, kind, by=by, at=at, reason=reason)
    return to_user


def distribute(customers, consultant_ids, *, by, kind="assigned", reason=None, rng=None):
    """Share customers evenly at random among consultants (随机抽数分配); {user: count}."""
    consultants = [_consultant(uid, "consultants") for uid in consultant_ids]
    if not consultants:
        raise RuleViolation("请至少选择一位置业顾问", "consultants")
    rng = rng or random.SystemRandom()
    shuffled = list(customers)
    rng.shuffle(shuffled)
    rng.shuffle(consultants)
    counts = {user: 0 for user in consultants}
    for index, customer in enumerate(shuffled):
        user = consultants[index % len(consultants)]
        set_owner(customer, user, kind, by=by, reason=reason)
        counts[user] += 1
    return counts


def assign_pool(project, customer_ids, to_user_id, *, by):
    """Chosen customers of the public pool to one consultant, or shared at random among all
    active consultants; {user: count}."""
    chosen = db.session.scalars(select(Customer).where(
        Customer.project_id == project.id, Customer.owner_id.is_(None),
        Customer.anonymised_at.is_(None), Customer.id.in_(customer_ids or []))).all()
    if not chosen:
        raise RuleViolation("请勾选公共池中的客户")
    if to_user_id:
        return {assign(chosen, to_user_id, by=by, reason="公共池分配"): len(chosen)}
    everyone = db.session.scalars(select(User.id).where(
        holders("customers.own"), User.active.is_(True)).order_by(User.display_name, User.id))
    return distribute(chosen, everyone.all(), by=by, reason="公共池随机分配")


def reassign_all(project, from_user_id, to_user_id, *, by, reason):
    """A consultant leaves: all their customers go to one colleague, or at random to all others."""
    if not (reason or "").strip():
        raise RuleViolation("请填写原因(如休假、离职)", "reason")
    customers = db.session.scalars(select(Customer).where(
        Customer.project_id == project.id, Customer.owner_id == from_user_id)).all()
    if not customers:
        raise RuleViolation("该顾问名下没有客户", "from_user")
    if to_user_id:
        if int(to_user_id) == int(from_user_id):
            raise RuleViolation("不能转给同一位顾问", "to_user")
        user = assign(customers, to_user_id, by=by, kind="reassigned", reason=reason)
        return {user: len(customers)}
    others = db.session.scalars(select(User.id).where(
        holders("customers.own"), User.active.is_(True), User.id != from_user_id)).all()
    return distribute(customers, others, by=by, kind="reassigned", reason=reason)


def settle(customer, to_user_id, reason, *, by):
    """A manager settles an ownership dispute (客户交叉由部门经理界定), with the reason."""
    if not (reason or "").strip():
        raise RuleViolation("请填写裁定依据", "reason")
    return assign([customer], to_user_id, by=by, kind="settled", reason=reason.strip())


def pool(project_id, limit=200):
    return db.session.scalars(
        select(Customer).where(Customer.project_id == project_id, Customer.owner_id.is_(None),
                               Customer.anonymised_at.is_(None))
        .order_by(Customer.pooled_at.desc(), Customer.id).limit(limit)).all()


def expiring(owner_id, project_id, within_days=7, at=None):
    """The owner's customers whose card expires within `within_days` (still valid today)."""
    day = today() if at is None else local(at).date()
    horizon = day + timedelta(days=within_days)
    rows = db.session.scalars(select(Customer).where(
        Customer.project_id == project_id, Customer.owner_id == owner_id,
        Customer.deal_at.is_(None), Customer.anonymised_at.is_(None))).all()
    soon = [(valid_until(c), c) for c in rows if day <= valid_until(c) <= horizon]
    return [c for _until, c in sorted(soon, key=lambda pair: (pair[0], pair[1].id))]
