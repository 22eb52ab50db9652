"""Collections 回款: what is outstanding on the contracts, by how late it is, and what was
received against what fell due, month by month.

回款 means one thing on every page: money finance has confirmed against an instalment (as the
回款明细表 and 签约明细表 count it). The confirmed deposit credited to the first instalments
(定金抵扣) and the payments still waiting on finance are shown beside it, never inside it.
Outstanding per instalment is its amount less 定金抵扣 less 回款; summed over the contracts in
force (a 退房 leaves nothing owed) it is the 签约明细表's 未回款, which the reconciliation
tests check.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import (
    Building,
    Contract,
    Customer,
    Instalment,
    Payment,
    Subscription,
    SubscriptionStatus,
    Unit,
)
from app.services import clock
from app.services.deals.contracts import DEFAULT_DAYS
from app.services.money import as_fen, from_fen, sum_fen

ZERO = Decimal("0.00")
# (key, label, lowest days overdue, highest days overdue or None)
BUCKETS = (("not_due", "未到期", None, 0), ("d30", "逾期 1–30 天", 1, 30),
           ("d60", "逾期 31–60 天", 31, DEFAULT_DAYS), ("default", "逾期 60 天以上(违约)",
                                                      DEFAULT_DAYS + 1, None))


def in_force():
    """The contract's 认购书 still stands: a 退房 voids it, and the deal owes nothing."""
    return Contract.subscription_id.in_(select(Subscription.id).where(
        Subscription.status == SubscriptionStatus.SIGNED))


def bucket_of(days_overdue):
    for key, _label, low, high in BUCKETS:
        if (low is None or days_overdue >= low) and (high is None or days_overdue <= high):
            return key
    return BUCKETS[-1][0]


@dataclass
class Outstanding:
    """One instalment with money still to come."""
    instalment_id: int
    contract_id: int
    contract: str
    unit: str
    customer: str
    label: str
    due_date: date
    amount: Decimal
    credited: Decimal  # 定金抵扣
    received: Decimal  # 回款 confirmed by finance
    unpaid: Decimal
    days: int  # days overdue; 0 or less: not due yet
    bucket: str


@dataclass
class Ageing:
    day: date
    rows: list = field(default_factory=list)
    buckets: dict = field(default_factory=dict)  # key -> {'count', 'amount', 'contracts'}
    scheduled: Decimal = ZERO  # every instalment of every contract in force
    credited: Decimal = ZERO  # 定金抵扣: confirmed deposits counted against instalments
    received: Decimal = ZERO  # 回款 finance confirmed
    pending: Decimal = ZERO  # recorded, awaiting finance
    outstanding: Decimal = ZERO

    @property
    def overdue(self):
        return sum((b["amount"] for k, b in self.buckets.items() if k != "not_due"), ZERO)

    @property
    def default_contracts(self):
        return len(self.buckets["default"]["contracts"])


def _paid(project_id, status):
    return dict(db.session.execute(
        select(Payment.instalment_id, sum_fen(Payment.amount))
        .where(Payment.project_id == project_id, Payment.status == status)
        .group_by(Payment.instalment_id)).all())


def ageing(project_id, day=None):
    """Outstanding 回款 by age bucket as of `day` (today), with the instalments behind it."""
    day = day or clock.today()
    confirmed, pending = _paid(project_id, "confirmed"), _paid(project_id, "pending")
    result = Ageing(day=day, buckets={key: {"count": 0, "amount": ZERO, "contracts": set()}
                                      for key, *_rest in BUCKETS})
    rows = db.session.execute(
        select(Instalment.id, Instalment.contract_id, Contract.number,
               Unit.label_sql(), Customer.name, Instalment.label,
               Instalment.due_date, Instalment.amount, Instalment.credited)
        .join(Contract, Contract.id == Instalment.contract_id)
        .join(Unit, Unit.id == Contract.unit_id).join(Building)
        .join(Customer, Customer.id == Contract.customer_id)
        .where(Contract.project_id == project_id, in_force())
        .order_by(Instalment.due_date, Contract.number, Instalment.seq)).all()
    for iid, contract_id, number, unit, customer, label, due, amount, credited in rows:
        received = from_fen(confirmed.get(iid))
        result.scheduled += amount
        result.credited += credited
        result.received += received
        result.pending += from_fen(pending.get(iid))
        unpaid = amount - credited - received
        if unpaid <= 0:
            continue
        days = (day - due).days
        key = bucket_of(days)
        result.rows.append(Outstanding(iid, contract_id, number, unit, customer, label, due,
                                       amount, credited, received, unpaid, days, key))
        bucket = result.buckets[key]
        bucket["count"] += 1
        bucket["amount"] += unpaid
        bucket["contracts"].add(contract_id)
        result.outstanding += unpaid
    result.rows.sort(key=lambda r: (-r.days, r.contract, r.due_date))
    return result


