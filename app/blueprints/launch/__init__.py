from flask import Blueprint

from app.services.errors import NotAllowed
from app.web import not_allowed_saying_why

bp = Blueprint("launch", __name__)
# A service's refusal of this user (the recorder confirming, another's customer): 403, why.
bp.register_error_handler(NotAllowed, not_allowed_saying_why)

from app.blueprints.launch import public, registrations, routes, session  # noqa: E402,F401


@bp.context_processor
def labels():
    from app.services.deals.common import METHODS
    from app.services.launch.launches import CALL_STATUS, MODES, REG_STATUS, STATUS
    return {"methods": METHODS, "launch_status": STATUS, "launch_modes": MODES,
            "reg_status": REG_STATUS, "call_status": CALL_STATUS}
