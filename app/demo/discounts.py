"""Demo special discounts: a few customers and requests in every state, made through services."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Building, Unit, User
from app.services.clock import now
from app.services.customers.cards import register
from app.services.discounts.decisions import decide, record_verbal
from app.services.discounts.requests import create_request

CUSTOMERS = [  # (name, phone, owner)
    ("张伟", "13812345678", "wangfang"), ("陈丽", "13987654321", "lijun"),
    ("周杰", "13600001111", "wangfang"), ("孙悦", "13722223333", "lijun"),
    ("黄磊", "15811112222", "wangfang"), ("吴敏", "18633334444", "lijun"),
]
# (customer, building, unit_no, kind, value, reason, days ago, outcome)
REQUESTS = [
    ("张伟", "2栋", "1203", "percent", "2", "老带新客户,一次性付款,竞品同户型报价低 3%", 0, None),
    ("陈丽", "1栋", "1502", "amount", "30000", "团购 3 套之一,单位大客户", 2, "approve"),
    ("周杰", "3栋", "806", "percent", "7", "客户预算有限,全款,可当天签约", 0, None),
    ("孙悦", "5栋", "1003", "amount", "50000", "公司员工亲属,按惯例申请优惠", 9, "verbal"),
    ("黄磊", "2栋", "2104", "percent", "4", "客户要求与开盘价一致", 3, "reject"),
    ("吴敏", "1栋", "903", "amount", "20000", "按揭首付比例 50%,下周签约", 1, "verbal"),
]


def _unit(project_id, building, unit_no):
    return db.session.scalar(select(Unit).join(Building).where(
        Building.project_id == project_id, Building.name == building, Unit.unit_no == unit_no))


def load(project):
    """Create the demo customers and special-discount requests of `project`."""
    users = {u.username: u for u in db.session.scalars(select(User))}
    customers = {}
    for name, phone, owner in CUSTOMERS:
        # registered like any walk-in, so ownership, masks and history are complete
        customers[name], _ = register(project, name, phone, "亲友推荐", users[owner],
                                      at=now() - timedelta(days=20))
    manager, secretary = users["liuqiang"], users["zhaomin"]
    for name, building, unit_no, kind, value, reason, days, outcome in REQUESTS:
        at = now() - timedelta(days=days, hours=2)
        customer = customers[name]
        request = create_request(customer, _unit(project.id, building, unit_no), kind, value,
                                 reason, customer.owner, at=at)
        later = at + timedelta(minutes=40)
        if outcome == "approve":
            decide(request, True, "同意,请尽快签约", manager, at=later)
        elif outcome == "reject":
            decide(request, False, "开盘优惠已结束,不予批准", manager, at=later)
        elif outcome == "verbal":
            record_verbal(request, manager, later, "电话同意,回售楼处后补签", secretary,
                          at=later + timedelta(minutes=10))
    return len(REQUESTS)
