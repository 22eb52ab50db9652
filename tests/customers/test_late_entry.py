"""补录 (seeds 000/001): a contact typed in late keeps the time it really happened; the entry
is allowed until the end of the next day, later only by the manager; the first to register
is decided by the real time. Both times are kept and shown."""
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, OwnershipChange, Visit
from app.services.clock import local
from tests.fixtures.customers import at, browser_for, office


def _enter(app, username, when, data):
    with time_machine.travel(when, tick=False):
        browser = browser_for(app, username)
        browser.get("/visits/")
        return browser.post("/visits/record", {"kind": "call", "channel": "网络", **data})


def _page(app, username, when, url):
    with time_machine.travel(when, tick=False):
        return browser_for(app, username).get(url).text


def test_a_late_entry_keeps_both_times_until_the_end_of_the_next_day(app):
    ids = office(app)
    last_minute = _enter(app, "wangfang", at(2026, 3, 2, 23, 59), {
        "name": "张三", "phone": "13800138000", "happened_at": "2026-03-01T15:00"})
    assert last_minute.status_code == 302
    with app.app_context():
        visit = db.session.scalar(select(Visit))
        assert f"{local(visit.at):%Y-%m-%d %H:%M}" == "2026-03-01 15:00"
        assert f"{local(visit.entered_at):%Y-%m-%d %H:%M}" == "2026-03-02 23:59"
        customer = db.session.get(Customer, visit.customer_id)
        assert f"{local(customer.owned_since):%m-%d %H:%M}" == "03-01 15:00"
    log = _page(app, "wangfang", at(2026, 3, 3, 9), "/visits/?day=2026-03-01")
    assert "15:00" in log and "补录 03-02 23:59" in log
    too_late = _enter(app, "wangfang", at(2026, 3, 3, 0, 0), {
        "name": "李四", "phone": "13900139000", "happened_at": "2026-03-01T16:00"})
    assert too_late.status_code == 422
    assert "须在 2026-03-02 下班前补录,已超过期限,请报销售经理补录" in too_late.text
    late_by_manager = _enter(app, "liuqiang", at(2026, 3, 3, 0, 0), {
        "name": "李四", "phone": "13900139000", "happened_at": "2026-03-01T16:00",
        "consultant": str(ids["a"])})
    assert late_by_manager.status_code == 302
    future = _enter(app, "wangfang", at(2026, 3, 3, 9), {
        "name": "王五", "phone": "13700137000", "happened_at": "2026-03-03T10:00"})
    assert future.status_code == 422 and "不能晚于现在" in future.text


def test_first_to_register_is_decided_by_the_real_time(app):
    office(app)
    assert _enter(app, "lijun", at(2026, 3, 2, 10), {"name": "张三", "phone": "13800138000"}
                  ).status_code == 302
    taken = _enter(app, "wangfang", at(2026, 3, 2, 18), {
        "name": "张三", "phone": "13800138000", "kind": "visit",
        "happened_at": "2026-03-01T20:00"})
    assert taken.status_code == 302, taken.text
    with app.app_context():
        customer = db.session.scalar(select(Customer))
        assert customer.owner.display_name == "王芳"
        assert f"{local(customer.first_visit_at):%m-%d %H:%M}" == "03-01 20:00"
        change = db.session.scalar(select(OwnershipChange).where(
            OwnershipChange.kind == "backdated"))
        assert "实际接待于 2026-03-01 20:00,早于 李军 登记 2026-03-02 10:00" in change.reason
    card = _page(app, "wangfang", at(2026, 3, 2, 18, 5), f"/customers/{customer.id}")
    assert "补录 03-02 18:00" in card
    # a 补录 later than the registration changes nothing: the number is 王芳's
    again = _enter(app, "lijun", at(2026, 3, 2, 19), {
        "name": "张三", "phone": "13800138000", "happened_at": "2026-03-02T09:00"})
    assert again.status_code == 422 and "归属置业顾问 王芳" in again.text
