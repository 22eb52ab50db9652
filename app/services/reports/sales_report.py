"""销售日报 / 周报 / 月报: units, area and amount sold per period, by building, layout, area,
floor and price band, with stock left and 去化率.

Sales are read from the unit moves (`unit_*` audit rows, each with before/after status): a
unit is *sold* when a move takes it into 已认购/已签约 from any other status, and *returned*
(退房) when a 退房 takes it out again. A 换房 is neither: the deal moves from the unit it
leaves (换出) to the one it enters (换入), counted apart; the period's net line follows the
deal (−换出 +换入), so the figures by building stay true and the total is unchanged by it.
The status a unit had at any past instant is read from
the first audit row after it (its `before`), or from the unit itself when nothing moved it
since. A sale counts for the deal price 成交价 of its signed (not voided) 认购书
(deal_stats.DealPrices); stock left counts for the list price 表价.
"""
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Building, Unit, UnitStatus
from app.services.clock import day_bounds, local
from app.services.reports.deal_stats import DealPrices

S = UnitStatus
SOLD = frozenset(S.SOLD)
EXCHANGE_OUT = "unit_exchange_out"
EXCHANGE_IN = ("unit_exchange_in", "unit_exchange_in_contracted")
DIMENSIONS = (("building", "楼栋"), ("layout", "户型"), ("area_band", "面积段"),
              ("floor_band", "楼层段"), ("price_band", "总价段"))
# (upper bound exclusive, label); the last band has no upper bound.
AREA_BANDS = ((90, "90㎡以下"), (120, "90–120㎡"), (144, "120–144㎡"), (None, "144㎡以上"))
FLOOR_BANDS = ((7, "1–6层"), (13, "7–12层"), (19, "13–18层"), (None, "19层以上"))
PRICE_BANDS = ((1_000_000, "100万以下"), (1_500_000, "100–150万"), (2_000_000, "150–200万"),
               (3_000_000, "200–300万"), (None, "300万以上"))


def _band(value, bands):
    for upper, label in bands:
        if upper is None or value < upper:
            return label
    return bands[-1][1]


@dataclass
class UnitRow:
    id: int
    building_id: int
    building: str
    layout: str
    area: Decimal
    amount: Decimal
    floor: int
    status: str

    def key(self, dimension):
        if dimension == "area_band":
            return _band(self.area, AREA_BANDS)
        if dimension == "floor_band":
            return _band(self.floor, FLOOR_BANDS)
        if dimension == "price_band":
            return _band(self.amount, PRICE_BANDS)
        return getattr(self, dimension)


def project_units(project_id):
    """Every unit of the project with what the report groups by, in board order."""
    rows = db.session.execute(
        select(Unit.id, Unit.building_id, Building.name, Unit.layout, Unit.building_area,
               Unit.total_price, Unit.floor, Unit.status)
        .join(Building).where(Building.project_id == project_id)
        .order_by(Building.sort_order, Building.id, Unit.floor, Unit.unit_no)).all()
    return [UnitRow(*row) for row in rows]


def _status_moves(project_id, start=None, end=None):
    """(at, unit id, before status, after status, action) of the unit moves in [start, end),
    in order."""
    query = select(AuditLog.at, AuditLog.object_id, AuditLog.before, AuditLog.after,
                   AuditLog.action).where(
        AuditLog.project_id == project_id, AuditLog.object_type == "unit",
        AuditLog.action.like("unit\\_%", escape="\\"))
    if start is not None:
        query = query.where(AuditLog.at >= start)
    if end is not None:
        query = query.where(AuditLog.at < end)
    out = []
    for at, object_id, before, after, action in db.session.execute(
            query.order_by(AuditLog.at, AuditLog.id)):
        before, after = json.loads(before or "{}"), json.loads(after or "{}")
        if "status" in before and "status" in after and object_id:
            out.append((at, int(object_id), before["status"], after["status"], action))
    return out


def statuses_at(project_id, units, instant):
    """{unit id: status} at `instant`: the `before` of the first move after it, else today's."""
    first_after = {}
    for _at, unit_id, before, _after, _action in _status_moves(project_id, start=instant):
        first_after.setdefault(unit_id, before)
    return {u.id: first_after.get(u.id, u.status) for u in units}


@dataclass
class Moves:
    """[(unit id, at)] of each kind of move in a period."""
    sold: list = field(default_factory=list)
    returned: list = field(default_factory=list)  # 退房
    exchanged_out: list = field(default_factory=list)  # 换房: the unit left
    exchanged_in: list = field(default_factory=list)  # 换房: the unit entered

    @property
    def net(self):
        """Units sold net of 退房 (an exchange moves a sale, it adds or takes none)."""
        return len(self.sold) - len(self.returned)


