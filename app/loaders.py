"""The current project, and the one loader every view that takes an id calls.

Like flaskr's `get_post(id, check_author=True)`: `load` answers 404 for an object that does
not exist or belongs to another project, and asks `can()` about the user and the object (403).
"""
from flask import abort, g, session
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.models import ChannelAgent, DiscountAttachment, Instalment, Project, Unit, User
from app.policy import authorize

# Kinds that name their project through a parent; every other kind has a project_id.
PROJECT_OF = {
    Unit: lambda unit: unit.building.project_id,
    Instalment: lambda instalment: instalment.contract.project_id,
    DiscountAttachment: lambda attachment: attachment.request.project_id,
    ChannelAgent: lambda agent: agent.company.project_id,
}
# The office's own records, not one project's: accounts, and projects in the admin pages.
OFFICE_WIDE = (User, Project)
MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger number names nothing (PostgreSQL errs)


def db_id(value):
    """An id as the database stores one (1 … 2³¹−1), else ValueError: the `type` for
    `request.args.get("unit", type=db_id)`, so 99999999999999999999 reads as absent."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not an id: {value!r}")
    return number


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: an id past MAX_ID does not match (404), never reaches a query."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def current_project():
    """The project this request is about: the one chosen in the switcher, else the first.

    Every view, template and loader asks here, once per request (kept on `g`), so that
    project membership can later decide it in one place.
    """
    if "current_project" not in g:
        project_id = session.get("project_id")
        project = db.session.get(Project, project_id) if project_id else None
        g.current_project = project or db.session.scalar(
            select(Project).order_by(Project.id).limit(1))
    return g.current_project


def project_or_404():
    """The current project; 404 while the installation has none."""
    return current_project() or abort(404)


def find(model, object_id, **options):
    """The `model` row `object_id` when it belongs to the current project, else None."""
    try:
        object_id = db_id(object_id) if object_id else None
    except (TypeError, ValueError):
        return None
    obj = db.session.get(model, object_id, **options) if object_id else None
    if obj is None or isinstance(obj, OFFICE_WIDE):
        return obj
    project = current_project()
    project_id = PROJECT_OF.get(model, lambda row: row.project_id)(obj)
    return obj if project is not None and project_id == project.id else None


def load(model, object_id, action=None, **options):
    """The `model` row `object_id` of the current project (else 404), which the user may
    `action` (else 403, through app.policy.can)."""
    obj = find(model, object_id, **options)
    if obj is None:
        abort(404)
    if action:
        authorize(action, obj)
    return obj
