"""Deal figures for the reports: deposits 定金, subscriptions 认购, contracts 签约 and 回款,
read from the deals tables with the reports' own queries (the deals services stay theirs).

Each figure uses the same rows and the same time column as the register it is checked
against (app/services/deals/registers.py): deposits by `recorded_at`, subscriptions by
`signed_at`, contracts by `created_at`, payments by `recorded_at`, instalments by `due_date`.
Money is summed by the database as integer fen, so every total is an exact Decimal.
"""
from bisect import bisect_right
from collections import defaultdict

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Contract, DealShare, Deposit, Instalment, Payment, Subscription
from app.services.clock import local
from app.services.money import as_fen, from_fen, sum_fen
from app.services.reports.collection_stats import in_force

LIVE_DEPOSIT = ("pending", "confirmed")  # a rejected deposit was never money received
VOIDED = "voided"  # a voided 认购书 was replaced by its correction: never counted


def _bucketed(time_column, periods, amount=None):
    """[count per period, fen per period] in one scan (sum(CASE ...))."""
    counts, sums = [], []
    for start, end in periods:
        inside = (time_column >= start) & (time_column < end)
        counts.append(func.sum(case((inside, 1), else_=0)))
        if amount is not None:
            sums.append(func.sum(case((inside, as_fen(amount)), else_=0)))
    return counts + sums


def _span(periods):
    return min(s for s, _e in periods), max(e for _s, e in periods)


def _unpack(row, periods, keys=("count", "amount")):
    n = len(periods)
    counts, sums = row[:n], row[n:]
    return [{keys[0]: int(counts[i] or 0), keys[1]: from_fen(sums[i])} for i in range(n)]


def _confirmed_and_pending(model, project_id, periods):
    """Per period, money recorded (model.recorded_at, model.amount): (confirmed, pending)."""
    first, last = _span(periods)
    rows = dict((status, row) for status, *row in db.session.execute(
        select(model.status, *_bucketed(model.recorded_at, periods, model.amount))
        .where(model.project_id == project_id, model.status.in_(LIVE_DEPOSIT),
               model.recorded_at >= first, model.recorded_at < last)
        .group_by(model.status)).all())
    zero = [0] * (2 * len(periods))
    return (_unpack(rows.get("confirmed", zero), periods),
            _unpack(rows.get("pending", zero), periods))


def deposits(project_id, periods):
    """Per period: deposits recorded (not rejected), their amount, confirmed and pending."""
    confirmed, pending = _confirmed_and_pending(Deposit, project_id, periods)
    return [{"count": c["count"] + p["count"], "amount": c["amount"] + p["amount"],
             "confirmed": c["amount"], "pending": p["amount"], "pending_count": p["count"]}
            for c, p in zip(confirmed, pending, strict=True)]


def subscriptions(project_id, periods):
    """Per period: 认购书 signed and not voided, and their deal prices 成交价."""
    first, last = _span(periods)
    row = db.session.execute(
        select(*_bucketed(Subscription.signed_at, periods, Subscription.deal_price))
        .where(Subscription.project_id == project_id, Subscription.status != VOIDED,
               Subscription.signed_at >= first, Subscription.signed_at < last)).one()
    return _unpack(row, periods)


def contracts(project_id, periods):
    """Per period: contracts entered and their total prices 合同总价."""
    first, last = _span(periods)
    row = db.session.execute(
        select(*_bucketed(Contract.created_at, periods, Contract.total_price))
        .where(Contract.project_id == project_id,
               Contract.created_at >= first, Contract.created_at < last)).one()
    return _unpack(row, periods)


def collections(project_id, periods):
    """Per period: 回款 received (confirmed), awaiting finance, and instalments falling due
    on contracts in force (a 退房 owes nothing, as in the ageing), with the part of them a
    confirmed deposit covers (定金抵扣: never 回款, shown beside what fell due as the 按月回款
    table shows it)."""
    received, pending = _confirmed_and_pending(Payment, project_id, periods)
    days = [(local(start).date(), local(end).date()) for start, end in periods]
    n = len(days)
    credited_sums = _bucketed(Instalment.due_date, days, Instalment.credited)[n:]
    due_row = db.session.execute(
        select(*_bucketed(Instalment.due_date, days, Instalment.amount), *credited_sums)
        .join(Contract).where(Contract.project_id == project_id, in_force())).one()
    due = _unpack(due_row[:2 * n], days)
    credited = [from_fen(fen) for fen in due_row[2 * n:]]
    return [{"received": r["amount"], "received_count": r["count"], "pending": p["amount"],
             "due": d["amount"], "due_count": d["count"], "credited": c}
            for r, p, d, c in zip(received, pending, due, credited, strict=True)]


