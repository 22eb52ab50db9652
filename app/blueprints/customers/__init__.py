from flask import Blueprint

from app.services.clock import today
from app.services.customers import ownership
from app.services.customers.visits import follow_up_state

bp = Blueprint("customers", __name__, url_prefix="/customers")


@bp.app_template_global()
def follow_up_of(customer):
    """'overdue' / 'due' / 'scheduled' / None for the customer's next follow-up today."""
    return follow_up_state(customer, today())


@bp.app_template_global()
def card_valid_until(customer):
    return ownership.valid_until(customer)


@bp.app_template_global()
def card_valid(customer):
    return ownership.ownership_valid(customer)


from app.blueprints.customers import routes, routes_card, routes_ownership  # noqa: E402,F401
