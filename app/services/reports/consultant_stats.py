"""Consultant performance 置业顾问业绩 for a period: visits received, new customers, follow-ups,
grade mix, holds, and the deals (app/services/reports/deal_stats.py): deposits, 认购, 签约, 回款,
split deals 合作成交 and the conversion visit → 认购.
"""
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import case, func, or_, select

from app.extensions import db
from app.models import AuditLog, Customer, DealShare, Deposit, FollowUp, Subscription, User, Visit
from app.models.customer import GRADES
from app.policy import holders
from app.services.money import from_fen, sum_fen
from app.services.reports import deal_stats

COLUMNS = (("visits", "接待来访"), ("calls", "接听来电"), ("new_customers", "新增客户"),
           ("follow_ups", "跟进次数"), ("effective", "有效跟进"), ("holds", "保留房源"),
           ("overdue", "逾期未跟进"), ("owned", "名下客户"), ("deals", "认购套数(按业绩)"),
           ("bonus", "奖金分成(套)"))
# (key, label, kind): the deal columns, from deal_stats.consultant_deals
DEAL_COLUMNS = (("deposits", "定金笔数", "int"), ("subscriptions", "认购套数", "int"),
                ("subscription_amount", "认购金额", "money"), ("contracts", "签约套数", "int"),
                ("contract_amount", "签约金额", "money"), ("collected", "回款(已确认)", "money"),
                ("split", "合作成交", "int"))
ZERO = Decimal("0.00")


def _grouped(query):
    return dict(db.session.execute(query).all())


def performance(project_id, start, end, day):
    """[(user, {column: n, 'grades': {grade: n}, 'on_time': percent})] for active consultants."""
    in_period = lambda col: (col >= start) & (col < end)  # noqa: E731
    visit = lambda kind: _grouped(  # noqa: E731
        select(Visit.consultant_id, func.count()).where(
            Visit.project_id == project_id, Visit.kind == kind, in_period(Visit.at))
        .group_by(Visit.consultant_id))
    figures = {
        "visits": visit("visit"), "calls": visit("call"),
        "new_customers": _grouped(select(Customer.owner_id, func.count()).where(
            Customer.project_id == project_id, Customer.is_peer.is_(False),
            in_period(Customer.created_at)).group_by(Customer.owner_id)),
        "follow_ups": _grouped(select(FollowUp.consultant_id, func.count()).where(
            FollowUp.project_id == project_id, in_period(FollowUp.at))
            .group_by(FollowUp.consultant_id)),
        "effective": _grouped(select(FollowUp.consultant_id, func.count()).where(
            FollowUp.project_id == project_id, FollowUp.effective.is_(True),
            in_period(FollowUp.at)).group_by(FollowUp.consultant_id)),
        "holds": _grouped(select(AuditLog.user_id, func.count()).where(
            AuditLog.project_id == project_id, AuditLog.action == "unit_hold",
            in_period(AuditLog.at)).group_by(AuditLog.user_id)),
    }
    figures["deals"] = _deals(project_id, start, end, DealShare.credit)
    figures["bonus"] = _deals(project_id, start, end, DealShare.percent)
    deals = deal_stats.consultant_deals(project_id, start, end)
    owned = _owned(project_id, day)
    users = db.session.scalars(select(User).where(holders("customers.own"))
                               .order_by(User.display_name, User.id)).all()
    rows = []
    for user in users:
        row = {key: figures[key].get(user.id, 0) for key in figures}
        mine = owned.get(user.id, {"grades": {}, "owned": 0, "overdue": 0, "scheduled": 0})
        row.update(owned=mine["owned"], overdue=mine["overdue"],
                   grades={g: mine["grades"].get(g, 0) for g in GRADES + ("-",)},
                   on_time=_percent(mine["scheduled"] - mine["overdue"], mine["scheduled"]))
        mine_deals = deals.get(user.id, {})
        for key, _label, kind in DEAL_COLUMNS:
            row[key] = mine_deals.get(key) or (ZERO if kind == "money" else 0)
        row["conversion"] = _percent(row["subscriptions"], row["visits"])
        if user.active or any(row[key] for key, _label in COLUMNS) or row["subscriptions"]:
            rows.append((user, row))
    return rows


def _deals(project_id, start, end, column):
    """Subscriptions signed in the period, each counted by the consultant's share in `column`
    (业绩 credit or 奖金 percent: 80% → 0.8); a complaint split waiting for the manager
    (准则(4)) counts for nobody yet."""
    rows = db.session.execute(
        select(DealShare.user_id, sum_fen(column))
        .join(Subscription, Subscription.deposit_id == DealShare.deposit_id)
        .join(Deposit, Deposit.id == DealShare.deposit_id)
        .where(Subscription.project_id == project_id, Subscription.status == "signed",
               Subscription.signed_at >= start, Subscription.signed_at < end,
               or_(Deposit.split_status.is_(None), Deposit.split_status != "pending"))
        .group_by(DealShare.user_id)).all()
    return {uid: (from_fen(total) / 100).quantize(Decimal("0.01"))
            for uid, total in rows if total}


def _owned(project_id, day):
    """Per owner: customers owned now, by grade, with a follow-up scheduled and overdue."""
    out = defaultdict(lambda: {"grades": defaultdict(int), "owned": 0, "overdue": 0,
                               "scheduled": 0})
    deadline = Customer.follow_up_deadline
    rows = db.session.execute(  # grouped in the database: 20,000 cards are a few rows here
        select(Customer.owner_id, Customer.grade, func.count(), func.count(deadline),
               func.sum(case((deadline < day, 1), else_=0))).where(
            Customer.project_id == project_id, Customer.owner_id.is_not(None),
            Customer.anonymised_at.is_(None), Customer.deal_at.is_(None))
        .group_by(Customer.owner_id, Customer.grade)).all()
    for owner_id, grade, owned, scheduled, overdue in rows:
        mine = out[owner_id]
        mine["owned"] += owned
        mine["grades"][grade or "-"] += owned
        mine["scheduled"] += scheduled
        mine["overdue"] += int(overdue or 0)
    return out


def _percent(part, whole):
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None
