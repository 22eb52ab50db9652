from tests.fixtures.deals import BUYER
from tests.route_table import SHARED, Route

SECRETARY = frozenset({"secretary"})
FINANCE = frozenset({"finance"})
OFFICE = frozenset({"secretary", "manager"})
VIEW = frozenset({"secretary", "finance", "manager", "admin"})
PRINT = frozenset({"secretary", "finance", "manager"})


def add_to_world(world):
    """A deposit recorded by the matrix secretary on a unit of its own, a signed
    subscription, a contract with one instalment and a pending payment."""
    from datetime import timedelta
    from decimal import Decimal

    from app.extensions import db
    from app.models import Building, Customer, ReceiptBook, Unit, User
    from app.services import clock
    from app.services.deals import contracts, deposits, subscriptions
    from app.services.deals.common import new_form_key

    building = db.session.get(Building, world["building"])
    secretary, finance = (db.session.get(User, world[r]) for r in ("secretary", "finance"))
    from app.models import Project
    from app.services.deals import price_policy
    rule = price_policy.save_rule(db.session.get(Project, world["project"]), {
        "name": "一次性付款优惠", "kind": "rate", "value": "98", "plan": "full",
        "valid_from": clock.today(), "valid_until": None, "seq": 1},
        db.session.get(User, world["manager"]))
    units = [Unit(building=building, floor=2, unit_no=f"20{n}", layout="两室",
                  building_area=Decimal("88"), unit_price=Decimal("10000"),
                  total_price=Decimal("880000"), status="available") for n in (1, 2)]
    customer = Customer(project_id=world["project"], name="矩阵客户", phone="13811112222",
                        owner_id=world["consultant"])
    db.session.add_all(units + [customer, ReceiptBook(
        project_id=world["project"], first_no=1, last_no=100, holder="前台",
        registered_by_id=finance.id)])
    db.session.flush()
    made = []
    for number, unit in enumerate(units, start=1):
        deposit, _ = deposits.record(unit, kind="small", amount_text="10000", method="cash",
                                     receipt_no=str(number), customer_id=customer.id,
                                     consultant_id=world["consultant"],
                                     form_key=new_form_key(), actor=secretary)
        made.append(deposit)
    deposits.confirm(made[1], finance)
    sub, _ = subscriptions.sign(units[1], {
        "form_key": new_form_key(), "plan": "full", "customer_id": customer.id, **BUYER,
        "sign_deadline": clock.today() + timedelta(days=7)}, secretary)
    contract, _ = contracts.sign(sub, {"form_key": new_form_key(), "number": "M-1",
                                       "sign_date": clock.today() - timedelta(days=90),
                                       "first_due": clock.today() - timedelta(days=80)},
                                 secretary)
    payment, _ = contracts.record_payment(contract.instalments[0], "100", "cash", "50",
                                          new_form_key(), secretary)
    db.session.commit()
    world.update(deposit=made[0].id, deposit_unit=units[0].id, subscription=sub.id,
                 contract=contract.id, instalment=contract.instalments[0].id,
                 payment=payment.id, receipt=made[0].receipt_id, price_rule=rule.id)


ROUTES = {
    "deals.new_deposit": Route(frozenset({"consultant", "secretary"}),
                               args=lambda w: {"unit_id": w["unit"]}, scope=SHARED),
    "deals.queue": Route(frozenset({"finance", "manager"})),
    "deals.complaints_page": Route(frozenset({"manager"})),
    "deals.decide_complaint": Route(frozenset({"manager"}),
                                    args=lambda w: {"deposit_id": w["deposit"]}),
    "deals.confirm_deposit": Route(FINANCE, args=lambda w: {"deposit_id": w["deposit"]}),
    "deals.reject_deposit": Route(FINANCE, args=lambda w: {"deposit_id": w["deposit"]}),
    "deals.confirm_payment": Route(FINANCE, args=lambda w: {"payment_id": w["payment"]}),
    "deals.reject_payment": Route(FINANCE, args=lambda w: {"payment_id": w["payment"]}),
    "deals.new_subscription": Route(OFFICE, args=lambda w: {"unit_id": w["deposit_unit"]}),
    "deals.subscription": Route(VIEW, args=lambda w: {"subscription_id": w["subscription"]}),
    "deals.reissue": Route(OFFICE, args=lambda w: {"subscription_id": w["subscription"]}),
    "deals.subscription_pdf": Route(VIEW, args=lambda w: {"subscription_id": w["subscription"]}),
    "deals.new_contract": Route(OFFICE, args=lambda w: {"subscription_id": w["subscription"]}),
    "deals.unit_contract": Route(OFFICE, args=lambda w: {"unit_id": w["deposit_unit"]}, ok=404),
    "deals.contract": Route(VIEW, args=lambda w: {"contract_id": w["contract"]}),
    "deals.record_payment": Route(SECRETARY, args=lambda w: {"contract_id": w["contract"]}),
    "deals.overdue": Route(VIEW),
    "deals.reminder_pdf": Route(VIEW, args=lambda w: {"instalment_id": w["instalment"]}),
    "deals.receipt_pdf": Route(PRINT, args=lambda w: {"receipt_id": w["receipt"]}),
    "deals.receipt_books": Route(FINANCE),
    "deals.void_receipt": Route(FINANCE),
    "deals.price_policy_page": Route(frozenset({"consultant", "secretary", "finance", "manager",
                                                "admin"})),
    "deals.new_price_rule": Route(frozenset({"manager", "admin"})),
    "deals.edit_price_rule": Route(frozenset({"manager", "admin"}),
                                   args=lambda w: {"rule_id": w["price_rule"]}),
    "deals.toggle_price_rule": Route(frozenset({"manager", "admin"}),
                                     args=lambda w: {"rule_id": w["price_rule"]}),
    "deals.price_preview": Route(OFFICE, args=lambda w: {"unit_id": w["deposit_unit"]}),
    "deals.registers_index": Route(VIEW, ok=302),
    "deals.register": Route(VIEW, args=lambda w: {"name": "receipts"}),
    "deals.register_export": Route(VIEW, args=lambda w: {"name": "contracts"}),
}
