"""Helpers shared by the special-discount views."""
import hashlib

from flask import make_response, request
from flask_login import current_user

from app.policy import can
from app.services.customers import cards
from app.services.customers.phones import mask_phone
from app.services.discounts import lookups, queries


def show_floor():
    """The floor price 底价 is shown to roles with floor_price.view, and nobody else."""
    return can(current_user, "floor_price.view")



def customer_choices(project_id, user):
    """Consultants pick among their own customers; managers among all of the project's."""
    return [("", "请选择客户")] + [(str(c.id), f"{c.name} {mask_phone(c.phone)}")
                               for c in cards.pickable(project_id, user, limit=1000)]


def building_choices(project_id, blank="请选择楼栋"):
    return [("", blank)] + [(str(b.id), b.name) for b in queries.buildings(project_id)]


def user_choices(action, blank="全部", exclude_id=None):
    """The active users whose roles allow `action` (e.g. discount.decide: the approvers)."""
    return [("", blank)] + [(str(u.id), u.display_name) for u in lookups.people(action)
                            if u.id != exclude_id]


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
