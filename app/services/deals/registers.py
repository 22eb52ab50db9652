"""The registers 明细表 the office keeps: rows and totals, both from the database.

Each register is a SELECT of labelled columns; its totals are SUM()s over the same rows
(integer fen), so the figure under a register equals the sum of the rows above it, less the
rows whose money never counted (a voided receipt, a deposit finance rejected): those stay
listed, and the total says how many it left out.
"""
from dataclasses import dataclass

from sqlalchemy import case, func, select, true, type_coerce
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Building,
    ChannelAgent,
    ChannelCompany,
    ChannelReport,
    Contract,
    Customer,
    DealShare,
    Deposit,
    Instalment,
    MoneyStatus,
    Payment,
    Receipt,
    ReceiptStatus,
    Subscription,
    SubscriptionDiscount,
    SubscriptionStatus,
    Unit,
    UnitStatus,
    User,
)
from app.models.types import Money
from app.services.clock import day_bounds
from app.services.deals import outcomes
from app.services.deals.common import (
    METHODS,
    MONEY_STATUS,
    PLANS,
    RECEIPT_PURPOSES,
    RECEIPT_STATUS,
)
from app.services.deals.owners import owners
from app.services.money import as_fen, from_fen, sum_fen
from app.xlsx import Column

PAGE_LIMIT = 500
SUB_STATUS = outcomes.OUTCOMES
CONTRACT_STATUS = {"valid": "有效", "refunded": "已退房"}


@dataclass(frozen=True)
class Register:
    title: str
    columns: tuple
    money: tuple  # keys of the money columns that get a total
    statuses: dict  # status filter choices
    labels: dict  # key -> {code: Chinese label}
    uncounted: tuple = ()  # statuses listed but left out of the money totals
    note: str = ""  # what the register counts, where another page counts differently

    def uncounted_labels(self):
        return "、".join(self.statuses[status] for status in self.uncounted)


# 回款 means one thing on 回款账龄, 签约明细表 and 回款明细表 (reports/collection_stats.py)
COLLECTIONS = ("回款 = 财务已确认的房款(与回款账龄、签约明细表、回款明细表同一口径);"
               "待财务确认的单列,不计入回款。")


def _unit_name():
    return Unit.label_sql().label("unit")


def _deposits(kind):
    def query(project_id):
        recorder = aliased(User)
        return (select(Receipt.number.label("receipt_no"), Receipt.id.label("receipt_id"),
                       _unit_name(),
                       Customer.name.label("customer"), User.display_name.label("consultant"),
                       Deposit.amount.label("amount"), Deposit.method.label("method"),
                       ChannelCompany.name.label("channel"), Deposit.id.label("shares"),
                       Deposit.status.label("status"), Deposit.recorded_at.label("at"),
                       recorder.display_name.label("recorder"))
                .join(Receipt, Receipt.id == Deposit.receipt_id)
                .outerjoin(ChannelReport, ChannelReport.id == Deposit.channel_report_id)
                .outerjoin(ChannelAgent, ChannelAgent.id == ChannelReport.agent_id)
                .outerjoin(ChannelCompany, ChannelCompany.id == ChannelAgent.company_id)
                .join(Unit, Unit.id == Deposit.unit_id).join(Building)
                .join(Customer, Customer.id == Deposit.customer_id)
                .join(User, User.id == Deposit.consultant_id)
                .join(recorder, recorder.id == Deposit.recorded_by_id)
                .where(Deposit.project_id == project_id, Deposit.kind == kind)), Deposit
    return query


def _discount_sum(kind):
    return type_coerce(select(sum_fen(SubscriptionDiscount.amount)).where(
        SubscriptionDiscount.subscription_id == Subscription.id,
        SubscriptionDiscount.kind == kind).scalar_subquery(), Money())


