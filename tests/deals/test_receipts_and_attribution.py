"""Receipt void page, the deal's consultant split and channel, the discount-request links and
the one-open-request rule in the database (both engines)."""
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AuditLog, DealShare, Deposit, DiscountRequest, Project, Receipt, User
from app.services import clock
from app.services.customers import cards, channels
from tests.deals.conftest import form_key
from tests.deals.test_path import record_deposit
from tests.deals.test_price_policy import sign


def void(browser, number, reason="金额写错"):
    page = browser.get("/deals/receipts/void")
    assert page.status_code == 200
    return browser.post("/deals/receipts/void", {"receipt_no": number, "reason": reason})


def test_finance_voids_a_spoiled_receipt_and_its_number_is_never_reused(app, office,
                                                                        browser_for):
    finance, secretary = browser_for("chenjing"), browser_for("zhaomin")
    assert browser_for("wangfang").get("/deals/receipts/void").status_code == 403
    assert secretary.post("/deals/receipts/void", {"receipt_no": "1100",
                                                    "reason": "x"}).status_code == 403
    no_reason = void(finance, "1100", reason="")
    assert no_reason.status_code == 422 and "请填写作废原因" in no_reason.text
    outside = void(finance, "5000")
    assert outside.status_code == 422 and "不在财务登记的收据本内" in outside.text
    done = void(finance, "1100", reason="撕坏了")
    assert done.status_code == 302
    page = finance.get("/deals/receipts/void").text
    assert "No.0001100" in page and "撕坏了" in page
    again = void(finance, "1100")
    assert again.status_code == 422 and "无需重复作废" in again.text
    # the voided number cannot take money
    reuse, _ = record_deposit(secretary, office["units"]["1栋 101"], office["zhang"], "1100",
                              consultant=office["wangfang"])
    assert reuse.status_code == 422 and "已作废,作废的编号不能再使用" in reuse.text
    ledger = finance.get("/deals/registers/receipts?status=voided").text
    assert "No.0001100" in ledger and "已作废" in ledger and "撕坏了" in ledger
    with app.app_context():
        receipt = db.session.scalar(select(Receipt).where(Receipt.number == 1100))
        assert receipt.status == "voided" and receipt.amount is None
        assert db.session.scalar(select(AuditLog.reason).where(
            AuditLog.action == "receipt_voided", AuditLog.object_id == str(receipt.id))) == "撕坏了"


def test_a_receipt_behind_money_cannot_just_be_voided(app, office, browser_for):
    finance, secretary = browser_for("chenjing"), browser_for("zhaomin")
    record_deposit(secretary, office["units"]["1栋 101"], office["zhang"], "1001",
                   consultant=office["wangfang"])
    pending = void(finance, "1001")
    assert pending.status_code == 422 and "请在「待确认收款」中退回" in pending.text
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id))
    assert finance.post(f"/deals/deposits/{deposit_id}/confirm", {}).status_code == 302
    confirmed = void(finance, "1001")
    assert confirmed.status_code == 422 and "对应财务已确认的定金,不能直接作废" in confirmed.text
    with app.app_context():
        assert db.session.scalar(select(Receipt.status)) == "confirmed"


def test_a_deal_on_another_consultants_customer_records_the_split(app, office, browser_for):
    secretary = browser_for("zhaomin")
    unit_id = office["units"]["1栋 201"]
    # 李四 belongs to 李军; 王芳 closes the deal: the seed 002 case must be chosen
    refused, data = record_deposit(secretary, unit_id, office["li"], "1001",
                                   consultant=office["wangfang"])
    assert refused.status_code == 422 and "请选择分成情形" in refused.text
    page = secretary.get(f"/deals/units/{unit_id}/deposit").text
    done = secretary.post(f"/deals/units/{unit_id}/deposit", {
        **data, "form_key": form_key(page), "case": "customer_chose"})
    assert done.status_code == 302, done.text
    with app.app_context():
        shares = {db.session.get(User, s.user_id).display_name: s.percent
                  for s in db.session.scalars(select(DealShare))}
        deposit = db.session.scalar(select(Deposit))
        assert deposit.split_case == "customer_chose" and deposit.channel_report_id is None
    assert shares == {"王芳": Decimal("80.00"), "李军": Decimal("20.00")}
    assert "王芳 80% · 李军 20%" in secretary.get("/deals/registers/large").text
    assert browser_for("chenjing").post(f"/deals/deposits/{deposit.id}/confirm",
                                        {}).status_code == 302
    assert sign(secretary, unit_id, customer=office["li"]).status_code == 302
    register = secretary.get("/deals/registers/subscriptions").text
    assert "王芳 80% · 李军 20%" in register
    with app.app_context():
        from app.models import Subscription
        sub_id = db.session.scalar(select(Subscription.id))
    detail = secretary.get(f"/deals/subscriptions/{sub_id}").text
    assert "王芳 80%" in detail and "客户不愿找原顾问" in detail
    performance = browser_for("liuqiang").get("/reports/consultants").text
    # 业绩 is 王芳's whole (准则(2)); the bonus is 80/20
    assert "认购套数(按业绩)" in performance and "奖金分成(套)" in performance
    assert ">1.00<" in performance and ">0.80<" in performance and ">0.20<" in performance


