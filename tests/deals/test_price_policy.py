"""Price policy through HTTP: a manager sets standard discounts, the subscription applies
them in order with the project's rounding, records each one (page, PDF, register), and the
contract credits the confirmed deposit so the balance is exact."""
from datetime import timedelta
from decimal import Decimal

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Contract, Customer, Deposit, PriceRule, Subscription, Unit
from app.services import clock
from app.services.money import round_price
from tests.deals.conftest import form_key
from tests.deals.test_path import record_deposit

TODAY = lambda: clock.today().isoformat()  # noqa: E731


def add_rule(manager, name, kind, value, plan="", seq=1, start=None, end=""):
    return manager.post("/deals/price-policy/new", {
        "seq": str(seq), "name": name, "kind": kind, "value": value, "plan": plan,
        "valid_from": start or TODAY(), "valid_until": end})


def set_up_policy(browser_for):
    manager = browser_for("liuqiang")
    for args in (("一次性付款优惠", "rate", "98", "full", 1),
                 ("按揭付款优惠", "rate", "99", "mortgage", 2),
                 ("开盘当日优惠", "amount", "10000", "", 3)):
        done = add_rule(manager, *args[:4], seq=args[4], end=TODAY() if args[4] == 3 else "")
        assert done.status_code == 302, done.text
    # an expired rule never applies
    stale = add_rule(manager, "上月团购优惠", "rate", "95", "", 4,
                     start=(clock.today() - timedelta(days=40)).isoformat(),
                     end=(clock.today() - timedelta(days=10)).isoformat())
    assert stale.status_code == 302
    return manager


def confirmed_unit(app, office, browser_for, unit_no="1栋 301", receipt="1001"):
    unit_id = office["units"][unit_no]
    done, _ = record_deposit(browser_for("zhaomin"), unit_id, office["zhang"], receipt,
                             consultant=office["wangfang"])
    assert done.status_code == 302, done.text
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id).where(Deposit.unit_id == unit_id))
    assert browser_for("chenjing").post(f"/deals/deposits/{deposit_id}/confirm",
                                        {}).status_code == 302
    return unit_id


def sign(secretary, unit_id, plan="full", deal_price="", **extra):
    page = secretary.get(f"/deals/units/{unit_id}/subscription").text
    data = {"form_key": form_key(page), "customer_id": extra.pop("customer", ""),
            "plan": plan, "deal_price": deal_price,
            "sign_deadline": (clock.today() + timedelta(days=7)).isoformat(),
            "address": "上海市浦东新区世纪大道 100 号", "identity_note": "证件签约前补齐", **extra}
    return secretary.post(f"/deals/units/{unit_id}/subscription", data)


def test_manager_sets_policy_and_others_may_only_read_it(app, office, browser_for):
    set_up_policy(browser_for)
    page = browser_for("wangfang").get("/deals/price-policy").text
    assert "98折" in page and "直减 ¥10,000.00" in page and "已过期" in page
    assert "新增标准优惠" not in page  # consultants see the policy, not the form
    assert add_rule(browser_for("wangfang"), "私自优惠", "rate", "90").status_code == 403
    bad = add_rule(browser_for("liuqiang"), "太狠了", "rate", "30")
    assert bad.status_code == 422 and "折扣应在 50 到 100 之间" in bad.text
    dup = add_rule(browser_for("liuqiang"), "一次性付款优惠", "rate", "97")
    assert dup.status_code == 422 and "已有名为" in dup.text
    with app.app_context():
        rule_id = db.session.scalar(select(PriceRule.id).where(PriceRule.name == "按揭付款优惠"))
    manager = browser_for("liuqiang")
    edit = manager.post(f"/deals/price-policy/{rule_id}", {
        "seq": "2", "name": "按揭付款优惠", "kind": "rate", "value": "99.5", "plan": "mortgage",
        "valid_from": TODAY(), "valid_until": ""})
    assert edit.status_code == 302, edit.text
    assert manager.post(f"/deals/price-policy/{rule_id}/toggle", {}).status_code == 302
    assert "已停用" in manager.get("/deals/price-policy").text
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).where(
            AuditLog.object_type == "price_rule").order_by(AuditLog.id)).all()
    assert actions == ["price_rule_created"] * 4 + ["price_rule_changed", "price_rule_disabled"]


