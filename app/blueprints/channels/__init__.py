from flask import Blueprint

bp = Blueprint("channels", __name__, url_prefix="/channels")

from app.blueprints.channels import routes  # noqa: E402,F401
