"""The changes office: the deals office (tests/deals/conftest.py) plus sold units, built
through the deal services as fixture data (the deals area tests those paths)."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, ChangeRequest, Unit, User
from app.services import clock
from app.services.changes import ledger
from app.services.deals import contracts, deposits, subscriptions
from app.services.deals.common import new_form_key
from tests.deals.conftest import _fast_logins, browser_for, form_key, office  # noqa: F401
from tests.fixtures.deals import BUYER

__all__ = ["form_key"]


def users(*names):
    return [db.session.scalar(select(User).where(User.username == n)) for n in names]


def sell(office, unit_key, receipt_no, *, customer="zhang", amount="50000",  # noqa: F811
         contract=False, paid=(), stage="subscribed", co_buyers="", consultant="wangfang"):
    """A deal on `unit_key`: confirmed deposit, then (by `stage`) a signed 认购书, a contract
    with `paid` confirmed payments (receipt numbers from receipt_no + 1)."""
    secretary, finance = users("zhaomin", "chenjing")
    unit = db.session.get(Unit, office["units"][unit_key])
    deposit, _ = deposits.record(unit, kind="large", amount_text=amount, method="transfer",
                                 receipt_no=str(receipt_no), customer_id=office[customer],
                                 consultant_id=office[consultant], form_key=new_form_key(),
                                 actor=secretary)
    deposits.confirm(deposit, finance)
    if stage == "deposit":
        db.session.commit()
        return unit.id, None
    sub, _ = subscriptions.sign(unit, {
        "form_key": new_form_key(), "plan": "full", "customer_id": office[customer], **BUYER,
        "co_buyers": co_buyers, "sign_deadline": clock.today() + timedelta(days=7)}, secretary)
    if contract or paid:
        deal, _ = contracts.sign(sub, {"form_key": new_form_key(), "number": f"HT-{receipt_no}",
                                       "sign_date": clock.today(),
                                       "first_due": clock.today() + timedelta(days=30)},
                                 secretary)
        for n, amount_text in enumerate(paid, start=1):
            payment, _ = contracts.record_payment(deal.instalments[0], amount_text, "transfer",
                                                  str(receipt_no + n), new_form_key(), secretary)
            contracts.decide_payment(payment, True, None, finance)
    db.session.commit()
    return unit.id, sub.id


def ask(browser, unit_id, kind, **fields):
    page = browser.get(f"/changes/new?unit={unit_id}")
    assert page.status_code == 200, page.text
    data = {"form_key": form_key(page.text), "unit_id": unit_id, "kind": kind,
            "reason": "funds", "notes": "客户资金周转困难"}
    data.update(fields)
    return browser.post("/changes/new", data)


def last_change():
    return db.session.scalar(select(ChangeRequest).order_by(ChangeRequest.id.desc()).limit(1))


def audit_actions(object_type, object_id):
    return [row.action for row in db.session.scalars(
        select(AuditLog).where(AuditLog.object_type == object_type,
                               AuditLog.object_id == str(object_id)).order_by(AuditLog.id))]


def balanced(project_id):
    figures = ledger.ledger(project_id)
    assert figures.balanced, figures
    return figures
