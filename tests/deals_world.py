"""Deals for the generated reports project, made through the deals and discounts services
at frozen instants, with the test's own record of every sale and every payment.

`record` (world['deals']):
- 'sales': [{unit, customer, consultant, owner, started, signed, price, number, id}] one per
  认购书 chain (`started`: the unit marked sold; `signed`, `price`, `id`: its live 认购书,
  which a correction replaces);
- 'deposits': [(at, kind, amount, status, consultant)];
- 'contracts': [(at, unit, total, consultant)], 'instalments': {id: (due, amount, contract)};
- 'payments': [(at, instalment id, amount, status)].
"""
from datetime import timedelta, timezone
from decimal import Decimal

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, Instalment, Subscription, Unit, UnitStatus
from app.services.deals import contracts, deposits, receipts, subscriptions
from app.services.deals.common import new_form_key
from app.services.discounts import decisions, requests

S = UnitStatus
S_UTC = timezone.utc
PLANS = ("full", "mortgage", "instalments", "instalments")


class Dealer:
    def __init__(self, project_id, rng, manager, secretary, finance, ledger):
        self.project_id, self.rng, self.ledger = project_id, rng, ledger
        self.manager, self.secretary, self.finance = manager, secretary, finance
        self.receipt_no, self.contract_no, self.book_left = 0, 0, 0
        self.record = {"sales": [], "deposits": [], "contracts": [], "instalments": {},
                       "credited": {},
                       "payments": []}

    def _at(self, when):
        at = when()
        return at, time_machine.travel(at, tick=False)

    def _receipt(self, at):
        if self.book_left == 0:  # finance hands out a fresh book of 1,000 numbers
            first = self.receipt_no + 1
            receipts.register_book(self.project_id, str(first), str(first + 999), "前台 赵敏",
                                   self.finance, now=at)
            self.book_left = 1000
        self.receipt_no += 1
        self.book_left -= 1
        return str(self.receipt_no)

    def _move(self, at, unit_id, before, after):
        self.ledger.append((at.astimezone(S_UTC), unit_id, before, after))

    def sell(self, unit_id, customer, seller, day, when):
        """Deposit → finance (confirm / reject / not yet) → 认购 (maybe discounted, corrected)."""
        rng = self.rng
        at, frozen = self._at(when)
        kind = rng.choice(("small", "large", "large"))
        amount = Decimal(rng.choice((10000, 20000, 50000, 100000)))
        consultant = customer.owner if rng.random() < 0.8 else seller
        with frozen:
            unit = db.session.get(Unit, unit_id)
            deposit, _ = deposits.record(
                unit, kind=kind, amount_text=str(amount), method=rng.choice(("pos", "transfer")),
                receipt_no=self._receipt(at), customer_id=customer.id,
                consultant_id=consultant.id, form_key=new_form_key(), actor=self.secretary,
                now=at, case="customer_chose")  # seed 002 (2) when another consultant owns them
            db.session.commit()
        self._move(at, unit_id, S.AVAILABLE, S.DEPOSIT_PENDING)
        fate = rng.random()
        status = "pending" if fate < 0.08 else "rejected" if fate < 0.16 else "confirmed"
        self.record["deposits"].append((at.astimezone(S_UTC), kind, amount, status,
                                        consultant.id, deposit.id))
        if status == "pending":
            return
        at, frozen = self._at(when)
        with frozen:
            if status == "rejected":
                deposits.reject(deposit, "银行未到账", self.finance, now=at)
            else:
                deposits.confirm(deposit, self.finance, now=at)
            db.session.commit()
        self._move(at, unit_id, S.DEPOSIT_PENDING,
                   S.AVAILABLE if status == "rejected" else S.DEPOSIT_CONFIRMED)
        if status == "rejected" or fate < 0.22:  # confirmed, 认购 not signed yet
            return
        self._subscribe(unit_id, customer, day, when)

    def _subscribe(self, unit_id, customer, day, when):
        rng = self.rng
        deal_price = ""
        if rng.random() < 0.5 and customer.owner is not None:  # a special discount first
            at, frozen = self._at(when)
            with frozen:
                unit = db.session.get(Unit, unit_id)
                request = requests.create_request(customer, unit, "percent",
                                                  rng.choice(("1", "1.5", "2", "3")), "老带新",
                                                  customer.owner, at=at)
                decisions.decide(request, True, "同意", self.manager, at=at)
                db.session.commit()
                deal_price = str(request.deal_price)
        at, frozen = self._at(when)
        plan = rng.choice(PLANS)
        with frozen:
            unit = db.session.get(Unit, unit_id)
            data = {"form_key": new_form_key(), "customer_id": customer.id, "plan": plan,
                    "deal_price": deal_price, "bank": "建设银行",
                    "down_payment": str((unit.total_price * Decimal("0.3")).quantize(1)),
                    "sign_deadline": day + timedelta(days=rng.choice((3, 7, 15)))}
            sub, _ = subscriptions.sign(unit, data, self.secretary, now=at)
            db.session.commit()
            sale = {"unit": unit_id, "customer": customer.id, "started": at.astimezone(S_UTC),
                    "price": sub.deal_price, "number": sub.number, "id": sub.id,
                    "signed": at.astimezone(S_UTC), "list": sub.list_price,
                    "consultant": sub.deposit.consultant_id, "owner": customer.owner_id}
        self.record["sales"].append(sale)
        self._move(at, unit_id, S.DEPOSIT_CONFIRMED, S.SUBSCRIBED)
        if rng.random() < 0.15:  # a correction: void and reissue (both kept)
            at, frozen = self._at(when)
            with frozen:
                original = db.session.get(Subscription, sale["id"])
                fresh, _ = subscriptions.void_and_reissue(
                    original, {**data, "form_key": new_form_key(), "plan": "full"},
                    "客户改为一次性付款", self.secretary, now=at)
                db.session.commit()
                sale.update(price=fresh.deal_price, number=fresh.number, id=fresh.id,
                            signed=at.astimezone(S_UTC), corrected=True)

    def contract(self, unit_id, day, when):
        """Sign the contract of the unit's live 认购书; the first instalment may be due soon."""
        rng = self.rng
        at, frozen = self._at(when)
        self.contract_no += 1
        with frozen:
            sub = subscriptions.current_for(unit_id)
            first_due = day + timedelta(days=rng.choice((0, 5, 10, 20)))
            contract, _ = contracts.sign(sub, {
                "form_key": new_form_key(), "number": f"HT-{self.contract_no:04d}",
                "sign_date": day, "first_due": first_due, "count": rng.choice((2, 3, 4))},
                self.secretary, now=at)
            db.session.commit()
            self.record["contracts"].append((at.astimezone(S_UTC), unit_id,
                                             contract.total_price, sub.deposit.consultant_id))
            for item in contract.instalments:
                self.record["instalments"][item.id] = (item.due_date, item.amount, contract.id)
                self.record["credited"][item.id] = item.credited  # the deposit counted here
        self._move(at, unit_id, S.SUBSCRIBED, S.CONTRACTED)

    def collect(self, day, when):
        """Some money in: an instalment due within ten days, paid in full or in part."""
        rng = self.rng
        if rng.random() > 0.8:
            return
        due = db.session.scalars(select(Instalment).where(
            Instalment.due_date <= day + timedelta(days=10)).order_by(Instalment.id)).all()
        paid = {}
        for _at, iid, amount, status in self.record["payments"]:
            if status != "rejected":
                paid[iid] = paid.get(iid, Decimal("0")) + amount
        open_ = [i for i in due if i.due - paid.get(i.id, Decimal("0")) > 0]
        if not open_ or rng.random() < 0.2:  # some open instalments go unpaid
            return
        instalment = rng.choice(open_)
        left = instalment.due - paid.get(instalment.id, Decimal("0"))
        amount = left if rng.random() < 0.7 else (left / 2).quantize(Decimal("0.01"))
        at, frozen = self._at(when)
        with frozen:
            payment, _ = contracts.record_payment(instalment, str(amount), "transfer",
                                                  self._receipt(at), new_form_key(),
                                                  self.secretary, now=at)
            db.session.commit()
        fate = rng.random()
        status = "pending" if fate < 0.1 else "rejected" if fate < 0.15 else "confirmed"
        if status != "pending":
            at2, frozen = self._at(when)
            with frozen:
                contracts.decide_payment(payment, status == "confirmed",
                                         "金额不符" if status == "rejected" else None,
                                         self.finance, now=at2)
                db.session.commit()
        self.record["payments"].append((at.astimezone(S_UTC), instalment.id, amount, status))


def pending_discount(project_id, customer_id, unit_id, at):
    """One special discount left waiting for the manager (the dashboard's pending approval)."""
    with time_machine.travel(at, tick=False):
        customer = db.session.get(Customer, customer_id)
        request = requests.create_request(customer, db.session.get(Unit, unit_id), "percent",
                                          "2", "团购", customer.owner, at=at)
        db.session.commit()
        return request.id

