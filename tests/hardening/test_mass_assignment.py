"""Extra form fields (status, owner, price, holder, rights) posted to forms are ignored."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, Project, Unit, UnitStatus, User
from app.services.clock import now
from tests.helpers import Browser


def _browser(app, logins, username):
    browser = Browser(app.test_client())
    assert browser.login(username, logins[username]).status_code == 302
    return browser


def test_extra_fields_are_ignored_across_forms(app, demo_office):
    logins = {username: password for username, _n, _r, password in demo_office}
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.status == UnitStatus.AVAILABLE)
                                 .order_by(Unit.id))
        unit_id, price = unit.id, unit.total_price
        lijun = db.session.scalar(select(User).where(User.username == "lijun"))
        lijun_id = lijun.id
    wang = _browser(app, logins, "wangfang")
    # 王芳 is at the demo's hold cap (3): 张伟 holds the unit
    zhang = _browser(app, logins, "zhangwei")
    zhang.get("/board")
    later = (now() + timedelta(days=30)).isoformat()
    zhang.post(f"/board/units/{unit_id}/hold", {
        "held_by_id": lijun_id, "hold_expires_at": later, "status": "subscribed",
        "total_price": "1.00", "floor_price": "1.00"}, htmx=True)
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        zhang_id = db.session.scalar(select(User.id).where(User.username == "zhangwei"))
        assert unit.status == UnitStatus.HELD and unit.held_by_id == zhang_id
        assert unit.total_price == price and unit.hold_expires_at < now() + timedelta(hours=2)

    wang.get("/customers/new")
    response = wang.post("/customers/new", {
        "name": "赵六", "phone": "13700001111", "channel": "路过", "kind": "visit",
        "owner_id": lijun_id, "consultant": lijun_id, "grade": "A", "anonymised": "1"})
    assert response.status_code in (200, 302), response.text[:300]
    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.phone == "13700001111"))
        wang_id = db.session.scalar(select(User.id).where(User.username == "wangfang"))
        assert customer is not None and customer.owner_id == wang_id

    admin = _browser(app, logins, "admin")
    admin.get("/admin/projects/1")
    admin.post("/admin/projects/1", {
        "name": "翡翠湾花园", "hold_minutes": "30", "transfer_fee": "5000", "rounding": "yuan",
        "approval_valid_days": "7", "board_version": "999999", "code": "HACK"})
    admin.get("/admin/users/new")
    admin.post("/admin/users/new", {
        "username": "newbie", "display_name": "新人", "role": "consultant",
        "password": "Jade-Bay-2026", "active": "0", "session_version": "77",
        "password_hash": "x"})
    with app.app_context():
        project = db.session.get(Project, 1)
        assert project.code == "JADE" and project.board_version < 999999
        newbie = db.session.scalar(select(User).where(User.username == "newbie"))
        assert newbie.active and newbie.session_version == 1 and newbie.password_hash != "x"
        assert not newbie.is_admin
