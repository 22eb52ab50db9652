"""A launch office: the deals office (project, people, receipt book) plus buyers and a launch."""
import pytest

from app.extensions import db as _db
from app.models import Customer, Launch, LaunchRegistration, User
from app.services.deals.common import new_form_key
from app.services.launch import launches, registrations
from tests.deals.conftest import _fast_logins, browser_for, office  # noqa: F401

BUYERS = [("王一", "13700000001"), ("李二", "13700000002"), ("张三丰", "13700000003"),
          ("赵四", "13700000004"), ("钱五", "13700000005"), ("孙六", "13700000006")]


def person(username):
    return _db.session.scalar(_db.select(User).where(User.username == username))


def make_launch(world, mode="lottery", buyers=6, confirm=True, window_minutes=3, penalty=2):
    """A launch with `buyers` registrations (by 赵敏, confirmed by 陈静 when `confirm`)."""
    from app.models import Project
    project = _db.session.get(Project, world["project"])
    secretary, finance = person("zhaomin"), person("chenjing")
    launch = launches.create(project, name="一期开盘", mode=mode, amount_text="50000",
                             window_minutes=window_minutes, miss_penalty=penalty,
                             actor=secretary)
    entries = []
    for index, (name, phone) in enumerate(BUYERS[:buyers]):
        customer = Customer(project_id=project.id, name=name, phone=phone,
                            owner_id=world["wangfang"] if index % 2 == 0 else world["lijun"])
        _db.session.add(customer)
        _db.session.flush()
        entry, _ = registrations.register(
            launch, customer_id=customer.id, amount_text="50000", method="transfer",
            receipt_no=str(1101 + index), layouts=["三室两厅两卫"], consultant_id=None,
            form_key=new_form_key(), actor=secretary)
        if confirm:
            registrations.confirm(entry, finance)
        entries.append(entry.id)
    _db.session.commit()
    return launch.id, entries


@pytest.fixture
def launch_world(app, office):  # noqa: F811
    with app.app_context():
        launch_id, entries = make_launch(office)
    return {**office, "launch": launch_id, "entries": entries}


def entry(entry_id):
    return _db.session.get(LaunchRegistration, entry_id)


def launch_of(launch_id):
    return _db.session.get(Launch, launch_id)
