"""换房退房一览表 filters and .xlsx export, the reasons report, and who sees which rows."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Unit
from app.services.changes import execute, requests
from app.services.deals.common import new_form_key
from tests.changes.conftest import ask, sell, users


def world(app, office):
    """An executed refund (王芳's customer, 1栋 102, 贷款未获批), an executed exchange
    (1栋 101 → 1栋 104, 户型) and a pending refund of 李军's customer (1栋 201)."""
    with app.app_context():
        consultant, other, manager, secretary = users("wangfang", "lijun", "liuqiang", "zhaomin")
        refund_unit, _ = sell(office, "1栋 102", 1001)
        exchange_unit, _ = sell(office, "1栋 101", 1010)
        pending_unit, _ = sell(office, "1栋 201", 1020, customer="li", consultant="lijun")
        made = []
        for unit_id, kind, reason, actor, extra in (
                (refund_unit, "refund", "loan", consultant, {}),
                (exchange_unit, "exchange", "layout", consultant,
                 {"target_unit_id": office["units"]["1栋 104"]}),
                (pending_unit, "refund", "funds", other, {})):
            change, _ = requests.ask(db.session.get(Unit, unit_id), {
                "form_key": new_form_key(), "kind": kind, "reason": reason, **extra}, actor)
            made.append(change)
        for change in made[:2]:
            requests.decide(change, True, {"penalty": "3000"}, manager)
            execute.execute(change, {}, secretary)
        db.session.commit()


def test_register_filters_and_totals(app, office, browser_for):
    world(app, office)
    secretary = browser_for("zhaomin")
    page = secretary.get("/changes/").text
    assert "合计 3 笔" in page
    refunds = secretary.get("/changes/?kind=refund&status=executed").text
    assert "合计 1 笔" in refunds and "47,000.00" in refunds and "3,000.00" in refunds
    by_reason = secretary.get("/changes/?reason=layout").text
    assert "1栋 104" in by_reason and "合计 1 笔" in by_reason
    mine = secretary.get(f"/changes/?consultant={office['lijun']}").text
    assert "合计 1 笔" in mine and "待审批" in mine
    fragment = secretary.get("/changes/?kind=exchange", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "change-rows" in fragment.text


def test_export_has_the_filtered_rows_and_is_audited(app, office, browser_for):
    world(app, office)
    response = browser_for("liuqiang").get("/changes/export.xlsx?kind=refund")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    text = "\n".join(" ".join(str(c) for c in row if c is not None)
                     for row in sheet.iter_rows(values_only=True))
    assert "换房退房一览表" in sheet.title and "贷款未获批" in text and "资金不足" in text
    assert "户型/面积不合适" not in text
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(
            AuditLog.action == "changes_exported")) is not None


def section(html):
    """The tables of the reasons report (the filter's options list every reason)."""
    return html[html.index('id="reasons-reason"'):]


def test_reasons_report_counts_executed_changes(app, office, browser_for):
    world(app, office)
    manager = browser_for("liuqiang")
    page = section(manager.get("/changes/reasons").text)
    assert "贷款未获批" in page and "户型/面积不合适" in page
    assert "资金不足" not in page  # pending: not a sale that fell through (yet)
    other = section(manager.get(f"/changes/reasons?consultant={office['lijun']}").text)
    assert "贷款未获批" not in other
    future = manager.get("/changes/reasons?start=2099-01-01").text
    assert "所选期间没有已执行的换房或退房" in future


def test_consultants_see_their_own_changes_only(app, office, browser_for):
    world(app, office)
    page = browser_for("lijun").get("/changes/").text
    assert "合计 1 笔" in page and "1栋 201" in page and "1栋 102" not in page
    with app.app_context():
        from app.models import ChangeRequest
        first = db.session.scalar(select(ChangeRequest.id).order_by(ChangeRequest.id))
    assert browser_for("lijun").get(f"/changes/{first}").status_code == 403
    assert browser_for("wangfang").get(f"/changes/{first}").status_code == 200
    assert browser_for("lijun").get("/changes/export.xlsx").status_code == 403


def test_the_managers_home_counts_requests_waiting(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 101", 1001)
    assert ask(browser_for("wangfang"), unit_id, "refund").status_code == 302
    home = browser_for("liuqiang").get("/").text
    assert "换房 / 退房 / 换名" in home
    assert '待经理审批 <strong class="warn">1</strong> 条' in home


def test_the_audit_log_names_a_change_reason_as_the_request_form_does(app, office, browser_for):
    """A reason's code means what the 退房/换房 form says: 'buyer' is 买受人变更, not another
    area's 客户原因; 'competitor' is 选择其他楼盘."""
    with app.app_context():
        first, _ = sell(office, "1栋 101", 1001)
        second, _ = sell(office, "1栋 102", 1002)
    consultant = browser_for("wangfang")
    assert ask(consultant, first, "refund", reason="buyer").status_code == 302
    assert ask(consultant, second, "refund", reason="competitor").status_code == 302
    page = browser_for("liuqiang").get("/admin/audit?action=change_requested").text
    assert "买受人变更(婚姻/亲属)" in page and "选择其他楼盘" in page
    assert "客户原因" not in page and "竞品" not in page


def test_registers_name_a_unit_with_its_entrance(app, office, browser_for):
    """Room numbers repeat across 单元: the registers say 1栋2单元101, as the board does."""
    from tests.changes.test_paths import register
    with app.app_context():
        db.session.get(Unit, office["units"]["1栋 101"]).entrance = "2"
        db.session.commit()
        unit_id, _ = sell(office, "1栋 101", 1001)
    consultant, secretary = browser_for("wangfang"), browser_for("zhaomin")
    assert ask(consultant, unit_id, "refund", reason="loan").status_code == 302
    for name in ("large", "subscriptions", "owners"):
        assert "1栋2单元101" in secretary.get(f"/deals/registers/{name}").text, name
    assert "1栋2单元101" in register(secretary)


def owner_rows(browser):
    """The 业主登记一览表's rows as (unit, buyer) pairs, read from the page."""
    text = browser.get("/deals/registers/owners").text
    text = text[text.index('id="register-rows"'):]
    rows = text.split("<tr")[1:]
    units = ("1栋 101", "1栋 102", "1栋 104", "1栋 201")
    return sorted((next(u for u in units if u in row),
                   next(n for n in ("张三", "李四") if n in row))
                  for row in rows if any(u in row for u in units))


def test_the_owners_register_follows_exchanges_refunds_and_name_changes(app, office,
                                                                         browser_for):
    """Seed 003: 业主换房或退房…及时更新《业主登记一览表》: the refunded buyer leaves it, the
    exchanged one is listed on the new unit only, a pending refund is still a buyer, and a
    换名 lists the new buyer."""
    world(app, office)
    secretary = browser_for("zhaomin")
    assert owner_rows(secretary) == [("1栋 104", "张三"), ("1栋 201", "李四")]
    with app.app_context():
        manager, clerk = users("liuqiang", "zhaomin")
        change, _ = requests.ask(db.session.get(Unit, office["units"]["1栋 104"]), {
            "form_key": new_form_key(), "kind": "rename", "reason": "buyer",
            "rename_action": "replace", "new_customer_id": office["li"]}, clerk)
        requests.decide(change, True, {}, manager)
        execute.execute(change, {}, clerk)
        db.session.commit()
    assert owner_rows(secretary) == [("1栋 104", "李四"), ("1栋 201", "李四")]
