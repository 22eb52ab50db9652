"""来人来电统计表 (daily / weekly / monthly), customer analysis, the Saturday grade check.

Seed 002 (三) 6-8: the manager fills in the daily 来人来电统计表 and the weekly and monthly
analysis tables; seed 003 客户分析统计图表: age, wanted area, layout, family structure,
channel and visit count, as counts and percentages; seed 000 第二部分 5: every Saturday the
supervisor counts the B and C (here A/B/C) customers in total and per consultant.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Customer, GradeChange, OwnershipChange, User, Visit
from app.services.clock import day_bounds, local, now
from app.services.customers.options import all_options

PERIODS = {"day": "日报", "week": "周报", "month": "月报"}
COLUMNS = (("first", "首次来访"), ("repeat", "再次来访"), ("call", "来电"),
           ("anonymous", "未留资料"), ("total", "合计"))
UNFILLED = "未填写"


def period_bounds(kind, day):
    """(first day, last day) of the day, the Monday-to-Sunday week, or the month holding `day`."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    return day, day


def visits_between(project_id, first_day, last_day):
    start, _ = day_bounds(first_day)
    _, end = day_bounds(last_day)
    return db.session.scalars(
        select(Visit).where(Visit.project_id == project_id, Visit.at >= start, Visit.at < end)
        .options(selectinload(Visit.customer), selectinload(Visit.consultant))
        .order_by(Visit.at)).all()


def statistics_rows(stats):
    """The 来人来电统计表 export: one row per channel, consultant and day."""
    return [dict(group=group, name=str(name), **{k: row[k] for k, _ in COLUMNS})
            for group, key in (("认知途径", "channels"), ("置业顾问", "consultants"),
                               ("日期", "days"))
            for name, row in stats[key]]


def log_rows(project_id, day, full_phones=False):
    """The day's 来人来电登记表, phones masked unless `full_phones` (a bulk export of full
    numbers goes through privacy.export_full)."""
    def phone(customer):
        return customer.phone if full_phones else customer.phone_mask
    return [{"at": v.at, "kind": v.kind_label, "name": v.customer.name if v.customer else "",
             "phone": phone(v.customer) if v.customer else "",
             "visit_no": v.visit_no if v.kind == "visit" and v.customer else None,
             "channel": v.channel or "", "consultant": v.consultant.display_name,
             "duration": v.duration_minutes, "result": v.result or "",
             "entered_at": v.entered_at}
            for v in visits_between(project_id, day, day)]


def _bucket(visit):
    if visit.customer_id is None:
        return "anonymous"
    if visit.kind == "call":
        return "call"
    return "first" if visit.visit_no == 1 else "repeat"


def _table(visits, key):
    """{group: {column: count}} with every column present and a total."""
    rows = defaultdict(Counter)
    for visit in visits:
        rows[key(visit)][_bucket(visit)] += 1
    return {group: {**{c: counter[c] for c, _ in COLUMNS if c != "total"},
                    "total": sum(counter.values())} for group, counter in rows.items()}


def visit_statistics(project_id, first_day, last_day):
    """By channel, by consultant and by day, with totals."""
    visits = visits_between(project_id, first_day, last_day)
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    by_channel = _table(visits, lambda v: v.channel or UNFILLED)
    order = all_options(project_id)["channel"]
    channels = sorted(by_channel, key=lambda c: (order.index(c) if c in order else len(order), c))
    by_consultant = _table(visits, lambda v: names.get(v.consultant_id, "?"))
    by_day = _table(visits, lambda v: local(v.at).date())
    total = _table(visits, lambda v: "合计").get("合计") or {c: 0 for c, _ in COLUMNS}
    return {
        "channels": [(c, by_channel[c]) for c in channels],
        "consultants": sorted(by_consultant.items(), key=lambda kv: (-kv[1]["total"], kv[0])),
        "days": sorted(by_day.items()),
        "total": total,
        "visits": visits,
    }


@dataclass
class Distribution:
    key: str
    title: str
    rows: list  # [(label, count, percent)]
    total: int


