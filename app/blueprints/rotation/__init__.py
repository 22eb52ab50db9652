from flask import Blueprint

bp = Blueprint("rotation", __name__, url_prefix="/rotation")

from app.blueprints.rotation import routes  # noqa: E402,F401
