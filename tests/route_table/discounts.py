"""Special discounts: who may use each route, on the matrix world's requests."""
from io import BytesIO

from PIL import Image
from werkzeug.datastructures import FileStorage

from tests.route_table import OWNER, Route

ALL = frozenset({"consultant", "secretary", "finance", "manager", "admin"})
REQUESTERS = frozenset({"consultant", "manager"})
DECIDERS = frozenset({"manager", "admin"})
REGISTER = frozenset({"secretary", "finance", "manager", "admin"})


def _request(w):
    return {"request_id": w["discount"]}


ROUTES = {
    "discounts.mine": Route(REQUESTERS),
    "discounts.new_request": Route(REQUESTERS),
    "discounts.quote": Route(REQUESTERS),
    "discounts.detail": Route(ALL, args=_request, scope=OWNER),  # m_consultant asked for it
    "discounts.status": Route(ALL, args=_request, scope=OWNER),
    "discounts.withdraw": Route(frozenset({"consultant"}), args=_request,  # the requester only
                                scope=OWNER),
    "discounts.upload": Route(ALL - {"finance"}, args=_request, scope=OWNER),
    "discounts.attachment": Route(ALL, args=lambda w: {"attachment_id": w["attachment"]},
                                  scope=OWNER),
    "discounts.queue": Route(frozenset({"secretary", "manager", "admin"})),
    "discounts.decide": Route(DECIDERS, args=_request),
    "discounts.verbal": Route(frozenset({"secretary", "admin"}), args=_request),
    # the verbal approval was m_manager's: they (or an admin) confirm it
    "discounts.confirm": Route(DECIDERS, args=lambda w: {"request_id": w["verbal_discount"]}),
    "discounts.badge": Route(DECIDERS),
    "discounts.log": Route(REGISTER),
    "discounts.log_xlsx": Route(REGISTER),
    "discounts.log_pdf": Route(REGISTER),
    "discounts.limits": Route(frozenset({"admin"})),
    "discounts.set_limit": Route(frozenset({"admin"}), args=lambda w: {"user_id": w["manager"]}),
}


def add_to_world(world):
    """An available unit, a customer of m_consultant, a pending request with a photo, and a
    verbal approval by m_manager."""
    from decimal import Decimal

    from app.extensions import db
    from app.models import Customer, Unit, User
    from app.services import discounts

    users = {role: db.session.get(User, world[role]) for role in ("consultant", "manager",
                                                                    "secretary")}
    customer = Customer(project_id=world["project"], name="矩阵客户", phone="13800009999",
                        owner_id=world["consultant"])
    db.session.add(customer)
    db.session.flush()
    unit = Unit(building_id=world["building"], floor=1, unit_no="103", layout="两室",
                building_area=Decimal("88"), unit_price=Decimal("10000"),
                total_price=Decimal("880000"), floor_price=Decimal("850000"), status="available")
    db.session.add(unit)
    db.session.flush()
    pending = discounts.create_request(customer, unit, "amount", "1", "矩阵", users["consultant"])
    buffer = BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    buffer.seek(0)
    photo = discounts.add_attachment(pending, FileStorage(buffer, "form.png"), "form",
                                     users["consultant"])
    verbal_customer = Customer(project_id=world["project"], name="口头客户", phone="13800008888",
                               owner_id=world["consultant"])
    db.session.add(verbal_customer)
    db.session.flush()
    verbal = discounts.create_request(verbal_customer, unit, "amount", "2", "矩阵",
                                      users["consultant"])
    discounts.record_verbal(verbal, users["manager"], verbal.created_at, "同意",
                            users["secretary"])
    db.session.commit()
    world.update(discount=pending.id, attachment=photo.id, verbal_discount=verbal.id)
