"""Template globals: labels for this area's pages, the manager dashboard card for home."""
from flask_login import current_user

from app.blueprints.discounts import bp
from app.models import DiscountKind
from app.policy import can
from app.services.discounts import files, queries
from app.services.discounts.events import EVENT_LABELS


def dashboard_alerts(project):
    """Pending approvals and overdue verbal approvals, for the manager's home page."""
    if project is None or not can(current_user, "discount.decide"):
        return None
    return queries.dashboard(project.id, current_user)


@bp.app_context_processor
def _everywhere():
    return {"discount_alerts": dashboard_alerts}


@bp.context_processor
def _labels():
    return {"kind_labels": DiscountKind.LABELS, "attachment_kinds": files.KINDS,
            "event_labels": EVENT_LABELS}
