"""Demo changes, made through the change services: a deposit refunded with a penalty (its
payout waiting for finance) and a name change waiting for approval. The deals demo keeps
its units as they are (they show every status)."""
from sqlalchemy import select

from app.extensions import db
from app.models import Building, Customer, Unit, UnitStatus, User
from app.services.changes import execute, requests
from app.services.deals import deposits
from app.services.deals.common import new_form_key


def load(project):
    users = {u.username: u for u in db.session.scalars(select(User))}
    consultant, manager, secretary = users["lijun"], users["liuqiang"], users["zhaomin"]
    refund, _ = requests.ask(_deposit_deal(project, users), {
        "form_key": new_form_key(), "kind": "refund", "reason": "competitor",
        "notes": "客户最终选择了隔壁楼盘,价格更低"}, consultant)
    requests.decide(refund, True, {"penalty": "2000", "unit_after": "available",
                                   "comment": "按认购须知扣除违约金"}, manager)
    execute.execute(refund, {}, secretary)
    requests.ask(_unit(project, "5栋", "1502"), {
        "form_key": new_form_key(), "kind": "rename", "reason": "buyer",
        "notes": "客户婚后要求加上配偶", "rename_action": "add", "rename_name": "周强",
        "rename_id_number": "310101198807075555"}, consultant)


def _deposit_deal(project, users):
    """A 大定 confirmed on the first available 2栋 unit for a customer of 李军."""
    unit = db.session.scalar(select(Unit).join(Building).where(
        Building.project_id == project.id, Building.name == "2栋",
        Unit.status == UnitStatus.AVAILABLE).order_by(Unit.floor, Unit.unit_no).limit(1))
    customer = db.session.scalar(select(Customer).where(
        Customer.project_id == project.id, Customer.owner_id == users["lijun"].id)
        .order_by(Customer.id).limit(1))
    deposit, _ = deposits.record(unit, kind="large", amount_text="30000", method="transfer",
                                 receipt_no="1090", customer_id=customer.id,
                                 consultant_id=users["lijun"].id, form_key=new_form_key(),
                                 actor=users["zhaomin"])
    deposits.confirm(deposit, users["chenjing"])
    return unit


def _unit(project, building, unit_no):
    return db.session.scalar(select(Unit).join(Building).where(
        Building.project_id == project.id, Building.name == building, Unit.unit_no == unit_no))
