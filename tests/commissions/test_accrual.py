"""Accrual at 认购 from the rules, payable when the money is in, reversal on 退房 and
recomputation on 换房: the sum of a payee's lines is what they are owed now."""
from decimal import Decimal

import pytest

from app.models import CommissionLine, LineStatus
from app.services.commissions import accrual, registers
from app.services.deals import complaints
from app.services.errors import Conflict
from tests.fixtures.commissions import Office, people


@pytest.fixture
def office(db):
    return Office(people())


def _lines(office):
    return db_lines(office.project.id)


def db_lines(project_id):
    from sqlalchemy import select

    from app.extensions import db
    return db.session.scalars(select(CommissionLine).where(
        CommissionLine.project_id == project_id).order_by(CommissionLine.id)).all()


def test_a_split_deal_accrues_each_consultant_their_bonus_share_to_the_fen(office):
    a, b = office.staff["a"], office.staff["b"]
    unit = office.units["high_rise"][0]
    deposit = office.sell(unit, office.customer(a), consultant=b)  # 客户指定: 80 / 20
    lines = {line.payee_name: line for line in _lines(office)}
    price = accrual.live_subscription(deposit.id).deal_price
    total = (price * Decimal("0.005")).quantize(Decimal("0.01"))
    assert lines["李军"].amount == (total * Decimal("0.8")).quantize(Decimal("0.01"))
    assert lines["王芳"].amount == (total * Decimal("0.2")).quantize(Decimal("0.01"))
    assert "奖金分配 80%" in lines["李军"].basis and "0.5%" in lines["李军"].basis
    assert {line.status for line in lines.values()} == {LineStatus.ACCRUED}


def _consultant_lines(office, deposit):
    """{payee: amount owed} of the deal's consultant lines (offsets included)."""
    owed = {}
    for line in accrual.lines_of(deposit.id):
        if line.payee_kind == "consultant":
            owed[line.payee_name] = owed.get(line.payee_name, Decimal(0)) + line.amount
    return {name: amount for name, amount in owed.items() if amount}


def test_a_complaint_split_accrues_no_bonus_until_the_manager_decides_it(office):
    """Seed 002 准则(4): the split waits for 销售主任落实 before it counts — the bonus too.
    Rejected, the deal is split as 准则(2) (80 / 20); confirmed, the serving consultant's."""
    a, b, manager = office.staff["a"], office.staff["b"], office.staff["manager"]
    rejected = office.sell(office.units["high_rise"][0], office.customer(a), consultant=b,
                           case="complaint")
    confirmed = office.sell(office.units["high_rise"][1], office.customer(a), consultant=b,
                            case="complaint")
    assert _consultant_lines(office, rejected) == _consultant_lines(office, confirmed) == {}
    complaints.decide(rejected, False, "客户撤回投诉", manager)
    complaints.decide(confirmed, True, "来电录音属实", manager)
    total = (accrual.live_subscription(rejected.id).deal_price * Decimal("0.005")).quantize(
        Decimal("0.01"))
    assert _consultant_lines(office, rejected) == {
        "李军": (total * Decimal("0.8")).quantize(Decimal("0.01")),
        "王芳": (total * Decimal("0.2")).quantize(Decimal("0.01"))}
    total = (accrual.live_subscription(confirmed.id).deal_price * Decimal("0.005")).quantize(
        Decimal("0.01"))
    assert _consultant_lines(office, confirmed) == {"李军": total}


def test_channel_and_broker_lines_follow_the_protection_and_the_brokers_nth_sale(office):
    a = office.staff["a"]
    office.sell(office.units["high_rise"][0], office.customer(a, via=office.agent))
    for n in range(3):
        office.sell(office.units["high_rise"][n + 1], office.customer(a, via=office.broker))
    owed = registers.owed_by_payee(office.project.id)
    assert owed[f"agent:{office.broker.id}"] == Decimal("7500.00")  # 2000 + 2500 + 3000
    channel = [line for line in _lines(office) if line.payee_kind == "channel"]
    assert len(channel) == 1 and "1%" in channel[0].basis


def test_money_in_makes_lines_payable_and_refund_cancels_unpaid_and_claws_back_paid(office):
    a = office.staff["a"]
    paid_deal = office.sell(office.units["villa"][0], office.customer(a), referrer="孙丽")
    unpaid_deal = office.sell(office.units["villa"][1], office.customer(a))
    office.contract_and_pay(paid_deal)
    assert {line.status for line in accrual.lines_of(paid_deal.id)} == {LineStatus.PAYABLE}
    assert {line.status for line in accrual.lines_of(unpaid_deal.id)} == {LineStatus.ACCRUED}
    office.approve_all()
    office.pay_all()
    office.change(paid_deal, "refund")
    office.change(unpaid_deal, "refund")
    owed = registers.owed_by_payee(office.project.id)
    assert set(owed.values()) == {Decimal("0.00")}
    kinds = sorted(line.kind for line in accrual.lines_of(paid_deal.id))
    assert kinds == ["accrual", "accrual", "clawback", "clawback"]
    assert {line.status for line in accrual.lines_of(unpaid_deal.id)} == {LineStatus.CANCELLED}
    # the money paid out is not back yet: 待追回 until finance records it
    clawed = [line for line in accrual.lines_of(paid_deal.id) if line.kind == "clawback"]
    assert {line.status for line in clawed} == {LineStatus.RECOVERING}


