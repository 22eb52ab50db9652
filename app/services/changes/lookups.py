"""Read-only look-ups the change pages show."""
from sqlalchemy import select

from app.extensions import db
from app.models import Unit, UnitStatus


def exchange_targets(project_id):
    """Units an exchange may move to: available or held, in board order."""
    return db.session.scalars(
        select(Unit).join(Unit.building).where(
            Unit.building.has(project_id=project_id),
            Unit.status.in_((UnitStatus.AVAILABLE, UnitStatus.HELD)))
        .order_by(Unit.building_id, Unit.floor, Unit.unit_no)).all()
