"""A demo launch in registration: four buyers with their 诚意金, two confirmed by finance,
made through the launch services (audited like real ones)."""
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, User
from app.services.deals.common import new_form_key
from app.services.launch import launches, registrations

# (the consultant whose first demo customer registers, receipt number, layouts, confirmed)
BUYERS = (("wangfang", "1091", ["三室两厅两卫"], True),
          ("lijun", "1092", ["两室两厅一卫", "三室两厅两卫"], True),
          ("zhangwei", "1093", ["四室两厅两卫"], False),
          ("chenchen", "1094", ["三室两厅两卫"], False))


def load(project):
    users = {u.username: u for u in db.session.scalars(select(User))}
    launch = launches.create(project, name="二期 6 栋开盘", mode="lottery", amount_text="20000",
                             window_minutes=3, miss_penalty=3, actor=users["zhaomin"])
    for owner, receipt_no, layouts, confirmed in BUYERS:
        customer = db.session.scalar(
            select(Customer).where(Customer.project_id == project.id,
                                   Customer.owner_id == users[owner].id).order_by(Customer.id))
        if customer is None:
            continue
        registration, _ = registrations.register(
            launch, customer_id=customer.id, amount_text="20000", method="transfer",
            receipt_no=receipt_no, layouts=layouts, consultant_id=users[owner].id,
            form_key=new_form_key(), actor=users[owner])
        if confirmed:
            registrations.confirm(registration, users["chenjing"])
    return launch
