"""Figures for the home pages, computed in the database."""
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Building, Unit, UnitStatus
from app.services import audit_text, clock
from app.services.board.unit_status import effective_status


def unit_status_summary(project_id, building_id=None, now=None):
    """Units, building area and list amount per status, plus 去化率 (sold / released).

    Expired holds count as available, as the board shows them.
    """
    inner = (select(effective_status(now or clock.now()).label("status"), Unit.building_area,
                    Unit.total_price)
             .join(Building).where(Building.project_id == project_id))
    if building_id is not None:
        inner = inner.where(Unit.building_id == building_id)
    inner = inner.subquery()
    query = (select(inner.c.status, func.count(), func.sum(inner.c.building_area),
                    func.sum(inner.c.total_price)).group_by(inner.c.status))
    return summarise({row[0]: row[1:] for row in db.session.execute(query)})


def summarise(counts):
    """Figures from {status: (units, area, amount)}: the home page's and the board's."""
    by_status = {status: {"units": 0, "area": Decimal("0.00"), "amount": Decimal("0.00")}
                 for status in UnitStatus.ALL}
    for status, (units, area, amount) in counts.items():
        by_status[status] = {"units": units, "area": area or Decimal("0.00"),
                             "amount": amount or Decimal("0.00")}
    total = sum(row["units"] for row in by_status.values())
    released = total - by_status[UnitStatus.WITHHELD]["units"]
    sold = sum(by_status[s]["units"] for s in UnitStatus.SOLD)
    rate = (Decimal(sold) / released * 100).quantize(Decimal("0.1")) if released else Decimal("0.0")
    return {"by_status": by_status, "total": total, "released": released, "sold": sold,
            "sell_through": rate,
            "sold_area": sum((by_status[s]["area"] for s in UnitStatus.SOLD), Decimal("0.00")),
            "sold_amount": sum((by_status[s]["amount"] for s in UnitStatus.SOLD), Decimal("0.00"))}


def units_held_by(user_id, project_id, limit=50):
    return db.session.scalars(
        select(Unit).join(Building)
        .where(Building.project_id == project_id, Unit.held_by_id == user_id,
               Unit.status == UnitStatus.HELD, Unit.hold_expires_at > clock.now())
        .order_by(Unit.hold_expires_at).limit(limit)
    ).all()


def units_in_status(project_id, status, limit=50):
    return db.session.scalars(
        select(Unit).join(Building)
        .where(Building.project_id == project_id, Unit.status == status)
        .order_by(Unit.status_changed_at).limit(limit)
    ).all()


def recent_activity(project_id, limit=10):
    """The project's last audited moves, as sentences naming people (audit_text.Entry)."""
    return audit_text.entries(db.session.scalars(audit_text.with_people(
        select(AuditLog).where(AuditLog.project_id == project_id)
        .order_by(AuditLog.id.desc()).limit(limit))).all())
