"""Admins set approval limits in place; cron marks expired approvals through the CLI."""
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db as _db
from app.models import AuditLog, DiscountEvent, DiscountRequest, DiscountStatus
from app.services import discounts
from tests.discounts.conftest import T0, new_request, user


def test_admin_sets_a_managers_limit_in_place(app, office, browser_for):
    boss = browser_for("boss")
    page = boss.get("/discounts/limits").text
    assert "刘强" in page and "不得低于底价" in page and "不限(可低于底价)" in page
    url = f"/discounts/limits/{office['liuqiang']}"
    bad = boss.post(url, {"max_percent": "120", "max_amount": "", "max_below_floor": ""},
                    htmx=True)
    assert bad.status_code == 422 and "比例应在 0 到 100 之间" in bad.text
    assert bad.text.lstrip().startswith(f'<tr id="limit-{office["liuqiang"]}"')
    ok = boss.post(url, {"max_percent": "3", "max_amount": "5万", "max_below_floor": "0"},
                   htmx=True)
    assert ok.status_code == 200
    assert "低于表价不超过 3.00%,优惠不超过 ¥50,000.00,不得低于底价" in ok.text
    with app.app_context():
        row = _db.session.scalar(select(AuditLog).where(
            AuditLog.action == "discount_limit_changed"))
        assert "3.00%" in row.after and row.actor == "boss"
        new_request(office, kind="percent", value="4")
    assert "需由" in browser_for("liuqiang").get("/discounts/queue").text
    assert browser_for("liuqiang").get("/discounts/limits").status_code == 403
    assert boss.post(f"/discounts/limits/{office['wangfang']}", {}).status_code == 404


def test_cli_marks_expired_approvals_once(app, office):
    with app.app_context():
        request = new_request(office, at=T0)
        discounts.decide(request, True, "", user("liuqiang", office), at=T0)
        _db.session.commit()
        request_id = request.id
    runner = app.test_cli_runner()
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        first = runner.invoke(args=["discounts", "expire"])
        again = runner.invoke(args=["discounts", "expire"])
    assert first.exit_code == 0 and "已将 1 条" in first.output
    assert "已将 0 条" in again.output
    with app.app_context():
        assert _db.session.get(DiscountRequest, request_id).status == DiscountStatus.EXPIRED
        kinds = _db.session.scalars(select(DiscountEvent.kind).where(
            DiscountEvent.request_id == request_id)).all()
        assert kinds == ["requested", "approved", "expired"]
        actor = _db.session.scalar(select(DiscountEvent.actor_name).where(
            DiscountEvent.kind == "expired"))
        assert actor == "系统"
