"""The manager's dashboard: today / this week / this month, and what needs the manager now.

One function per figure source, so later sources (deposits, subscriptions, contracts, 回款
from issue 5) add a function and a row to `FIGURES` without touching the others. Every figure
is computed in the database over the register it names, for [start, end) of Shanghai days.
"""
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Building, Customer, Unit, UnitStatus, User, Visit
from app.models.customer import GRADES
from app.services import clock, overview, sales_report
from app.services.visit_stats import period_bounds

PERIOD_LABELS = (("day", "今日"), ("week", "本周"), ("month", "本月"))
NO_GRADE = "未评级"
SOON_MINUTES = 10  # a hold with less left than this is flagged 即将到期


def visit_counts(project_id, start, end):
    """{'visit': n, 'call': n} from the visit and call log 来人来电."""
    rows = db.session.execute(
        select(Visit.kind, func.count()).where(Visit.project_id == project_id,
                                               Visit.at >= start, Visit.at < end)
        .group_by(Visit.kind)).all()
    return {"visit": 0, "call": 0, **dict(rows)}


def new_customers(project_id, start, end):
    """{grade: n} of the customer cards registered in the period (peers 踩盘 left out)."""
    rows = db.session.execute(
        select(Customer.grade, func.count()).where(
            Customer.project_id == project_id, Customer.is_peer.is_(False),
            Customer.created_at >= start, Customer.created_at < end)
        .group_by(Customer.grade)).all()
    counts = Counter({grade or NO_GRADE: n for grade, n in rows})
    return {grade: counts[grade] for grade in GRADES + (NO_GRADE,)}


def holds_made(project_id, start, end):
    """Holds 保留 taken in the period, from the audit rows of the board's moves."""
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.project_id == project_id, AuditLog.action == "unit_hold",
        AuditLog.at >= start, AuditLog.at < end))


def units_sold(project_id, start, end):
    """Net units sold (into 已认购/已签约, less 退房) by the unit moves of the period."""
    sold, returned = sales_report.sales_between(project_id, start, end)
    return len(sold) - len(returned)


# (key, label, function(project_id, start, end)): the rows of the period table.
FIGURES = [("visits", "来访 / 来电", visit_counts), ("customers", "新增客户", new_customers),
           ("holds", "保留房源", holds_made), ("sold", "成交套数", units_sold)]


def period_figures(project_id, day=None):
    """{period: {'first', 'last', key: value}} for today, this week and this month."""
    day = day or clock.today()
    out = {}
    for kind, label in PERIOD_LABELS:
        first, last = period_bounds(kind, day)
        start, end = clock.day_bounds(first)[0], clock.day_bounds(last)[1]
        out[kind] = {"label": label, "first": first, "last": last,
                     **{key: fn(project_id, start, end) for key, _l, fn in FIGURES}}
    return out


def sell_through_by_building(project_id, now=None):
    """[(building, summary)] with 去化率 per building, as the board counts it now."""
    buildings = db.session.scalars(select(Building).where(Building.project_id == project_id)
                                   .order_by(Building.sort_order, Building.id)).all()
    return [(b, overview.unit_status_summary(project_id, b.id, now)) for b in buildings]


def overdue_follow_ups(project_id, day=None):
    """[(consultant, count)] of owned customers whose follow-up deadline has passed."""
    day = day or clock.today()
    rows = db.session.execute(
        select(User, func.count(Customer.id)).join(Customer, Customer.owner_id == User.id)
        .where(Customer.project_id == project_id, Customer.follow_up_deadline < day,
               Customer.anonymised_at.is_(None), Customer.deal_at.is_(None))
        .group_by(User.id).order_by(func.count(Customer.id).desc(), User.display_name)).all()
    return [(user, count) for user, count in rows]


def active_holds(project_id, now=None):
    """Units held right now, soonest expiry first, each flagged when it expires soon."""
    now = now or clock.now()
    units = db.session.scalars(
        select(Unit).join(Building).where(Building.project_id == project_id,
                                          Unit.status == UnitStatus.HELD,
                                          Unit.hold_expires_at > now)
        .order_by(Unit.hold_expires_at)).all()
    soon = now + timedelta(minutes=SOON_MINUTES)
    return [(unit, unit.hold_expires_at <= soon) for unit in units]
