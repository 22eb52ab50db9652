"""佣金明细表 (every line) and 佣金结算表 (by payee and status), filtered by payee, period and
status, with totals the database adds up in integer fen; a consultant sees their own lines."""
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import (
    Building,
    CommissionLine,
    Customer,
    Deposit,
    LineStatus,
    Subscription,
    Unit,
)
from app.models.commission import LINE_KINDS, PAYEE_KINDS
from app.policy import can
from app.services.clock import day_bounds
from app.services.money import as_fen, from_fen, sum_fen
from app.xlsx import Column as C

PAGE_LIMIT = 500
FILTERS = ("payee", "payee_kind", "status", "start", "end")
COLUMNS = (C("编号", "id", "int", 8), C("日期", "created_at", "datetime", 17),
           C("房号", "unit"), C("客户", "customer"), C("对象", "payee_kind", "text", 12),
           C("收款人", "payee_name", "text", 18), C("类型", "kind", "text", 8),
           C("金额", "amount", "money"), C("状态", "status", "text", 8),
           C("计算方式", "basis", "text", 48), C("规则版本", "rule_id", "int", 8),
           C("审批批次", "batch_id", "int", 8), C("发放/追回日期", "paid_on", "date", 14),
           C("凭证号", "pay_reference", "text", 14))
# on screen: who, what and how; the export has every column
PAGE_COLUMNS = tuple(c for c in COLUMNS if c.key not in ("payee_kind", "rule_id", "paid_on",
                                                         "pay_reference"))
SUMMARY_COLUMNS = ((C("收款人", "payee_name", "text", 20), C("对象", "payee_kind", "text", 12))
                   + tuple(C(label, status, "money") for status, label
                           in LineStatus.LABELS.items())
                   + (C("应得合计", "total", "money"), C("未发放", "unpaid", "money")))


def _query(project_id, filters, viewer=None):
    line = CommissionLine
    query = (select(line.id.label("id"), line.created_at.label("created_at"),
                    (Building.name + " " + Unit.unit_no).label("unit"),
                    Customer.name.label("customer"), line.payee_kind.label("payee_kind"),
                    line.payee_key.label("payee_key"), line.payee_name.label("payee_name"),
                    line.kind.label("kind"), line.amount.label("amount"),
                    line.status.label("status"), line.basis.label("basis"),
                    line.rule_id.label("rule_id"), line.batch_id.label("batch_id"),
                    line.paid_on.label("paid_on"), line.pay_reference.label("pay_reference"))
             .join(Deposit, Deposit.id == line.deposit_id)
             .outerjoin(Subscription, Subscription.id == line.subscription_id)
             # the unit of the 认购书 the line was worked out on (换房 moves the deal on)
             .join(Unit, Unit.id == func.coalesce(Subscription.unit_id, Deposit.unit_id))
             .join(Building, Building.id == Unit.building_id)
             .join(Customer, Customer.id == Deposit.customer_id)
             .where(line.project_id == project_id))
    for key, column in (("payee", line.payee_key), ("payee_kind", line.payee_kind),
                        ("status", line.status)):
        if filters.get(key):
            query = query.where(column == filters[key])
    if filters.get("start"):
        query = query.where(line.created_at >= day_bounds(filters["start"])[0])
    if filters.get("end"):
        query = query.where(line.created_at < day_bounds(filters["end"])[1])
    if viewer is not None and can(viewer, "records.own_only"):
        query = query.where(line.user_id == viewer.id)
    return query


def rows(project_id, filters, viewer=None, limit=PAGE_LIMIT):
    query = _query(project_id, filters, viewer).order_by(CommissionLine.id)
    result = []
    for row in db.session.execute(query.limit(limit)).mappings():
        row = dict(row)
        row["payee_kind"] = PAYEE_KINDS[row["payee_kind"]]
        row["kind"], row["status_code"] = LINE_KINDS[row["kind"]], row["status"]
        row["status"] = LineStatus.LABELS[row["status"]]
        result.append(row)
    return result


def totals(project_id, filters, viewer=None):
    sub = _query(project_id, filters, viewer).subquery()
    count, amount = db.session.execute(select(func.count(), sum_fen(sub.c.amount))).one()
    return {"count": count, "amount": from_fen(amount)}


def _sums(sub):
    """SQL sums of a line query: per status, all, and not yet paid (integer fen)."""
    fen = as_fen(sub.c.amount)
    by_status = [func.coalesce(func.sum(case((sub.c.status == status, fen), else_=0)), 0)
                 for status in LineStatus.LABELS]
    unpaid = func.coalesce(func.sum(case((sub.c.status.in_(LineStatus.UNPAID), fen),
                                         else_=0)), 0)
    return [*by_status, func.coalesce(func.sum(fen), 0), unpaid]


def _named(sums):
    row = dict(zip(LineStatus.LABELS, map(from_fen, sums[:-2]), strict=True))
    row["total"], row["unpaid"] = from_fen(sums[-2]), from_fen(sums[-1])
    return row


def summary(project_id, filters, viewer=None):
    """One row per payee: the sum of their lines in each status, owed in all, not yet paid;
    and the same sums over all of them."""
    sub = _query(project_id, filters, viewer).subquery()
    query = (select(sub.c.payee_key, sub.c.payee_name, sub.c.payee_kind, *_sums(sub))
             .group_by(sub.c.payee_key, sub.c.payee_name, sub.c.payee_kind)
             .order_by(sub.c.payee_kind, sub.c.payee_name))
    result = []
    for key, name, kind, *sums in db.session.execute(query):
        result.append({"payee_key": key, "payee_name": name,
                       "payee_kind": PAYEE_KINDS[kind], **_named(sums)})
    return result, _named(db.session.execute(select(*_sums(sub))).one())


def payees(project_id, viewer=None):
    """[(payee key, name)] of everyone with a line, for the filter."""
    query = select(CommissionLine.payee_key, CommissionLine.payee_name).where(
        CommissionLine.project_id == project_id).distinct()
    if viewer is not None and can(viewer, "records.own_only"):
        query = query.where(CommissionLine.user_id == viewer.id)
    return sorted(db.session.execute(query).all(), key=lambda row: row[1])


def owed_by_payee(project_id):
    """{payee key: sum of their lines}: what each payee is owed now (the property test)."""
    return {key: from_fen(total) for key, total in db.session.execute(
        select(CommissionLine.payee_key, sum_fen(CommissionLine.amount))
        .where(CommissionLine.project_id == project_id)
        .group_by(CommissionLine.payee_key))}
