from flask import Blueprint

bp = Blueprint("board", __name__)

from app.blueprints.board import displays, imports, moves, routes  # noqa: E402,F401
