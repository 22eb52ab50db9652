"""Every move of app/services/record_status.py, from its table: who may make it and what a
refusal says, the reason it needs, the stamp and audit row it leaves, what follows it, and
that it happens once (the second attempt gets Conflict and changes nothing)."""
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AuditLog,
    CallStatus,
    ChangeStatus,
    CommissionLine,
    Contract,
    Customer,
    Deposit,
    LaunchRegistration,
    LineStatus,
    MoneyStatus,
    Payment,
    Payout,
    PayoutStatus,
    Project,
    Receipt,
    ReceiptStatus,
    RegistrationStatus,
    Subscription,
    SubscriptionStatus,
    TransferFee,
    Unit,
    UnitStatus,
)
from app.policy import ROLE_RULES
from app.services import audit
from app.services.changes import execute, requests
from app.services.deals import contracts, deposits, receipts
from app.services.deals.common import new_form_key
from app.services.errors import Conflict, NotAllowed, RuleViolation
from app.services.launch import launches, registrations
from app.services.record_status import AUDIT_TYPES, MOVES, transition
from tests.changes.conftest import sell, users

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
PEOPLE = {"consultant": "wangfang", "secretary": "zhaomin", "finance": "chenjing",
          "manager": "liuqiang"}  # the office's recorder of money is 赵敏 (secretary)
STATUSES = {Deposit: MoneyStatus, Payment: MoneyStatus, TransferFee: MoneyStatus,
            Payout: PayoutStatus, LaunchRegistration: RegistrationStatus,
            Subscription: SubscriptionStatus, Receipt: ReceiptStatus,
            CommissionLine: LineStatus}
R = ReceiptStatus
# the receipt behind the money after the move (None: the move leaves it to its caller)
RECEIPT_AFTER = {(Deposit, "confirm"): R.CONFIRMED, (Deposit, "reject"): R.VOIDED,
                 (Deposit, "refund"): R.CONFIRMED, (Payment, "confirm"): R.CONFIRMED,
                 (Payment, "reject"): R.VOIDED, (TransferFee, "confirm"): R.CONFIRMED,
                 (TransferFee, "reject"): R.VOIDED, (LaunchRegistration, "confirm"): R.CONFIRMED,
                 (LaunchRegistration, "reject"): R.VOIDED,
                 (LaunchRegistration, "refund"): R.REFUNDED}
CASES = [(model, name) for model, moves in MOVES.items() for name in moves]


def _deposit(office, confirmed=False):
    secretary, finance = users("zhaomin", "chenjing")
    unit = db.session.get(Unit, office["units"]["1栋 101"])
    made, _ = deposits.record(unit, kind="large", amount_text="50000", method="transfer",
                              receipt_no="1001", customer_id=office["zhang"],
                              consultant_id=office["wangfang"], form_key=new_form_key(),
                              actor=secretary)
    if confirmed:
        deposits.confirm(made, finance)
    return made


def _payment(office):
    sell(office, "1栋 101", 1001, contract=True)
    contract = db.session.scalar(select(Contract))
    payment, _ = contracts.record_payment(contract.instalments[0], "1000", "transfer", "1010",
                                          new_form_key(), users("zhaomin")[0])
    return payment


def _change(office, kind, **extra):
    """An executed change of `kind` on a contracted deal (fixture data)."""
    unit_id, _ = sell(office, "1栋 101", 1001, contract=True)
    consultant, manager, secretary = users("wangfang", "liuqiang", "zhaomin")
    change, _ = requests.ask(db.session.get(Unit, unit_id), {
        "form_key": new_form_key(), "kind": kind, "reason": "buyer", **extra}, consultant)
    requests.decide(change, True, {"penalty": "0", "override": "1",
                                   "override_reason": "经理特批"}, manager)
    execute.execute(change, {"receipt_no": "1020", "method": "cash"}, secretary)
    assert change.status == ChangeStatus.EXECUTED
    return change


def _fee(office):
    db.session.get(Project, office["project"]).transfer_fee = Decimal("2000")
    return _change(office, "rename", rename_action="add", rename_name="王五",
                   rename_id_number="110101199001011234").fee


