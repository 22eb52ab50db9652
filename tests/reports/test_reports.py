"""Reports reconcile with their registers: every figure equals the sum over its source rows
on a generated project with three months of activity, at a frozen instant, on both engines."""
import io
from collections import Counter
from datetime import date, timedelta, timezone
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Building, Customer, OwnershipChange, Unit, UnitStatus
from app.services.clock import day_bounds
from app.services.customers.visit_stats import period_bounds
from app.services.reports import consultant_stats, dashboard, sales_report
from tests.fixtures.customers import browser_for
from tests.fixtures.reports import NOW, TODAY, generate

S = UnitStatus
SOLD = set(S.SOLD)


@pytest.fixture
def world(app, make_user, snapshot):
    return snapshot("reports", lambda: generate(app, make_user))


def _bounds(first, last):
    return day_bounds(first)[0], day_bounds(last)[1]


def _units(db):
    rows = db.session.execute(select(Unit, Building.name).join(Building)).all()
    return {unit.id: (unit, name) for unit, name in rows}


def _expected_sold(ledger, start, end):
    """Net sold (entries into 认购/签约 less 退房) in [start, end): (unit id, sign, at)."""
    out = []
    for at, unit_id, before, after in ledger:
        if start <= at < end:
            if after in SOLD and before not in SOLD:
                out.append((unit_id, 1, at))
            elif before in SOLD and after not in SOLD:
                out.append((unit_id, -1, at))
    return out


def _expected_states(ledger, units, instant):
    state = {unit_id: S.AVAILABLE for unit_id in units}
    for at, unit_id, _before, after in ledger:
        if at < instant:
            state[unit_id] = after
    return state


def _price(sales, units, unit_id, at):
    """The deal price a move of the unit at `at` counts for, from the test's record of sales:
    the sale started last at or before it (the first one after, else the list price)."""
    mine = sorted((sale["started"], sale["price"]) for sale in sales if sale["unit"] == unit_id)
    before = [price for started, price in mine if started <= at]
    return before[-1] if before else mine[0][1] if mine else units[unit_id][0].total_price


def _check_group(group, units, sold, previous, state, key, sales=(), end=None):
    members = {uid for uid, (unit, name) in units.items() if key(unit, name)}
    net = [(uid, sign, at) for uid, sign, at in sold if uid in members]
    assert group.period.units == sum(sign for _uid, sign, _at in net)
    assert group.period.area == sum((sign * units[uid][0].building_area
                                     for uid, sign, _at in net), Decimal("0"))
    assert group.period.amount == sum((sign * _price(sales, units, uid, at)
                                       for uid, sign, at in net), Decimal("0"))
    prev = [(uid, sign, at) for uid, sign, at in previous if uid in members]
    assert group.previous.units == sum(sign for _uid, sign, _at in prev)
    assert group.previous.amount == sum((sign * _price(sales, units, uid, at)
                                         for uid, sign, at in prev), Decimal("0"))
    assert group.returned == sum(1 for _uid, sign, _at in net if sign < 0)
    sold_now = [uid for uid in members if state[uid] in SOLD]
    assert group.cumulative.units == len(sold_now)
    assert group.cumulative.amount == sum((_price(sales, units, uid, end) for uid in sold_now),
                                          Decimal("0"))
    released = [uid for uid in members if state[uid] != S.WITHHELD]
    assert group.released == len(released)
    assert group.stock.units == len(released) - len(sold_now)
    assert group.total == len(members)


PERIODS = [("day", TODAY), ("day", date(2026, 10, 15)), ("week", TODAY),
           ("week", date(2026, 9, 30)), ("month", TODAY), ("month", date(2026, 10, 3)),
           ("month", date(2026, 9, 1))]


def test_sales_report_equals_the_unit_moves(db, world):
    for kind, day in PERIODS:
        _check_report(db, world, kind, day)


def _check_report(db, world, kind, day):
    with time_machine.travel(NOW, tick=False):
        first, last = period_bounds(kind, day)
        report = sales_report.sales_report(world["project"], kind, first, last)
    units = _units(db)
    start, end = _bounds(first, last)
    prev_first, prev_last = report["previous"]
    assert prev_last == first - timedelta(days=1)
    previous = _expected_sold(world["ledger"], _bounds(prev_first, prev_last)[0], start)
    sold = _expected_sold(world["ledger"], start, end)
    state = _expected_states(world["ledger"], units, end)
    check = dict(sales=world["deals"]["sales"], end=end)
    _check_group(report["total"], units, sold, previous, state, lambda u, n: True, **check)
    for group in report["dims"]["building"]:
        _check_group(group, units, sold, previous, state, lambda u, n, g=group: n == g.label,
                     **check)
    for group in report["dims"]["layout"]:
        _check_group(group, units, sold, previous, state,
                     lambda u, n, g=group: u.layout == g.label, **check)
    for dim, _label in sales_report.DIMENSIONS:  # every breakdown adds up to the total
        groups = report["dims"][dim]
        assert sum(g.period.amount for g in groups) == report["total"].period.amount
        assert sum(g.cumulative.units for g in groups) == report["total"].cumulative.units
        assert sum(g.stock.units for g in groups) == report["total"].stock.units
    channels = Counter(ch or "未填写" for at, _k, _c, ch in world["visits"] if start <= at < end)
    assert dict(dashboard.channel_counts(world["project"], start, end)) == dict(channels)
    per_day = sales_report.sales_per_day(world["project"], first, last)
    assert sum(n for _d, n in per_day) == report["total"].period.units