def test_the_channel_protecting_the_customer_is_recorded_on_the_deal(app, office, browser_for):
    with app.app_context():
        project = db.session.get(Project, office["project"])
        manager = db.session.get(User, office["liuqiang"])
        consultant = db.session.get(User, office["wangfang"])
        company = channels.save_company(project, "链家地产", "agency", by=manager)
        agent = channels.add_agent(company, "刘洋", by=manager)
        report = channels.report_customer(project, agent, "王五", "男", "1370**03333", by=manager)
        customer, _ = cards.register(project, "王五", "13700003333", "路过", consultant)
        customer.gender = "男"
        channels.confirm_visit(report, customer, consultant, by=manager)
        db.session.commit()
        customer_id, report_id = customer.id, report.id
    secretary = browser_for("zhaomin")
    unit_id = office["units"]["1栋 202"]
    done, _ = record_deposit(secretary, unit_id, customer_id, "1001",
                             consultant=office["wangfang"])
    assert done.status_code == 302, done.text
    with app.app_context():
        deposit = db.session.scalar(select(Deposit))
        assert deposit.channel_report_id == report_id and deposit.split_case == "own"
    assert browser_for("chenjing").post(f"/deals/deposits/{deposit.id}/confirm",
                                        {}).status_code == 302
    form = secretary.get(f"/deals/units/{unit_id}/subscription").text
    assert "渠道:链家地产(刘洋)" in form
    assert sign(secretary, unit_id, customer=customer_id).status_code == 302
    assert "链家地产" in secretary.get("/deals/registers/subscriptions").text
    assert "链家地产" in secretary.get("/deals/registers/large").text


def test_unit_panel_and_subscription_draft_link_to_a_discount_request(app, office,
                                                                      browser_for):
    unit_id = office["units"]["1栋 301"]
    consultant = browser_for("wangfang")
    panel = consultant.get(f"/board/unit?unit={unit_id}").text
    assert f"/discounts/new?unit_id={unit_id}" in panel and "申请特殊优惠" in panel
    assert "申请特殊优惠" not in browser_for("chenjing").get(f"/board/unit?unit={unit_id}").text
    record_deposit(consultant, unit_id, office["zhang"], "1001")
    panel = consultant.get(f"/board/unit?unit={unit_id}").text
    assert f"customer_id={office['zhang']}" in panel
    form = consultant.get(f"/discounts/new?customer_id={office['zhang']}&unit_id={unit_id}").text
    assert 'value="301"' in form and f'selected value="{office["zhang"]}"' in form
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id))
    browser_for("chenjing").post(f"/deals/deposits/{deposit_id}/confirm", {})
    draft = browser_for("liuqiang").get(f"/deals/units/{unit_id}/subscription").text
    assert f"/discounts/new?customer_id={office['zhang']}&amp;unit_id={unit_id}" in draft


def _request(office, status):
    return DiscountRequest(project_id=office["project"], customer_id=office["zhang"],
                           unit_id=office["units"]["1栋 101"], requested_by_id=office["wangfang"],
                           kind="amount", value=Decimal("1000"), reason="测试",
                           list_price=Decimal("100000"), standard_price=Decimal("100000"),
                           deal_price=Decimal("99000"), discount_amount=Decimal("1000"),
                           status=status, valid_until=clock.now())


def test_the_database_keeps_one_open_request_per_customer_and_unit(app, office):
    with app.app_context():
        db.session.add_all([_request(office, "used"), _request(office, "rejected"),
                            _request(office, "pending")])
        db.session.commit()
        db.session.add(_request(office, "approved"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_racing_second_request_gets_the_chinese_message_from_the_index(app, office,
                                                                         monkeypatch):
    """Two requests that both passed the check: the index stops the second, cleanly."""
    from app.models import Customer, Unit
    from app.services.discounts import requests as discount_requests
    from app.services.errors import RuleViolation
    with app.app_context():
        customer = db.session.get(Customer, office["zhang"])
        unit = db.session.get(Unit, office["units"]["1栋 101"])
        consultant = db.session.get(User, office["wangfang"])
        discount_requests.create_request(customer, unit, "amount", "1000", "老客户", consultant)
        db.session.commit()
        real, calls = discount_requests.open_request, []

        def blind_first(*args):  # the racing request read before the first one committed
            calls.append(args)
            return None if len(calls) == 1 else real(*args)
        monkeypatch.setattr(discount_requests, "open_request", blind_first)
        with pytest.raises(RuleViolation, match="只能有一个未结申请"):
            discount_requests.create_request(customer, unit, "amount", "2000", "再来", consultant)
        db.session.rollback()
        assert db.session.scalar(select(db.func.count()).select_from(DiscountRequest)) == 1
