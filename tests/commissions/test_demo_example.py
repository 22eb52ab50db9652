"""README "Commissions → Worked example": the demo project's figures, line by line."""
from decimal import Decimal

from sqlalchemy import select

from app.models import Building, CommissionLine, Deposit, Unit
from app.services.commissions import accrual, registers


def _lines(db, building, unit_no):
    deposit = db.session.scalar(select(Deposit).join(Unit).join(Building).where(
        Building.name == building, Unit.unit_no == unit_no))
    sub = accrual.live_subscription(deposit.id)
    lines = {line.payee_name: line.amount for line in accrual.lines_of(deposit.id)}
    return sub.deal_price, lines


def test_the_worked_example_in_the_readme(demo_office, db):
    price, lines = _lines(db, "2栋", "1003")
    assert price == Decimal("2647649.00")
    assert lines == {"王芳": Decimal("6354.36"), "李军": Decimal("1588.59")}
    price, lines = _lines(db, "2栋", "1502")
    assert price == Decimal("2494185.00")
    assert lines == {"链家地产": Decimal("24941.85"), "王芳": Decimal("7482.56")}
    price, lines = _lines(db, "1栋", "1504")
    assert price == Decimal("1981405.00")
    assert lines == {"郑文博(全民经纪人)": Decimal("3000.00"), "李军": Decimal("5944.22")}
    broker = db.session.scalar(select(CommissionLine.payee_key).where(
        CommissionLine.payee_kind == "broker"))
    project_id = db.session.scalar(select(Deposit.project_id))
    assert registers.owed_by_payee(project_id)[broker] == Decimal("7500.00")
    readme = open("README.md", encoding="utf-8").read()
    for figure in ("¥2,647,649.00", "¥6,354.36", "¥1,588.59", "¥24,941.85", "¥3,000.00",
                   "¥7,500.00", "¥1,981,405.00"):
        assert figure in readme, figure