def test_subscription_applies_each_standard_discount_in_order(app, office, browser_for):
    set_up_policy(browser_for)
    unit_id = confirmed_unit(app, office, browser_for)
    secretary = browser_for("zhaomin")
    with app.app_context():
        list_price = db.session.get(Unit, unit_id).total_price
    after_rate = round_price(list_price * Decimal("0.98"), "yuan")
    standard = after_rate - Decimal("10000")
    # the form's price panel follows the chosen plan
    panel = secretary.get(f"/deals/units/{unit_id}/price?plan=full",
                          headers={"HX-Request": "true"}).text
    assert "98折" in panel and f"{standard:,.2f}" in panel and "99折" not in panel
    mortgage = secretary.get(f"/deals/units/{unit_id}/price?plan=mortgage").text
    assert "99折" in mortgage and "98折" not in mortgage
    # above the standard price is refused; below it needs an approval
    high = sign(secretary, unit_id, deal_price=str(list_price), customer=office["zhang"])
    assert high.status_code == 422 and "不能高于按价格政策计算的标准优惠价" in high.text
    low = sign(secretary, unit_id, deal_price=str(standard - 1000), customer=office["zhang"])
    assert low.status_code == 422 and "特殊优惠" in low.text

    done = sign(secretary, unit_id, customer=office["zhang"])
    assert done.status_code == 302, done.text
    with app.app_context():
        sub = db.session.scalar(select(Subscription))
        lines = [(d.kind, d.name, d.amount, d.price_after) for d in sub.discounts]
        sub_id, deal = sub.id, sub.deal_price
    assert deal == standard
    assert lines == [("standard", "一次性付款优惠", list_price - after_rate, after_rate),
                     ("standard", "开盘当日优惠", Decimal("10000.00"), standard)]
    assert list_price - sum(line[2] for line in lines) == deal
    page = secretary.get(f"/deals/subscriptions/{sub_id}").text
    assert "一次性付款优惠(98折)" in page and "¥20,000.00" in page
    assert f"{deal - Decimal('20000'):,.2f}" in page  # 尚欠房款 = deal price − deposit
    register = secretary.get("/deals/registers/subscriptions").text
    assert f"{list_price - standard:,.2f}" in register and "王芳 100%" in register


def test_special_discount_comes_after_the_standard_ones(app, office, browser_for):
    from app.models import DiscountRequest
    set_up_policy(browser_for)
    unit_id = confirmed_unit(app, office, browser_for)
    consultant = browser_for("wangfang")
    form = consultant.get(f"/discounts/new?customer_id={office['zhang']}&unit_id={unit_id}")
    assert form.status_code == 200
    quoted = consultant.get(f"/discounts/quote?building_id={office['buildings']['1栋']}"
                            "&unit_no=301&kind=amount&value=5000&plan=full").text
    with app.app_context():
        list_price = db.session.get(Unit, unit_id).total_price
    full_standard = round_price(list_price * Decimal("0.98"), "yuan") - Decimal("10000")
    assert f"{full_standard:,.2f}" in quoted and f"{full_standard - 5000:,.2f}" in quoted
    asked = consultant.post("/discounts/new", {
        "customer_id": office["zhang"], "building_id": office["buildings"]["1栋"],
        "unit_no": "301", "kind": "amount", "value": "5000", "reason": "老客户介绍",
        "plan": "full"})
    assert asked.status_code == 302, asked.text
    again = consultant.post("/discounts/new", {
        "customer_id": office["zhang"], "building_id": office["buildings"]["1栋"],
        "unit_no": "301", "kind": "amount", "value": "3000", "reason": "再要一次"})
    assert again.status_code == 422 and "只能有一个未结申请" in again.text
    with app.app_context():
        request_id = db.session.scalar(select(DiscountRequest.id))
    approved = browser_for("liuqiang").post(f"/discounts/{request_id}/decide",
                                            {"decision": "approve", "comment": "同意"})
    assert approved.status_code in (200, 302), approved.text
    with app.app_context():
        approval = db.session.get(DiscountRequest, request_id)
        assert approval.status == "approved", approval.status
        special_price = approval.deal_price
    secretary = browser_for("zhaomin")
    # the request was quoted for 一次性付款: its 98折 comes first, then the special discount
    assert special_price == full_standard - 5000
    done = sign(secretary, unit_id, plan="full", deal_price=str(special_price),
                customer=office["zhang"])
    assert done.status_code == 302, done.text
    with app.app_context():
        sub = db.session.scalar(select(Subscription))
        kinds = [(d.kind, d.request_id) for d in sub.discounts]
        assert sub.deal_price == special_price
        assert sub.list_price - sum(d.amount for d in sub.discounts) == sub.deal_price
    assert kinds[-1] == ("special", request_id) and kinds[0][0] == "standard"
    with app.app_context():
        assert db.session.get(DiscountRequest, request_id).status == "used"


