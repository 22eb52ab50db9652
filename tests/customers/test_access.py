"""Personal data: own cards only, masks elsewhere, reveal and export logged, anonymisation
that keeps the sales records (DESIGN.md "Data protection")."""
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AccessLog, AuditLog, Customer, FollowUp, OwnershipChange, Visit
from tests.fixtures.customers import add_customer, browser_for, office


def test_a_consultant_sees_only_their_own_cards_and_masks_elsewhere(app):
    ids = office(app)
    mine = add_customer(app, ids["a"], "张三", "13800138000")
    theirs = add_customer(app, ids["b"], "李四", "13912345678")
    wang = browser_for(app, "wangfang")
    assert wang.get(f"/customers/{mine}").status_code == 200
    assert "13800138000" in wang.get(f"/customers/{mine}").text
    assert wang.get(f"/customers/{theirs}").status_code == 403
    wang.get("/customers/")
    assert wang.post(f"/customers/{theirs}/card", {"name": "x", "phone": "13912345678"}
                     ).status_code == 403
    assert wang.post(f"/customers/{theirs}/follow-ups", {"way": "phone", "content": "x"}
                     ).status_code == 403
    shared = wang.get("/customers/?scope=all").text  # the project-wide duplicate check
    assert "139****5678" in shared and "13912345678" not in shared and "李军" in shared
    assert f'href="/customers/{theirs}"' not in shared
    log = wang.get("/visits/").text  # today's shared visit log
    assert "13800138000" in log and "139****5678" in log and "13912345678" not in log
    assert "显示" not in log  # consultants have no reveal
    assert wang.post("/customers/export.xlsx").status_code == 403  # no export permission
    assert wang.post("/visits/log.xlsx").status_code == 403


def test_exports_need_the_permission_and_are_logged(app):
    ids = office(app)
    add_customer(app, ids["a"], "张三", "13800138000")
    secretary = browser_for(app, "zhaomin")
    secretary.get("/customers/")
    response = secretary.post("/customers/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:3] == ["姓名", "电话", "级别"]
    # masked: full numbers in bulk need data.export_full and a reason (test_pii_exports.py)
    assert sheet["A2"].value == "张三" and sheet["B2"].value == "138****8000"
    log = secretary.post("/visits/log.xlsx")
    assert load_workbook(io.BytesIO(log.data)).active["C2"].value == "张三"
    with app.app_context():
        rows = db.session.execute(select(AccessLog.action, AccessLog.field, AccessLog.records)
                                  .order_by(AccessLog.id)).all()
        assert rows == [("export", "客户一览", 1), ("export", "来人来电登记表", 1)]
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "data_exported")) == 2
    page = secretary.get("/customers/access-log")
    assert page.status_code == 403  # the log is the manager's


def test_reveal_shows_the_number_once_and_writes_the_access_log(app):
    ids = office(app)
    customer = add_customer(app, ids["a"], "张三", "13800138000")
    with app.app_context():
        db.session.get(Customer, customer).id_number = "110101199001011234"
        db.session.commit()
    secretary = browser_for(app, "zhaomin")
    card = secretary.get(f"/customers/{customer}").text
    assert "138****8000" in card and "13800138000" not in card and "显示" in card
    revealed = secretary.post(f"/customers/{customer}/reveal/phone", htmx=True)
    assert revealed.status_code == 200 and "13800138000" in revealed.text
    assert "13800138000" not in secretary.get(f"/customers/{customer}").text  # once only
    assert "110***********1234" in card and "110101199001011234" not in card
    shown = secretary.post(f"/customers/{customer}/reveal/id_number", htmx=True)
    assert "110101199001011234" in shown.text
    assert secretary.post(f"/customers/{customer}/reveal/notes", htmx=True).status_code == 404
    with app.app_context():
        rows = db.session.scalars(select(AccessLog).order_by(AccessLog.id)).all()
        assert [(r.user_id, r.customer_id, r.action, r.field) for r in rows] == [
            (ids["secretary"], customer, "reveal", "phone"),
            (ids["secretary"], customer, "reveal", "id_number")]
    manager = browser_for(app, "liuqiang")
    page = manager.get("/customers/access-log").text
    assert "赵敏" in page and "显示电话" in page and "显示身份证号" in page and "张三" in page


def test_anonymisation_removes_the_person_and_keeps_the_sales_records(app):
    ids = office(app)
    customer = add_customer(app, ids["a"], "张三", "13800138000")
    wang = browser_for(app, "wangfang")
    wang.get(f"/customers/{customer}")
    wang.post(f"/customers/{customer}/card", {"name": "张三", "phone": "13800138000",
                                              "id_number": "110101199001011234",
                                              "concerns": "学区", "channel": "路过"})
    wang.post(f"/customers/{customer}/follow-ups", {"way": "phone", "content": "约看样板间"})
    manager = browser_for(app, "liuqiang")
    manager.get(f"/customers/{customer}")
    assert wang.post(f"/customers/{customer}/anonymise", {"reason": "申请"}).status_code == 403
    manager.post(f"/customers/{customer}/anonymise", {"reason": ""})
    with app.app_context():
        assert db.session.get(Customer, customer).anonymised_at is None  # a reason is required
    done = manager.post(f"/customers/{customer}/anonymise", {"reason": "客户 11-20 书面申请"})
    assert done.status_code == 302
    with app.app_context():
        row = db.session.get(Customer, customer)
        assert (row.name, row.phone_mask, row.id_number, row.concerns) == (
            f"匿名客户{customer}", None, None, None)
        assert row.owner_id == ids["a"] and row.channel == "路过"
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
        assert db.session.scalar(select(FollowUp.content)) == "(已随客户匿名化删除)"
        assert db.session.scalar(select(func.count()).select_from(OwnershipChange)) == 1
        audit = " ".join(filter(None, db.session.scalars(select(AuditLog.after))))
        assert "张三" not in audit and "13800138000" not in audit and "学区" not in audit
    page = manager.get(f"/customers/{customer}").text
    assert "已匿名化" in page and "张三" not in page
    assert "没有找到“13800138000”" in manager.get("/customers/?q=13800138000").text


def test_the_daily_release_command_frees_expired_cards(app):
    from datetime import timedelta

    from app.services.clock import now
    ids = office(app)
    stale = add_customer(app, ids["a"], "张三", "13800138000", when=now() - timedelta(days=70))
    add_customer(app, ids["b"], "李四", "13900139000")
    result = app.test_cli_runner().invoke(args=["customers", "release-expired"])
    assert result.exit_code == 0 and "释放 1 位" in result.output
    with app.app_context():
        assert db.session.get(Customer, stale).owner_id is None