def _registration(office, confirmed=False):
    secretary = users("zhaomin")[0]
    launch = launches.create(db.session.get(Project, office["project"]), name="一期开盘",
                             mode="order", amount_text="20000", window_minutes=3,
                             miss_penalty=2, actor=secretary)
    entry, _ = registrations.register(
        launch, customer_id=office["zhang"], amount_text="20000", method="transfer",
        receipt_no="1030", layouts=[], consultant_id=None, form_key=new_form_key(),
        actor=secretary)
    if confirmed:
        registrations.confirm(entry, users("chenjing")[0])
    return entry


def _receipt(office, confirmed=False):
    receipt = receipts.issue(office["project"], "1040", purpose="sincerity",
                             amount=Decimal("100"), method="cash",
                             payer=db.session.get(Customer, office["zhang"]), unit=None,
                             actor=users("zhaomin")[0], now=T0)
    if confirmed:
        transition(receipt, "confirm", users("chenjing")[0])
    return receipt


def _line(office, payable_at="down_payment", approved=False):
    """王芳's commission line of a 认购 (accrued, or payable at once; approved by 刘强)."""
    from app.models import Building
    from app.services.commissions import accrual, rules
    manager = users("liuqiang")[0]
    project = db.session.get(Project, office["project"])
    project.commission_payable = payable_at
    for building in db.session.scalars(select(Building).where(
            Building.project_id == project.id)):
        rules.set_product_type(building, "high_rise", manager)
    rules.add_rule(project, {"payee_kind": "consultant", "product_type": "high_rise",
                             "kind": "rate", "value": "0.5",
                             "valid_from": T0.date() - timedelta(days=400)}, manager)
    _unit_id, sub_id = sell(office, "1栋 101", 1001)
    line = accrual.lines_of(db.session.get(Subscription, sub_id).deposit_id)[0]
    if approved:
        transition(line, "approve", manager, values={"batch_id": None})
    return line


def _clawback(office):
    """A 追回 line, 待追回: 王芳's line paid out, then the deal refunded."""
    from app.services.commissions import accrual
    line = _line(office, "subscribed", approved=True)
    consultant, manager, secretary, finance = users("wangfang", "liuqiang", "zhaomin",
                                                    "chenjing")
    transition(line, "pay", finance, values={"paid_on": T0.date(), "pay_method": "transfer"})
    change, _ = requests.ask(db.session.get(Unit, line.deposit.unit_id), {
        "form_key": new_form_key(), "kind": "refund", "reason": "buyer"}, consultant)
    requests.decide(change, True, {"penalty": "0", "override": "1",
                                   "override_reason": "经理特批"}, manager)
    execute.execute(change, {"receipt_no": "1020", "method": "cash"}, secretary)
    return next(line for line in accrual.lines_of(line.deposit_id) if line.kind == "clawback")


BUILD = {
    (CommissionLine, "payable"): _line, (CommissionLine, "cancel"): _line,
    (CommissionLine, "recover"): _clawback,
    (CommissionLine, "approve"): lambda office: _line(office, "subscribed"),
    (CommissionLine, "pay"): lambda office: _line(office, "subscribed", approved=True),
    (Deposit, "confirm"): _deposit, (Deposit, "reject"): _deposit,
    (Deposit, "refund"): lambda office: _deposit(office, confirmed=True),
    (Payment, "confirm"): _payment, (Payment, "reject"): _payment,
    (TransferFee, "confirm"): _fee, (TransferFee, "reject"): _fee,
    (Payout, "pay"): lambda office: _change(office, "refund").payout,
    (LaunchRegistration, "confirm"): _registration, (LaunchRegistration, "reject"): _registration,
    (LaunchRegistration, "refund"): lambda office: _registration(office, confirmed=True),
    (Subscription, "void"): lambda office: db.session.get(
        Subscription, sell(office, "1栋 101", 1001)[1]),
    (Receipt, "confirm"): _receipt, (Receipt, "void"): _receipt,
    (Receipt, "refund"): lambda office: _receipt(office, confirmed=True),
}


def test_the_table_names_known_statuses_actions_and_labels():
    assert set(BUILD) == set(CASES)
    for model, moves in MOVES.items():
        known = STATUSES[model].ALL
        for name, move in moves.items():
            assert set(move.sources) <= set(known) and move.target in known, (model, name)
            assert move.target not in move.sources, (model, name)
            assert move.audit in audit.ACTION_LABELS, move.audit
            assert move.conflict, (model, name)
            if move.action is not None:
                assert move.action in ROLE_RULES and move.refused, (model, name)
        assert model in AUDIT_TYPES


