"""Money conservation (hypothesis): across random sequences of deposits, payments,
exchanges, refunds, name changes, payouts and fees, every fen finance received is held on a
live deal, refunded (paid or due), kept as a penalty, or a transfer fee — to the fen.

Each example gets a project of its own in the same database (the ledger is per project);
operations go through the services, a refused one is rolled back as a view would."""
import itertools
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import Customer, Project, ReceiptBook, Unit
from app.services import clock
from app.services.changes import execute, ledger, payouts, requests
from app.services.deals import contracts, deposits, subscriptions
from app.services.deals.common import new_form_key
from app.services.errors import RuleViolation
from tests.changes.conftest import users
from tests.fixtures.board import make_project
from tests.fixtures.deals import BUYER

CODES = itertools.count(1)
UNITS = 6
money = st.integers(min_value=1, max_value=3_000_000).map(lambda fen: Decimal(fen) / 100)
DEAL = st.integers(0, 3)  # deals start on the first units; exchanges reach all six
OPS = st.one_of(
    st.tuples(st.just("advance"), DEAL, money),
    st.tuples(st.just("advance"), DEAL, money),
    st.tuples(st.just("pay"), DEAL, money, st.booleans()),
    st.tuples(st.just("exchange"), DEAL, st.integers(0, UNITS - 1)),
    st.tuples(st.just("exchange"), DEAL, st.integers(0, UNITS - 1)),
    st.tuples(st.just("refund"), st.integers(0, UNITS - 1), st.integers(0, 100)),
    st.tuples(st.just("rename"), st.integers(0, UNITS - 1), st.booleans()),
    st.tuples(st.just("payout"), st.integers(0, 5)),
)


class Office:
    def __init__(self, app, office):
        world = make_project(app, buildings=(("A栋", 2, 3),), code=f"P{next(CODES)}")
        self.project_id, self.units = world["project"], list(world["units"].values())
        self.people = dict(zip(("secretary", "finance", "manager", "consultant", "finance2"),
                               users("zhaomin", "chenjing", "liuqiang", "wangfang", "huangli"),
                               strict=True))
        buyers = [Customer(project_id=self.project_id, name=name, phone=phone,
                           owner_id=self.people["consultant"].id)
                  for name, phone in (("张三", "13800001111"), ("李四", "13900002222"))]
        db.session.add_all(buyers)
        db.session.flush()
        self.customers = tuple(buyer.id for buyer in buyers)
        db.session.get(Project, self.project_id).transfer_fee = Decimal("1500")
        db.session.add(ReceiptBook(project_id=self.project_id, first_no=1, last_no=999,
                                   holder="前台", registered_by_id=self.people["finance"].id))
        db.session.commit()
        self.receipts = itertools.count(1)

    def unit(self, index):
        return db.session.get(Unit, self.units[index])

    def receipt(self):
        return str(next(self.receipts))

    def advance(self, index, amount):
        """The deal's next step: deposit (confirmed), 认购书, contract, a payment."""
        step = {"available": self.deposit, "deposit_confirmed": self.sign,
                "subscribed": self.contract, "contracted": self.pay}.get(self.unit(index).status)
        if step is None:
            raise RuleViolation("nothing to advance")
        if step in (self.sign, self.contract):
            return step(index)
        return step(index, amount) if step == self.deposit else step(index, amount, True)

    def deposit(self, index, amount):
        unit = self.unit(index)
        amount = min(amount, unit.total_price)
        made, _ = deposits.record(unit, kind="large", amount_text=str(amount),
                                  method="cash", receipt_no=self.receipt(),
                                  customer_id=self.customers[0],
                                  consultant_id=self.people["consultant"].id,
                                  form_key=new_form_key(), actor=self.people["secretary"])
        deposits.confirm(made, self.people["finance"])

    def sign(self, index):
        subscriptions.sign(self.unit(index), {
            "form_key": new_form_key(), "plan": "instalments", "customer_id": self.customers[0],
            **BUYER,
            "sign_deadline": clock.today() + timedelta(days=7)}, self.people["secretary"])

    def contract(self, index):
        sub = subscriptions.current_for(self.units[index])
        if sub is None:
            raise RuleViolation("no subscription")
        contracts.sign(sub, {"form_key": new_form_key(), "number": f"HT{self.receipt()}",
                             "sign_date": clock.today(), "first_due": clock.today(),
                             "count": 3}, self.people["secretary"])

    def pay(self, index, amount, confirm):
        sub = subscriptions.current_for(self.units[index])
        contract = sub and contracts.of_subscription(sub.id)
        if contract is None:
            raise RuleViolation("no contract")
        instalment = contract.instalments[0]
        payment, _ = contracts.record_payment(instalment, str(amount), "cash", self.receipt(),
                                              new_form_key(), self.people["secretary"])
        contracts.decide_payment(payment, confirm, None if confirm else "未到账",
                                 self.people["finance"])

    def change(self, index, kind, decision, **extra):
        change, _ = requests.ask(self.unit(index), {"form_key": new_form_key(), "kind": kind,
                                                    "reason": "other", **extra},
                                 self.people["consultant"])
        requests.decide(change, True, {"override": "y", "override_reason": "特批", **decision},
                        self.people["manager"])
        return execute.execute(change, {"receipt_no": self.receipt(), "method": "cash"},
                               self.people["secretary"])

    def exchange(self, index, target):
        self.change(index, "exchange", {}, target_unit_id=self.units[target])

    def refund(self, index, percent):
        deal_received = _received(self.unit(index))
        penalty = (deal_received * percent / 100).quantize(Decimal("0.01"))
        self.change(index, "refund", {"penalty": str(penalty),
                                      "unit_after": "withheld" if percent % 2 else "available"})

    def rename(self, index, replace):
        extra = ({"rename_action": "replace", "new_customer_id": self.customers[1]} if replace
                 else {"rename_action": "add", "rename_name": "赵六",
                       "rename_id_number": "110101199001011234"})
        change = self.change(index, "rename", {}, **extra)
        if change.fee is not None:
            payouts.decide_fee(change.fee, replace, None if replace else "金额不符",
                               self.people["finance"])

    def payout(self, which):
        pending = payouts.pending_payouts(self.project_id)
        if not pending:
            raise RuleViolation("nothing to pay")
        payouts.pay(pending[which % len(pending)], "transfer", self.people["finance"])


def _received(unit):
    from app.services.changes import deal as deals
    return deals.received(deals.of_unit(unit))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(OPS, min_size=4, max_size=25))
def test_money_received_is_always_accounted_for(app, office, operations):
    with app.app_context():
        desk = Office(app, office)
        done = []
        for name, *args in operations:
            try:
                getattr(desk, name)(*args)
                db.session.commit()
                done.append(name)
            except RuleViolation:  # refused (no such deal, target taken...): rolled back
                db.session.rollback()
            figures = ledger.ledger(desk.project_id)
            assert figures.received == figures.accounted, (done, figures)
            parts = (figures.held, figures.refunds_paid, figures.refunds_due,
                     figures.penalties, figures.fees)
            assert figures.received >= 0 and min(parts) >= 0

