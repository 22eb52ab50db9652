"""What a unit's live deal holds: its deposit, 认购书, contract and the money received."""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract, Deposit, MoneyStatus, Payment, Subscription, Unit, UnitStatus
from app.services.deals import contracts, deposits, subscriptions
from app.services.errors import RuleViolation
from app.services.money import from_fen, sum_fen

DEAL_STAGES = (UnitStatus.DEPOSIT_CONFIRMED, UnitStatus.SUBSCRIBED, UnitStatus.CONTRACTED)


@dataclass
class Deal:
    unit: Unit
    deposit: Deposit
    subscription: Optional[Subscription]
    contract: Optional[Contract]

    @property
    def customer(self):
        return self.subscription.customer if self.subscription else self.deposit.customer

    @property
    def price(self):
        return self.subscription.deal_price if self.subscription else None

    @property
    def stage(self):
        return self.unit.status


def of_unit(unit):
    """The live deal on `unit`, or RuleViolation saying why there is none."""
    if unit.status not in DEAL_STAGES:
        raise RuleViolation(f"{unit.building.name} {unit.unit_no} 当前为「{unit.status_label}」,"
                            "没有可以换房、退房或换名的成交", "unit_id")
    sub = subscriptions.current_for(unit.id)
    if unit.status != UnitStatus.DEPOSIT_CONFIRMED and sub is None:
        raise RuleViolation("该房源没有有效的认购书", "unit_id")
    deposit = sub.deposit if sub else deposits.confirmed_for(unit.id)
    if deposit is None or deposit.status != MoneyStatus.CONFIRMED:
        raise RuleViolation("该房源没有财务已确认的定金", "unit_id")
    return Deal(unit, deposit, sub, contracts.of_subscription(sub.id) if sub else None)


def received(deal):
    """Money finance has confirmed on the deal: the deposit plus confirmed payments 回款."""
    total = deal.deposit.amount
    if deal.contract is not None:
        fen = db.session.scalar(select(sum_fen(Payment.amount)).where(
            Payment.contract_id == deal.contract.id, Payment.status == MoneyStatus.CONFIRMED))
        total += from_fen(fen)
    return total


def pending_payments(deal):
    if deal.contract is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(Payment).where(
        Payment.contract_id == deal.contract.id, Payment.status == MoneyStatus.PENDING))


def confirmed_payments(deal):
    if deal.contract is None:
        return []
    return db.session.scalars(select(Payment).where(
        Payment.contract_id == deal.contract.id, Payment.status == MoneyStatus.CONFIRMED)
        .order_by(Payment.id)).all()


def live_units(project_id, consultant_id=None):
    """Units with a deal a change can start from (the request form's choices)."""
    from app.models import Building
    query = (select(Unit).join(Building).where(Building.project_id == project_id,
                                                Unit.status.in_(DEAL_STAGES))
             .order_by(Building.sort_order, Building.name, Unit.floor, Unit.unit_no))
    units = db.session.scalars(query).all()
    if consultant_id is None:
        return units
    mine = set(db.session.scalars(select(Deposit.unit_id).where(
        Deposit.consultant_id == consultant_id, Deposit.status == MoneyStatus.CONFIRMED)))
    return [u for u in units if u.id in mine]


