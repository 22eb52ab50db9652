"""Refusals: who may touch money, receipt numbers, amounts, holds, floor price, void/reissue."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Deposit, Receipt, Subscription, Unit, User
from app.services import clock
from app.services.deals import contracts, deposits, receipts, subscriptions
from app.services.deals.common import new_form_key
from app.services.errors import NotAllowed, RuleViolation
from tests.deals.test_path import record_deposit
from tests.fixtures.deals import BUYER


def test_consultants_never_confirm_and_the_recorder_never_confirms(app, office, browser_for):
    unit_id = office["units"]["1栋 101"]
    record_deposit(browser_for("zhaomin"), unit_id, office["zhang"], "1001",
                   consultant=office["wangfang"])
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id))
    consultant = browser_for("wangfang")
    assert consultant.post(f"/deals/deposits/{deposit_id}/confirm", {}).status_code == 403
    assert consultant.get("/deals/queue").status_code == 403
    with app.app_context():
        deposit = db.session.get(Deposit, deposit_id)
        # a finance user who (say, covering the desk) recorded the entry may not confirm it
        deposit.recorded_by_id = office["chenjing"]
        db.session.commit()
    own = browser_for("chenjing")
    assert "本人登记" in own.get("/deals/queue").text
    assert own.post(f"/deals/deposits/{deposit_id}/confirm", {}).status_code == 403
    with app.app_context():
        deposit = db.session.get(Deposit, deposit_id)
        with pytest.raises(NotAllowed, match="登记人不能确认"):
            deposits.confirm(deposit, db.session.get(User, office["chenjing"]))
        db.session.rollback()
        assert db.session.get(Deposit, deposit_id).status == "pending"
    assert browser_for("huangli").post(f"/deals/deposits/{deposit_id}/confirm",
                                       {}).status_code == 302


@pytest.mark.parametrize("amount, message", [
    ("-100", "不能为负数"), ("100.001", "精确到分"), ("0", "必须大于零"), ("abc", "不是有效金额")])
def test_bad_amounts_are_refused_next_to_the_field(app, office, browser_for, amount, message):
    response, _ = record_deposit(browser_for("zhaomin"), office["units"]["1栋 102"],
                                 office["zhang"], "1001", amount=amount,
                                 consultant=office["wangfang"])
    assert response.status_code == 422 and message in response.text
    assert status_of(app, office["units"]["1栋 102"]) == "available"


def status_of(app, unit_id):
    with app.app_context():
        return db.session.get(Unit, unit_id).status


def test_receipt_numbers_are_used_once_and_only_from_a_registered_book(app, office, browser_for):
    secretary = browser_for("zhaomin")
    first, _ = record_deposit(secretary, office["units"]["1栋 103"], office["zhang"], "1005",
                              consultant=office["wangfang"])
    assert first.status_code == 302
    again, _ = record_deposit(secretary, office["units"]["1栋 104"], office["zhang"], "1005",
                              consultant=office["wangfang"])
    assert again.status_code == 422 and "已使用过" in again.text
    outside, _ = record_deposit(secretary, office["units"]["1栋 104"], office["zhang"], "5000",
                                consultant=office["wangfang"])
    assert outside.status_code == 422 and "不在财务登记的收据本内" in outside.text
    assert status_of(app, office["units"]["1栋 104"]) == "available"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1
        finance = db.session.get(User, office["chenjing"])
        with pytest.raises(RuleViolation, match="重叠"):
            receipts.register_book(office["project"], "1100", "1300", "前台", finance)


def test_a_deposit_on_a_unit_someone_else_holds_is_refused(app, office, browser_for):
    unit_id = office["units"]["1栋 201"]
    browser_for("lijun").post(f"/board/units/{unit_id}/hold", {}, htmx=True)
    consultant = browser_for("wangfang")
    assert consultant.get(f"/deals/units/{unit_id}/deposit").status_code == 403
    response, _ = record_deposit(browser_for("zhaomin"), unit_id, office["zhang"], "1001",
                                 consultant=office["wangfang"])
    assert response.status_code == 422 and "已被 李军 保留" in response.text
    assert status_of(app, unit_id) == "held"


def _sold(app, office, unit_key, receipt_no, deal_price="", **terms):
    with app.app_context():
        unit = db.session.get(Unit, office["units"][unit_key])
        secretary = db.session.get(User, office["zhaomin"])
        deposit, _ = deposits.record(unit, kind="large", amount_text="50000", method="pos",
                                     receipt_no=receipt_no, customer_id=office["zhang"],
                                     consultant_id=office["wangfang"], form_key=new_form_key(),
                                     actor=secretary)
        deposits.confirm(deposit, db.session.get(User, office["chenjing"]))
        data = {"form_key": new_form_key(), "plan": "full", "deal_price": deal_price,
                **BUYER,
                "customer_id": office["zhang"], "sign_deadline": clock.today(), **terms}
        try:
            sub, _ = subscriptions.sign(unit, data, secretary)
        except RuleViolation:
            db.session.rollback()
            raise
        db.session.commit()
        return sub.id


def test_price_under_floor_needs_an_approved_special_discount(app, office):
    with pytest.raises(RuleViolation, match="特殊优惠"):
        _sold(app, office, "1栋 202", "1001", deal_price="1000")
    sub_id = _sold(app, office, "1栋 202", "1002", deal_price="")
    with app.app_context():
        sub = db.session.get(Subscription, sub_id)
        assert sub.deal_price == sub.unit.total_price  # standard price, rounded to the yuan
        assert sub.unit.status == "subscribed"


def test_void_and_reissue_keeps_both_in_the_register(app, office, browser_for):
    sub_id = _sold(app, office, "1栋 203", "1003")
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/subscriptions/{sub_id}").text
    from tests.deals.conftest import form_key
    data = {"form_key": form_key(page), "customer_id": office["zhang"], "plan": "mortgage",
            "down_payment": "600000", "bank": "工商银行",
            "address": "上海市浦东新区世纪大道 100 号",
            "sign_deadline": (clock.today() + timedelta(days=5)).isoformat(), "reason": ""}
    missing = secretary.post(f"/deals/subscriptions/{sub_id}/reissue", data)
    assert missing.status_code == 422 and "请填写作废原因" in missing.text
    data["reason"] = "付款方式改为按揭"
    done = secretary.post(f"/deals/subscriptions/{sub_id}/reissue", data)
    assert done.status_code == 302, done.text
    register = secretary.get("/deals/registers/subscriptions").text
    assert "已作废" in register and "有效" in register and "RG" in register
    with app.app_context():
        subs = db.session.scalars(select(Subscription).order_by(Subscription.id)).all()
        assert [s.status for s in subs] == ["voided", "signed"]
        assert subs[1].replaces_id == subs[0].id and subs[1].plan == "mortgage"
        assert subs[0].void_reason == "付款方式改为按揭"
        assert subs[1].unit.status == "subscribed"


def test_instalments_add_up_to_the_price_exactly():
    from datetime import date
    total = Decimal("1814007.99")
    for count in range(2, 37):
        rows = contracts.schedule(total, "instalments", date(2026, 1, 31), count=count)
        assert sum(amount for _, _, amount in rows) == total and len(rows) == count
        assert all(amount > 0 for _, _, amount in rows)
    assert contracts.schedule(total, "instalments", date(2026, 1, 31), count=2)[1][1] == \
        date(2026, 2, 28)
    mortgage = contracts.schedule(total, "mortgage", date(2026, 1, 31), Decimal("600000"))
    assert [a for _, _, a in mortgage] == [Decimal("600000"), Decimal("1214007.99")]
