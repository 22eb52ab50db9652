"""Demo of who a deal belongs to (seed 002 客户区分准则), made through the deal services: a card
taken over by a deal (以成交为准: 王芳's card had expired, 李军 closed), a split deal whose 业绩
and 奖金 differ (准则(3): 业绩 王芳, 奖金 王芳 80% / 李军 20%), and a complaint split waiting
for the manager (准则(4))."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Building, Unit, User
from app.services import clock
from app.services.customers.cards import register
from app.services.deals import deposits, subscriptions
from app.services.deals.common import new_form_key

# (building, unit, buyer, phone, owner, registered days ago, closer, case, receipt, signed)
CASES = [("1栋", "602", "孙丽", "13500002001", "wangfang", 75, "lijun", None, "1020", True),
         ("2栋", "1003", "马超", "13500002002", "wangfang", 20, "lijun", "owner_absent", "1021",
          True),
         ("3栋", "1204", "梁静", "13500002003", "lijun", 15, "wangfang", "complaint", "1022",
          False)]


def load(project):
    users = {u.username: u for u in db.session.scalars(select(User))}
    secretary, finance = users["zhaomin"], users["chenjing"]
    now = clock.now()
    for building, unit_no, name, phone, owner, days, closer, case, receipt, signed in CASES:
        customer, _ = register(project, name, phone, "亲友推荐", users[owner],
                               at=now - timedelta(days=days))
        unit = db.session.scalar(select(Unit).join(Building).where(
            Building.project_id == project.id, Building.name == building,
            Unit.unit_no == unit_no))
        deposit, _ = deposits.record(unit, kind="large", amount_text="50000",
                                     method="transfer", receipt_no=receipt,
                                     customer_id=customer.id, consultant_id=users[closer].id,
                                     form_key=new_form_key(), actor=secretary, now=now,
                                     case=case)
        deposits.confirm(deposit, finance, now=now)
        if signed:
            subscriptions.sign(unit, {
                "form_key": new_form_key(), "customer_id": customer.id, "plan": "full",
                "sign_deadline": clock.today() + timedelta(days=7),
                "address": "上海市徐汇区漕溪北路 88 号",
                "identity_note": "客户未带身份证,签约前补齐"}, secretary, now=now)
