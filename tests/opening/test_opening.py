"""期初数据: customers and staff accounts from .xlsx — template, preview that writes nothing,
line-numbered Chinese errors, all or nothing, the audit log saying 期初导入."""
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Customer, ProjectMember, User, Visit
from app.services.customers.ownership import valid_until
from tests.fixtures.board import make_project, xlsx_bytes
from tests.helpers import Browser

CUSTOMERS = ["客户姓名", "手机号", "置业顾问", "登记日期", "最近到访日期", "级别", "认知途径",
             "性别", "意向户型"]
USERS = ["姓名", "用户名", "角色"]
# 2026-12-01 10:00 in Shanghai



def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def send(browser, kind, rows, filename="期初.xlsx", merges=()):
    browser.get("/opening/")
    data = xlsx_bytes(rows, merges=merges)
    return browser.post(f"/opening/{kind}", {"file": (io.BytesIO(data), filename)},
                        page="/opening/", content_type="multipart/form-data")


def apply(browser, preview):
    import_id = preview.text.split("/opening/imports/")[1].split("/apply")[0]
    return browser.post(f"/opening/imports/{import_id}/apply", {}, page="/opening/")


def test_customers_come_in_with_ownership_by_the_live_rules(app, login_as, make_user, frozen):
    make_project(app, buildings=())
    make_user("consultant", username="lijing", display_name="李静")
    make_user("consultant", username="wangfang", display_name="王芳")
    admin = login_as("admin")
    rows = [["翡翠湾 温馨卡 汇总"], CUSTOMERS,
            ["张伟", "138 0013 8000", "李静", "2026-10-08", "2026-11-20", "B", "路过", "男",
             "三室两厅"],
            ["刘洋", "13900139000", "wangfang", "2026/9/1", None, "c", "网络", "", ""],
            ["合计", None, None, None, None, None, None, None, None]]
    preview = send(admin, "customers", rows)
    assert preview.status_code == 200, preview.text
    assert "共 2 行,检查通过" in preview.text
    assert "已过期,进入公共池" in preview.text and "李静" in preview.text
    with app.app_context():
        assert count(Customer) == 0 and count(Visit) == 0  # the preview wrote nothing

    done = apply(admin, preview)
    assert done.status_code == 200 and "已导入期初客户:2 条" in done.text
    with app.app_context():
        zhang = db.session.scalar(select(Customer).where(Customer.name == "张伟"))
        liu = db.session.scalar(select(Customer).where(Customer.name == "刘洋"))
        assert zhang.owner.username == "lijing" and zhang.grade == "B"
        assert str(valid_until(zhang)) == "2027-01-20"  # 2 months after the last visit
        assert zhang.wanted_layout == "三室两厅" and zhang.gender == "男"
        assert liu.owner_id is None and liu.pool_reason == "expired"  # 2026-09-01 + 2 months
        assert count(Visit) == 3
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "opening_imported"))
        assert audit.reason == "期初导入" and '"rows": 2' in audit.after
    again = apply(admin, preview)
    assert again.status_code == 422 and "已经导入过了" in again.text


def test_every_bad_customer_line_is_listed_and_nothing_is_written(app, login_as, make_user,
                                                                   frozen):
    make_project(app, buildings=())
    make_user("consultant", username="lijing", display_name="李静")
    admin = login_as("admin")
    rows = [CUSTOMERS,
            ["张伟", "13800138000", "李静", "2026-10-08", None, "B", "路过", "", ""],
            ["张伟妻", "13800138000", "李静", "2026-10-09", None, "", "路过", "", ""],
            ["赵六", "12345", "李静", "2026-10-08", None, "", "路过", "", ""],
            ["钱七", "13700137000", "不存在", "2026-10-08", None, "", "路过", "", ""],
            ["孙八", "13600136000", "李静", "十月八日", None, "", "路过", "", ""],
            ["周九", "13500135000", "李静", "2026-10-08", "2026-09-01", "", "路过", "", ""],
            ["吴十", "13400134000", "李静", "2026-10-08", None, "E", "路过", "", ""],
            ["郑一", "13300133000", "李静", "2026-10-08", None, "", "抖音", "", ""],
            ["冯二", "13200132000", "李静", "2027-01-08", None, "", "路过", "", ""]]
    response = send(admin, "customers", rows)
    assert response.status_code == 422
    text = response.text
    assert "共 8 处错误,没有导入任何数据" in text
    for expected in ("第 3 行: 该号码已登记:归属置业顾问 李静", "第 4 行: 电话号码格式不正确",
                     "第 5 行: 置业顾问「不存在」", "第 6 行: 登记日期「十月八日」不是有效日期",
                     "第 7 行: 最近到访日期早于登记日期",
                     "第 8 行: 请选择级别", "第 9 行: 认知途径「抖音」不在项目的选项中",
                     "第 10 行: 日期不能晚于今天"):
        assert expected in text, expected
    with app.app_context():
        assert count(Customer) == 0
        assert db.session.scalars(select(AuditLog.action)).all() == ["login"]


