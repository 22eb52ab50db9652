from flask import Blueprint

from app.services.errors import NotAllowed
from app.web import not_allowed

bp = Blueprint("board", __name__)
# A move the service refuses this user (not their hold, not their role): 403, nothing written.
bp.register_error_handler(NotAllowed, not_allowed)

from app.blueprints.board import displays, imports, moves, routes  # noqa: E402,F401