def bucket_totals(project_id, day=None):
    """The ageing's buckets only, summed by the database (the dashboard's card):
    {key: {'count', 'amount', 'contracts'}} with `contracts` a number here."""
    day = day or clock.today()
    paid = (select(Payment.instalment_id, sum_fen(Payment.amount).label("fen"))
            .where(Payment.project_id == project_id, Payment.status == "confirmed")
            .group_by(Payment.instalment_id).subquery())
    unpaid = (as_fen(Instalment.amount) - as_fen(Instalment.credited)
              - func.coalesce(paid.c.fen, 0))
    due = Instalment.due_date
    bucket = case((due >= day, "not_due"), (due >= day - timedelta(days=30), "d30"),
                  (due >= day - timedelta(days=DEFAULT_DAYS), "d60"), else_="default")
    inner = (select(bucket.label("bucket"), unpaid.label("fen"), Instalment.contract_id)
             .join(Contract, Contract.id == Instalment.contract_id)
             .outerjoin(paid, paid.c.instalment_id == Instalment.id)
             .where(Contract.project_id == project_id, in_force(), unpaid > 0).subquery())
    rows = db.session.execute(  # grouped outside: PostgreSQL would not match the CASE's binds
        select(inner.c.bucket, func.count(), sum_fen(inner.c.fen),
               func.count(inner.c.contract_id.distinct())).group_by(inner.c.bucket)).all()
    out = {key: {"count": 0, "amount": ZERO, "contracts": 0} for key, *_rest in BUCKETS}
    for key, count, fen, contracts in rows:
        out[key] = {"count": count, "amount": from_fen(fen), "contracts": contracts}
    return out


def _month(day):
    return date(day.year, day.month, 1)


class Month(NamedTuple):
    """One month of the 按月回款 table: what fell due (and the part 定金抵扣 covers) against
    the 回款 recorded in it, confirmed or awaiting finance, on the contracts in force."""
    month: date
    scheduled: Decimal
    credited: Decimal
    received: Decimal
    pending: Decimal


def by_month(project_id, first, last):
    """[Month] for the months first..last (dates, any day): instalments falling due in the
    month against 回款 recorded in it. Contracts in force only, as the ageing: a 退房 owes
    nothing and its payments are no longer 回款 (the 回款明细表 lists them as 已退房退款)."""
    months, cursor = [], _month(first)
    while cursor <= _month(last):
        months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    sums = {key: defaultdict(lambda: ZERO) for key in ("scheduled", "credited", "confirmed",
                                                        "pending")}
    start = clock.day_bounds(months[0])[0]
    end = clock.day_bounds(date(cursor.year, cursor.month, 1))[0]
    for due, amount, credited in db.session.execute(
            select(Instalment.due_date, Instalment.amount, Instalment.credited).join(Contract)
            .where(Contract.project_id == project_id, in_force(),
                   Instalment.due_date >= months[0], Instalment.due_date < cursor)):
        sums["scheduled"][_month(due)] += amount
        sums["credited"][_month(due)] += credited
    for at, amount, status in db.session.execute(
            select(Payment.recorded_at, Payment.amount, Payment.status).join(Contract)
            .where(Payment.project_id == project_id, in_force(),
                   Payment.status.in_(("confirmed", "pending")),
                   Payment.recorded_at >= start, Payment.recorded_at < end)):
        sums[status][_month(clock.local(at).date())] += amount
    return [Month(m, sums["scheduled"][m], sums["credited"][m], sums["confirmed"][m],
                  sums["pending"][m]) for m in months]
