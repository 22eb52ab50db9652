"""The special-discount office: a project, units with floor prices, customers, approvers."""
from datetime import datetime, timezone
from decimal import Decimal
from io import BytesIO

import pytest
from argon2 import PasswordHasher
from PIL import Image

from app.extensions import db as _db
from app.models import Building, Customer, DiscountRequest, Project, Unit, User
from tests.conftest import PASSWORD
from tests.helpers import Browser

# A Tuesday afternoon in Shanghai (06:00 UTC is 14:00 local).
T0 = datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)
LIST = Decimal("2000000.00")
FLOOR = Decimal("1880000.00")
PEOPLE = [  # username, role, display name, is_admin
    ("wangfang", "consultant", "王芳", False), ("lijun", "consultant", "李军", False),
    ("zhaomin", "secretary", "赵敏", False), ("chenjing", "finance", "陈静", False),
    ("liuqiang", "manager", "刘强", False), ("sunhong", "manager", "孙红", False),
    ("boss", "admin", "周总", False),
]


# Logins are not under test here: a cheap argon2 hash keeps this area's many logins fast.
FAST_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


@pytest.fixture(autouse=True)
def _fast_logins(monkeypatch):
    monkeypatch.setattr("app.services.auth.needs_rehash", lambda _hash: False)


@pytest.fixture
def office(app):
    """Ids of everything a discount test needs (units 1801/1802 available, 1803 sold)."""
    with app.app_context():
        people = [User(username=name, role=role, display_name=display, is_admin=admin,
                       password_hash=FAST_HASH) for name, role, display, admin in PEOPLE]
        _db.session.add_all(people)
        _db.session.flush()
        ids = {person.username: person.id for person in people}
        project = Project(code="T", name="翡翠湾花园", rounding="yuan", approval_valid_days=7)
        other = Project(code="O", name="别的项目")
        building = Building(project=project, name="1栋")
        building2 = Building(project=project, name="2栋", sort_order=1)
        units = [_unit(building, "1801"), _unit(building, "1802"),
                 _unit(building, "1803", status="subscribed"), _unit(building2, "501")]
        _db.session.add_all([project, other, building, building2, *units])
        _db.session.flush()
        customers = [Customer(project_id=project.id, name="张三", phone="13800001111",
                              owner_id=ids["wangfang"]),
                     Customer(project_id=project.id, name="李四", phone="13900002222",
                              owner_id=ids["lijun"]),
                     Customer(project_id=other.id, name="王五", phone="13700003333",
                              owner_id=ids["wangfang"])]
        _db.session.add_all(customers)
        _db.session.commit()
        ids.update(project=project.id, building=building.id, building2=building2.id,
                   unit_a=units[0].id, unit_b=units[1].id, unit_sold=units[2].id,
                   unit_2=units[3].id, customer=customers[0].id,
                   other_customer=customers[1].id, foreign_customer=customers[2].id)
    return ids


def _unit(building, unit_no, status="available"):
    return Unit(building=building, floor=int(unit_no[:-2]), unit_no=unit_no, layout="三室两厅两卫",
                building_area=Decimal("100.00"), unit_price=Decimal("20000.00"),
                total_price=LIST, floor_price=FLOOR, status=status)


@pytest.fixture
def browser_for(app, office):
    """browser_for('wangfang') → a Browser logged in as one of the office's people."""
    def login(username):
        browser = Browser(app.test_client())
        assert browser.login(username, PASSWORD).status_code == 302
        browser.user_id = office[username]
        return browser
    return login


def get(model, object_id):
    return _db.session.get(model, object_id)


def user(name, office):
    return get(User, office[name])


def new_request(office, unit="unit_a", customer="customer", kind="amount", value="100000",
                by="wangfang", at=None, reason="客户一次性付款"):
    """A request made through the service (committed)."""
    from app.services import discounts
    request = discounts.create_request(get(Customer, office[customer]), get(Unit, office[unit]),
                                       kind, value, reason, user(by, office), at=at)
    _db.session.commit()
    return get(DiscountRequest, request.id)


def png_bytes(size=(64, 48), fmt="PNG"):
    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()
