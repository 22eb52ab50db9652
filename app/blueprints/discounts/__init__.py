from flask import Blueprint

from app.services.errors import NotAllowed
from app.web import not_allowed

bp = Blueprint("discounts", __name__, url_prefix="/discounts")
# A service's refusal of this user (not their customer, not the approver): a plain 403.
bp.register_error_handler(NotAllowed, not_allowed)

from app.blueprints.discounts import limits, log, queue, routes, templating  # noqa: E402,F401
