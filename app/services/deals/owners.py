"""业主登记一览表 (seed 003 订金客户管理: 客户定房后,销控将资料输入《业主登记一览表》): every
buyer from the deposit on (定金待确认, 定金已确认, 认购, 签约), with the unit's area and layout,
the 认购书 when there is one, and what they have paid to date (the confirmed deposit plus the
confirmed 回款). A refund drops the row (the deposit is refunded); an exchange moves it to the
new unit (the deposit moves)."""
from sqlalchemy import and_, case, func, select, type_coerce

from app.models import (
    Building,
    Contract,
    Customer,
    Deposit,
    MoneyStatus,
    Payment,
    Subscription,
    SubscriptionStatus,
    Unit,
)
from app.models.types import Money
from app.services.money import as_fen, sum_fen


def owners(project_id):
    """(SELECT of the register's labelled columns, the model whose time column filters it)."""
    received = (select(sum_fen(Payment.amount))
                .join(Contract, Contract.id == Payment.contract_id)
                .where(Contract.subscription_id == Subscription.id,
                       Payment.status == MoneyStatus.CONFIRMED).scalar_subquery())
    deposit_paid = case((Deposit.status == MoneyStatus.CONFIRMED, as_fen(Deposit.amount)),
                        else_=0)
    paid = type_coerce(deposit_paid + func.coalesce(received, 0), Money())
    return (select(Unit.label_sql().label("unit"),
                   Unit.layout.label("layout"), Unit.building_area.label("area"),
                   Customer.name.label("customer"), Customer.phone.label("phone"),
                   Subscription.co_buyers.label("co_buyers"),
                   Subscription.address.label("address"), Subscription.number.label("number"),
                   Deposit.amount.label("deposit"), Subscription.deal_price.label("deal_price"),
                   paid.label("paid"), Unit.status.label("status"),
                   Deposit.recorded_at.label("at"))
            .select_from(Deposit)
            .join(Unit, Unit.id == Deposit.unit_id).join(Building)
            .outerjoin(Subscription, and_(Subscription.deposit_id == Deposit.id,
                                          Subscription.status == SubscriptionStatus.SIGNED))
            .join(Customer, Customer.id == func.coalesce(Subscription.customer_id,
                                                         Deposit.customer_id))
            .where(Deposit.project_id == project_id,
                   Deposit.status.in_(MoneyStatus.LIVE))), Deposit
