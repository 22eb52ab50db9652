"""Every money success message of a change says the amount understood: what a 退房 gives
back, the price a 换房 signs, the 过户费 a 换名 takes, and what finance then pays or confirms."""
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Payout, TransferFee
from app.services import clock
from tests.changes.conftest import ask, last_change, sell
from tests.changes.test_paths import approve, approved_transfer, execute


def flashed(browser, response):
    assert response.status_code == 302, response.text[:500]
    return browser.get(response.headers["Location"]).text


def test_a_refund_says_what_it_gives_back_and_finance_what_it_paid(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 102", 1001)
    assert ask(browser_for("wangfang"), unit_id, "refund", reason="loan").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(browser_for("liuqiang"), change_id, penalty="5000",
                   unit_after="available").status_code == 302
    secretary, finance = browser_for("zhaomin"), browser_for("chenjing")
    page = flashed(secretary, execute(secretary, change_id))
    assert (f"申请 #{change_id} 已执行(退房):已收 ¥50,000.00,违约金 ¥5,000.00,"
            "退款 ¥45,000.00 待财务支付") in page
    with app.app_context():
        payout_id = db.session.scalar(select(Payout.id))
    paid = finance.post(f"/changes/payouts/{payout_id}/pay", {"method": "transfer"})
    assert (f"已支付退款 ¥45,000.00,退款收据 TK{clock.today().year}-0001"
            in flashed(finance, paid))


def test_an_exchange_says_the_price_it_signs(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 101", 1001)
    target = office["units"]["1栋 104"]
    assert ask(browser_for("wangfang"), unit_id, "exchange", target_unit_id=target,
               reason="layout").status_code == 302
    with app.app_context():
        change = last_change()
        change_id, old = change.id, change.subscription.deal_price
    assert approve(browser_for("liuqiang"), change_id).status_code == 302
    secretary = browser_for("zhaomin")
    page = flashed(secretary, execute(secretary, change_id))
    with app.app_context():
        new = last_change().new_price
    assert new > old
    assert (f"申请 #{change_id} 已执行(换房):新成交总价 ¥{new:,.2f}(原 ¥{old:,.2f})"
            in page)


def test_a_transfer_says_the_fee_it_took_and_finance_what_it_confirmed(app, office,
                                                                       browser_for):
    change_id = approved_transfer(app, office, browser_for)  # 过户费 2,000 元
    secretary, finance = browser_for("zhaomin"), browser_for("chenjing")
    page = flashed(secretary, execute(secretary, change_id, receipt_no="No.0001100",
                                      method="cash"))
    assert (f"申请 #{change_id} 已执行(换名):过户费 ¥2,000.00,收据 No.0001100,等待财务确认"
            in page)
    with app.app_context():
        fee = db.session.scalar(select(TransferFee))
        fee_id, amount = fee.id, fee.amount
    assert amount == Decimal("2000.00")
    confirmed = finance.post(f"/changes/fees/{fee_id}/confirm", {})
    assert "已确认过户费 ¥2,000.00,收据 No.0001100" in flashed(finance, confirmed)