@pytest.mark.parametrize("model, name", CASES,
                         ids=[f"{model.__name__}.{name}" for model, name in CASES])
def test_each_move_is_open_to_its_roles_only_and_happens_once(app, office, model, name):
    move = MOVES[model][name]
    allowed = ROLE_RULES[move.action] if move.action else set(PEOPLE)
    with app.app_context():
        record_id = BUILD[model, name](office).id
        db.session.commit()

        def record():
            return db.session.get(model, record_id)

        actor = users(next(PEOPLE[role] for role in ("finance", "secretary", "manager")
                           if role in allowed))[0]
        _refused(model, name, record, allowed, actor)
        transition(record(), name, actor, reason="金额不符", now=T0)
        db.session.commit()
        _moved_once(model, name, record(), actor)
        with pytest.raises(Conflict):
            transition(record(), name, actor, reason="金额不符", now=T0 + timedelta(minutes=1))
        db.session.rollback()
        _moved_once(model, name, record(), actor)


def _refused(model, name, record, allowed, actor):
    """Every role the policy leaves out, the recorder of the money, a missing reason."""
    move = MOVES[model][name]
    for role in sorted(set(PEOPLE) - allowed):
        with pytest.raises(NotAllowed, match=move.refused):
            transition(record(), name, users(PEOPLE[role])[0], reason="原因")
        db.session.rollback()
    if move.own_entry:  # finance covering the desk recorded it: another finance user must
        column = "registered_by_id" if model is LaunchRegistration else "recorded_by_id"
        setattr(record(), column, actor.id)
        with pytest.raises(NotAllowed, match=move.own_entry):
            transition(record(), name, actor, reason="原因")
        db.session.rollback()
    if move.reason:
        with pytest.raises(RuleViolation, match=move.reason):
            transition(record(), name, actor, reason="  ")
        db.session.rollback()
    assert record().status in move.sources


def _moved_once(model, name, moved, actor):
    """The record as the move left it: status, stamp, reason, receipt and one audit row."""
    move = MOVES[model][name]
    assert moved.status == move.target
    if move.stamp:
        assert (getattr(moved, move.stamp[0]), getattr(moved, move.stamp[1])) == (actor.id, T0)
    if move.reason_column:
        assert getattr(moved, move.reason_column) == "金额不符"
    if (model, name) in RECEIPT_AFTER:
        assert moved.receipt.status == RECEIPT_AFTER[model, name]
    rows = db.session.scalars(select(AuditLog).where(
        AuditLog.object_type == AUDIT_TYPES[model], AuditLog.object_id == str(moved.id),
        AuditLog.action == move.audit)).all()
    assert len(rows) == 1 and rows[0].user_id == actor.id and rows[0].reason == "金额不符"
    assert json.loads(rows[0].before) == {"status": move.sources[0]}
    assert json.loads(rows[0].after)["status"] == move.target


def test_what_follows_a_deposit_and_a_registration(app, office):
    """The unit follows a deposit on the board; a turned-away 认筹 leaves the queue."""
    with app.app_context():
        finance = users("chenjing")[0]
        made = _deposit(office)
        transition(made, "reject", finance, reason="银行未到账")
        assert made.unit.status == UnitStatus.AVAILABLE
        again = _deposit_again(office)
        transition(again, "confirm", finance)
        assert again.unit.status == UnitStatus.DEPOSIT_CONFIRMED
        entry = _registration(office)
        entry.call_status = CallStatus.WAITING
        db.session.flush()
        transition(entry, "reject", finance, reason="金额不符")
        assert entry.call_status == CallStatus.OUT and entry.status == RegistrationStatus.REJECTED
        db.session.rollback()


def _deposit_again(office):
    unit = db.session.get(Unit, office["units"]["1栋 102"])
    made, _ = deposits.record(unit, kind="small", amount_text="10000", method="cash",
                              receipt_no="1002", customer_id=office["zhang"],
                              consultant_id=office["wangfang"], form_key=new_form_key(),
                              actor=users("zhaomin")[0])
    return made