def test_finance_records_the_money_of_a_clawback_coming_back(office):
    """A 追回 line reads 待追回 until finance records the money back (returned, or kept from a
    payout): the day, how, a reference, who; once, by finance only, never in the future. What
    the payee is owed does not move: only whether the money is back."""
    from datetime import timedelta

    from app.models import AuditLog
    from app.services import clock
    from app.services.commissions import settlement
    from app.services.errors import NotAllowed, RuleViolation
    deal = office.sell(office.units["villa"][0], office.customer(office.staff["a"]))
    office.contract_and_pay(deal)
    office.approve_all()
    office.pay_all()
    office.change(deal, "refund")
    clawed = [line.id for line in accrual.lines_of(deal.id) if line.kind == "clawback"]
    finance, project = office.staff["finance"], office.project
    good = {"paid_on": clock.today(), "method": "deducted", "reference": "随第 9 号佣金扣回"}
    with pytest.raises(NotAllowed, match="只有财务"):
        settlement.recover(project, clawed, good, office.staff["manager"])
    with pytest.raises(RuleViolation, match="追回日期"):
        settlement.recover(project, clawed, {**good, "paid_on": clock.today()
                                             + timedelta(days=1)}, finance)
    with pytest.raises(RuleViolation, match="追回方式"):
        settlement.recover(project, clawed, {**good, "method": "bitcoin"}, finance)
    paid = [line.id for line in accrual.lines_of(deal.id) if line.kind == "accrual"]
    with pytest.raises(Conflict, match="已发放"):  # a paid line is no 追回
        settlement.recover(project, paid, good, finance)
    lines = settlement.recover(project, clawed, good, finance)
    assert {(line.status, line.paid_on, line.pay_method, line.paid_by_id) for line in lines} \
        == {(LineStatus.CLAWBACK, clock.today(), "deducted", finance.id)}
    with pytest.raises(Conflict, match="已追回"):
        settlement.recover(project, clawed, good, finance)
    assert set(registers.owed_by_payee(project.id).values()) == {Decimal("0.00")}
    from sqlalchemy import func, select

    from app.extensions import db
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "commission_recovered")) == len(clawed)


def test_an_exchange_recomputes_on_the_new_price(office):
    a = office.staff["a"]
    deposit = office.sell(office.units["high_rise"][0], office.customer(a))
    office.change(deposit, "exchange", target=office.units["villa"][2])
    price = accrual.live_subscription(deposit.id).deal_price
    owed = registers.owed_by_payee(office.project.id)
    assert owed[f"user:{a.id}"] == (price * Decimal("0.003")).quantize(Decimal("0.01"))


def test_a_manager_approves_no_line_of_their_own_and_a_line_is_approved_once(office):
    manager, other = office.staff["manager"], office.staff["manager2"]
    deal = office.sell(office.units["high_rise"][0], office.customer(office.staff["a"]))
    office.contract_and_pay(deal)
    ids = [line.id for line in accrual.lines_of(deal.id)]
    from app.services.commissions import settlement
    settlement.approve(office.project, ids, manager)
    with pytest.raises(Conflict, match="已审批"):
        settlement.approve(office.project, ids, other)


def test_a_looser_payable_condition_releases_lines_already_accrued(office):
    from app.services.commissions import rules
    deal = office.sell(office.units["high_rise"][0], office.customer(office.staff["a"]))
    assert {line.status for line in accrual.lines_of(deal.id)} == {LineStatus.ACCRUED}
    rules.save_settings(office.project, "subscribed", None, office.staff["manager"])
    assert {line.status for line in accrual.lines_of(deal.id)} == {LineStatus.PAYABLE}


def test_a_rate_above_100_a_negative_amount_and_an_overlap_are_refused(office):
    from datetime import date

    from app.services.commissions import rules
    from app.services.errors import RuleViolation
    base = {"payee_kind": "consultant", "product_type": "shop", "kind": "rate",
            "valid_from": date(2026, 1, 1)}
    with pytest.raises(RuleViolation, match="0 到 100%"):
        rules.add_rule(office.project, {**base, "value": "100.5"}, office.staff["manager"])
    with pytest.raises(RuleViolation, match="负数"):
        rules.add_rule(office.project, {**base, "kind": "amount", "value": "-1"},
                       office.staff["manager"])
    with pytest.raises(RuleViolation, match="时间重叠"):
        rules.add_rule(office.project, {**base, "product_type": "villa", "value": "1"},
                       office.staff["manager"])


def test_a_name_change_keeps_the_lines(office):
    deal = office.sell(office.units["high_rise"][0], office.customer(office.staff["a"]))
    before = [(line.id, line.amount, line.status) for line in accrual.lines_of(deal.id)]
    office.change(deal, "rename", rename_action="add", rename_name="周强",
                  rename_id_number="310101198807075555")
    assert accrual.live_subscription(deal.id).co_buyers != "[]"
    assert [(line.id, line.amount, line.status) for line in accrual.lines_of(deal.id)] == before