def _subscriptions(project_id):
    return (select(Subscription.number.label("number"), _unit_name(),
                   Customer.name.label("customer"), Subscription.list_price.label("list_price"),
                   _discount_sum("standard").label("standard_discount"),
                   _discount_sum("special").label("special_discount"),
                   Subscription.deal_price.label("deal_price"), Deposit.amount.label("deposit"),
                   Subscription.plan.label("plan"),
                   Subscription.sign_deadline.label("deadline"),
                   ChannelCompany.name.label("channel"), Subscription.deposit_id.label("shares"),
                   outcomes.outcome_sql().label("status"), Subscription.signed_at.label("at"))
            .join(Unit, Unit.id == Subscription.unit_id).join(Building)
            .join(Customer, Customer.id == Subscription.customer_id)
            .join(Deposit, Deposit.id == Subscription.deposit_id)
            .outerjoin(ChannelReport, ChannelReport.id == Deposit.channel_report_id)
            .outerjoin(ChannelAgent, ChannelAgent.id == ChannelReport.agent_id)
            .outerjoin(ChannelCompany, ChannelCompany.id == ChannelAgent.company_id)
            .where(Subscription.project_id == project_id)), Subscription


def _paid_on_contract(status):
    return (select(sum_fen(Payment.amount))
            .where(Payment.contract_id == Contract.id, Payment.status == status)
            .scalar_subquery())


def _contracts(project_id):
    received = _paid_on_contract(MoneyStatus.CONFIRMED)
    credited = (select(sum_fen(Instalment.credited))
                .where(Instalment.contract_id == Contract.id).scalar_subquery())
    return (select(Contract.number.label("number"), _unit_name(),
                   Customer.name.label("customer"), Contract.sign_date.label("sign_date"),
                   Contract.plan.label("plan"), Contract.total_price.label("total_price"),
                   type_coerce(credited, Money()).label("credited"),
                   type_coerce(received, Money()).label("received"),
                   type_coerce(_paid_on_contract(MoneyStatus.PENDING),
                               Money()).label("pending"),
                   type_coerce(as_fen(Contract.total_price) - credited
                               - received, Money()).label("balance"),
                   # a refund voids the contract's 认购书 (an exchange moves it to a new one)
                   case((Subscription.status == SubscriptionStatus.VOIDED, "refunded"),
                        else_="valid")
                   .label("status"), Contract.created_at.label("at"))
            .join(Subscription, Subscription.id == Contract.subscription_id)
            .join(Unit, Unit.id == Contract.unit_id).join(Building)
            .join(Customer, Customer.id == Contract.customer_id)
            .where(Contract.project_id == project_id)), Contract


def _payments(project_id):
    # a 退房 refunds the receipts of the confirmed payments (the payment rows stay confirmed)
    status = case((Receipt.status == ReceiptStatus.REFUNDED, MoneyStatus.REFUNDED),
                  else_=Payment.status)
    return (select(Receipt.number.label("receipt_no"), Receipt.id.label("receipt_id"),
                   Contract.number.label("contract"),
                   _unit_name(), Customer.name.label("customer"),
                   Instalment.label.label("instalment"), Payment.amount.label("amount"),
                   case((status == MoneyStatus.CONFIRMED, Payment.amount)).label("received"),
                   case((status == MoneyStatus.PENDING, Payment.amount)).label("pending"),
                   Payment.method.label("method"), status.label("status"),
                   Payment.recorded_at.label("at"))
            .join(Receipt, Receipt.id == Payment.receipt_id)
            .join(Contract, Contract.id == Payment.contract_id)
            .join(Instalment, Instalment.id == Payment.instalment_id)
            .join(Unit, Unit.id == Contract.unit_id).join(Building)
            .join(Customer, Customer.id == Contract.customer_id)
            .where(Payment.project_id == project_id)), Payment


def _receipts(project_id):
    return (select(Receipt.number.label("receipt_no"), Receipt.id.label("receipt_id"),
                   Receipt.purpose.label("purpose"),
                   _unit_name(), Customer.name.label("customer"), Receipt.amount.label("amount"),
                   Receipt.method.label("method"), Receipt.status.label("status"),
                   Receipt.reason.label("reason"), Receipt.issued_at.label("at"))
            .outerjoin(Unit, Unit.id == Receipt.unit_id).outerjoin(Building)
            .outerjoin(Customer, Customer.id == Receipt.payer_id)
            .where(Receipt.project_id == project_id)), Receipt


