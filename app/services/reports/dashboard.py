"""The manager's dashboard: today / this week / this month, and what needs the manager now.

One function per figure source (a row of `FIGURES`); the deal figures (定金, 认购, 签约, 回款)
come from app/services/reports/deal_stats.py. Every figure is computed in the database over the
register it names, for [start, end) of Shanghai days.
"""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import (
    AuditLog,
    Building,
    Contract,
    Customer,
    Deposit,
    Payment,
    Subscription,
    Unit,
    UnitStatus,
    User,
    Visit,
)
from app.models.customer import GRADES
from app.services import clock
from app.services.board.unit_status import effective_status
from app.services.customers.options import all_options
from app.services.customers.visit_stats import UNFILLED, period_bounds
from app.services.money import from_fen, sum_fen
from app.services.reports import collection_stats, deal_stats, overview, sales_report

PERIOD_LABELS = (("day", "今日"), ("week", "本周"), ("month", "本月"))
NO_GRADE = "未评级"
SOON_MINUTES = 10  # a hold with less left than this is flagged 即将到期


def _bucketed(column, periods):
    """sum(CASE ...) per period: one scan of a register answers today, this week and month."""
    return [func.sum(case(((column >= start) & (column < end), 1), else_=0))
            for start, end in periods]


def _span(periods):
    return min(start for start, _e in periods), max(end for _s, end in periods)


def visit_counts(project_id, periods):
    """Per period {'visit': n, 'call': n} from the visit and call log 来人来电."""
    first, last = _span(periods)
    rows = db.session.execute(
        select(Visit.kind, *_bucketed(Visit.at, periods)).where(
            Visit.project_id == project_id, Visit.at >= first, Visit.at < last)
        .group_by(Visit.kind)).all()
    out = [{"visit": 0, "call": 0} for _p in periods]
    for kind, *counts in rows:
        for index, count in enumerate(counts):
            out[index][kind] = int(count or 0)
    return out


def new_customers(project_id, periods):
    """Per period {grade: n} of the customer cards registered (peers 踩盘 left out)."""
    first, last = _span(periods)
    rows = db.session.execute(
        select(Customer.grade, *_bucketed(Customer.created_at, periods)).where(
            Customer.project_id == project_id, Customer.is_peer.is_(False),
            Customer.created_at >= first, Customer.created_at < last)
        .group_by(Customer.grade)).all()
    out = [{grade: 0 for grade in GRADES + (NO_GRADE,)} for _p in periods]
    for grade, *counts in rows:
        for index, count in enumerate(counts):
            out[index][grade or NO_GRADE] += int(count or 0)
    return out


def holds_made(project_id, periods):
    """Holds 保留 taken per period, from the audit rows of the board's moves."""
    return [db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.project_id == project_id, AuditLog.action == "unit_hold",
        AuditLog.at >= start, AuditLog.at < end)) for start, end in periods]


def units_sold(project_id, periods):
    """Net units sold per period (into 已认购/已签约, less 退房) by the unit moves."""
    out = []
    for start, end in periods:
        out.append(sales_report.sales_between(project_id, start, end).net)
    return out


# (key, label, function(project_id, [(start, end)]) -> [value per period]): one per source.
FIGURES = [("visits", "来访 / 来电", visit_counts), ("customers", "新增客户", new_customers),
           ("holds", "保留房源", holds_made), ("sold", "成交套数", units_sold),
           ("deposits", "定金", deal_stats.deposits),
           ("subscriptions", "认购", deal_stats.subscriptions),
           ("contracts", "签约", deal_stats.contracts),
           ("collections", "回款", deal_stats.collections)]


def period_figures(project_id, day=None):
    """{period: {'label', 'first', 'last', key: value}} for today, this week and this month."""
    day = day or clock.today()
    out, periods = {}, []
    for kind, label in PERIOD_LABELS:
        first, last = period_bounds(kind, day)
        out[kind] = {"label": label, "first": first, "last": last}
        periods.append((clock.day_bounds(first)[0], clock.day_bounds(last)[1]))
    for key, _label, fn in FIGURES:
        for (kind, _l), value in zip(PERIOD_LABELS, fn(project_id, periods), strict=True):
            out[kind][key] = value
    return out


