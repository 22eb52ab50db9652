"""The deals office: a project of available units, people of every role, customers and a
registered receipt book (built directly: fixture data, not under test)."""
import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from app.extensions import db as _db
from app.models import Customer, ReceiptBook, User
from app.services import clock
from tests.conftest import PASSWORD
from tests.fixtures.board import make_project
from tests.helpers import Browser

FAST_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
PEOPLE = [("wangfang", "consultant", "王芳"), ("lijun", "consultant", "李军"),
          ("zhaomin", "secretary", "赵敏"), ("chenjing", "finance", "陈静"),
          ("huangli", "finance", "黄丽"), ("liuqiang", "manager", "刘强")]
KEY_RE = re.compile(r'name="form_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_key"')


@pytest.fixture(autouse=True)
def _fast_logins(monkeypatch):
    monkeypatch.setattr("app.services.auth.needs_rehash", lambda _hash: False)


@pytest.fixture
def office(app):
    world = make_project(app, buildings=(("1栋", 3, 4),))
    with app.app_context():
        people = [User(username=u, role=r, display_name=d, password_hash=FAST_HASH)
                  for u, r, d in PEOPLE]
        _db.session.add_all(people)
        _db.session.flush()
        ids = {p.username: p.id for p in people}
        customers = [Customer(project_id=world["project"], name="张三", phone="13800001111",
                              id_number="110101199001011234", owner_id=ids["wangfang"]),
                     Customer(project_id=world["project"], name="李四", phone="13900002222",
                              owner_id=ids["lijun"])]
        _db.session.add_all(customers)
        _db.session.add(ReceiptBook(project_id=world["project"], first_no=1001, last_no=1200,
                                    holder="前台", registered_by_id=ids["chenjing"],
                                    registered_at=clock.now() - timedelta(days=1)))
        _db.session.commit()
        world.update(ids, zhang=customers[0].id, li=customers[1].id)
    return world


@pytest.fixture
def browser_for(app):
    def login(username):
        browser = Browser(app.test_client())
        assert browser.login(username, PASSWORD).status_code == 302
        return browser
    return login


def form_key(html):
    match = KEY_RE.search(html)
    assert match, "the form carries no one-time key"
    return match.group(1) or match.group(2)
