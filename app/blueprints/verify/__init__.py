from flask import Blueprint

bp = Blueprint("verify", __name__, url_prefix="/v")

from app.blueprints.verify import routes  # noqa: E402,F401
