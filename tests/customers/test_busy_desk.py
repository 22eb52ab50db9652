"""Front desk 忙于接待 (seed 002 二.3): a consultant busy with a customer is skipped without
earning make-up turns (unlike 外出); a named consultant away or off duty is not assigned
silently (准则(5))."""
import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, RotationAssignment
from app.services.customers import rotation
from app.services.customers.reception import receive_walk_in
from app.services.errors import RuleViolation
from tests.fixtures.customers import at, browser_for, build, office

DAY = at(2026, 6, 1, 9)


@pytest.fixture
def w(db):
    world = build()
    with time_machine.travel(DAY, tick=False):
        world.row = rotation.set_order(world.project, [world.a.id, world.b.id, world.c.id],
                                       by=world.manager)
    return world


def walk_in(w, phone, named=None):
    with time_machine.travel(at(2026, 6, 1, 10), tick=False):
        return receive_walk_in(w.project, f"客户{phone[-2:]}", phone, "路过", by=w.secretary,
                               named_id=named)


def _toggle(w, user, away=False):
    with time_machine.travel(at(2026, 6, 1, 10), tick=False):
        toggle = rotation.toggle_away if away else rotation.toggle_busy
        return toggle(w.project, user.id, by=w.secretary)


def test_a_busy_consultant_is_skipped_and_not_made_up_for(db, w):
    _toggle(w, w.a)  # 王芳 忙于接待
    assert [walk_in(w, f"1380000000{n}").consultant.display_name for n in range(2)] == \
        ["李军", "张伟"]
    entry = next(e for e in w.row.entries if e.user_id == w.a.id)
    assert entry.busy and entry.owed == 0
    _toggle(w, w.a)  # 接待完毕: back in the cycle, no make-up turn
    assert walk_in(w, "13800000002").consultant.display_name == "王芳"
    assert walk_in(w, "13800000003").kind == "turn"
    _toggle(w, w.c, away=True)  # 外出 is different: 张伟 is owed the turn he missed
    assert walk_in(w, "13800000004").consultant.display_name == "王芳"
    assert next(e for e in w.row.entries if e.user_id == w.c.id).owed == 1


def test_a_named_consultant_who_is_away_or_off_duty_is_not_assigned_silently(db, w):
    _toggle(w, w.b, away=True)
    with pytest.raises(RuleViolation, match="客户指定的 李军 当前外出或不在班,不能直接分配"):
        walk_in(w, "13800000001", named=w.b.id)
    with pytest.raises(RuleViolation, match="陈晨 当前外出或不在班"):
        walk_in(w, "13800000001", named=w.d.id)  # not on today's queue
    assert walk_in(w, "13800000001", named=w.c.id).consultant.display_name == "张伟"


def test_the_desk_marks_a_consultant_busy_with_one_click(app):
    ids = office(app)
    manager = browser_for(app, "liuqiang")
    manager.get("/rotation/order")
    manager.post("/rotation/order", {f"pos-{ids['a']}": "1", f"pos-{ids['b']}": "2"})
    desk = browser_for(app, "zhaomin")
    desk.get("/rotation/")
    page = desk.post(f"/rotation/busy/{ids['a']}", htmx=True).text
    assert "忙于接待" in page and "登记并分配 → 李军" in page
    assert browser_for(app, "wangfang").post(f"/rotation/busy/{ids['a']}").status_code == 403


def test_the_desk_is_told_when_the_named_consultant_is_away_or_off_duty(app):
    """The desk's form, as the secretary uses it: naming 王芳 while 外出, or 张伟 who is not on
    today's queue, is refused in Chinese (422) and nobody is assigned; naming 李军 works."""
    ids = office(app)
    with time_machine.travel(DAY, tick=False):
        manager = browser_for(app, "liuqiang")
        manager.get("/rotation/order")
        manager.post("/rotation/order", {f"pos-{ids['a']}": "1", f"pos-{ids['b']}": "2"})
        desk = browser_for(app, "zhaomin")
        desk.get("/rotation/")
        desk.post(f"/rotation/away/{ids['a']}", htmx=True)
        walk_in = {"name": "王五", "phone": "13700137000", "channel": "路过"}
        away = desk.post("/rotation/walk-in", {**walk_in, "named": str(ids["a"])}, htmx=True)
        assert away.status_code == 422
        assert "客户指定的 王芳 当前外出或不在班,不能直接分配" in away.text
        off = desk.post("/rotation/walk-in", {**walk_in, "named": str(ids["c"])}, htmx=True)
        assert off.status_code == 422 and "客户指定的 张伟 当前外出或不在班" in off.text
        named = desk.post("/rotation/walk-in", {**walk_in, "named": str(ids["b"])}, htmx=True)
        assert named.status_code == 200 and "登记并分配" in named.text
    with app.app_context():
        assert [(a.kind, a.consultant_id) for a in db.session.scalars(
            select(RotationAssignment))] == [("named", ids["b"])]
        assert db.session.scalar(select(Customer)).owner_id == ids["b"]