C = Column
_DEPOSIT_COLUMNS = (C("收据编号", "receipt_no", "receipt", 12), C("房号", "unit"),
                    C("客户", "customer"), C("置业顾问", "consultant"),
                    C("金额", "amount", "money"), C("付款方式", "method", "text", 10),
                    C("渠道", "channel"), C("业绩/奖金分成", "shares", "text", 28),
                    C("状态", "status", "text", 10), C("登记时间", "at", "datetime", 17),
                    C("登记人", "recorder"))
REGISTERS = {
    "small": (Register("小定明细表", _DEPOSIT_COLUMNS, ("amount",), MONEY_STATUS,
                       {"method": METHODS, "status": MONEY_STATUS}, (MoneyStatus.REJECTED,)),
              _deposits("small")),
    "large": (Register("大定明细表", _DEPOSIT_COLUMNS, ("amount",), MONEY_STATUS,
                       {"method": METHODS, "status": MONEY_STATUS}, (MoneyStatus.REJECTED,)),
              _deposits("large")),
    "subscriptions": (Register("认购明细表", (
        C("认购书编号", "number"), C("房号", "unit"), C("买受人", "customer"),
        C("表价", "list_price", "money"), C("标准优惠", "standard_discount", "money"),
        C("特殊优惠", "special_discount", "money"), C("成交价", "deal_price", "money"),
        C("定金", "deposit", "money"), C("付款方式", "plan"), C("签约期限", "deadline", "date"),
        C("渠道", "channel"), C("业绩/奖金分成", "shares", "text", 28),
        C("状态", "status", "text", 8), C("认购时间", "at", "datetime", 17)),
        ("list_price", "standard_discount", "special_discount", "deal_price", "deposit"),
        SUB_STATUS,
        {"plan": PLANS, "status": SUB_STATUS}, outcomes.ENDED), _subscriptions),
    "contracts": (Register("签约明细表", (
        C("合同编号", "number"), C("房号", "unit"), C("买受人", "customer"),
        C("签约日期", "sign_date", "date"), C("付款方式", "plan"),
        C("合同总价", "total_price", "money"), C("定金抵扣", "credited", "money"),
        C("已确认回款", "received", "money"), C("待财务确认", "pending", "money"),
        C("未回款", "balance", "money"), C("状态", "status", "text", 8)),
        ("total_price", "credited", "received", "pending", "balance"), CONTRACT_STATUS,
        {"plan": PLANS, "status": CONTRACT_STATUS}, ("refunded",),
        COLLECTIONS + "定金抵扣(已确认的定金抵作首期房款)单列;"
                      "未回款 = 合同总价 − 定金抵扣 − 已确认回款。"),
        _contracts),
    "payments": (Register("回款明细表", (
        C("收据编号", "receipt_no", "receipt", 12), C("合同编号", "contract"), C("房号", "unit"),
        C("客户", "customer"), C("期次", "instalment"), C("金额", "amount", "money"),
        C("已确认回款", "received", "money"), C("待财务确认", "pending", "money"),
        C("付款方式", "method"), C("状态", "status"), C("登记时间", "at", "datetime", 17)),
        # 回款 is money finance confirmed; what waits on finance is totalled apart
        ("received", "pending"), MONEY_STATUS, {"method": METHODS, "status": MONEY_STATUS},
        (MoneyStatus.REJECTED, MoneyStatus.REFUNDED),
        COLLECTIONS + "定金抵扣不是回款,不列在本表(见签约明细表、回款账龄的定金抵扣栏)。"),
        _payments),
    "owners": (Register("业主登记一览表", (
        C("房号", "unit"), C("户型", "layout"), C("建筑面积(㎡)", "area", "area", 10),
        C("业主", "customer"), C("电话", "phone"), C("共同购房人", "co_buyers", "text", 24),
        C("通讯地址", "address", "text", 30), C("认购书编号", "number"),
        C("定金", "deposit", "money"), C("成交价", "deal_price", "money"),
        C("累计已付", "paid", "money"), C("房源状态", "status"),
        C("定房时间", "at", "datetime", 17)), ("deposit", "deal_price", "paid"), {}, {}),
        owners),
    "receipts": (Register("收据台账", (
        C("收据编号", "receipt_no", "receipt", 12), C("款项", "purpose"), C("房号", "unit"),
        C("付款人", "customer"), C("金额", "amount", "money"), C("付款方式", "method"),
        C("状态", "status"), C("原因", "reason", "text", 20),
        C("开具时间", "at", "datetime", 17)), ("amount",), RECEIPT_STATUS,
        {"purpose": RECEIPT_PURPOSES, "method": METHODS, "status": RECEIPT_STATUS},
        (ReceiptStatus.VOIDED,)), _receipts),
}


