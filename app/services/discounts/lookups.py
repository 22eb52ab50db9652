"""Read-only look-ups the discount pages show: who may be picked, the request form's price."""
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.policy import holders
from app.services.deals.price_policy import PLANS
from app.services.discounts.pricing import quote
from app.services.discounts.requests import find_unit
from app.services.errors import RuleViolation


def people(action):
    """Active users whose roles allow `action` (approvers, requesters), by name."""
    return db.session.scalars(select(User).where(User.active.is_(True), holders(action))
                              .order_by(User.display_name)).all()


def price_panel(project, building_id, unit_no, kind, value, plan=None, floor=False):
    """The request form's price panel: the unit, its quote (the floor price only when
    `floor`), or why there is none; {'unit', 'quote', 'error'}."""
    panel = {"unit": None, "quote": None, "error": None}
    if not building_id or not (unit_no or "").strip():
        return panel
    try:
        panel["unit"] = find_unit(project.id, building_id, unit_no)
        if (value or "").strip():
            _value, priced = quote(panel["unit"], kind, value, project.rounding,
                                   plan if plan in PLANS else None)
            panel["quote"] = priced if floor else priced.without_floor()
    except RuleViolation as exc:
        panel["error"] = exc.message
    return panel
