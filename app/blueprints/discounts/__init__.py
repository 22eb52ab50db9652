from flask import Blueprint

bp = Blueprint("discounts", __name__, url_prefix="/discounts")

from app.blueprints.discounts import limits, log, queue, routes, templating  # noqa: E402,F401
