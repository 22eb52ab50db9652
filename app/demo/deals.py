"""Demo deals, made through the deal services (audited like real ones): deposits in each
state, several sold units, a corrected 认购书, contracts with payments and an overdue one."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Building, Customer, Unit, User
from app.services import clock
from app.services.customers.cards import register
from app.services.deals import contracts, deposits, price_policy, receipts, subscriptions
from app.services.deals.common import new_form_key

BUYERS = [("王建国", "13500001001", "wangfang", "310101198003041234"),
          ("刘晓燕", "13500001002", "wangfang", "310101198506072345"),
          ("黄志强", "13500001003", "lijun", "310101197911113456"),
          ("吴婷婷", "13500001004", "lijun", "310101199002024567"),
          ("郑浩", "13500001005", "wangfang", "310101198808085678"),
          ("何敏", "13500001006", "lijun", "310101199109096789")]
# (building, unit, buyer, kind, amount, method, how far: pending/rejected/confirmed/sold/...)
DEALS = [("1栋", "503", 0, "small", "10000", "wechat", "pending"),
         ("2栋", "705", 1, "large", "50000", "transfer", "rejected"),
         ("3栋", "1102", 2, "large", "50000", "pos", "confirmed"),
         ("1栋", "904", 3, "large", "50000", "transfer", "sold"),
         ("2栋", "1206", 4, "large", "80000", "transfer", "corrected"),
         ("5栋", "1502", 5, "large", "100000", "transfer", "contract"),
         ("3栋", "805", 0, "large", "50000", "alipay", "overdue")]


def load(project):
    """Today's deals. Not backdated: the unit moves and their audit rows happen now, and the
    dashboard must count the same deals in the same period. The overdue contract is overdue
    by its typed sign and due dates."""
    users = {u.username: u for u in db.session.scalars(select(User))}
    secretary, finance = users["zhaomin"], users["chenjing"]
    now = clock.now()
    receipts.register_book(project.id, "1001", "1100", "前台 赵敏", finance, now=now)
    _price_policy(project, users["liuqiang"], now)
    for index, (building, unit_no, buyer, kind, amount, method, stage) in enumerate(DEALS):
        customer = _customer(project, BUYERS[buyer], users)
        unit = db.session.scalar(select(Unit).join(Building).where(
            Building.project_id == project.id, Building.name == building,
            Unit.unit_no == unit_no))
        deposit, _ = deposits.record(unit, kind=kind, amount_text=amount, method=method,
                                     receipt_no=str(1001 + index), customer_id=customer.id,
                                     consultant_id=customer.owner_id, form_key=new_form_key(),
                                     actor=secretary, now=now)
        if stage == "pending":
            continue
        if stage == "rejected":
            deposits.reject(deposit, "银行未到账", finance, now=now)
            continue
        deposits.confirm(deposit, finance, now=now)
        if stage == "confirmed":
            continue
        _sell(unit, customer, stage, secretary, finance, index, now)


def _price_policy(project, manager, launch):
    """The office's standard discounts: by payment plan, and one for launch day (开盘当日)."""
    day = clock.local(launch).date()
    for seq, name, kind, value, plan, start, end in (
            (1, "一次性付款优惠", "rate", "98", "full", day, None),
            (2, "按揭付款优惠", "rate", "99", "mortgage", day, None),
            (3, "开盘当日优惠", "amount", "10000", "", day, day),
            (4, "老带新优惠", "amount", "5000", "", day + timedelta(days=30), None)):
        rule = price_policy.save_rule(project, {
            "seq": seq, "name": name, "kind": kind, "value": value, "plan": plan,
            "valid_from": start, "valid_until": end}, manager, now=launch)
        if seq == 4:
            price_policy.set_active(rule, False, manager, reason="活动结束")


def _sell(unit, customer, stage, secretary, finance, index, now):
    plan = "mortgage" if stage in ("contract", "corrected") else "instalments"
    data = {"form_key": new_form_key(), "customer_id": customer.id, "plan": plan,
            "down_payment": str((unit.total_price * 3 / 10).quantize(1)), "bank": "建设银行",
            "sign_deadline": clock.today() + timedelta(days=7),
            "address": "上海市浦东新区陆家嘴环路 1000 号",
            # the demo cards carry no ID numbers: the 认购书 says why (deals/identity.py)
            "identity_note": "客户未带身份证,签约前补齐"}
    sub, _ = subscriptions.sign(unit, data, secretary, now=now)
    if stage == "corrected":
        subscriptions.void_and_reissue(sub, {**data, "form_key": new_form_key(),
                                             "plan": "full"}, "客户改为一次性付款", secretary,
                                       now=now)
        return
    if stage == "sold":
        return
    sign_day = clock.today() - timedelta(days=95)
    contract, _ = contracts.sign(sub, {"form_key": new_form_key(), "number": f"HT2026-{index:04d}",
                                       "sign_date": sign_day, "first_due": sign_day,
                                       "count": 4}, secretary, now=now)
    first = contract.instalments[0]
    payment, _ = contracts.record_payment(first, str(first.due), "transfer",
                                          str(1050 + index), new_form_key(), secretary, now=now)
    contracts.decide_payment(payment, True, None, finance, now=now)


def _customer(project, buyer, users):
    name, phone, owner, id_number = buyer
    customer = db.session.scalar(select(Customer).where(Customer.project_id == project.id,
                                                        Customer.phone == phone))
    if customer is None:
        # registered like any walk-in, so ownership, masks and history are complete
        customer, _ = register(project, name, phone, "亲友推荐", users[owner],
                               at=clock.now() - timedelta(days=20))
        customer.id_number = id_number
    return customer
