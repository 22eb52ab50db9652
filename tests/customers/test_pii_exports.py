"""Full numbers leave the office only on purpose: the 客户一览 export is masked, a full-number
export needs its own permission and a typed reason, and logs one row per customer; reveals
(显示) are limited per user per hour, with the manager alerted beyond it."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AccessLog, AuditLog, Project
from tests.fixtures.customers import add_customer, browser_for, office
from tests.helpers import race


def _access(app):
    with app.app_context():
        return [(r.user_id, r.customer_id, r.action, r.field, r.reason)
                for r in db.session.scalars(select(AccessLog).order_by(AccessLog.id))]


def test_the_everyday_export_is_masked_even_for_roles_that_may_reveal(app):
    ids = office(app)
    add_customer(app, ids["a"], "张三", "13800138000")
    for username in ("zhaomin", "liuqiang"):  # the secretary and the manager
        browser = browser_for(app, username)
        browser.get("/customers/")
        sheet = load_workbook(io.BytesIO(browser.post("/customers/export.xlsx").data)).active
        assert sheet["A2"].value == "张三" and sheet["B2"].value == "138****8000"
        log = browser.post("/visits/log.xlsx")
        assert "13800138000" not in [c.value for c in load_workbook(
            io.BytesIO(log.data)).active[2]]


def test_a_full_number_export_needs_the_permission_and_a_reason_and_logs_each_customer(app):
    ids = office(app)
    zhang = add_customer(app, ids["a"], "张三", "13800138000")
    li = add_customer(app, ids["b"], "李四", "13912345678")
    secretary = browser_for(app, "zhaomin")
    assert secretary.get("/customers/full-export").status_code == 403
    assert secretary.post("/customers/full-export", {"reason": "x"}).status_code == 403
    assert "导出完整号码" not in secretary.get("/customers/").text
    manager = browser_for(app, "liuqiang")
    assert "导出完整号码" in manager.get("/customers/").text
    page = manager.get("/customers/full-export")
    assert page.status_code == 200 and 'name="reason"' in page.text
    empty = manager.post("/customers/full-export", {"reason": "   "})
    assert empty.status_code == 422 and "请填写导出完整号码的用途" in empty.text
    assert _access(app) == []
    response = manager.post("/customers/full-export", {"reason": "开盘前电话通知老客户"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    phones = {sheet.cell(row, 1).value: sheet.cell(row, 2).value for row in (2, 3)}
    assert phones == {"张三": "13800138000", "李四": "13912345678"}
    rows = _access(app)
    assert sorted(rows) == sorted(
        (ids["manager"], customer, "export", "客户一览(完整号码)", "开盘前电话通知老客户")
        for customer in (zhang, li))
    with app.app_context():
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "data_exported"))
        assert audit.reason == "开盘前电话通知老客户"
    log = manager.get("/customers/access-log").text
    assert "导出完整号码" in log and "开盘前电话通知老客户" in log


def _limit(app, value):
    with app.app_context():
        db.session.scalar(select(Project)).reveal_limit = value
        db.session.commit()


def test_reveals_beyond_the_hourly_limit_are_refused_and_the_manager_is_alerted(app):
    ids = office(app)
    customer = add_customer(app, ids["a"], "张三", "13800138000")
    _limit(app, 3)
    secretary = browser_for(app, "zhaomin")
    secretary.get(f"/customers/{customer}")
    for _ in range(3):
        shown = secretary.post(f"/customers/{customer}/reveal/phone", htmx=True)
        assert shown.status_code == 200 and "13800138000" in shown.text
    refused = secretary.post(f"/customers/{customer}/reveal/phone", htmx=True)
    assert refused.status_code == 429 and "13800138000" not in refused.text
    assert "每小时最多显示 3 次" in refused.text and "已通知销售经理" in refused.text
    assert [r[2] for r in _access(app)] == ["reveal"] * 3 + ["reveal_refused"]
    other = browser_for(app, "liuqiang")  # the limit is per user
    assert other.post(f"/customers/{customer}/reveal/phone", htmx=True).status_code == 200
    home = other.get("/").text
    assert "显示完整号码超限" in home and "赵敏" in home


def test_the_admin_sets_the_reveal_limit_on_the_project_page(app, login_as):
    ids = office(app)
    admin = login_as("admin")
    page = admin.get(f"/admin/projects/{ids['project']}").text
    assert "每小时显示上限" in page and 'name="reveal_limit"' in page and 'value="30"' in page
    form = {"name": "翡翠湾花园", "hold_minutes": "30", "hold_cap": "3", "transfer_fee": "0",
            "rounding": "yuan", "approval_valid_days": "7", "reveal_limit": "10"}
    for bad in ("0", "1001", "abc"):
        refused = admin.post(f"/admin/projects/{ids['project']}", {**form, "reveal_limit": bad})
        assert refused.status_code == 422 and "每小时显示上限应在 1 到 1000 次之间" in refused.text
    assert admin.post(f"/admin/projects/{ids['project']}", form).status_code == 302
    with app.app_context():
        assert db.session.get(Project, ids["project"]).reveal_limit == 10
        change = db.session.scalar(select(AuditLog).where(
            AuditLog.action == "project_settings_changed"))
        assert '"reveal_limit": 10' in change.after


def test_reveals_pressed_at_once_at_the_limit_pass_only_up_to_it(app):
    ids = office(app)
    customer = add_customer(app, ids["a"], "张三", "13800138000")
    _limit(app, 3)
    first = browser_for(app, "zhaomin")
    first.get(f"/customers/{customer}")
    for _ in range(2):
        assert first.post(f"/customers/{customer}/reveal/phone", htmx=True).status_code == 200
    tabs = [browser_for(app, "zhaomin") for _ in range(5)]  # five tabs, one press each
    for tab in tabs:
        tab.get(f"/customers/{customer}")
    answers = race(app, *[lambda tab=tab: tab.post(f"/customers/{customer}/reveal/phone",
                                                   htmx=True) for tab in tabs])
    assert sorted(a.status_code for a in answers) == [200, 429, 429, 429, 429], answers
    assert [r[2] for r in _access(app)].count("reveal") == 3
