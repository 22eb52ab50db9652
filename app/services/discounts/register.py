"""The log 特殊优惠客户一览表: filtered requests with their events, totals and export rows."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import DiscountRequest, DiscountStatus, Unit
from app.services.clock import day_bounds, local, now
from app.services.customers.phones import mask_phone
from app.services.discounts.decisions import CONFIRMABLE
from app.services.discounts.events import EVENT_LABELS
from app.services.discounts.pricing import percent_below
from app.services.discounts.queries import LOADS, status_label
from app.services.discounts.requests import describe_value
from app.services.money import from_fen, sum_fen

R = DiscountRequest
STATUS_FILTERS = {**DiscountStatus.LABELS, "verbal_open": "口头批准待确认",
                  "verbal_overdue": "口头批准逾期未确认"}
PAGE_LIMIT = 200


@dataclass
class Filters:
    start: date | None = None
    end: date | None = None
    approver_id: int | None = None
    consultant_id: int | None = None
    building_id: int | None = None
    status: str | None = None


def _status_condition(status, at):
    verbal_open = and_(R.verbal.is_(True), R.confirmed_at.is_(None), R.status.in_(CONFIRMABLE))
    if status == DiscountStatus.APPROVED:
        return and_(R.status == status, R.valid_until > at)
    if status == DiscountStatus.EXPIRED:
        return or_(R.status == status, and_(R.status == DiscountStatus.APPROVED,
                                            R.valid_until <= at))
    if status == "verbal_open":
        return verbal_open
    if status == "verbal_overdue":
        return and_(verbal_open, R.confirm_due_at <= at)
    return R.status == status


def _conditions(project_id, filters, at):
    conditions = [R.project_id == project_id]
    if filters.start:
        conditions.append(R.created_at >= day_bounds(filters.start)[0])
    if filters.end:
        conditions.append(R.created_at < day_bounds(filters.end)[1])
    if filters.approver_id:
        conditions.append(R.decided_by_id == filters.approver_id)
    if filters.consultant_id:
        conditions.append(R.requested_by_id == filters.consultant_id)
    if filters.building_id:
        conditions.append(R.unit_id.in_(select(Unit.id).where(
            Unit.building_id == filters.building_id)))
    if filters.status in STATUS_FILTERS:
        conditions.append(_status_condition(filters.status, at))
    return conditions


def entries(project_id, filters, at=None, limit=PAGE_LIMIT):
    """Requests matching the filters, newest first, with their events loaded."""
    at = at or now()
    query = (select(R).options(*LOADS, selectinload(R.events), selectinload(R.subscriptions))
             .where(*_conditions(project_id, filters, at)).order_by(R.created_at.desc(),
                                                                     R.id.desc()))
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def totals(project_id, filters, at=None):
    """Number and discount amount of all matching requests, and of the valid or used ones."""
    at = at or now()
    conditions = _conditions(project_id, filters, at)
    count, amount = db.session.execute(
        select(func.count(), sum_fen(R.discount_amount)).where(*conditions)).one()
    granted_count, granted_amount = db.session.execute(
        select(func.count(), sum_fen(R.discount_amount))
        .where(*conditions, or_(_status_condition(DiscountStatus.APPROVED, at),
                                R.status == DiscountStatus.USED))).one()
    return {"count": count, "amount": from_fen(amount), "granted_count": granted_count,
            "granted_amount": from_fen(granted_amount)}


def history(request):
    return ";".join(f"{local(event.at):%Y-%m-%d %H:%M} {event.actor_name} "
                    f"{EVENT_LABELS.get(event.kind, event.kind)}" for event in request.events)


def export_rows(requests, at, show_floor):
    """Plain rows for .xlsx/PDF: masked phones, and the floor only when `show_floor`."""
    rows = []
    for r in requests:
        row = {
            "created_at": r.created_at, "customer": r.customer.name,
            "phone": mask_phone(r.customer.phone),
            "unit": f"{r.unit.building.name} {r.unit.unit_no}", "layout": r.unit.layout,
            "consultant": r.requested_by.display_name, "discount": describe_value(r.kind, r.value),
            "list_price": r.list_price, "standard_price": r.standard_price,
            "deal_price": r.deal_price, "discount_amount": r.discount_amount,
            "percent": percent_below(r.list_price, r.deal_price) / 100,
            "status": status_label(r, at), "reason": r.reason,
            "approver": r.decided_by.display_name if r.decided_by else "",
            "decided_at": r.decided_at, "verbal": "口头" if r.verbal else "",
            "subscription": r.used_by_number, "history": history(r),
        }
        if show_floor:
            row["floor_price"] = r.floor_price
            row["floor_gap"] = None if r.floor_price is None else r.deal_price - r.floor_price
        rows.append(row)
    return rows
