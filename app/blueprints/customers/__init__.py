from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")


from app.blueprints.customers import routes, routes_card, routes_ownership, routes_review  # noqa: E402,F401
