"""换房退房一览表 (every request with its figures) and the reasons report, from the database."""
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Building,
    ChangeRequest,
    ChangeStatus,
    Customer,
    Payout,
    Unit,
    UnitStatus,
    User,
)
from app.policy import can
from app.services.changes import KINDS, REASONS, RENAME_ACTIONS, STATUS
from app.services.clock import day_bounds
from app.xlsx import Column

PAGE_LIMIT = 500
C = Column
COLUMNS = (C("编号", "id", "int", 8), C("类型", "kind", "text", 8), C("房号", "unit"),
           C("申请时阶段", "stage", "text", 10),
           C("目标房号", "target"), C("客户", "customer"), C("置业顾问", "consultant"),
           C("原因", "reason", "text", 14), C("说明", "notes", "text", 24),
           C("状态", "status", "text", 10), C("申请人", "requester"),
           C("申请时间", "requested_at", "datetime", 17), C("审批人", "approver"),
           C("执行时间", "executed_at", "datetime", 17), C("已收金额", "received", "money"),
           C("原成交价", "old_price", "money"), C("新成交价", "new_price", "money"),
           C("违约金", "penalty", "money"), C("退款", "refund", "money"))
MONEY = ("received", "penalty", "refund")
FILTERS = ("kind", "status", "reason", "building", "consultant", "start", "end", "basis",
           "stage")
# the dates filter on when it was asked, or when it was done (the 销售日报 counts 退房 then)
BASES = {"requested": "申请日期", "executed": "执行日期"}
# a 退房 of a sold unit (the 日报's 退房) or of a deposit not yet 认购
STAGES = {"sold": "已认购/已签约", "deposit": "定金阶段"}


def _query(project_id, filters, viewer=None):
    unit, target = aliased(Unit), aliased(Unit)
    building, target_building = aliased(Building), aliased(Building)
    consultant, requester, approver = aliased(User), aliased(User), aliased(User)
    cr = ChangeRequest
    query = (select(cr.id.label("id"), cr.kind.label("kind"),
                    Unit.label_sql(unit, building).label("unit"),
                    cr.stage.label("stage"),
                    Unit.label_sql(target, target_building).label("target"),
                    Customer.name.label("customer"), consultant.display_name.label("consultant"),
                    cr.reason.label("reason"), cr.notes.label("notes"),
                    cr.status.label("status"), requester.display_name.label("requester"),
                    cr.requested_at.label("requested_at"),
                    approver.display_name.label("approver"),
                    cr.executed_at.label("executed_at"), cr.received.label("received"),
                    cr.old_price.label("old_price"), cr.new_price.label("new_price"),
                    cr.penalty.label("penalty"), Payout.amount.label("refund"),
                    cr.rename_action.label("rename_action"),
                    building.name.label("building_name"))
             .join(unit, unit.id == cr.unit_id).join(building, building.id == unit.building_id)
             .outerjoin(target, target.id == cr.target_unit_id)
             .outerjoin(target_building, target_building.id == target.building_id)
             .join(Customer, Customer.id == cr.customer_id)
             .join(consultant, consultant.id == cr.consultant_id)
             .join(requester, requester.id == cr.requested_by_id)
             .outerjoin(approver, approver.id == cr.decided_by_id)
             .outerjoin(Payout, Payout.change_id == cr.id)
             .where(cr.project_id == project_id))
    for key, column in (("kind", cr.kind), ("status", cr.status), ("reason", cr.reason),
                        ("building", building.id), ("consultant", cr.consultant_id)):
        if filters.get(key):
            query = query.where(column == filters[key])
    if filters.get("stage") in STAGES:
        sold = cr.stage.in_(UnitStatus.SOLD)
        query = query.where(sold if filters["stage"] == "sold" else ~sold)
    when = cr.executed_at if filters.get("basis") == "executed" else cr.requested_at
    if filters.get("start"):
        query = query.where(when >= day_bounds(filters["start"])[0])
    if filters.get("end"):
        query = query.where(when < day_bounds(filters["end"])[1])
    if viewer is not None and can(viewer, "records.own_only"):
        query = query.where((cr.requested_by_id == viewer.id) | (cr.consultant_id == viewer.id))
    return query


def rows(project_id, filters, viewer=None, limit=PAGE_LIMIT):
    query = _query(project_id, filters, viewer).order_by(ChangeRequest.requested_at.desc(),
                                                         ChangeRequest.id.desc())
    result = []
    for row in db.session.execute(query.limit(limit)).mappings():
        row = dict(row)
        row["kind"] = KINDS[row["kind"]] + (f"({RENAME_ACTIONS[row['rename_action']]})"
                                            if row["rename_action"] else "")
        row["reason"], row["status"] = REASONS[row["reason"]], STATUS[row["status"]]
        row["stage"] = UnitStatus.LABELS.get(row["stage"], row["stage"])
        result.append(row)
    return result


def totals(project_id, filters, viewer=None):
    from app.services.money import from_fen, sum_fen
    sub = _query(project_id, filters, viewer).subquery()
    sums = db.session.execute(select(func.count(), *[sum_fen(sub.c[k]) for k in MONEY])).one()
    return {"count": sums[0], **{k: from_fen(v) for k, v in zip(MONEY, sums[1:], strict=True)}}


def reasons(project_id, filters):
    """Executed refunds and exchanges counted by reason, building and consultant."""
    base = {**filters, "status": ChangeStatus.EXECUTED}
    sub = _query(project_id, base).where(
        ChangeRequest.kind.in_(("exchange", "refund"))).subquery()

    def grouped(column):
        query = (select(column, sub.c.kind, func.count()).group_by(column, sub.c.kind)
                 .order_by(column))
        table = {}
        for key, kind, count in db.session.execute(query):
            table.setdefault(key, {"exchange": 0, "refund": 0})[kind] = count
        return table

    return {"reason": {REASONS[k]: v for k, v in grouped(sub.c.reason).items()},
            "building": grouped(sub.c.building_name), "consultant": grouped(sub.c.consultant)}


def buildings(project_id):
    return db.session.execute(select(Building.id, Building.name).where(
        Building.project_id == project_id).order_by(Building.sort_order, Building.name)).all()
