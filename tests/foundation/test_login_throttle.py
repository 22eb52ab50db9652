"""Throttling by account AND source, so nobody can lock anyone out.

Five wrong passwords for a username from one address slow that address; the real user's
correct password from another address still logs in; the account-wide limit (50 in the
window) needs a sustained attack; the admin sees lockouts and clears them (audited).
"""
import json
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from tests.conftest import PASSWORD
from tests.helpers import Browser

ATTACKER, OFFICE = "203.0.113.66", "192.168.1.20"


def _from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def _audits(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditLog).where(AuditLog.action == action)
                                  .order_by(AuditLog.id)).all()


def test_an_attackers_failures_slow_the_attacker_not_the_user(app, make_user):
    make_user("finance", username="chenjing")
    attacker = _from(app, ATTACKER)
    for _ in range(5):
        assert attacker.login("chenjing", "wrong-password").status_code == 422
    assert attacker.login("chenjing", PASSWORD).status_code == 429  # even the right one
    assert _from(app, OFFICE).login("chenjing", PASSWORD).status_code == 302
    assert attacker.login("chenjing", "wrong-again").status_code == 429


def test_hammering_a_closed_door_does_not_add_up_to_the_account_lock(app, make_user):
    make_user("finance", username="chenjing")
    attacker = _from(app, ATTACKER)
    for _ in range(5):
        attacker.login("chenjing", "wrong-password")
    for _ in range(60):  # refused without a password check: not counted
        assert attacker.login("chenjing", "guess").status_code == 429
    assert _from(app, OFFICE).login("chenjing", PASSWORD).status_code == 302


def test_the_account_locks_only_under_a_sustained_attack_from_many_addresses(app, make_user):
    make_user("finance", username="chenjing")
    for n in range(10):  # 10 addresses × 5 failures = 50
        bot = _from(app, f"198.51.100.{n}")
        for _ in range(5):
            assert bot.login("chenjing", "wrong-password").status_code == 422
    refused = _from(app, OFFICE).login("chenjing", PASSWORD)
    assert refused.status_code == 429 and "尝试次数过多" in refused.text
    assert _audits(app, "login_throttled")[-1].reason == "该账号失败次数过多(疑似持续攻击)"
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(minutes=16)):
        assert _from(app, OFFICE).login("chenjing", PASSWORD).status_code == 302


def test_the_admin_sees_lockouts_and_clears_them_audited(app, make_user, login_as):
    make_user("finance", username="chenjing")
    attacker = _from(app, ATTACKER)
    for _ in range(5):
        attacker.login("chenjing", "wrong-password")
    admin = login_as("admin")
    page = admin.get("/admin/lockouts")
    assert page.status_code == 200 and "登录锁定" in page.text
    assert "chenjing" in page.text and ATTACKER in page.text
    assert admin.post("/admin/lockouts/clear",
                      {"username": "chenjing", "ip": ATTACKER}).status_code == 302
    assert "当前没有登录锁定" in admin.get("/admin/lockouts").text
    cleared = _audits(app, "login_lockout_cleared")
    assert len(cleared) == 1 and cleared[0].object_id == "chenjing"
    assert json.loads(cleared[0].after) == {"ip": ATTACKER, "failures": 5}
    assert cleared[0].user_id == admin.user_id
    assert attacker.login("chenjing", PASSWORD).status_code == 302
    again = admin.post("/admin/lockouts/clear", {"username": "chenjing", "ip": ATTACKER})
    assert again.status_code == 302 and len(_audits(app, "login_lockout_cleared")) == 1


def test_only_the_admin_opens_the_lockouts_page(app, login_as):
    assert login_as("manager").get("/admin/lockouts").status_code == 403
    assert login_as("consultant").post("/admin/lockouts/clear",
                                       {"username": "x"}).status_code == 403
