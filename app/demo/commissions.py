"""Demo of commissions 佣金/提成 (seed 003 全民营销), made through the services: the rules and
业态 before the first deal, then a channel company's deal, a 全民经纪人's three sales (his 3rd
earns the 3rd-sale amount), an employee's referral, and 提成审批 and payout of what is payable.
README "Commissions" quotes these figures (tests/commissions/test_demo_example.py)."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Building, ChannelAgent, Deposit, LineStatus, Unit, User
from app.services import clock
from app.services.commissions import accrual, rules, settlement
from app.services.customers import cards, channels, visits
from app.services.deals import deposits, subscriptions
from app.services.deals.common import new_form_key

# (payee, 业态, kind, value, 2nd sale, 3rd+ sale): seed 003's table; the consultants' and the
# channel companies' rates are the office's own
RULES = [("consultant", "high_rise", "rate", "0.3", None, None),
         ("consultant", "garden", "rate", "0.3", None, None),
         ("consultant", "villa", "rate", "0.2", None, None),
         ("channel", "high_rise", "rate", "1", None, None),
         ("channel", "garden", "rate", "1", None, None),
         ("staff", "high_rise", "amount", "3000", None, None),
         ("staff", "garden", "amount", "3000", None, None),
         ("staff", "villa", "amount", "12000", None, None),
         ("broker", "high_rise", "amount", "2000", "2500", "3000"),
         ("broker", "garden", "amount", "2500", "3000", "3500"),
         ("broker", "villa", "amount", "4000", "6000", "10000"),
         ("broker", "grand_villa", "amount", "10000", "12000", "15000")]
# (building, unit, buyer, phone, agent, consultant, receipt)
CHANNEL_DEALS = [("2栋", "1502", "钱进", "13500003001", "刘洋", "wangfang", "1030"),
                 ("3栋", "1503", "冯雪", "13500003002", "郑文博", "lijun", "1031"),
                 ("3栋", "1603", "陈默", "13500003003", "郑文博", "lijun", "1032"),
                 ("1栋", "1504", "杨帆", "13500003004", "郑文博", "lijun", "1033")]


def setup(project):
    """业态 per building and the rules, in force from the project's start."""
    manager = db.session.scalar(select(User).where(User.username == "liuqiang"))
    for building in project.buildings:
        rules.set_product_type(building, "garden" if building.name == "5栋" else "high_rise",
                               manager)
    start = clock.today() - timedelta(days=120)
    for payee, product, kind, value, second, third in RULES:
        rules.add_rule(project, {"payee_kind": payee, "product_type": product, "kind": kind,
                                 "value": value, "value_2": second, "value_3": third,
                                 "valid_from": start}, manager)


def load(project):
    users = {u.username: u for u in db.session.scalars(select(User))}
    secretary, finance = users["zhaomin"], users["chenjing"]
    for building, unit_no, name, phone, agent_name, consultant, receipt in CHANNEL_DEALS:
        agent = db.session.scalar(select(ChannelAgent).where(ChannelAgent.name == agent_name))
        report = channels.report_customer(project, agent, name, "男",
                                          f"{phone[:4]}**{phone[-5:]}", by=secretary)
        customer, _ = cards.register(project, name, phone, "渠道/中介", users[consultant],
                                     by=secretary)
        customer.gender = "男"
        visits.record_visit(customer, users[consultant], "visit", by=secretary)
        channels.confirm_visit(report, customer, users[consultant], by=secretary)
        unit = db.session.scalar(select(Unit).join(Building).where(
            Building.project_id == project.id, Building.name == building,
            Unit.unit_no == unit_no))
        deposit, _ = deposits.record(unit, kind="large", amount_text="50000",
                                     method="transfer", receipt_no=receipt,
                                     customer_id=customer.id,
                                     consultant_id=users[consultant].id,
                                     form_key=new_form_key(), actor=secretary)
        deposits.confirm(deposit, finance)
        subscriptions.sign(unit, {
            "form_key": new_form_key(), "customer_id": customer.id, "plan": "full",
            "sign_deadline": clock.today() + timedelta(days=7),
            "address": "上海市静安区南京西路 1266 号",
            "identity_note": "客户未带身份证,签约前补齐"}, secretary)
    referred = db.session.scalar(select(Deposit).join(Unit).join(Building).where(
        Deposit.project_id == project.id, Building.name == "5栋", Unit.unit_no == "1502"))
    accrual.set_referrer(referred, "周敏(工程部)", secretary)
    # 提成审批 of two payable lines (their 首付款 is in), one of them paid; one left waiting
    payable = settlement.waiting(project.id, LineStatus.PAYABLE)
    if len(payable) > 2:
        settlement.approve(project, [line.id for line in payable[:2]], users["liuqiang"])
        settlement.pay(project, [payable[0].id], {"paid_on": clock.today(),
                                                  "method": "transfer",
                                                  "reference": "招行 0001"}, finance)
