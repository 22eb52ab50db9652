"""业主登记一览表 (seed 003): every buyer from the deposit on, with area, layout and what they
have paid to date; filtered by the day the unit was taken (Asia/Shanghai)."""
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Deposit, Unit, User
from app.services.deals import contracts, subscriptions
from app.services.deals.common import new_form_key
from tests.deals.test_path import record_deposit
from tests.fixtures.customers import at

TAKEN = at(2026, 3, 10, 23, 59)  # the last minute of 03-10 in the office


def register(browser, **query):
    text = browser.get("/deals/registers/owners?" + "&".join(
        f"{k}={v}" for k, v in query.items())).text
    return text[text.index('id="register-rows"'):]


def test_buyers_are_listed_from_the_deposit_on_with_area_layout_and_paid(app, office,
                                                                        browser_for):
    unit_id = office["units"]["1栋 101"]
    with time_machine.travel(TAKEN, tick=False):
        secretary = browser_for("zhaomin")
        done, _ = record_deposit(secretary, unit_id, office["zhang"], "1001", amount="50000",
                                 consultant=office["wangfang"])
        assert done.status_code == 302
        rejected, _ = record_deposit(secretary, office["units"]["1栋 102"], office["li"],
                                     "1002", consultant=office["lijun"])
        assert rejected.status_code == 302
        with app.app_context():
            second = db.session.scalar(select(Deposit.id).order_by(Deposit.id.desc()).limit(1))
        finance = browser_for("chenjing")
        assert finance.post(f"/deals/deposits/{second}/reject",
                            {"reason": "银行未到账"}).status_code == 302
        rows = register(secretary)
        # the deposit waits for finance: listed already, nothing paid yet
        assert "1栋 101" in rows and "两室两厅一卫" in rows and "89.36" in rows
        assert "张三" in rows and "定金待确认" in rows
        assert "李四" not in rows  # a rejected deposit is not a buyer
        assert "合计 1 笔" in rows
        first = db_first_deposit(app)
        assert finance.post(f"/deals/deposits/{first}/confirm", {}).status_code == 302
        assert "¥50,000.00" in register(secretary).split("张三", 1)[1]
    with app.app_context(), time_machine.travel(at(2026, 3, 12), tick=False):
        secretary_user = db.session.scalar(select(User).where(User.username == "zhaomin"))
        finance_user = db.session.scalar(select(User).where(User.username == "chenjing"))
        unit = db.session.get(Unit, unit_id)
        sub, _ = subscriptions.sign(unit, {"form_key": new_form_key(), "plan": "full",
                                           "customer_id": office["zhang"],
                                           "sign_deadline": at(2026, 3, 19).date(),
                                           "address": "上海市徐汇区漕溪北路 88 号",
                                           "identity_note": "客户未带身份证"},
                                    secretary_user)
        deal, _ = contracts.sign(sub, {"form_key": new_form_key(), "number": "HT-1",
                                       "sign_date": at(2026, 3, 12).date(),
                                       "first_due": at(2026, 4, 12).date()}, secretary_user)
        payment, _ = contracts.record_payment(deal.instalments[0], "100000", "transfer",
                                              "1003", new_form_key(), secretary_user)
        contracts.decide_payment(payment, True, None, finance_user)
        db.session.commit()
        number = sub.number
    with time_machine.travel(at(2026, 3, 12), tick=False):
        secretary = browser_for("zhaomin")
        rows = register(secretary)
        assert number in rows and "已签约" in rows
        assert "¥150,000.00" in rows  # deposit 50,000 + 回款 100,000 confirmed
        # taken on 03-10 at 23:59 office time: in that day, not in the next
        assert "张三" in register(secretary, start="2026-03-10", end="2026-03-10")
        assert "张三" not in register(secretary, start="2026-03-11", end="2026-03-12")


def db_first_deposit(app):
    with app.app_context():
        return db.session.scalar(select(Deposit.id).order_by(Deposit.id).limit(1))