def test_a_month_has_sales_and_a_return_to_reconcile(world):
    """The generated project is not trivially empty: the checks above compare real figures."""
    ledger = world["ledger"]
    assert sum(1 for *_x, before, after in ledger if after in SOLD and before not in SOLD) > 30
    assert any(before in SOLD and after not in SOLD for *_x, before, after in ledger)
    assert len(world["visits"]) > 150 and len(world["holds"]) > 10


def _prospects(db, world):
    """The world's customers who have not bought: a buyer leaves the follow-up and 名下
    counts once the 认购书 is signed (以成交为准). Matched on the consultant who registered
    them (the deal may have moved the card since) and registration time."""
    buyers = (select(Customer.owner_id, Customer.created_at)
              .where(Customer.project_id == world["project"], Customer.deal_at.is_not(None)))
    moved = (select(OwnershipChange.from_id, Customer.created_at)
             .join(OwnershipChange, OwnershipChange.customer_id == Customer.id)
             .where(Customer.project_id == world["project"], Customer.deal_at.is_not(None),
                    OwnershipChange.kind == "deal"))
    bought = {(owner, at.astimezone(timezone.utc)) for query in (buyers, moved)
              for owner, at in db.session.execute(query)}
    return [c for c in world["customers"] if (c[2], c[0]) not in bought]


def test_dashboard_figures_equal_their_registers(db, world):
    with time_machine.travel(NOW, tick=False):
        figures = dashboard.period_figures(world["project"])
        overdue = dashboard.overdue_follow_ups(world["project"])
    for kind in ("day", "week", "month"):
        start, end = _bounds(*period_bounds(kind, TODAY))
        got = figures[kind]
        kinds = Counter(k for at, k, _c, _ch in world["visits"] if start <= at < end)
        assert got["visits"] == {"visit": kinds["visit"], "call": kinds["call"]}
        grades = Counter(g or dashboard.NO_GRADE for at, g, _o, _d in world["customers"]
                         if start <= at < end)
        assert got["customers"] == {g: grades[g] for g in got["customers"]}
        assert sum(got["customers"].values()) == sum(grades.values())
        assert got["holds"] == sum(1 for at, _c in world["holds"] if start <= at < end)
        assert got["sold"] == sum(s for _u, s, _at in _expected_sold(world["ledger"], start, end))
    assert figures["month"]["sold"] >= figures["week"]["sold"] >= figures["day"]["sold"]
    late = Counter(owner for _at, _g, owner, deadline in _prospects(db, world)
                   if deadline < TODAY)
    assert {user.id: n for user, n in overdue} == dict(late)


def test_consultant_performance_equals_the_registers(db, world):
    start, end = _bounds(*period_bounds("month", TODAY))
    with time_machine.travel(NOW, tick=False):
        rows = consultant_stats.performance(world["project"], start, end, TODAY)
    assert [user.id for user, _row in rows] == sorted(
        world["consultants"], key=lambda uid: [u.display_name for u, _r in rows
                                               if u.id == uid][0])
    prospects = _prospects(db, world)
    assert len(prospects) < len(world["customers"])  # some bought
    for user, row in rows:
        visits = Counter(k for at, k, c, _ch in world["visits"]
                         if c == user.id and start <= at < end)
        assert (row["visits"], row["calls"]) == (visits["visit"], visits["call"])
        mine = [c for c in prospects if c[2] == user.id]
        new = [at for at, _g, owner, _d in world["customers"] if owner == user.id]
        assert row["new_customers"] == sum(1 for at in new if start <= at < end)
        assert row["holds"] == sum(1 for at, c in world["holds"] if c == user.id and
                                   start <= at < end)
        done = [e for at, c, e in world["follow_ups"] if c == user.id and start <= at < end]
        assert (row["follow_ups"], row["effective"]) == (len(done), sum(done)) and done
        assert row["owned"] == len(mine) == sum(row["grades"].values())
        assert row["overdue"] == sum(1 for *_x, deadline in mine if deadline < TODAY)


def test_manager_sees_the_dashboard_and_the_reports(app, world):
    with time_machine.travel(NOW, tick=False):
        manager = browser_for(app, "boss")
        home = manager.get("/")
        assert "经营概况" in home.text and "各楼栋去化率" in home.text
        assert "逾期未跟进(按置业顾问)" in home.text and "销售日报" in home.text
        page = manager.get("/reports/sales?period=month&day=2026-11-01")
        assert page.status_code == 200 and "销售月报" in page.text and "按面积段" in page.text
        assert '<svg class="chart"' in page.text
        pdf = manager.get("/reports/sales.pdf?period=day&day=2026-11-23")
        xlsx = manager.get("/reports/sales.xlsx?period=month&day=2026-11-23")
        people = manager.get("/reports/consultants?period=week")
    assert pdf.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 1  # one A4 landscape page
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    assert "销售日报" in reader.pages[0].extract_text()
    with app.app_context(), time_machine.travel(NOW, tick=False):
        first, last = period_bounds("month", TODAY)
        report = sales_report.sales_report(world["project"], "month", first, last)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    total = [row for row in sheet.iter_rows(values_only=True) if row[0] == "合计"][0]
    assert total[2] == report["total"].period.units
    assert Decimal(str(total[12])) == report["total"].cumulative.amount  # after 退房, 换出, 换入
    assert people.status_code == 200 and "王芳" in people.text and "跟进及时率" in people.text


def test_other_roles_do_not_get_the_manager_dashboard(app, world, login_as):
    secretary = login_as("secretary")
    assert "经营概况" not in secretary.get("/").text
    assert secretary.get("/reports/sales").status_code == 200
    assert secretary.get("/reports/consultants").status_code == 403
    consultant = login_as("consultant")
    assert consultant.get("/reports/sales").status_code == 403