def _filtered(name, project_id, filters):
    register, build = REGISTERS[name]
    query, model = build(project_id)
    time_column = getattr(model, {"Deposit": "recorded_at", "Payment": "recorded_at",
                                  "Receipt": "issued_at"}.get(model.__name__, "created_at"
                                  if model is Contract else "signed_at"))
    if filters.get("status") and filters["status"] in register.statuses:
        query = query.where(query.selected_columns["status"] == filters["status"])
    if filters.get("start"):
        query = query.where(time_column >= day_bounds(filters["start"])[0])
    if filters.get("end"):
        query = query.where(time_column < day_bounds(filters["end"])[1])
    return register, query


def rows(name, project_id, filters, limit=PAGE_LIMIT):
    register, query = _filtered(name, project_id, filters)
    order = query.selected_columns["at"] if "at" in query.selected_columns else \
        query.selected_columns[0]
    result = db.session.execute(query.order_by(order).limit(limit)).mappings().all()
    shown = [_display(register, dict(row)) for row in result]
    if "shares" in query.selected_columns:
        _share_texts(shown)
    return shown


def _share_texts(rows):
    """'业绩 王芳|奖金 王芳 80% · 李强 20%' in place of each row's deposit id (one query)."""
    ids = {row["shares"] for row in rows}
    bonus, credit = {}, {}
    for share in db.session.scalars(select(DealShare).where(DealShare.deposit_id.in_(ids))
                                    .order_by(DealShare.percent.desc(), DealShare.id)):
        name = share.user.display_name
        bonus.setdefault(share.deposit_id, []).append(f"{name} {share.percent.normalize():f}%")
        if share.credit:
            credit.setdefault(share.deposit_id, []).append(
                name if share.credit == 100 else f"{name} {share.credit.normalize():f}%")
    pending = set(db.session.scalars(select(Deposit.id).where(
        Deposit.id.in_(ids), Deposit.split_status == "pending")))
    for key in pending:
        credit[key] = ["待经理落实(投诉)"]
    for row in rows:
        key = row["shares"]
        row["shares"] = (f"业绩 {' · '.join(credit.get(key, [])) or '—'}|"
                         f"奖金 {' · '.join(bonus[key])}") if key in bonus else None


def totals(name, project_id, filters):
    """{'count': rows, 'uncounted': rows left out of the money, money key: Decimal},
    computed by the database over the same rows."""
    register, query = _filtered(name, project_id, filters)
    sub = query.subquery()
    counted = sub.c.status.not_in(register.uncounted) if register.uncounted else true()
    sums = db.session.execute(select(func.count(), func.count(case((~counted, 1))), *[
        sum_fen(case((counted, sub.c[key]))) for key in register.money])).one()
    result = {"count": sums[0], "uncounted": sums[1]}
    for key, fen in zip(register.money, sums[2:], strict=True):
        result[key] = from_fen(fen)
    return result


def _display(register, row):
    for key, labels in register.labels.items():
        row[key] = labels.get(row[key], row[key])
    if "co_buyers" in row:
        import json
        row["co_buyers"] = "、".join(name for name, _ in json.loads(row["co_buyers"] or "[]"))
    if "status" in row and row["status"] in UnitStatus.LABELS and "paid" in row:  # 业主登记
        row["status"] = UnitStatus.LABELS[row["status"]]
    return row
