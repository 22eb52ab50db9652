"""Every money success message says the amount understood; the parser
refuses what it would misread, in Chinese, and keeps what the office types."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Deposit, Payment
from tests.deals.test_path import record_deposit
from tests.deals.test_stale_tabs import contract_post, sell


def flashed(browser, response):
    return browser.get(response.headers["Location"]).text


@pytest.mark.parametrize("typed, why", [
    ("1e5", "科学计数法"), ("100_000", "下划线"), ("١٠٠٠٠٠", "阿拉伯数字")])
def test_the_deposit_form_refuses_what_it_would_misread(app, office, browser_for, typed, why):
    page, _ = record_deposit(browser_for("zhaomin"), office["units"]["1栋 101"],
                             office["zhang"], "1030", amount=typed, consultant=office["wangfang"])
    assert page.status_code == 422 and why in page.text
    with app.app_context():
        assert db.session.scalar(select(Deposit.id)) is None


def test_money_messages_say_the_amount_understood(app, office, browser_for):
    secretary, finance = browser_for("zhaomin"), browser_for("chenjing")
    done, _ = record_deposit(secretary, office["units"]["1栋 101"], office["zhang"], "1030",
                             amount="１００，０００", consultant=office["wangfang"])
    assert done.status_code == 302, done.text
    assert "已登记定金 ¥100,000.00,收据 No.0001030" in flashed(secretary, done)
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id))
    confirmed = finance.post(f"/deals/deposits/{deposit_id}/confirm", {})
    assert "已确认定金 ¥100,000.00,收据 No.0001030" in flashed(finance, confirmed)
    rejected, _ = record_deposit(secretary, office["units"]["1栋 102"], office["zhang"], "1031",
                                 amount="12,345.6元", consultant=office["wangfang"])
    with app.app_context():
        second = db.session.scalar(select(Deposit.id).where(Deposit.id != deposit_id))
    back = finance.post(f"/deals/deposits/{second}/reject", {"reason": "未到账"})
    assert "已退回定金 ¥12,345.60,收据 No.0001031" in flashed(finance, back)

    sub_id = sell(app, office, browser_for, "1栋 103", "1032")
    page = secretary.get(f"/deals/subscriptions/{sub_id}/contract").text
    signed = contract_post(secretary, sub_id, page, "HT-0001")
    assert "已签约,合同编号 HT-0001,总价 ¥" in flashed(secretary, signed)
    contract_page = secretary.get(signed.headers["Location"]).text
    from tests.deals.conftest import form_key
    with app.app_context():
        from app.models import Contract
        instalment = db.session.scalar(select(Contract)).instalments[-1].id
    paid = secretary.post(signed.headers["Location"] + "/payments", {
        "form_key": form_key(contract_page), "instalment_id": instalment, "amount": "¥5,000",
        "method": "transfer", "receipt_no": "No.0001033"})
    assert "已登记回款 ¥5,000.00,收据 No.0001033" in flashed(secretary, paid)
    with app.app_context():
        payment_id = db.session.scalar(select(Payment.id))
    ok = finance.post(f"/deals/payments/{payment_id}/confirm", {})
    assert "已确认回款 ¥5,000.00,收据 No.0001033" in flashed(finance, ok)
