"""Helpers shared by the special-discount views."""
import hashlib

from flask import abort, make_response, request
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.filters import current_project
from app.models import Customer, DiscountRequest, User
from app.policy import can
from app.services.customers.phones import mask_phone
from app.services.discounts import queries


def project_or_404():
    project = current_project()
    if project is None:
        abort(404)
    return project


def request_or_404(request_id):
    found = db.session.get(DiscountRequest, request_id)
    if found is None:
        abort(404)
    return found


def show_floor():
    """The floor price 底价 is shown to roles with floor_price.view, and nobody else."""
    return can(current_user, "floor_price.view")


def form_status(form):
    return 422 if form.is_submitted() else 200


def customer_choices(project_id, user):
    """Consultants pick among their own customers; managers among all of the project's."""
    query = select(Customer).where(Customer.project_id == project_id).order_by(Customer.name)
    if user.role == "consultant":
        query = query.where(Customer.owner_id == user.id)
    customers = db.session.scalars(query.limit(1000)).all()
    return [("", "请选择客户")] + [(str(c.id), f"{c.name} {mask_phone(c.phone)}")
                                   for c in customers]


def building_choices(project_id, blank="请选择楼栋"):
    return [("", blank)] + [(str(b.id), b.name) for b in queries.buildings(project_id)]


def user_choices(roles=None, admins=False, blank="全部", exclude_id=None):
    query = select(User).where(User.active.is_(True)).order_by(User.display_name)
    users = [u for u in db.session.scalars(query)
             if (roles is None or u.role in roles or (admins and u.admin_rights))
             and u.id != exclude_id]
    return [("", blank)] + [(str(u.id), u.display_name) for u in users]


def etag_for(signature):
    return hashlib.sha1(f"{current_user.id}|{signature}".encode()).hexdigest()[:20]


def conditional(signature, render):
    """Conditional GET for polled fragments: 304 before rendering when nothing changed."""
    etag = etag_for(signature)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(render())
    response.set_etag(etag)
    return response
