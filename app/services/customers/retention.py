"""Consent and retention of customer data (seed 004 售楼部客户信息管理制度).

Seed 004 5: 客户信息只能在经过客户的明确授权和事先通知的情况下使用 — the card records when and
how the customer consented. Seed 004 6: 定期审核客户信息数据库,删除那些已经过期或无效的信息 —
a card without a deal is kept `project.retention_months` after the last contact (the project
setting), then listed for the manager, who anonymises the cards in bulk (privacy.anonymise:
the sales records stay, the person goes, with their unconfirmed channel reports).
"""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer
from app.services import audit
from app.services.clock import day_bounds, local, now, zone
from app.services.customers.ownership import add_months
from app.services.customers.privacy import anonymise
from app.services.errors import RuleViolation

CONSENT_WAYS = ("书面签字", "口头同意", "线上勾选", "微信确认")
RETENTION_RULE = "规则:004 定期审核客户信息,删除已经过期的信息"


def record_consent(customer, how, when=None, *, by):
    """When and how the customer agreed that the office keeps and uses their data."""
    if customer.anonymised_at is not None:
        raise RuleViolation("该客户已匿名化")
    if how not in CONSENT_WAYS:
        raise RuleViolation("请选择授权方式", "how")
    at = now()
    if when and when > local(at).date():
        raise RuleViolation("授权日期不能晚于今天", "when")
    when = datetime.combine(when, time(12), tzinfo=zone()) if when and when < local(
        at).date() else at
    customer.consent_at, customer.consent_how = when, how
    audit.record("customer_consent_recorded", "customer", customer.id,
                 project_id=customer.project_id, after={"how": how, "at": when}, user=by)


def _last_contact():
    return func.coalesce(Customer.last_visit_at, Customer.last_effective_at, Customer.created_at)


def last_contact(customer):
    return max(s for s in (customer.last_visit_at, customer.last_effective_at,
                           customer.created_at) if s is not None)


def kept_until(project, customer):
    """Last day the card is kept: last contact + the project's retention months."""
    return add_months(local(last_contact(customer)).date(), project.retention_months)


def past_retention(project, at=None):
    """(card, last contact, kept until) of cards without a deal past the retention period."""
    day = local(at or now()).date()
    _start, roughly = day_bounds(add_months(day, -project.retention_months) + timedelta(days=3))
    rows = db.session.scalars(
        select(Customer).where(Customer.project_id == project.id, _last_contact() < roughly,
                               Customer.anonymised_at.is_(None), Customer.deal_at.is_(None))
        .order_by(_last_contact())).all()
    return [(c, last_contact(c), kept_until(project, c)) for c in rows
            if kept_until(project, c) < day]


def anonymise_past_retention(project, customer_ids, *, by, at=None):
    """The manager's bulk anonymisation of chosen cards past the retention period."""
    due = {c.id: (c, until) for c, _last, until in past_retention(project, at)}
    chosen = [due[i] for i in customer_ids if i in due]
    if not chosen:
        raise RuleViolation("请选择超过保存期限的客户", "customer_ids")
    for customer, until in chosen:
        anonymise(customer, f"保存期限 {project.retention_months} 个月,保存至 {until:%Y-%m-%d} "
                            f"已过,经理批量匿名化({RETENTION_RULE})", by=by)
    audit.record("customers_anonymised_by_retention", "project", project.id,
                 project_id=project.id, after={"count": len(chosen)}, user=by)
    return len(chosen)
