"""The whole path through HTTP, as the office works it, on both engines."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Contract, Deposit, Receipt, Subscription, Unit
from app.services import clock
from tests.deals.conftest import form_key


def status(app, unit_id):
    with app.app_context():
        return db.session.get(Unit, unit_id).status


def actions(app, unit_id):
    with app.app_context():
        return [row.action for row in db.session.scalars(
            select(AuditLog).where(AuditLog.object_type == "unit",
                                   AuditLog.object_id == str(unit_id)).order_by(AuditLog.id))]


def record_deposit(browser, unit_id, customer, receipt_no, amount="20000", consultant=None):
    page = browser.get(f"/deals/units/{unit_id}/deposit")
    assert page.status_code == 200, page.text
    data = {"form_key": form_key(page.text), "customer_id": customer, "kind": "large",
            "amount": amount, "method": "transfer", "receipt_no": receipt_no}
    if consultant:
        data["consultant_id"] = consultant
    return browser.post(f"/deals/units/{unit_id}/deposit", data), data


def test_hold_deposit_confirm_sold_contract_paid(app, office, browser_for):
    unit_id = office["units"]["1栋 301"]
    consultant, secretary = browser_for("wangfang"), browser_for("zhaomin")
    finance = browser_for("chenjing")
    assert consultant.post(f"/board/units/{unit_id}/hold", {}, htmx=True).status_code == 200
    panel = consultant.get(f"/board/unit?unit={unit_id}").text
    assert f"/deals/units/{unit_id}/deposit" in panel
    # 申请特殊优惠 from the panel: for the unit, and once a deposit is taken, its customer
    assert f'href="/discounts/new?unit_id={unit_id}">申请特殊优惠' in panel

    done, _ = record_deposit(consultant, unit_id, office["zhang"], "1001")
    assert done.status_code == 302, done.text
    assert status(app, unit_id) == "deposit_pending"
    panel = consultant.get(f"/board/unit?unit={unit_id}").text
    assert (f'href="/discounts/new?unit_id={unit_id}&amp;customer_id={office["zhang"]}">'
            "申请特殊优惠") in panel
    board = secretary.get(f"/board?building={office['buildings']['1栋']}").text
    assert "定金待确认" in board

    queue = finance.get("/deals/queue").text
    assert "No.0001001" in queue and "¥20,000.00" in queue
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id))
    # marking sold before finance has confirmed is refused
    early = secretary.get(f"/deals/units/{unit_id}/subscription")
    assert "尚未经财务确认" in early.text
    assert finance.post(f"/deals/deposits/{deposit_id}/confirm", {}).status_code == 302
    assert status(app, unit_id) == "deposit_confirmed"
    assert "定金已确认" in secretary.get(f"/board/unit?unit={unit_id}").text

    page = secretary.get(f"/deals/units/{unit_id}/subscription")
    assert "张三" in page.text
    deadline = (clock.today() + timedelta(days=7)).isoformat()
    sold = secretary.post(f"/deals/units/{unit_id}/subscription", {
        "form_key": form_key(page.text), "customer_id": office["zhang"],
        "co_buyers": "李梅 110101199202023456", "deal_price": "", "plan": "instalments",
        "sign_deadline": deadline, "address": "上海市浦东新区世纪大道 100 号"})
    assert sold.status_code == 302, sold.text
    assert status(app, unit_id) == "subscribed"
    with app.app_context():
        sub = db.session.scalar(select(Subscription))
        price, sub_id = sub.deal_price, sub.id
        assert sub.number.startswith("RG") and sub.co_buyers.count("李梅") == 1
    detail = secretary.get(f"/deals/subscriptions/{sub_id}").text
    assert "已认购" in secretary.get(f"/board?building={office['buildings']['1栋']}").text
    assert f"/deals/subscriptions/{sub_id}/contract" in detail

    form = secretary.get(f"/deals/subscriptions/{sub_id}/contract").text
    signed = secretary.post(f"/deals/subscriptions/{sub_id}/contract", {
        "form_key": form_key(form), "number": "HT-2026-0001",
        "sign_date": clock.today().isoformat(), "first_due": clock.today().isoformat(),
        "count": "3"})
    assert signed.status_code == 302, signed.text
    assert status(app, unit_id) == "contracted"
    with app.app_context():
        contract = db.session.scalar(select(Contract))
        amounts = [i.amount for i in contract.instalments]
        credited = [i.credited for i in contract.instalments]
        dues = [i.due for i in contract.instalments]
        ids, contract_id = [i.id for i in contract.instalments], contract.id
    assert sum(amounts) == price and len(amounts) == 3
    # the confirmed deposit is credited to the first instalment: the buyer owes the rest
    assert credited == [Decimal("20000.00"), 0, 0] and sum(dues) == price - Decimal("20000")

    for number, (instalment_id, amount) in enumerate(zip(ids, dues, strict=True), start=1002):
        page = secretary.get(f"/deals/contracts/{contract_id}").text
        paid = secretary.post(f"/deals/contracts/{contract_id}/payments", {
            "form_key": form_key(page), "instalment_id": instalment_id, "amount": str(amount),
            "method": "transfer", "receipt_no": str(number)})
        assert paid.status_code == 302, paid.text
    with app.app_context():
        from app.models import Payment
        payment_ids = db.session.scalars(select(Payment.id)).all()
    for payment_id in payment_ids:
        assert finance.post(f"/deals/payments/{payment_id}/confirm", {}).status_code == 302
    contract_page = secretary.get(f"/deals/contracts/{contract_id}").text
    assert contract_page.count("已付清") == 3, contract_page[contract_page.find("<main"):]
    assert "¥0.00" in contract_page
    assert actions(app, unit_id) == ["unit_hold", "unit_record_deposit", "unit_confirm_deposit",
                                     "unit_mark_sold", "unit_sign_contract"]
    with app.app_context():
        statuses = db.session.scalars(select(Receipt.status).order_by(Receipt.number)).all()
    assert statuses == ["confirmed"] * 4


def test_finance_reject_returns_the_unit_to_its_holder(app, office, browser_for):
    unit_id = office["units"]["1栋 302"]
    consultant, finance = browser_for("wangfang"), browser_for("chenjing")
    consultant.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
    record_deposit(consultant, unit_id, office["zhang"], "1010")
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id))
    missing = finance.post(f"/deals/deposits/{deposit_id}/reject", {"reason": ""})
    assert missing.status_code == 422 and "请填写退回原因" in missing.text
    done = finance.post(f"/deals/deposits/{deposit_id}/reject", {"reason": "到账金额不符"})
    assert done.status_code == 302
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert (unit.status, unit.held_by_id) == ("held", office["wangfang"])
        receipt = db.session.scalar(select(Receipt))
        assert (receipt.status, receipt.reason) == ("voided", "到账金额不符")
    assert actions(app, unit_id)[-1] == "unit_reject_deposit"
    # an available unit goes back to available
    other = office["units"]["1栋 303"]
    record_deposit(browser_for("zhaomin"), other, office["zhang"], "1011",
                   consultant=office["wangfang"])
    with app.app_context():
        second = db.session.scalar(select(Deposit.id).where(Deposit.unit_id == other))
    finance.post(f"/deals/deposits/{second}/reject", {"reason": "客户取消"})
    assert status(app, other) == "available"


def test_a_double_submit_records_one_deposit(app, office, browser_for):
    unit_id = office["units"]["1栋 304"]
    secretary = browser_for("zhaomin")
    first, data = record_deposit(secretary, unit_id, office["zhang"], "1020",
                                 consultant=office["wangfang"])
    again = secretary.post(f"/deals/units/{unit_id}/deposit", data)
    assert first.status_code == again.status_code == 302
    follow = secretary.get(again.headers["Location"]).text
    assert "已提交过" in follow
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Deposit)) == 1
        assert db.session.scalar(select(db.func.count()).select_from(Receipt)) == 1
    assert Decimal("20000") == Decimal("20000.00")
