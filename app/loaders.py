"""The current project, and the one loader every view that takes an id calls.

Like flaskr's `get_post(id, check_author=True)`: `load` answers 404 for an object that does
not exist or belongs to another project, and asks `can()` about the user and the object (403).
"""
from flask import abort, g, has_request_context, session
from flask_login import current_user
from sqlalchemy import bindparam, inspect, select, true
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.routing import IntegerConverter

from app.database import key_of
from app.extensions import db
from app.models import (
                        ChannelAgent,
                        DiscountAttachment,
                        Instalment,
                        Project,
                        ProjectMember,
                        Unit,
                        User,
)
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


def get(model, object_id):
    """`db.session.get(model, object_id)` for the paths every request takes (its user, its
    project): the SELECT is built once per model, so neither the statement nor its cache key
    is made again per request."""
    in_map = db.session.identity_map.get(key_of(model, object_id))
    if in_map is not None and not inspect(in_map).expired_attributes:
        return in_map
    if model not in _BY_ID:
        _BY_ID[model] = select(model).where(inspect(model).primary_key[0] == bindparam("id"))
    return db.session.execute(_BY_ID[model], {"id": object_id}).scalar_one_or_none()


_BY_ID = {}


def current_project():
    """The project this request is about: the one chosen in the switcher, else the first
    the user may see. Worked out once per request (kept on `g`)."""
    context = g._get_current_object()  # (see app.sessions._before_request)
    if "current_project" not in context:
        user = current_user if current_user.is_authenticated else None  # loading sets g
        if "current_project" not in context:
            context.current_project = _project_for(user)
    return context.current_project


def enter_project(user):
    """Called as the user is loaded: choose their current project, and give them their role
    there for this request (a membership's role, else the account's)."""
    context = g._get_current_object()  # (see app.sessions._before_request)
    kept = context.get("member_roles")  # read with the user (app.services.auth.load_user)
    roles = kept[1] if kept and kept[0] == user.id else member_roles(user)
    context.member_roles = (user.id, roles)  # the topbar's project switcher asks again
    live = context.pop("live_projects", None)  # read with the user too: the chosen and first
    project = context.current_project = (
        _chosen_or_first(user, roles, live[1]) if live and live[0] == user.id
        else _project_for(user, roles))
    role = roles.get(project.id) if project is not None else None
    if role and role != user.role:
        # This request's role, not a change to the account: nothing is flushed.
        set_committed_value(user, "role", role)


def member_roles(user):
    """{project id: role} of the user's memberships; empty for an office-wide account."""
    return dict(db.session.execute(_MEMBER_ROLES, {"user": user.id}).all())


_MEMBER_ROLES = select(ProjectMember.project_id, ProjectMember.role).where(
    ProjectMember.user_id == bindparam("user"))


def visible_projects(user, roles=None):
    """SQL condition on Project: the projects `user` may open. Admins see every project;
    a user with memberships sees those; an account in no project is office-wide."""
    if user is None or user.admin_rights:
        return true()
    roles = member_roles(user) if roles is None else roles
    return Project.id.in_(sorted(roles)) if roles else true()


def switchable_projects():
    """The live projects the current user may switch to, for the topbar's switcher."""
    user = current_user if current_user.is_authenticated else None
    kept = g.get("member_roles")
    roles = kept[1] if kept and user is not None and kept[0] == user.id else None
    params, shape = _visible(user, roles)
    return db.session.scalars(_LIVE[shape, "list"], params).all()


def _visible(user, roles=None):
    """(parameters, shape) of the _LIVE statements for the projects `user` may open, as
    visible_projects says."""
    if user is None or user.admin_rights:
        return {}, "all"
    roles = member_roles(user) if roles is None else roles
    return ({"ids": sorted(roles)}, "members") if roles else ({}, "all")


def _project_for(user, roles=None):
    params, shape = _visible(user, roles)
    chosen = chosen_project_id()
    project = None
    if chosen:
        project = db.session.scalar(_LIVE[shape, "chosen"], {**params, "id": chosen})
    return project or db.session.scalar(_LIVE[shape, "first"], params)


def _chosen_or_first(user, roles, live):
    """_project_for from the live projects load_user read: the chosen one if the user may see
    it, else the first they may see (the SQL there picked it by the same rule)."""
    params, shape = _visible(user, roles)  # the rule _project_for's statements apply

    def may_open(project_id):
        return shape == "all" or project_id in params["ids"]

    chosen = chosen_project_id()
    if chosen in live and may_open(chosen):
        return live[chosen]
    first = [project for project_id, project in live.items() if project_id != chosen]
    return first[0] if first and may_open(first[0].id) else None


def chosen_project_id():
    """The project chosen in the switcher (session), as an id, or None (also for load_user,
    which reads it with the user)."""
    chosen = session._get_current_object().get("project_id") if has_request_context() else None
    return chosen if type(chosen) is int else None


def _live_statement(members, pick):
    """The live projects the user may open (all of them, the chosen one or the first),
    built once per shape: every request works out its project, every page its switcher."""
    query = select(Project).where(Project.archived_at.is_(None))
    if members:
        query = query.where(Project.id.in_(bindparam("ids", expanding=True)))
    if pick == "chosen":
        return query.where(Project.id == bindparam("id"))
    query = query.order_by(Project.id)
    return query.limit(1) if pick == "first" else query


_LIVE = {(shape, pick): _live_statement(shape == "members", pick)
         for shape in ("all", "members") for pick in ("chosen", "first", "list")}


def project_or_404():
    """The current project; 404 while the installation has none."""
    return current_project() or abort(404)


def find(model, object_id):
    """The `model` row `object_id` when it belongs to the current project, else None."""
    try:
        object_id = db_id(object_id) if object_id else None
    except (TypeError, ValueError):
        return None
    obj = get(model, object_id) if object_id else None
    if isinstance(obj, Project):
        return obj if _sees_project(obj) else None
    if isinstance(obj, User):
        return obj if _works_here(obj) else None
    if obj is None or isinstance(obj, OFFICE_WIDE):
        return obj
    project = current_project()
    project_id = PROJECT_OF.get(model, lambda row: row.project_id)(obj)
    return obj if project is not None and project_id == project.id else None


def _sees_project(project):
    user = current_user if current_user.is_authenticated else None
    return db.session.scalar(select(Project.id).where(
        Project.id == project.id, visible_projects(user))) is not None


def _works_here(user):
    """A colleague in the current project: a member of it, or an office-wide account (the
    admin pages see every account)."""
    if current_user.is_authenticated and current_user.admin_rights:
        return True
    roles = member_roles(user)
    project = current_project()
    return not roles or (project is not None and project.id in roles)


def load(model, object_id, action=None):
    """The `model` row `object_id` of the current project (else 404), which the user may
    `action` (else 403, through app.policy.can)."""
    obj = find(model, object_id)
    if obj is None:
        abort(404)
    if action:
        authorize(action, obj)
    return obj
