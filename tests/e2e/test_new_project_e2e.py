"""A new office's first day in Chromium, from an empty database: the admin creates 项目 云栖府,
imports a 两栋、每栋两个单元 房源表, its staff, its customers and the deals it already made;
the board shows their statuses, the registers reconcile with the sheet, and a consultant of
another project sees none of it."""
import shutil
import threading
from datetime import datetime, timedelta

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import Project, ProjectMember, User
from tests.conftest import PASSWORD, password_hash
from tests.e2e.conftest import shot
from tests.fixtures.board import xlsx_bytes
from tests.foundation.test_first_run import two_buildings_two_entrances


@pytest.fixture(scope="module")
def empty_server(request, tmp_path_factory):
    """A live server on an empty, migrated database with one admin and, in another project,
    one consultant."""
    path = tmp_path_factory.mktemp("e2e-new") / "new.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    app = create_app(TestConfig(f"sqlite:///{path}"))
    with app.app_context():
        other = Project(code="ELSE", name="别处花园")
        admin = User(username="boss", display_name="周总", role="admin",
                     password_hash=password_hash())
        outsider = User(username="outsider", display_name="外项目顾问", role="consultant",
                        password_hash=password_hash())
        db.session.add_all([other, admin, outsider])
        db.session.flush()
        db.session.add(ProjectMember(project_id=other.id, user_id=outsider.id,
                                     role="consultant"))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.port}", "app": app}
    server.shutdown()


# the deals sheet's totals, as the preview and the registers show them
SHEET_TOTALS = {"small": "¥20,000.00", "large": "¥50,000.00", "subscriptions": "¥4,700,000.00",
                "contracts": "¥2,300,000.00", "payments": "¥650,000.00"}


def deals_sheet(day):
    """Two deals of 云栖府 on paper: one signed and part paid, one 认购 only (room 2-0301)."""
    signed = (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=1)).strftime("%Y-%m-%d")
    return [["云栖府 期初成交"],
            ["楼栋", "单元", "房号", "买受人", "手机号", "定金类型", "定金金额", "定金收据号",
             "收定日期", "成交价", "付款方式", "首付款", "按揭银行", "合同编号", "签约日期",
             "回款1金额", "回款1收据号", "回款1日期"],
            ["1栋", "1", "101", "张伟", "13800138000", "大定", 50000, "0000001", day,
             2300000, "按揭贷款", 700000, "建设银行", "HT-YQ-001", signed, 650000, "0000002",
             signed],
            ["2号楼", None, "2-0301", "刘洋", "13900139000", "小定", 20000, "0000003", day,
             "240万", "一次性付款"],
            ["合计", None, None, None, None, None, 70000]]


def _login(page, url, username, password=PASSWORD):
    page.goto(url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


def _upload(page, selector, tmp_path, name, data):
    file = tmp_path / name
    file.write_bytes(data)
    page.set_input_files(selector, str(file))


def test_yunqifu_first_day(page, browser, empty_server, tmp_path):
    url = empty_server["url"]
    _login(page, url, "boss")
    assert "开始使用" in page.inner_text("#first-run")
    page.goto(url + "/admin/projects")
    page.click("text=新建项目")
    page.fill("input[name=name]", "云栖府")
    page.fill("input[name=address]", "云栖路 1 号")
    page.click("button:has-text('创建项目')")
    page.wait_for_url(url + "/")
    steps = page.inner_text("#first-run")
    assert "导入房源表" in steps and "已完成" in steps  # the project, not yet its units or staff
    assert page.locator("#first-run a:has-text('添加员工账号')").count() == 1
    shot(page, "new-project-checklist")

    page.goto(url + "/board/import")
    _upload(page, "input[name=file]", tmp_path, "云栖府房源表.xlsx",
            xlsx_bytes(two_buildings_two_entrances()))
    page.click("button:has-text('上传并检查')")
    page.wait_for_selector(".import-preview")
    assert "首次导入,将建立楼栋" in page.inner_text(".import-preview")
    page.click("button:has-text('确认导入')")
    page.wait_for_url(url + "/board")
    assert page.locator("tr.entrances th[colspan]").count() == 4  # 2 单元 × 2 栋
    shot(page, "new-project-board")

    page.goto(url + "/opening/")
    _upload(page, "#file-users", tmp_path, "员工.xlsx", xlsx_bytes(
        [["姓名", "用户名", "角色"], ["李静", "lijing", "置业顾问"],
         ["陈晨", "chenchen", "销售秘书"], ["王敏", "wangmin", "财务"]]))
    page.click("form:has(#file-users) button")
    page.wait_for_selector(".import-preview")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=只显示这一次")
    shot(page, "new-project-staff-passwords")
    finance_password = page.inner_text("tr:has-text('wangmin') td:nth-child(4)").strip()

    registered = (datetime.now() - timedelta(days=10)).strftime("%Y-%m-%d")
    page.goto(url + "/opening/")
    _upload(page, "#file-customers", tmp_path, "客户.xlsx", xlsx_bytes(
        [["客户姓名", "手机号", "置业顾问", "登记日期", "级别", "认知途径"],
         ["张伟", "13800138000", "李静", registered, "A", "路过"],
         ["刘洋", "13900139000", "lijing", registered, "B", "网络"]]))
    page.click("form:has(#file-customers) button")
    page.wait_for_selector(".import-preview")
    shot(page, "new-project-customers-preview")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已导入期初客户:2 条")

    # finance registers the paper receipt book the deals' receipts came from
    books = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    cashier = books.new_page()
    _login(cashier, url, "wangmin", finance_password)
    cashier.goto(url + "/deals/receipt-books")
    cashier.fill("input[name=first_no]", "1")
    cashier.fill("input[name=last_no]", "100")
    cashier.fill("input[name=holder]", "前台 王敏")
    cashier.click("button:has-text('登记')")
    cashier.wait_for_selector("text=0000100")
    books.close()

    page.goto(url + "/opening/")
    _upload(page, "#file-deals", tmp_path, "成交.xlsx", xlsx_bytes(deals_sheet(registered)))
    page.click("form:has(#file-deals) button")
    page.wait_for_selector(".import-preview")
    preview = page.inner_text(".import-preview")
    for figure in SHEET_TOTALS.values():
        assert figure in preview, figure
    shot(page, "new-project-deals-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "new-project-deals-preview-phone")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已导入期初成交:2 套")
    shot(page, "new-project-deals-applied")

    page.goto(url + "/board")
    assert page.locator("button.s-contracted").count() == 1
    assert page.locator("button.s-subscribed").count() == 1
    shot(page, "new-project-board-with-deals")
    for name, figure in SHEET_TOTALS.items():
        page.goto(f"{url}/deals/registers/{name}")
        assert figure in page.inner_text("tfoot"), name
        shot(page, f"new-project-register-{name}")
    page.goto(url + "/admin/projects")
    shot(page, "new-project-projects-list")
    page.click("tr:has-text('云栖府') >> text=设置与成员")
    assert "李静" in page.inner_text("#members")  # imported staff are the project's members
    shot(page, "new-project-members")

    outsider = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    other = outsider.new_page()
    _login(other, url, "outsider")
    assert "云栖府" not in other.content() and "别处花园" in other.content()
    other.goto(url + "/customers/")
    assert "张伟" not in other.content()
    assert other.goto(url + "/deals/registers/subscriptions").status == 403
    other.goto(url + "/board")
    assert other.locator("button.s-contracted, button.s-subscribed").count() == 0
    assert other.goto(url + "/board/unit?unit=1").status == 404
    outsider.close()
