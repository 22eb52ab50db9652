"""Each change path through HTTP, on both engines: request → approval → execution, then
the board, the register, the audit trail and the money ledger are checked."""
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Contract, Deposit, Payout, Receipt, Subscription, TransferFee, Unit
from tests.changes.conftest import ask, audit_actions, balanced, last_change, sell


def approve(browser, change_id, **data):
    return browser.post(f"/changes/{change_id}/approve", {"comment": "同意", **data})


def execute(browser, change_id, **data):
    return browser.post(f"/changes/{change_id}/execute", data)


def carry_out(app, browser_for, unit_id, kind, **fields):
    """A change asked by 王芳, approved by 刘强 (a refund: no penalty, the unit back on sale)
    and executed by 赵敏, through their pages."""
    assert ask(browser_for("wangfang"), unit_id, kind, **fields).status_code == 302
    with app.app_context():
        change_id = last_change().id
    terms = {"penalty": "0", "unit_after": "available"} if kind == "refund" else {}
    assert approve(browser_for("liuqiang"), change_id, **terms).status_code == 302
    done = execute(browser_for("zhaomin"), change_id)
    assert done.status_code == 302, done.text


def panel(browser, unit_id):
    return browser.get(f"/board/unit?unit={unit_id}").text


def register(browser, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return browser.get(f"/changes/?{query}").text


def test_exchange_toward_a_larger_unit(app, office, browser_for):
    with app.app_context():
        unit_id, sub_id = sell(office, "1栋 101", 1001)
    target = office["units"]["1栋 104"]
    consultant, manager = browser_for("wangfang"), browser_for("liuqiang")
    secretary = browser_for("zhaomin")
    done = ask(consultant, unit_id, "exchange", target_unit_id=target, reason="layout",
               notes="家里添了孩子,要四室")
    assert done.status_code == 302, done.text
    with app.app_context():
        change = last_change()
        change_id, old_price = change.id, change.subscription.deal_price
        new_price = db.session.get(Unit, target).total_price
    page = manager.get(f"/changes/{change_id}").text
    # the price difference is shown before anyone decides, and it is the new balance
    assert f"{new_price - old_price:,.2f}" in page and f"{new_price - Decimal(50000):,.2f}" in page
    assert "批准" in page and "待审批" in page
    assert approve(manager, change_id).status_code == 302
    assert "待执行" in secretary.get("/changes/").text
    assert execute(secretary, change_id).status_code == 302

    assert "可售" in panel(secretary, unit_id) and "已认购" in panel(secretary, target)
    with app.app_context():
        old, fresh = db.session.get(Subscription, sub_id), last_change().new_subscription
        assert old.status == "voided" and fresh.status == "signed"
        assert fresh.unit_id == target and fresh.replaces_id == sub_id
        assert fresh.deal_price == new_price and fresh.customer_id == office["zhang"]
        deposit = db.session.get(Deposit, fresh.deposit_id)
        assert deposit.unit_id == target and deposit.amount == Decimal("50000.00")
        assert deposit.status == "confirmed"  # carried over in full
        assert audit_actions("change_request", change_id) == [
            "change_requested", "change_approved", "change_executed"]
        assert audit_actions("unit", target)[-1] == "unit_exchange_in"
        assert audit_actions("unit", unit_id)[-1] == "unit_exchange_out"
        assert "deposit_moved" in audit_actions("deposit", deposit.id)
        balanced(office["project"])
    rows = register(secretary, kind="exchange", status="executed")
    assert "1栋 101" in rows and "1栋 104" in rows and "户型/面积不合适" in rows
    assert "1栋 101" not in register(secretary, kind="refund")


def test_exchange_toward_a_lower_amount_needs_the_managers_override(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 304", 1001)
    target = office["units"]["1栋 101"]
    manager, secretary = browser_for("liuqiang"), browser_for("zhaomin")
    assert ask(browser_for("wangfang"), unit_id, "exchange", target_unit_id=target,
               reason="price").status_code == 302
    with app.app_context():
        change_id = last_change().id
    refused = approve(manager, change_id)
    assert refused.status_code == 422 and "以小换大" in refused.text
    no_reason = approve(manager, change_id, override="y")
    assert no_reason.status_code == 422 and "特批须写明理由" in no_reason.text
    assert approve(manager, change_id, override="y",
                   override_reason="客户失业,降低总价保成交").status_code == 302
    assert execute(secretary, change_id).status_code == 302
    assert "已认购" in panel(secretary, target)
    with app.app_context():
        change = last_change()
        assert change.override and change.new_price < change.old_price
        balanced(office["project"])


def test_exchange_after_the_contract_moves_the_contract_and_its_payments(app, office,
                                                                       browser_for):
    with app.app_context():
        unit_id, sub_id = sell(office, "1栋 201", 1001, paid=("100000",))
        contract_id = db.session.scalar(select(Contract.id))
    target = office["units"]["1栋 204"]
    manager, secretary = browser_for("liuqiang"), browser_for("zhaomin")
    assert ask(secretary, unit_id, "exchange", target_unit_id=target,
               reason="floor").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(manager, change_id).status_code == 302
    assert execute(secretary, change_id).status_code == 302
    assert "已签约" in panel(secretary, target) and "可售" in panel(secretary, unit_id)
    with app.app_context():
        change, contract = last_change(), db.session.get(Contract, contract_id)
        assert change.received == Decimal("150000.00")
        assert contract.unit_id == target and contract.subscription_id == change.new_subscription_id
        assert contract.total_price == change.new_price
        assert sum(i.amount for i in contract.instalments) == change.new_price
        assert "contract_moved" in audit_actions("contract", contract_id)
        balanced(office["project"])


def test_refund_before_the_contract_with_a_penalty_then_finance_pays(app, office, browser_for):
    with app.app_context():
        unit_id, sub_id = sell(office, "1栋 102", 1001)
    manager, secretary = browser_for("liuqiang"), browser_for("zhaomin")
    finance = browser_for("chenjing")
    assert ask(browser_for("wangfang"), unit_id, "refund", reason="loan").status_code == 302
    with app.app_context():
        change_id = last_change().id
    too_much = approve(manager, change_id, penalty="50000.01")
    assert too_much.status_code == 422 and "不能超过已收金额" in too_much.text
    negative = approve(manager, change_id, penalty="-1")
    assert negative.status_code == 422
    assert approve(manager, change_id, penalty="5000", unit_after="available").status_code == 302
    assert "45,000.00" in manager.get(f"/changes/{change_id}").text
    assert execute(secretary, change_id).status_code == 302
    assert "可售" in panel(secretary, unit_id)
    with app.app_context():
        payout = db.session.scalar(select(Payout))
        assert payout.amount == Decimal("45000.00") and payout.status == "pending"
        assert db.session.get(Subscription, sub_id).status == "voided"
        assert {r.status for r in db.session.scalars(select(Receipt))} == {"refunded"}
        assert db.session.scalar(select(Deposit)).status == "refunded"
        assert db.session.get(Unit, unit_id).prior_status is None
        figures = balanced(office["project"])
        assert figures.refunds_due == Decimal("45000.00") and figures.penalties == 5000
        payout_id = payout.id
    queue = finance.get("/changes/finance").text
    assert "45,000.00" in queue
    paid = finance.post(f"/changes/payouts/{payout_id}/pay", {"method": "transfer"})
    assert paid.status_code == 302
    again = finance.post(f"/changes/payouts/{payout_id}/pay", {"method": "transfer"})
    assert again.status_code == 422 and "已支付过" in again.text
    pdf = finance.get(f"/changes/payouts/{payout_id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    with app.app_context():
        payout = db.session.get(Payout, payout_id)
        assert payout.status == "paid" and payout.number.startswith("TK")
        assert balanced(office["project"]).refunds_paid == Decimal("45000.00")
        assert audit_actions("payout", payout_id) == ["payout_created", "payout_paid"]
    rows = register(secretary, kind="refund")
    assert "贷款未获批" in rows and "45,000.00" in rows
    reasons = secretary.get("/changes/reasons").text
    assert "贷款未获批" in reasons


def test_refund_of_a_deposit_before_any_subscription_and_unit_withheld(app, office,
                                                                      browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 103", 1001, amount="10000", stage="deposit")
    manager, secretary = browser_for("liuqiang"), browser_for("zhaomin")
    assert ask(secretary, unit_id, "refund", reason="family").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(manager, change_id, unit_after="withheld").status_code == 302
    assert execute(secretary, change_id).status_code == 302
    assert "销控" in panel(manager, unit_id)
    with app.app_context():
        assert db.session.get(Unit, unit_id).status == "withheld"
        assert db.session.scalar(select(Payout)).amount == Decimal("10000.00")
        balanced(office["project"])


def test_refund_after_the_contract_only_with_an_override(app, office, browser_for):
    with app.app_context():
        unit_id, sub_id = sell(office, "1栋 202", 1001, paid=("80000",))
    manager, secretary = browser_for("liuqiang"), browser_for("zhaomin")
    assert ask(browser_for("wangfang"), unit_id, "refund", reason="job").status_code == 302
    with app.app_context():
        change_id = last_change().id
    refused = approve(manager, change_id, penalty="0")
    assert refused.status_code == 422 and "已签约的房源原则上不退房" in refused.text
    assert approve(manager, change_id, penalty="13000", override="y",
                   override_reason="客户重病,公司同意").status_code == 302
    assert execute(secretary, change_id).status_code == 302
    assert "可售" in panel(secretary, unit_id)
    with app.app_context():
        payout = db.session.scalar(select(Payout))
        assert payout.amount == Decimal("117000.00")  # 50000 + 80000 - 13000
        assert {r.status for r in db.session.scalars(select(Receipt))} == {"refunded"}
        balanced(office["project"])
    # the refunded contract's instalments no longer show as overdue
    assert "HT-1001" not in secretary.get("/deals/overdue").text
    # 签约明细表 lists it as 已退房, outside the totals
    register = secretary.get("/deals/registers/contracts").text
    assert "HT-1001" in register and "已退房" in register
    assert "其中已退房 1 笔不计金额" in register
    assert "HT-1001" in secretary.get("/deals/registers/contracts?status=refunded").text
    assert "HT-1001" not in secretary.get("/deals/registers/contracts?status=valid").text


def test_name_change_before_the_contract_adds_a_co_buyer_without_a_fee(app, office,
                                                                       browser_for):
    with app.app_context():
        unit_id, sub_id = sell(office, "1栋 301", 1001)
    manager, secretary = browser_for("liuqiang"), browser_for("zhaomin")
    assert ask(browser_for("wangfang"), unit_id, "rename", reason="buyer", rename_action="add",
               rename_name="张小梅", rename_id_number="110101199202021234").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(manager, change_id).status_code == 302
    assert execute(secretary, change_id).status_code == 302
    with app.app_context():
        fresh = last_change().new_subscription
        assert fresh.co_buyers == '[["张小梅", "110101199202021234"]]'
        assert fresh.unit_id == unit_id and db.session.get(Subscription, sub_id).status == "voided"
        assert db.session.scalar(select(TransferFee)) is None
        assert db.session.get(Unit, unit_id).status == "subscribed"
        balanced(office["project"])
    assert "张小梅" in secretary.get(f"/deals/subscriptions/{fresh_id(app)}").text


def fresh_id(app):
    with app.app_context():
        return last_change().new_subscription_id


def approved_transfer(app, office, browser_for):
    """1栋 302 under contract with a 2,000 元 过户费 in the project settings, and the buyer's
    replacement by 李 asked and approved; returns the change id."""
    with app.app_context():
        from app.models import Project
        db.session.get(Project, office["project"]).transfer_fee = Decimal("2000")
        db.session.commit()
        unit_id, _ = sell(office, "1栋 302", 1001, contract=True)
    secretary = browser_for("zhaomin")
    assert ask(secretary, unit_id, "rename", reason="buyer", rename_action="replace",
               new_customer_id=office["li"]).status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(browser_for("liuqiang"), change_id).status_code == 302
    return change_id


def test_name_change_after_the_contract_is_a_transfer_with_a_fee(app, office, browser_for):
    change_id = approved_transfer(app, office, browser_for)
    secretary, finance = browser_for("zhaomin"), browser_for("chenjing")
    page = secretary.get(f"/changes/{change_id}").text
    assert "过户费收据编号" in page and "2,000.00" in page
    missing = execute(secretary, change_id, method="cash")
    assert missing.status_code == 422 and "收据编号" in missing.text
    assert execute(secretary, change_id, receipt_no="1100", method="cash").status_code == 302
    with app.app_context():
        fee = db.session.scalar(select(TransferFee))
        contract = db.session.scalar(select(Contract))
        assert fee.status == "pending" and fee.amount == Decimal("2000.00")
        assert contract.customer_id == office["li"]
        assert contract.subscription_id == last_change().new_subscription_id
        fee_id = fee.id
    assert finance.post(f"/changes/fees/{fee_id}/confirm", {}).status_code == 302
    with app.app_context():
        assert db.session.get(TransferFee, fee_id).receipt.status == "confirmed"
        assert balanced(office["project"]).fees == Decimal("2000.00")
        assert audit_actions("transfer_fee", fee_id) == ["fee_recorded", "fee_confirmed"]


def test_a_rejected_transfer_fee_is_recorded_again_with_a_new_receipt(app, office, browser_for):
    change_id = approved_transfer(app, office, browser_for)
    secretary, finance = browser_for("zhaomin"), browser_for("chenjing")
    consultant = browser_for("wangfang")
    assert execute(secretary, change_id, receipt_no="1100", method="cash").status_code == 302
    with app.app_context():
        first = db.session.scalar(select(TransferFee)).id
    # Nothing to record again while finance has not rejected the fee.
    early = secretary.post(f"/changes/{change_id}/fee", {"receipt_no": "1101", "method": "cash"})
    assert early.status_code == 422 and "只有被财务退回的过户费可以重新登记" in early.text
    assert "重新登记过户费" not in secretary.get(f"/changes/{change_id}").text
    assert finance.post(f"/changes/fees/{first}/reject",
                        {"reason": "收据金额与到账不符"}).status_code == 302

    page = secretary.get(f"/changes/{change_id}").text
    assert "重新登记过户费" in page and "收据金额与到账不符" in page and "已退回" in page
    assert "重新登记过户费" not in consultant.get(f"/changes/{change_id}").text
    assert consultant.post(f"/changes/{change_id}/fee",
                           {"receipt_no": "1101", "method": "cash"}).status_code == 403
    reused = secretary.post(f"/changes/{change_id}/fee", {"receipt_no": "1100", "method": "cash"})
    assert reused.status_code == 422 and "已作废" in reused.text  # the voided receipt's number
    again = secretary.post(f"/changes/{change_id}/fee", {"receipt_no": "1101", "method": "pos"})
    assert again.status_code == 302
    assert "已重新登记过户费 ¥2,000.00" in secretary.get(again.headers["Location"]).text
    twice = secretary.post(f"/changes/{change_id}/fee", {"receipt_no": "1102", "method": "cash"})
    assert twice.status_code == 422  # the new fee is pending: one live fee per change
    with app.app_context():
        fees = db.session.scalars(select(TransferFee).order_by(TransferFee.id)).all()
        assert [(f.status, f.receipt.number, f.receipt.status) for f in fees] == [
            ("rejected", 1100, "voided"), ("pending", 1101, "issued")]
        assert fees[1].amount == Decimal("2000.00") and fees[1].method == "pos"
        second = fees[1].id
    assert finance.post(f"/changes/fees/{second}/confirm", {}).status_code == 302
    with app.app_context():
        assert balanced(office["project"]).fees == Decimal("2000.00")  # counted once
        assert audit_actions("transfer_fee", second) == ["fee_recorded", "fee_confirmed"]
    page = secretary.get(f"/changes/{change_id}").text
    assert "重新登记过户费" not in page and page.count("过户费:") == 2


def test_money_work_that_moves_no_unit_leaves_every_board_unchanged(app, office, browser_for):
    """The project lock is not the board's change counter: asking for a 退房 and paying
    the refund move no unit, so open boards keep their ETag (their next poll is a 304)."""
    from app.models import Project

    def board_version():
        with app.app_context():
            return db.session.get(Project, office["project"]).board_version

    with app.app_context():
        unit_id, _ = sell(office, "1栋 102", 1001)
    before = board_version()
    assert ask(browser_for("wangfang"), unit_id, "refund", reason="loan").status_code == 302
    assert board_version() == before  # a request moves nothing yet
    with app.app_context():
        change_id = last_change().id
    assert approve(browser_for("liuqiang"), change_id, penalty="0",
                   unit_after="available").status_code == 302
    assert execute(browser_for("zhaomin"), change_id).status_code == 302
    after_refund = board_version()
    assert after_refund > before  # the unit went back on sale: boards must see it
    with app.app_context():
        payout_id = db.session.scalar(select(Payout.id))
    finance = browser_for("chenjing")
    assert finance.post(f"/changes/payouts/{payout_id}/pay",
                        {"method": "transfer"}).status_code == 302
    assert board_version() == after_refund
