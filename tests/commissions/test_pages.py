"""The commission pages through HTTP: rules with their refusals, a consultant's own lines,
提成审批 and payout with their races, the registers' totals and exports, the 结算单 PDF."""
from datetime import timedelta

from app.extensions import db as _db
from app.models import CommissionLine, CommissionRule, LineStatus
from app.services import clock
from app.services.commissions import accrual


def _payable_ids(app):
    with app.app_context():
        return [line.id for line in _db.session.scalars(_db.select(CommissionLine).where(
            CommissionLine.status == LineStatus.PAYABLE))]


def test_a_manager_adds_a_rule_version_and_bad_rules_are_refused_in_chinese(app, office, browser):
    manager = browser(office["manager"])
    page = manager.get("/commissions/rules").get_data(as_text=True)
    assert "成交价 × 0.5%" in page and "第1套 ¥2,000.00 / 第2套 ¥2,500.00" in page
    base = {"payee_kind": "consultant", "product_type": "shop", "kind": "rate",
            "valid_from": clock.today().isoformat()}
    response = manager.post("/commissions/rules/new", {**base, "value": "150"})
    assert response.status_code == 422 and "比例应在 0 到 100% 之间" in response.get_data(True)
    response = manager.post("/commissions/rules/new", {**base, "kind": "amount", "value": "-5"})
    assert response.status_code == 422 and "金额不能为负数" in response.get_data(True)
    response = manager.post("/commissions/rules/new", {**base, "product_type": "high_rise",
                                                         "value": "0.6"})
    assert response.status_code == 422 and "时间重叠" in response.get_data(True)
    assert manager.post("/commissions/rules/new", {**base, "value": "0.6"}).status_code == 302
    with app.app_context():
        rule = _db.session.scalar(_db.select(CommissionRule).where(
            CommissionRule.product_type == "shop"))
        assert rule.value == rule.value.__class__("0.60")


def test_a_rule_ends_and_the_next_version_starts_the_day_after(app, office, browser):
    manager = browser(office["manager"])
    with app.app_context():
        rule = _db.session.scalar(_db.select(CommissionRule).where(
            CommissionRule.payee_kind == "channel", CommissionRule.product_type == "villa"))
        rule_id = rule.id
    today = clock.today()
    assert manager.post(f"/commissions/rules/{rule_id}/end",
                        {"valid_until": today.isoformat()}).status_code == 302
    response = manager.post("/commissions/rules/new", {
        "payee_kind": "channel", "product_type": "villa", "kind": "amount", "value": "20000",
        "valid_from": (today + timedelta(days=1)).isoformat()})
    assert response.status_code == 302


def test_a_consultant_sees_only_their_own_lines(app, office, browser):
    page = browser(office["a"]).get("/commissions/").get_data(as_text=True)
    assert "王芳" in page and "李军" not in page and "链家地产" not in page
    assert browser(office["a"]).get("/commissions/export.xlsx").status_code == 403
    office_page = browser(office["secretary"]).get("/commissions/").get_data(as_text=True)
    assert "李军" in office_page and "链家地产" in office_page


def test_two_managers_approve_the_same_lines_one_wins_the_other_is_told(app, office, browser):
    ids = _payable_ids(app)
    first, second = browser(office["manager"]), browser(office["manager2"])
    first.get("/commissions/approvals")
    second.get("/commissions/approvals")
    assert first.post("/commissions/approvals", {"lines": ids}).status_code == 302
    response = second.post("/commissions/approvals", {"lines": ids})
    assert response.status_code == 422 and "可能已被其他经理审批" in response.get_data(True)
    finance = browser(office["finance"])
    pay = {"lines": ids, "paid_on": clock.today().isoformat(), "method": "transfer",
           "reference": "HD-001"}
    with app.app_context():
        total = sum(_db.session.get(CommissionLine, line_id).amount for line_id in ids)
    paid = finance.post("/commissions/payouts", pay)
    assert paid.status_code == 302
    assert (f"已发放 {len(ids)} 笔佣金,合计 ¥{total:,.2f}"
            in finance.get(paid.headers["Location"]).get_data(as_text=True))
    response = finance.post("/commissions/payouts", pay)
    assert response.status_code == 422 and "可能已发放过" in response.get_data(True)
    with app.app_context():
        statuses = {line.status for line in _db.session.scalars(_db.select(CommissionLine))}
    assert statuses == {LineStatus.PAID}


def test_a_manager_does_not_approve_their_own_bonus(app, office, browser):
    with app.app_context():
        from app.models import Deposit, User
        manager = _db.session.get(User, office["ids"]["manager"])
        deposit = _db.session.scalar(_db.select(Deposit).order_by(Deposit.id))
        line = accrual.lines_of(deposit.id)[0]
        line.user_id = manager.id  # as if the manager had closed this deal himself
        _db.session.commit()
        line_id = line.id
    response = browser(office["manager"]).post("/commissions/approvals", {"lines": [line_id]})
    assert response.status_code == 422 and "不能审批自己的提成" in response.get_data(True)
    page = browser(office["manager"]).get("/commissions/approvals").get_data(as_text=True)
    assert f'value="{line_id}"' not in page


