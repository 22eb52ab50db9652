from flask import Blueprint

from app.services.errors import NotAllowed
from app.web import not_allowed_saying_why

bp = Blueprint("changes", __name__, url_prefix="/changes")
# A service's refusal of this user (the requester deciding, a consultant's other deals): 403.
bp.register_error_handler(NotAllowed, not_allowed_saying_why)

from app.blueprints.changes import finance, registers, routes  # noqa: E402,F401


@bp.context_processor
def labels():
    from app.services.changes import (
        FEE_STATUS,
        KINDS,
        PAYOUT_STATUS,
        REASONS,
        RENAME_ACTIONS,
        STATUS,
        UNIT_AFTER,
    )
    from app.services.deals.common import METHODS
    return {"kinds": KINDS, "change_status": STATUS, "reasons": REASONS,
            "rename_actions": RENAME_ACTIONS, "unit_after": UNIT_AFTER, "methods": METHODS,
            "payout_status": PAYOUT_STATUS, "fee_status": FEE_STATUS}