def test_a_gbk_csv_and_a_sheet_without_its_columns(app, login_as, make_user, frozen):
    make_project(app, buildings=())
    make_user("consultant", username="lijing", display_name="李静")
    admin = login_as("admin")
    csv = "客户姓名,手机号,置业顾问,登记日期,认知途径\n张伟,13800138000,李静,2026-11-08,路过\n"
    admin.get("/opening/")
    ok = admin.post("/opening/customers", {"file": (io.BytesIO(csv.encode("gbk")), "k.csv")},
                    page="/opening/", content_type="multipart/form-data")
    assert ok.status_code == 200 and "检查通过" in ok.text
    lacking = send(admin, "customers", [["客户姓名", "手机号"], ["张伟", "13800138000"]])
    assert lacking.status_code == 422
    assert "缺少必需的列:置业顾问、登记日期、认知途径" in lacking.text


def test_staff_accounts_get_a_password_shown_once_and_a_role_in_the_project(app, login_as):
    world = make_project(app, buildings=())
    admin = login_as("admin")
    template = admin.get("/opening/users/template")
    assert [c.value for c in load_workbook(io.BytesIO(template.data)).active[1]] == \
        ["姓名*", "用户名*", "角色*"]
    rows = [USERS, ["李静", "lijing", "置业顾问"], ["陈晨", "chenchen", "销售秘书"]]
    preview = send(admin, "users", rows)
    assert preview.status_code == 200, preview.text
    with app.app_context():
        assert count(User) == 1  # the admin only: the preview made nobody
    done = apply(admin, preview)
    assert done.status_code == 200 and "只显示这一次" in done.text
    password = done.text.split("<code>lijing</code>")[1].split("<code>")[1].split("</code>")[0]
    assert Browser(app.test_client()).login("lijing", password).status_code == 302
    assert password not in admin.get("/admin/audit").text
    with app.app_context():
        roles = dict(db.session.execute(select(User.username, ProjectMember.role).join(
            ProjectMember, ProjectMember.user_id == User.id).where(
            ProjectMember.project_id == world["project"])).all())
        assert roles == {"lijing": "consultant", "chenchen": "secretary"}


def test_bad_staff_lines_are_refused_with_their_line(app, login_as):
    make_project(app, buildings=())
    admin = login_as("admin", username="boss")
    rows = [USERS, ["李静", "lijing", "置业顾问"], ["李静2", "lijing", "置业顾问"],
            ["王五", "boss", "财务"], ["赵六", "zhao liu", "财务"], ["钱七", "qianqi", "老板"]]
    response = send(admin, "users", rows)
    assert response.status_code == 422
    for expected in ("第 3 行: 该用户名已存在", "第 4 行: 该用户名已存在",
                     "第 5 行: 用户名只能包含字母", "第 6 行: 角色「老板」不存在"):
        assert expected in response.text, expected
    with app.app_context():
        assert count(User) == 1


def test_only_the_admin_imports_opening_data(app, login_as):
    make_project(app, buildings=())
    assert login_as("manager").get("/opening/").status_code == 403
    assert login_as("secretary").post("/opening/customers", {}).status_code == 403