def test_registers_total_by_payee_export_and_print_the_statement(app, office, browser):
    finance = browser(office["finance"])
    summary = finance.get("/commissions/summary").get_data(as_text=True)
    assert "合计 3 人" in summary and "链家地产" in summary
    response = finance.get("/commissions/summary.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    with app.app_context():
        company = _db.session.scalar(_db.select(CommissionLine.payee_key).where(
            CommissionLine.payee_kind == "channel"))
    page = finance.get(f"/commissions/statement?payee={company}").get_data(as_text=True)
    assert "链家地产(渠道公司)" in page
    pdf = finance.get(f"/commissions/statement.pdf?payee={company}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_a_secretary_records_a_staff_referral_and_the_deal_accrues_it(app, office, browser):
    secretary = browser(office["secretary"])
    page = secretary.get("/commissions/referrals").get_data(as_text=True)
    assert "内部员工推荐" in page
    with app.app_context():
        from app.models import Deposit
        deposit_id = _db.session.scalar(_db.select(Deposit.id).order_by(Deposit.id))
    response = secretary.post("/commissions/referrals", {"deposit_id": deposit_id,
                                                         "staff_referrer": "孙丽"})
    assert response.status_code == 302
    with app.app_context():
        line = _db.session.scalar(_db.select(CommissionLine).where(
            CommissionLine.payee_kind == "staff"))
        assert line.amount == line.amount.__class__("3000.00") and line.payee_name == "孙丽"
    bad = secretary.post("/commissions/referrals", {"deposit_id": 0, "staff_referrer": "x"})
    assert bad.status_code == 422 and "请选择成交房源" in bad.get_data(True)


def test_ticking_nothing_or_garbage_is_refused_in_chinese(app, office, browser):
    manager = browser(office["manager"])
    for data in ({}, {"lines": ["abc"]}, {"lines": ["99999999999999999999"]}):
        response = manager.post("/commissions/approvals", data)
        assert response.status_code == 422 and "请至少勾选一笔佣金" in response.get_data(True)
    response = browser(office["finance"]).post("/commissions/payouts", {
        "lines": ["x"], "paid_on": clock.today().isoformat(), "method": "transfer"})
    assert response.status_code == 422 and "请至少勾选一笔佣金" in response.get_data(True)


def test_a_rule_that_priced_a_deal_does_not_end_before_that_deal(app, office, browser):
    with app.app_context():
        rule_id = _db.session.scalar(_db.select(CommissionRule.id).where(
            CommissionRule.payee_kind == "consultant", CommissionRule.product_type == "high_rise"))
    manager = browser(office["manager"])
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    manager.post(f"/commissions/rules/{rule_id}/end", {"valid_until": yesterday})
    page = manager.get("/commissions/rules").get_data(as_text=True)
    assert "截止日期不能早于该日" in page
    with app.app_context():
        assert _db.session.get(CommissionRule, rule_id).valid_until is None


def test_finance_records_a_clawback_back_on_the_payouts_page(app, browser):
    """退房 after the payout: the lines to claw back wait under 待追回 on the payouts page
    until finance records the money back; the 结算单 says 待追回, then 已追回."""
    from tests.fixtures.commissions import Office, people
    with app.app_context():
        office = Office(people(), payable="subscribed")
        deal = office.sell(office.units["villa"][0], office.customer(office.staff["a"]))
        office.approve_all()
        office.pay_all()
        office.change(deal, "refund")
        clawed = {line.id: -line.amount for line in accrual.lines_of(deal.id)
                  if line.kind == "clawback"}
        payee = _db.session.get(CommissionLine, next(iter(clawed))).payee_key
        finance_name = office.staff["finance"].username
        consultant = office.staff["a"].username
        _db.session.commit()
    finance = browser(finance_name)
    page = finance.get("/commissions/payouts").get_data(as_text=True)
    section = page[page.index('id="recover-form"'):]
    assert all(f'name="recover-lines" value="{line_id}"' in section for line_id in clawed)
    statement = finance.get(f"/commissions/statement?payee={payee}").get_data(as_text=True)
    head = statement.split("应得合计")[1].split("</p>")[0]
    assert "待追回" in head and "已追回" not in head
    form = {"recover-lines": list(clawed), "recover-paid_on": "", "recover-method": "deducted",
            "recover-reference": "随下次佣金扣回"}
    missing = finance.post("/commissions/recoveries", form)
    assert missing.status_code == 422 and "请填写追回日期" in missing.get_data(as_text=True)
    assert browser(consultant).post("/commissions/recoveries", {
        **form, "recover-paid_on": clock.today().isoformat()}).status_code == 403
    with app.app_context():
        assert {_db.session.get(CommissionLine, i).status for i in clawed} == {
            LineStatus.RECOVERING}
    done = finance.post("/commissions/recoveries", {**form,
                                                     "recover-paid_on": clock.today().isoformat()})
    assert done.status_code == 302
    total = sum(clawed.values())
    assert f"已登记追回 {len(clawed)} 笔佣金,合计 ¥{total:,.2f}" in finance.get(
        done.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert {_db.session.get(CommissionLine, i).status for i in clawed} == {
            LineStatus.CLAWBACK}
    again = finance.post("/commissions/recoveries", {**form,
                                                      "recover-paid_on": clock.today().isoformat()})
    assert again.status_code == 422 and "可能已登记过追回" in again.get_data(as_text=True)
    statement = finance.get(f"/commissions/statement?payee={payee}").get_data(as_text=True)
    head = statement.split("应得合计")[1].split("</p>")[0]
    assert "已追回" in head and "待追回" not in head
