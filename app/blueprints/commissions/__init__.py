from flask import Blueprint

from app.services.errors import NotAllowed
from app.web import not_allowed_saying_why

bp = Blueprint("commissions", __name__, url_prefix="/commissions")
# a service's refusal of this user (a manager approving their own 提成): 403 saying why
bp.register_error_handler(NotAllowed, not_allowed_saying_why)

from app.blueprints.commissions import manage, routes  # noqa: E402,F401


@bp.context_processor
def labels():
    from app.models.commission import (
        LINE_KINDS,
        PAYABLE_WHEN,
        PAYEE_KINDS,
        PRODUCT_TYPES,
        RATE_KINDS,
        LineStatus,
    )
    from app.services.deals.common import METHODS
    return {"payee_kinds": PAYEE_KINDS, "product_types": PRODUCT_TYPES,
            "rate_kinds": RATE_KINDS, "payable_when": PAYABLE_WHEN, "line_kinds": LINE_KINDS,
            "line_status": LineStatus.LABELS, "methods": METHODS}