def sell_through_by_building(project_id, now=None):
    """[(building, summary)] with 去化率 per building, as the board counts it now (one query)."""
    buildings = db.session.scalars(select(Building).where(Building.project_id == project_id)
                                   .order_by(Building.sort_order, Building.id)).all()
    inner = (select(Unit.building_id, effective_status(now or clock.now()).label("status"),
                    Unit.building_area, Unit.total_price)
             .join(Building).where(Building.project_id == project_id).subquery())
    rows = db.session.execute(
        select(inner.c.building_id, inner.c.status, func.count(), func.sum(inner.c.building_area),
               func.sum(inner.c.total_price)).group_by(inner.c.building_id, inner.c.status)).all()
    counts = defaultdict(dict)
    for building_id, status, *figures in rows:
        counts[building_id][status] = figures
    return [(b, overview.summarise(counts[b.id])) for b in buildings]


def overdue_follow_ups(project_id, day=None):
    """[(consultant, count)] of owned customers whose follow-up deadline has passed."""
    day = day or clock.today()
    counts = dict(db.session.execute(
        select(Customer.owner_id, func.count()).where(
            Customer.project_id == project_id, Customer.follow_up_deadline < day,
            Customer.owner_id.is_not(None), Customer.anonymised_at.is_(None),
            Customer.deal_at.is_(None)).group_by(Customer.owner_id)).all())
    users = db.session.scalars(select(User).where(User.id.in_(counts))).all() if counts else []
    return sorted(((user, counts[user.id]) for user in users),
                  key=lambda pair: (-pair[1], pair[0].display_name))


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


def channel_counts(project_id, start, end):
    """[(channel, visits and calls)] in the project's channel order, 未填写 last: channel mix."""
    counts = dict(db.session.execute(
        select(Visit.channel, func.count()).where(Visit.project_id == project_id,
                                                  Visit.at >= start, Visit.at < end)
        .group_by(Visit.channel)).all())
    order = all_options(project_id)["channel"]
    named = sorted((c for c in counts if c), key=lambda c: (
        order.index(c) if c in order else len(order), c))
    return [(c, counts[c]) for c in named] + ([(UNFILLED, counts[None])] if None in counts else [])


def waiting_on_finance(project_id):
    """Deposits and payments recorded and not yet confirmed: {'deposits': (n, amount), ...}."""
    out = {}
    for key, model in (("deposits", Deposit), ("payments", Payment)):
        count, fen = db.session.execute(
            select(func.count(), sum_fen(model.amount)).where(
                model.project_id == project_id, model.status == "pending")).one()
        out[key] = (count, from_fen(fen))
    return out


def unsigned_subscriptions(project_id, day=None, limit=8):
    """(count, first `limit`) of 认购书 past their deadline to sign with no contract yet."""
    day = day or clock.today()
    query = (select(Subscription).join(Unit, Unit.id == Subscription.unit_id)
             .outerjoin(Contract, Contract.subscription_id == Subscription.id)
             .where(Subscription.project_id == project_id, Subscription.status == "signed",
                    Unit.status == UnitStatus.SUBSCRIBED, Subscription.sign_deadline < day,
                    Contract.id.is_(None)))
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return count, db.session.scalars(query.order_by(Subscription.sign_deadline)
                                     .limit(limit)).all()


def attention(project_id, day=None):
    """What needs the manager now, beyond follow-ups and holds: arrears and 违约, money
    waiting on finance, 认购 past the deadline to sign."""
    buckets = collection_stats.bucket_totals(project_id, day)
    count, unsigned = unsigned_subscriptions(project_id, day)
    return {"buckets": buckets, "finance": waiting_on_finance(project_id),
            "overdue": sum((b["amount"] for k, b in buckets.items() if k != "not_due"),
                           Decimal("0.00")),
            "unsigned": unsigned, "unsigned_count": count}
