"""Labels for this area's pages."""
from app.blueprints.discounts import bp
from app.models import DiscountKind
from app.services.discounts import files
from app.services.discounts.events import EVENT_LABELS


@bp.context_processor
def _labels():
    return {"kind_labels": DiscountKind.LABELS, "attachment_kinds": files.KINDS,
            "event_labels": EVENT_LABELS}
