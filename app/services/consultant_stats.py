"""Consultant performance 置业顾问业绩 for a period: visits received, new customers, follow-ups,
grade mix, holds. Subscriptions, contracts and visit → subscription conversion join when the
deals area (issue 5) lands: add a function and a column to `COLUMNS`.
"""
from collections import defaultdict

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Customer, FollowUp, User, Visit
from app.models.customer import GRADES

COLUMNS = (("visits", "接待来访"), ("calls", "接听来电"), ("new_customers", "新增客户"),
           ("follow_ups", "跟进次数"), ("effective", "有效跟进"), ("holds", "保留房源"),
           ("overdue", "逾期未跟进"), ("owned", "名下客户"))


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
    owned = _owned(project_id, day)
    users = db.session.scalars(select(User).where(User.role == "consultant")
                               .order_by(User.display_name, User.id)).all()
    rows = []
    for user in users:
        row = {key: figures[key].get(user.id, 0) for key in figures}
        mine = owned.get(user.id, {"grades": {}, "owned": 0, "overdue": 0, "scheduled": 0})
        row.update(owned=mine["owned"], overdue=mine["overdue"],
                   grades={g: mine["grades"].get(g, 0) for g in GRADES + ("-",)},
                   on_time=_percent(mine["scheduled"] - mine["overdue"], mine["scheduled"]))
        if user.active or any(row[key] for key, _label in COLUMNS):
            rows.append((user, row))
    return rows


def _owned(project_id, day):
    """Per owner: customers owned now, by grade, with a follow-up scheduled and overdue."""
    out = defaultdict(lambda: {"grades": defaultdict(int), "owned": 0, "overdue": 0,
                               "scheduled": 0})
    rows = db.session.execute(
        select(Customer.owner_id, Customer.grade, Customer.follow_up_deadline).where(
            Customer.project_id == project_id, Customer.owner_id.is_not(None),
            Customer.anonymised_at.is_(None), Customer.deal_at.is_(None))).all()
    for owner_id, grade, deadline in rows:
        mine = out[owner_id]
        mine["owned"] += 1
        mine["grades"][grade or "-"] += 1
        if deadline is not None:
            mine["scheduled"] += 1
            mine["overdue"] += deadline < day
    return out


def _percent(part, whole):
    from decimal import Decimal
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None