def _distribution(key, title, values, order):
    counts = Counter(v or UNFILLED for v in values)
    labels = [o for o in order if counts.get(o)] + sorted(
        label for label in counts if label not in order and label != UNFILLED)
    if counts.get(UNFILLED):
        labels.append(UNFILLED)
    total = sum(counts.values())
    rows = [(label, counts[label], _percent(counts[label], total)) for label in labels]
    return Distribution(key, title, rows, total)


def _percent(part, total):
    return (Decimal(part) * 100 / total).quantize(Decimal("0.1")) if total else Decimal("0.0")


ANALYSIS = (("age_band", "客户年龄"), ("area_band", "需求面积"), ("wanted_layout", "需求户型"),
            ("family_structure", "家庭结构"), ("channel", "认知途径"))
VISIT_COUNT_LABELS = ("仅来电", "首次", "二次", "三次及以上")


def customer_analysis(project_id, first_day=None, last_day=None):
    """Counts and percentages of the customers who first came in the period (peers excluded)."""
    stmt = select(Customer).where(Customer.project_id == project_id, Customer.is_peer.is_(False))
    if first_day:
        stmt = stmt.where(func.coalesce(Customer.first_visit_at, Customer.created_at)
                          >= day_bounds(first_day)[0])
    if last_day:
        stmt = stmt.where(func.coalesce(Customer.first_visit_at, Customer.created_at)
                          < day_bounds(last_day)[1])
    customers = db.session.scalars(stmt).all()
    options = all_options(project_id)
    charts = [_distribution(key, title, [getattr(c, key) for c in customers], options[key])
              for key, title in ANALYSIS]
    walk_ins = dict(db.session.execute(
        select(Visit.customer_id, func.count()).where(
            Visit.project_id == project_id, Visit.kind == "visit", Visit.customer_id.is_not(None))
        .group_by(Visit.customer_id)).all())
    counts = [VISIT_COUNT_LABELS[min(walk_ins.get(c.id, 0), 3)] for c in customers]
    charts.append(_distribution("visit_count", "来访次数", counts, VISIT_COUNT_LABELS))
    return charts, len(customers)


def saturdays(day, weeks=8):
    """This week's Saturday (on or after `day`) and the ones before it, oldest first."""
    latest = day + timedelta(days=(5 - day.weekday()) % 7)
    return [latest - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _as_of(events, instant):
    """{customer_id: value} from (at, customer_id, value) events sorted by time."""
    state = {}
    for at, customer_id, value in events:
        if at >= instant:
            break
        state[customer_id] = value
    return state


def weekly_grade_check(project_id, day, weeks=8):
    """A/B/C customers per consultant at the end of each Saturday (the Saturday check); this
    week's column counts up to now."""
    applies = func.coalesce(GradeChange.acknowledged_at, GradeChange.at)  # a downgrade: confirmed
    grades = db.session.execute(
        select(applies, GradeChange.customer_id, GradeChange.after)
        .where(GradeChange.project_id == project_id, GradeChange.status == "applied")
        .order_by(applies, GradeChange.id)).all()
    owners = db.session.execute(
        select(OwnershipChange.at, OwnershipChange.customer_id, OwnershipChange.to_id)
        .where(OwnershipChange.project_id == project_id)
        .order_by(OwnershipChange.at, OwnershipChange.id)).all()
    deals = dict(db.session.execute(select(Customer.id, Customer.deal_at).where(
        Customer.project_id == project_id, Customer.deal_at.is_not(None))).all())
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    weeks_out, consultants = [], set()
    for saturday in saturdays(day, weeks):
        instant = min(day_bounds(saturday)[1], now())
        grade_at, owner_at = _as_of(grades, instant), _as_of(owners, instant)
        counts = defaultdict(Counter)
        for customer_id, grade in grade_at.items():
            owner = owner_at.get(customer_id)
            bought = deals.get(customer_id)
            if owner and grade in "ABC" and not (bought and bought < instant):
                counts[owner][grade] += 1
                consultants.add(owner)
        weeks_out.append((saturday, counts))
    rows = sorted(consultants, key=lambda uid: names.get(uid, ""))
    return {"weeks": weeks_out, "consultants": [(uid, names.get(uid, "?")) for uid in rows]}