class DealPrices:
    """The deal price 成交价 each sale of a unit counts for.

    A sale is a chain of 认购书: the first one signed, then each correction that replaced it
    (void and reissue). The chain starts when the unit is marked sold and counts for the
    deal price of its live (not voided) member. `at(unit_id, instant)` answers for a unit
    move at that instant: the latest chain started at or before it (or the first one after,
    if clocks disagree); units sold before any 认购书 existed count for `fallback`.
    """

    def __init__(self, project_id):
        rows = db.session.execute(
            select(Subscription.id, Subscription.unit_id, Subscription.replaces_id,
                   Subscription.status, Subscription.signed_at, Subscription.deal_price)
            .where(Subscription.project_id == project_id)).all()
        by_id = {row.id: row for row in rows}
        chains = defaultdict(list)
        for row in rows:
            if row.status == VOIDED:
                continue
            root = row
            while root.replaces_id in by_id:
                root = by_id[root.replaces_id]
            chains[row.unit_id].append((root.signed_at, row.deal_price))
        self.chains = {unit: sorted(pairs) for unit, pairs in chains.items()}
        self.starts = {unit: [started for started, _p in pairs]
                       for unit, pairs in self.chains.items()}

    def at(self, unit_id, instant, fallback):
        pairs = self.chains.get(unit_id)
        if not pairs:
            return fallback
        index = bisect_right(self.starts[unit_id], instant)
        return pairs[max(index - 1, 0)][1]


def credit_holders(deposit_ids):
    """{deposit id: the consultant its 业绩 belongs to} (largest DealShare.credit; a tie goes to
    the closer). A complaint split still waiting for the manager (准则(4)) maps to None:
    it counts for nobody until confirmed. Deposits without shares are absent."""
    best = {}
    for deposit_id, user_id, credit, closer, status in db.session.execute(
            select(DealShare.deposit_id, DealShare.user_id, DealShare.credit,
                   Deposit.consultant_id, Deposit.split_status)
            .join(Deposit, Deposit.id == DealShare.deposit_id)
            .where(DealShare.deposit_id.in_(deposit_ids))):
        key = (credit, user_id == closer)
        if status == "pending":
            best[deposit_id] = (key, None)
        elif deposit_id not in best or (best[deposit_id][1] is not None
                                        and key > best[deposit_id][0]):
            best[deposit_id] = (key, user_id)
    return {deposit_id: user for deposit_id, (_key, user) in best.items()}


def consultant_deals(project_id, start, end):
    """{consultant id: figures} for [start, end): deposits, 认购, 签约, 回款, 合作成交.

    A deposit counts for the consultant it was recorded for; a 认购, its contract and its
    回款 count for the consultant the deal's 业绩 belongs to (seed 002 cases, fixed when the
    deposit was recorded: credit_holders). A 认购 whose deposit was shared between
    consultants (DealShare) is a split deal 合作成交 and counts for each of them.
    """
    out = defaultdict(lambda: defaultdict(int))
    inside = lambda col: (col >= start) & (col < end)  # noqa: E731
    for consultant, n, fen in db.session.execute(
            select(Deposit.consultant_id, func.count(), sum_fen(Deposit.amount))
            .where(Deposit.project_id == project_id, Deposit.status.in_(LIVE_DEPOSIT),
                   inside(Deposit.recorded_at)).group_by(Deposit.consultant_id)):
        out[consultant].update(deposits=n, deposit_amount=from_fen(fen))
    signed = (select(Subscription.deposit_id, Deposit.consultant_id, Subscription.deal_price)
              .join(Deposit, Deposit.id == Subscription.deposit_id)
              .where(Subscription.project_id == project_id, Subscription.status != VOIDED,
                     inside(Subscription.signed_at)))
    signed_rows = db.session.execute(signed).all()
    holders = credit_holders({row[0] for row in signed_rows})
    for deposit_id, consultant, price in signed_rows:
        holder = holders.get(deposit_id, consultant)
        if holder is not None:
            out[holder]["subscriptions"] += 1
            out[holder]["subscription_amount"] += price
    sharers = defaultdict(set)
    for deposit_id, user_id in db.session.execute(
            select(DealShare.deposit_id, DealShare.user_id)
            .where(DealShare.deposit_id.in_(signed.with_only_columns(
                Subscription.deposit_id).scalar_subquery()))):
        sharers[deposit_id].add(user_id)
    for users in sharers.values():
        if len(users) > 1:  # the split fixed when the deposit was recorded (seed 002)
            for user_id in users:
                out[user_id]["split"] += 1
    _contract_figures(out, project_id, inside)
    return out


def _contract_figures(out, project_id, inside):
    """签约 and confirmed 回款 in the period, for the consultant each deal's 业绩 belongs to."""
    by_contract = (select(Deposit.id.label("deposit_id"), Deposit.consultant_id,
                          Contract.id.label("contract_id"), Contract.total_price,
                          Contract.created_at)
                   .join(Subscription, Subscription.id == Contract.subscription_id)
                   .join(Deposit, Deposit.id == Subscription.deposit_id)
                   .where(Contract.project_id == project_id).subquery())
    contracts = db.session.execute(
        select(by_contract.c.deposit_id, by_contract.c.consultant_id, by_contract.c.total_price)
        .where(inside(by_contract.c.created_at))).all()
    collected = db.session.execute(
        select(by_contract.c.deposit_id, by_contract.c.consultant_id, sum_fen(Payment.amount))
        .join(Payment, Payment.contract_id == by_contract.c.contract_id)
        .where(Payment.status == "confirmed", inside(Payment.recorded_at))
        .group_by(by_contract.c.deposit_id, by_contract.c.consultant_id)).all()
    holders = credit_holders({row[0] for row in contracts + collected})
    for deposit_id, consultant, total in contracts:
        holder = holders.get(deposit_id, consultant)
        if holder is not None:
            out[holder]["contracts"] += 1
            out[holder]["contract_amount"] += total
    for deposit_id, consultant, fen in collected:
        holder = holders.get(deposit_id, consultant)
        if holder is not None:
            out[holder]["collected"] += from_fen(fen)
