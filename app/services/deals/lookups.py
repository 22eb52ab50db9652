"""Read-only look-ups the deal pages show: the replacing 认购书, receipt books in use, masked
register rows, the price policy's worked example and a typed deal price."""
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Building,
    Receipt,
    ReceiptBook,
    Subscription,
    Unit,
)
from app.services.customers.phones import mask_phone
from app.services.deals import outcomes, price_policy, registers
from app.services.deals.common import PLANS
from app.services.errors import RuleViolation
from app.services.money import parse_money

EXAMPLE_PRICE = Decimal("1000000.00")  # the worked example when the board has no unit yet


def replacement_of(sub):
    """The 认购书 issued in place of a voided one, or None."""
    return db.session.scalar(select(Subscription).where(Subscription.replaces_id == sub.id))


def outcome_of(sub):
    """What became of a 认购书, as the office says it: 有效, 已退房, 已换房 or 已作废."""
    return outcomes.label_of(sub)


def receipt_books(project_id):
    """The project's receipt books in order, and {book id: receipts written from it}."""
    books = db.session.scalars(select(ReceiptBook).where(ReceiptBook.project_id == project_id)
                               .order_by(ReceiptBook.first_no)).all()
    used = dict(db.session.execute(
        select(Receipt.book_id, func.count()).where(Receipt.project_id == project_id)
        .group_by(Receipt.book_id)).all())
    return books, used


def register_rows(name, project_id, filters, limit=registers.PAGE_LIMIT):
    """A register's rows with phones masked: registers never show a full number."""
    rows = registers.rows(name, project_id, filters, limit=limit)
    for row in rows:
        if "phone" in row:
            row["phone"] = mask_phone(row["phone"])
    return rows


def price_examples(project, day):
    """The price policy's worked example: the first unit's list price (else 1,000,000)
    through each plan's standard discounts; (price, {plan: breakdown})."""
    price = db.session.scalar(select(Unit.total_price).join(Building)
                              .where(Building.project_id == project.id)
                              .order_by(Unit.id).limit(1)) or EXAMPLE_PRICE
    return price, {plan: price_policy.breakdown_of(project, price, plan, day) for plan in PLANS}


def typed_price(text, standard):
    """The deal price as typed, or the standard price while nothing is typed or it does not
    parse; (price, why it does not parse or None)."""
    if not (text or "").strip():
        return standard, None
    try:
        return parse_money(text, "deal_price"), None
    except RuleViolation as exc:
        return standard, exc.message
