"""Demo changes, made through the change services: a deposit refunded with a penalty (its
payout waiting for finance), a sold unit refunded and its 退款收据 paid (numbered TK…-0001,
with its QR), an exchange toward a larger unit (counted as 换房, not 退房, in the 销售日报),
and a name change waiting for approval. The deals demo keeps its other units as they are."""
from sqlalchemy import select

from app.extensions import db
from app.models import Building, Customer, Subscription, SubscriptionStatus, Unit, UnitStatus, User
from app.services.changes import execute, payouts, requests
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
    _sold_unit_changes(project, users)
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


def _sold_unit_changes(project, users):
    """A 退房 of a 认购 (paid out by finance) and a 换房 toward the dearest unit left."""
    manager, secretary = users["liuqiang"], users["zhaomin"]
    sold = db.session.scalars(select(Subscription).join(Unit).join(Building).where(
        Building.project_id == project.id, Unit.status == UnitStatus.SUBSCRIBED,
        Subscription.status == SubscriptionStatus.SIGNED, Unit.unit_no != "1502")
        .order_by(Subscription.id)).all()
    owned = [sub for sub in sold if sub.customer.owner is not None]
    # an 分期 deal to exchange: the price policy has no rule of that plan to reprice it
    moving = next(sub for sub in owned if sub.plan == "instalments")
    owned = [next(sub for sub in owned if sub is not moving), moving]
    refund, _ = requests.ask(owned[0].unit, {
        "form_key": new_form_key(), "kind": "refund", "reason": "loan",
        "notes": "银行贷款未获批"}, owned[0].customer.owner)
    requests.decide(refund, True, {"penalty": "0", "unit_after": "available",
                                   "comment": "贷款未批,全额退还"}, manager)
    execute.execute(refund, {}, secretary)
    payouts.pay(refund.payout, "transfer", users["chenjing"])
    target = db.session.scalar(select(Unit).join(Building).where(
        Building.project_id == project.id, Unit.status == UnitStatus.AVAILABLE)
        .order_by(Unit.total_price.desc()).limit(1))
    exchange, _ = requests.ask(owned[1].unit, {
        "form_key": new_form_key(), "kind": "exchange", "reason": "layout",
        "notes": "家里添了孩子,换大户型", "target_unit_id": target.id},
        owned[1].customer.owner)
    requests.decide(exchange, True, {"comment": "以小换大,同意"}, manager)
    execute.execute(exchange, {}, secretary)
