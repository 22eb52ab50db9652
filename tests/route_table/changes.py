from tests.fixtures.deals import BUYER
from tests.route_table import OWNER, Route

ALL = frozenset({"consultant", "secretary", "finance", "manager", "admin"})
REGISTER = frozenset({"secretary", "finance", "manager", "admin"})
MANAGER = frozenset({"manager"})
FINANCE = frozenset({"finance"})


def add_to_world(world):
    """Three deals of the matrix consultant's customer: a refund request pending, a refund
    executed and paid out (refund receipt), a transfer after contract with its fee pending."""
    from datetime import timedelta
    from decimal import Decimal

    from app.extensions import db
    from app.models import Building, Customer, Project, Unit, User
    from app.services import clock
    from app.services.changes import execute, payouts, requests
    from app.services.deals import contracts, deposits, subscriptions
    from app.services.deals.common import new_form_key

    building = db.session.get(Building, world["building"])
    db.session.get(Project, world["project"]).transfer_fee = Decimal("1000")
    people = {r: db.session.get(User, world[r]) for r in ("secretary", "finance", "manager",
                                                         "consultant")}
    customer = Customer(project_id=world["project"], name="换房客户", phone="13822223333",
                        owner_id=world["consultant"])
    units = [Unit(building=building, floor=3, unit_no=f"30{n}", layout="两室",
                  building_area=Decimal("88"), unit_price=Decimal("10000"),
                  total_price=Decimal("880000"), status="available") for n in (1, 2, 3)]
    db.session.add_all(units + [customer])
    db.session.flush()
    subs = []
    for n, unit in enumerate(units):
        deposit, _ = deposits.record(unit, kind="large", amount_text="20000", method="cash",
                                     receipt_no=str(60 + n), customer_id=customer.id,
                                     consultant_id=world["consultant"], form_key=new_form_key(),
                                     actor=people["secretary"])
        deposits.confirm(deposit, people["finance"])
        subs.append(subscriptions.sign(unit, {
            "form_key": new_form_key(), "plan": "full", "customer_id": customer.id, **BUYER,
            "sign_deadline": clock.today() + timedelta(days=7)}, people["secretary"])[0])
    contracts.sign(subs[2], {"form_key": new_form_key(), "number": "M-CH",
                             "sign_date": clock.today(), "first_due": clock.today()},
                   people["secretary"])

    def asked(unit, kind, **extra):
        change, _ = requests.ask(unit, {"form_key": new_form_key(), "kind": kind,
                                        "reason": "funds", **extra}, people["consultant"])
        return change

    pending = asked(units[0], "refund")
    refund = asked(units[1], "refund")
    requests.decide(refund, True, {"penalty": "1000"}, people["manager"])
    execute.execute(refund, {}, people["secretary"])
    payouts.pay(refund.payout, "transfer", people["finance"])
    rename = asked(units[2], "rename", rename_action="add", rename_name="王五",
                   rename_id_number="110101199001011234")
    requests.decide(rename, True, {}, people["manager"])
    execute.execute(rename, {"receipt_no": "70", "method": "cash"}, people["secretary"])
    db.session.commit()
    world.update(change=pending.id, payout=refund.payout.id, fee=rename.fee.id,
                 change_unit=units[0].id)


ROUTES = {
    "changes.index": Route(ALL),
    "changes.export": Route(REGISTER),
    "changes.reasons": Route(REGISTER),
    "changes.new_request": Route(frozenset({"consultant", "secretary", "manager"})),
    "changes.detail": Route(ALL, args=lambda w: {"change_id": w["change"]}, scope=OWNER),
    "changes.approve": Route(MANAGER, args=lambda w: {"change_id": w["change"]}),
    "changes.reject": Route(MANAGER, args=lambda w: {"change_id": w["change"]}),
    "changes.execute": Route(frozenset({"secretary"}), args=lambda w: {"change_id": w["change"]}),
    "changes.record_fee": Route(frozenset({"secretary"}),
                                args=lambda w: {"change_id": w["change"]}),
    "changes.cancel": Route(frozenset({"consultant", "manager"}),
                            args=lambda w: {"change_id": w["change"]}, scope=OWNER),
    "changes.finance": Route(FINANCE),
    "changes.pay": Route(FINANCE, args=lambda w: {"payout_id": w["payout"]}),
    "changes.payout_pdf": Route(frozenset({"secretary", "finance", "manager"}),
                                args=lambda w: {"payout_id": w["payout"]}),
    "changes.confirm_fee": Route(FINANCE, args=lambda w: {"fee_id": w["fee"]}),
    "changes.reject_fee": Route(FINANCE, args=lambda w: {"fee_id": w["fee"]}),
}
