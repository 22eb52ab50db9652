"""Lookups shared by the customer-area blueprints: the current project, objects in it."""
from flask import abort

from app.extensions import db
from app.filters import current_project
from app.forms import choices
from app.policy import authorize
from app.services.customers import cards


def project_or_404():
    project = current_project()
    if project is None:
        abort(404)
    return project


def in_project_or_404(model, object_id, project, action=None):
    """The object when it belongs to the user's project (else 404), checked against `action`."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, "project_id", None) != project.id:
        abort(404)
    if action:
        authorize(action, obj)
    return obj


def consultant_choices(blank=None):
    """Select options for the active consultants (with a first 'blank' option, value 0)."""
    pairs = ([(0, blank)] if blank else []) + [(u.id, u.display_name)
                                              for u in cards.consultants()]
    return choices(pairs)


def form_status(form):
    return 422 if form.is_submitted() else 200