def test_contract_credits_the_deposit_and_balance_is_exact(app, office, browser_for):
    set_up_policy(browser_for)
    unit_id = confirmed_unit(app, office, browser_for)
    secretary = browser_for("zhaomin")
    done = sign(secretary, unit_id, plan="mortgage", down_payment="500000", bank="建设银行",
                customer=office["zhang"])
    assert done.status_code == 302, done.text
    with app.app_context():
        sub_id = db.session.scalar(select(Subscription.id))
    form = secretary.get(f"/deals/subscriptions/{sub_id}/contract").text
    signed = secretary.post(f"/deals/subscriptions/{sub_id}/contract", {
        "form_key": form_key(form), "number": "HT-9", "sign_date": TODAY(),
        "first_due": TODAY()})
    assert signed.status_code == 302, signed.text
    with app.app_context():
        contract = db.session.scalar(select(Contract))
        rows = [(i.label, i.amount, i.credited) for i in contract.instalments]
        total, contract_id = contract.total_price, contract.id
        first = contract.instalments[0].id
    assert rows[0] == ("首付款", Decimal("500000.00"), Decimal("20000.00"))
    assert rows[1][2] == 0 and sum(r[1] for r in rows) == total
    page = secretary.get(f"/deals/contracts/{contract_id}").text
    assert f"{total - Decimal('20000'):,.2f}" in page  # 未回款 before any payment
    # paying the whole down payment again is refused: the deposit already covers part of it
    over = secretary.post(f"/deals/contracts/{contract_id}/payments", {
        "form_key": form_key(page), "instalment_id": first, "amount": "500000",
        "method": "transfer", "receipt_no": "1002"})
    assert over.status_code == 422 and "480,000.00" in over.text
    register = secretary.get("/deals/registers/contracts").text
    assert "定金抵扣" in register and f"{total - Decimal('20000'):,.2f}" in register


def test_a_subscription_on_an_overdue_verbal_approval_is_refused_as_overdue(app, office,
                                                                            browser_for):
    from app.models import DiscountRequest, Project, User
    from app.services import discounts
    unit_id = confirmed_unit(app, office, browser_for)
    with app.app_context():
        db.session.get(Project, office["project"]).approval_valid_days = 30  # valid, but late
        request = discounts.create_request(
            db.session.get(Customer, office["zhang"]), db.session.get(Unit, unit_id), "amount",
            "50000", "客户一次性付款", db.session.get(User, office["wangfang"]))
        people = {name: db.session.get(User, office[name]) for name in ("liuqiang", "zhaomin")}
        discounts.record_verbal(request, people["liuqiang"], request.created_at, "电话同意",
                                people["zhaomin"])
        db.session.commit()
        request_id, price, called = request.id, request.deal_price, request.created_at
    with time_machine.travel(called + timedelta(days=7, hours=1), tick=False):
        late = sign(browser_for("zhaomin"), unit_id, deal_price=str(price),
                    customer=office["zhang"])
        assert late.status_code == 422
        assert "口头批准已逾期" in late.text and "须先有" not in late.text  # not "no approval"
        manager = browser_for("liuqiang")
        manager.get("/discounts/queue")
        assert manager.post(f"/discounts/{request_id}/confirm", {}).status_code in (200, 302)
        done = sign(browser_for("zhaomin"), unit_id, deal_price=str(price),
                    customer=office["zhang"])
        assert done.status_code == 302, done.text
    with app.app_context():
        assert db.session.get(DiscountRequest, request_id).status == "used"