def kind_of(action, before, after):
    """sold / returned / exchanged_out / exchanged_in, or None for a move that is no sale."""
    if action == EXCHANGE_OUT:
        return "exchanged_out"
    if action in EXCHANGE_IN:
        return "exchanged_in"
    if after in SOLD and before not in SOLD:
        return "sold"
    if before in SOLD and after not in SOLD:
        return "returned"
    return None


def sales_between(project_id, start, end):
    """The sales, 退房 and 换房 moves in [start, end)."""
    moves = Moves()
    for at, unit_id, before, after, action in _status_moves(project_id, start, end):
        kind = kind_of(action, before, after)
        if kind:
            getattr(moves, kind).append((unit_id, at))
    return moves


@dataclass
class Line:
    units: int = 0
    area: Decimal = Decimal("0.00")
    amount: Decimal = Decimal("0.00")

    def add(self, unit, amount, sign=1):
        self.units += sign
        self.area += sign * unit.area
        self.amount += sign * amount


@dataclass
class Group:
    label: str
    period: Line = field(default_factory=Line)  # sold in the period, net of 退房
    previous: Line = field(default_factory=Line)  # the same for the period before
    returned: int = 0  # 退房 in the period
    exchanged_out: int = 0  # 换房 换出 in the period
    exchanged_in: int = 0  # 换房 换入 in the period
    cumulative: Line = field(default_factory=Line)  # sold at the period's end
    stock: Line = field(default_factory=Line)  # released and not sold at the period's end
    total: int = 0  # every unit of the group
    released: int = 0  # not 销控 at the period's end

    @property
    def rate(self):
        """去化率: sold / released at the period's end."""
        return _rate(self.cumulative.units, self.released)


def _rate(part, whole):
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


def previous_period(kind, first, last):
    if kind == "month":
        previous_last = first - timedelta(days=1)
        return previous_last.replace(day=1), previous_last
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def sales_report(project_id, kind, first, last):
    """{dimension: [Group]} plus 'total', for the days first..last and the period before."""
    units = project_units(project_id)
    by_id = {u.id: u for u in units}
    prices = DealPrices(project_id)
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    prev_first, prev_last = previous_period(kind, first, last)
    prev_start = day_bounds(prev_first)[0]
    at_end = statuses_at(project_id, units, end)
    now, before = sales_between(project_id, start, end), sales_between(project_id, prev_start,
                                                                        start)
    worth = {u.id: prices.at(u.id, end, u.amount) for u in units if at_end[u.id] in SOLD}
    moves = [([(by_id[uid], prices.at(uid, at, by_id[uid].amount)) for uid, at in ids
               if uid in by_id], line, sign)
             for period, line in ((now, "period"), (before, "previous"))
             for ids, sign in ((period.sold, 1), (period.returned, -1),
                               (period.exchanged_in, 1), (period.exchanged_out, -1))]
    dims = {}
    for dim, _label in DIMENSIONS + (("total", "合计"),):
        groups = defaultdict(lambda: None)
        key = (lambda u: "合计") if dim == "total" else (lambda u, d=dim: u.key(d))
        for unit in units:
            group = groups[key(unit)] or Group(key(unit))
            groups[key(unit)] = group
            status = at_end[unit.id]
            group.total += 1
            if status in SOLD:
                group.released += 1
                group.cumulative.add(unit, worth[unit.id])
            elif status != S.WITHHELD:
                group.released += 1
                group.stock.add(unit, unit.amount)
        for counted, line, sign in moves:
            for unit, amount in counted:
                getattr(groups[key(unit)], line).add(unit, amount, sign)
        for counter in ("returned", "exchanged_out", "exchanged_in"):
            for unit_id, _at in getattr(now, counter):
                if unit_id in by_id:
                    group = groups[key(by_id[unit_id])]
                    setattr(group, counter, getattr(group, counter) + 1)
        order = _order(dim)
        dims[dim] = sorted(groups.values(), key=lambda g: order(g.label))  # stable: board order
    return {"dims": dims, "total": dims["total"][0] if dims["total"] else Group("合计"),
            "previous": (prev_first, prev_last), "first": first, "last": last, "kind": kind}


def _order(dim):
    bands = {"area_band": AREA_BANDS, "floor_band": FLOOR_BANDS, "price_band": PRICE_BANDS}
    if dim in bands:
        labels = [label for _u, label in bands[dim]]
        return lambda label: labels.index(label) if label in labels else len(labels)
    return lambda label: 0  # buildings and layouts keep board order / name order


def sales_per_day(project_id, first, last):
    """[(day, net units sold)] for each day of the period: the sales-per-day chart."""
    counts = defaultdict(int)
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    for at, _unit, before, after, action in _status_moves(project_id, start, end):
        counts[local(at).date()] += {"sold": 1, "returned": -1}.get(
            kind_of(action, before, after), 0)
    days = (last - first).days + 1
    return [(first + timedelta(days=n), counts[first + timedelta(days=n)]) for n in range(days)]
