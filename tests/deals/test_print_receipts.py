"""The deposit receipt is printed when the money is taken — 打印收据 on the
board panel after 收取定金, in 待确认收款, in 收据台账 and in the 明细表 rows."""
from sqlalchemy import select

from app.extensions import db
from app.models import Deposit
from tests.deals.test_path import record_deposit


def test_print_the_receipt_wherever_the_money_shows(app, office, browser_for):
    unit_id = office["units"]["1栋 101"]
    secretary = browser_for("zhaomin")
    done, _ = record_deposit(secretary, unit_id, office["zhang"], "1030",
                             consultant=office["wangfang"])
    assert done.status_code == 302
    with app.app_context():
        receipt_id = db.session.scalar(select(Deposit.receipt_id))
    link = f"/deals/receipts/{receipt_id}/pdf"
    panel = secretary.get(f"/board/unit?unit={unit_id}").text
    assert link in panel and "打印收据 No.0001030" in panel
    assert link in browser_for("chenjing").get("/deals/queue").text
    assert link in secretary.get("/deals/registers/receipts").text
    assert link in secretary.get("/deals/registers/large").text
    assert secretary.get(link).mimetype == "application/pdf"
    # a consultant may not print receipts: no link for them
    assert link not in browser_for("wangfang").get(f"/board/unit?unit={unit_id}").text
