"""A small sales office for the customer-area tests: one project, consultants, office staff."""
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import Project, User
from tests.conftest import password_hash

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    """An instant in office time (Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def build(prefix=""):
    """Project 翡翠湾 and users: consultants a (王芳), b (李军), c (张伟), d (陈晨), secretary, manager."""
    project = Project(code=f"{prefix}JADE", name="翡翠湾花园")
    db.session.add(project)
    people = {"a": ("wangfang", "王芳", "consultant"), "b": ("lijun", "李军", "consultant"),
              "c": ("zhangwei", "张伟", "consultant"), "d": ("chenchen", "陈晨", "consultant"),
              "secretary": ("zhaomin", "赵敏", "secretary"),
              "manager": ("liuqiang", "刘强", "manager")}
    users = {}
    for key, (username, name, role) in people.items():
        users[key] = User(username=f"{prefix}{username}", display_name=name, role=role,
                          password_hash=password_hash())
        db.session.add(users[key])
    db.session.commit()
    return SimpleNamespace(project=project, **users)


def office(app):
    """build() committed in its own app context; returns {key: user id} plus the project id."""
    with app.app_context():
        world = build()
        return {key: getattr(world, key).id for key in
                ("project", "a", "b", "c", "d", "secretary", "manager")}


def browser_for(app, username):
    """A Browser logged in through the real form as one of build()'s users."""
    from tests.conftest import PASSWORD
    from tests.helpers import Browser
    browser = Browser(app.test_client())
    assert browser.login(username, PASSWORD).status_code == 302
    return browser


def add_customer(app, owner_id, name, phone, channel="路过", when=None):
    """Register a customer with a first visit through the services; returns its id."""
    import time_machine
    from app.models import Project
    from app.services import customers, visits
    with app.app_context():
        project = db.session.scalar(db.select(Project))
        owner = db.session.get(User, owner_id)
        travel = time_machine.travel(when, tick=False) if when else None
        if travel:
            travel.start()
        try:
            customer, _ = customers.register(project, name, phone, channel, owner)
            visits.record_visit(customer, owner, "visit")
        finally:
            if travel:
                travel.stop()
        db.session.commit()
        return customer.id
