from flask import Blueprint

from app.services.errors import NotAllowed
from app.web import not_allowed_saying_why

bp = Blueprint("deals", __name__, url_prefix="/deals")
# A service's separation-of-duties refusal (e.g. the recorder confirming): 403 saying why.
bp.register_error_handler(NotAllowed, not_allowed_saying_why)

from app.blueprints.deals import (  # noqa: E402,F401
    complaints,
    contracts,
    money,
    policy,
    registers,
    routes,
)


@bp.context_processor
def labels():
    from app.models.project import ROUNDING_CHOICES
    from app.services.deals.common import (
        DEPOSIT_KINDS,
        METHODS,
        MONEY_STATUS,
        PLANS,
        RECEIPT_PURPOSES,
    )
    from app.services.deals.identity import ID_TYPES
    return {"methods": METHODS, "plans": PLANS, "deposit_kinds": DEPOSIT_KINDS,
            "id_types": ID_TYPES,
            "receipt_purposes": RECEIPT_PURPOSES,
            "money_status": MONEY_STATUS, "rounding": ROUNDING_CHOICES}
