"""The deposit receipt is printed when the money is taken — 打印收据 on the
board panel after 收取定金, in 待确认收款, in 收据台账 and in the 明细表 rows (小定, 大定, 回款)."""
from sqlalchemy import select

from app.extensions import db
from app.models import Contract, Deposit, Payment
from tests.deals.conftest import form_key
from tests.deals.test_path import record_deposit
from tests.deals.test_stale_tabs import contract_post, sell


def test_print_the_receipt_wherever_the_money_shows(app, office, browser_for):
    unit_id = office["units"]["1栋 101"]
    secretary = browser_for("zhaomin")
    done, _ = record_deposit(secretary, unit_id, office["zhang"], "1030",
                             consultant=office["wangfang"])
    assert done.status_code == 302
    with app.app_context():
        receipt_id = db.session.scalar(select(Deposit.receipt_id))
    link = f"/deals/receipts/{receipt_id}/pdf"
    # the page 收取定金 lands on: the board with the unit's panel open
    assert link in secretary.get(done.headers["Location"]).text
    panel = secretary.get(f"/board/unit?unit={unit_id}").text
    assert link in panel and "打印收据 No.0001030" in panel
    assert link in browser_for("chenjing").get("/deals/queue").text
    assert link in secretary.get("/deals/registers/receipts").text
    assert link in secretary.get("/deals/registers/large").text
    assert secretary.get(link).mimetype == "application/pdf"
    # a consultant may not print receipts: no link for them
    assert link not in browser_for("wangfang").get(f"/board/unit?unit={unit_id}").text


def test_print_a_small_deposit_and_a_payment_from_their_registers(app, office, browser_for):
    secretary = browser_for("zhaomin")
    unit_id = office["units"]["1栋 102"]
    page = secretary.get(f"/deals/units/{unit_id}/deposit").text
    small = secretary.post(f"/deals/units/{unit_id}/deposit", {
        "form_key": form_key(page), "customer_id": office["li"], "kind": "small",
        "amount": "5000", "method": "cash", "receipt_no": "1040",
        "consultant_id": office["lijun"]})
    assert small.status_code == 302, small.text
    with app.app_context():
        small_receipt = db.session.scalar(select(Deposit.receipt_id))
    assert f"/deals/receipts/{small_receipt}/pdf" in secretary.get("/deals/registers/small").text

    sub_id = sell(app, office, browser_for, "1栋 103", "1041")
    page = secretary.get(f"/deals/subscriptions/{sub_id}/contract").text
    assert contract_post(secretary, sub_id, page, "HT-0001").status_code == 302
    with app.app_context():
        contract = db.session.scalar(select(Contract))
        contract_id, instalment_id = contract.id, contract.instalments[0].id
    page = secretary.get(f"/deals/contracts/{contract_id}").text
    paid = secretary.post(f"/deals/contracts/{contract_id}/payments", {
        "form_key": form_key(page), "instalment_id": instalment_id, "amount": "10000",
        "method": "transfer", "receipt_no": "1042"})
    assert paid.status_code == 302, paid.text
    with app.app_context():
        link = f"/deals/receipts/{db.session.scalar(select(Payment.receipt_id))}/pdf"
    assert link in secretary.get("/deals/registers/payments").text
    assert link in browser_for("chenjing").get("/deals/queue").text
    assert secretary.get(link).mimetype == "application/pdf"
