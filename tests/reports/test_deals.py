"""Deal figures of the dashboard and the reports reconcile, as exact Decimals, with the
registers the office keeps (定金 / 认购 / 签约 / 回款明细) and with the test's own record of
the deals it made through the deals services, on a generated project at a frozen instant."""
import io
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from app.services.clock import day_bounds
from app.services.customers.visit_stats import period_bounds
from app.services.deals import registers
from app.services.money import format_money
from app.services.reports import collection_stats, consultant_stats, dashboard, deal_stats, funnel
from tests.fixtures.customers import browser_for
from tests.fixtures.reports import NOW, TODAY, generate

ZERO = Decimal("0.00")
PERIODS = [("day", TODAY), ("week", TODAY), ("month", TODAY), ("month", date(2026, 10, 3)),
           ("week", date(2026, 9, 30))]


@pytest.fixture
def world(app, make_user, snapshot):
    return snapshot("reports", lambda: generate(app, make_user))


def _bounds(first, last):
    return day_bounds(first)[0], day_bounds(last)[1]


def _register(name, project_id, first, last, status=None):
    return registers.totals(name, project_id, {"start": first, "end": last, "status": status})


def test_the_project_has_deals_in_every_state(world):
    deals = world["deals"]
    assert len(deals["sales"]) > 30 and any(s.get("corrected") for s in deals["sales"])
    assert {status for *_x, status, _c, _d in deals["deposits"]} == {
        "pending", "confirmed", "rejected"}
    assert len(deals["contracts"]) > 15
    assert {status for *_x, status in deals["payments"]} == {"pending", "confirmed", "rejected"}
    discounted = [s for s in deals["sales"] if s["price"] < s["list"]]
    assert discounted and len(discounted) < len(deals["sales"])  # deal price is not list price


def test_dashboard_deal_figures_equal_the_registers(db, world):
    deals, project = world["deals"], world["project"]
    credited = []
    for kind, day in PERIODS:
        first, last = period_bounds(kind, day)
        start, end = _bounds(first, last)
        with time_machine.travel(NOW, tick=False):
            periods = [(start, end)]
            dep = deal_stats.deposits(project, periods)[0]
            sub = deal_stats.subscriptions(project, periods)[0]
            con = deal_stats.contracts(project, periods)[0]
            col = deal_stats.collections(project, periods)[0]
            small = {s: _register("small", project, first, last, s) for s in
                     ("pending", "confirmed")}
            large = {s: _register("large", project, first, last, s) for s in
                     ("pending", "confirmed")}
            signed = _register("subscriptions", project, first, last, "signed")
            contracts = _register("contracts", project, first, last)
            received = _register("payments", project, first, last, "confirmed")
            waiting = _register("payments", project, first, last, "pending")
        assert dep["confirmed"] == small["confirmed"]["amount"] + large["confirmed"]["amount"]
        assert dep["pending"] == small["pending"]["amount"] + large["pending"]["amount"]
        assert dep["count"] == sum(t["count"] for t in (*small.values(), *large.values()))
        assert (sub["count"], sub["amount"]) == (signed["count"], signed["deal_price"])
        assert (con["count"], con["amount"]) == (contracts["count"], contracts["total_price"])
        assert (col["received"], col["pending"]) == (received["received"], waiting["pending"])
        # and the test's own record of what it did
        mine = [d for d in deals["deposits"] if start <= d[0] < end and d[3] != "rejected"]
        assert dep["amount"] == sum((d[2] for d in mine), ZERO) and dep["count"] == len(mine)
        live = [s for s in deals["sales"] if start <= s["signed"] < end]
        assert sub["amount"] == sum((s["price"] for s in live), ZERO)
        assert con["amount"] == sum((c[2] for c in deals["contracts"] if start <= c[0] < end),
                                    ZERO)
        assert col["received"] == sum((a for at, _i, a, st in deals["payments"]
                                       if st == "confirmed" and start <= at < end), ZERO)
        assert col["due"] == sum((a for due, a, _c in deals["instalments"].values()
                                  if first <= due <= last), ZERO)
        # the part of it a confirmed deposit already covers (定金抵扣), as 按月回款 shows it
        assert col["credited"] == sum((deals["credited"][iid] for iid, (due, _a, _c)
                                       in deals["instalments"].items()
                                       if first <= due <= last), ZERO)
        if kind == "month":
            with time_machine.travel(NOW, tick=False):
                month, = collection_stats.by_month(project, first, first)
            assert (col["due"], col["credited"]) == (month.scheduled, month.credited)
        credited.append(col["credited"])
    assert any(credited)  # some period's instalments were partly covered by a deposit
    with time_machine.travel(NOW, tick=False):
        figures = dashboard.period_figures(project)
    assert figures["month"]["subscriptions"]["amount"] >= figures["day"]["subscriptions"][
        "amount"]
    assert figures["month"]["subscriptions"]["count"] > 0


def test_ageing_reconciles_with_the_payment_register(db, world):
    project, deals = world["project"], world["deals"]
    with time_machine.travel(NOW, tick=False):
        ageing = collection_stats.ageing(project)
        card = collection_stats.bucket_totals(project)  # the dashboard's SQL-only version
        contracts = _register("contracts", project, None, None)
        received = _register("payments", project, None, None, "confirmed")
        waiting = _register("payments", project, None, None, "pending")
    assert ageing.day == TODAY
    assert ageing.scheduled == contracts["total_price"]
    # 回款 is what finance confirmed; the deposit credited (定金抵扣) is counted apart
    assert ageing.received == received["received"] == contracts["received"]
    assert ageing.credited == contracts["credited"] == sum(deals["credited"].values(), ZERO) > 0
    assert ageing.pending == waiting["pending"] == contracts["pending"]
    assert ageing.outstanding == contracts["balance"] == contracts["total_price"] - \
        contracts["credited"] - received["received"]
    assert sum((b["amount"] for b in ageing.buckets.values()), ZERO) == ageing.outstanding
    assert sum((r.unpaid for r in ageing.rows), ZERO) == ageing.outstanding
    paid = defaultdict(lambda: ZERO)
    for _at, iid, amount, status in deals["payments"]:
        if status == "confirmed":
            paid[iid] += amount
    expected = defaultdict(lambda: ZERO)
    for iid, (due, amount, _c) in deals["instalments"].items():
        amount -= deals["credited"][iid]
        if amount > paid[iid]:
            days = (TODAY - due).days
            key = ("not_due" if days <= 0 else "d30" if days <= 30 else "d60" if days <= 60
                   else "default")
            expected[key] += amount - paid[iid]
    assert {k: b["amount"] for k, b in ageing.buckets.items()} == {
        k: expected[k] for k in ("not_due", "d30", "d60", "default")}
    assert ageing.buckets["default"]["amount"] > 0 and ageing.buckets["d30"]["amount"] > 0
    assert card == {k: {"count": b["count"], "amount": b["amount"],
                        "contracts": len(b["contracts"])} for k, b in ageing.buckets.items()}
    months = collection_stats.by_month(project, date(2026, 9, 1), date(2026, 11, 30))
    assert [m.month for m in months] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert sum((m.received for m in months), ZERO) == received["received"]
    for month, scheduled, _credited, got, _pending in months:
        last = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        assert got == _register("payments", project, month, last.fromordinal(
            last.toordinal() - 1), "confirmed")["received"]
        assert scheduled == sum((a for due, a, _c in deals["instalments"].values()
                                 if month <= due < last), ZERO)


def test_consultant_deals_and_funnel_equal_the_record(db, world):
    project, deals = world["project"], world["deals"]
    start, end = _bounds(*period_bounds("month", TODAY))
    with time_machine.travel(NOW, tick=False):
        rows = dict(consultant_stats.performance(project, start, end, TODAY))
        result = funnel.funnel(project, start, end, TODAY)
        figures = dashboard.period_figures(project)["month"]
    by_id = {user.id: row for user, row in rows.items()}
    live = [s for s in deals["sales"] if start <= s["signed"] < end]
    for uid in world["consultants"]:
        row = by_id[uid]
        mine = [s for s in live if s["consultant"] == uid]
        assert row["subscriptions"] == len(mine)
        assert row["subscription_amount"] == sum((s["price"] for s in mine), ZERO)
        assert row["deposits"] == sum(1 for d in deals["deposits"] if d[4] == uid and
                                      d[3] != "rejected" and start <= d[0] < end)
        assert row["contract_amount"] == sum((c[2] for c in deals["contracts"]
                                              if c[3] == uid and start <= c[0] < end), ZERO)
        split = sum(1 for s in live if s["owner"] != s["consultant"] and uid in
                    (s["owner"], s["consultant"]))
        assert row["split"] == split
    assert sum(r["split"] for r in by_id.values()) % 2 == 0
    office = {key: n for key, _label, n, _step, _all in result["office"]}
    assert office["visits"] == figures["visits"]["visit"]
    assert office["cards"] == sum(figures["customers"].values())
    assert office["holds"] == figures["holds"]
    assert office["deposits"] == figures["deposits"]["count"]
    assert office["subscriptions"] == figures["subscriptions"]["count"] == len(live)
    assert office["contracts"] == figures["contracts"]["count"]
    per_consultant = Counter()
    for _user, stages in result["rows"]:
        for key, _label, n, _s, _a in stages:
            per_consultant[key] += n
    assert per_consultant["subscriptions"] == office["subscriptions"]
    assert per_consultant["deposits"] == office["deposits"]


def test_the_pages_show_and_export_the_deal_figures(app, world):
    with time_machine.travel(NOW, tick=False):
        manager = browser_for(app, "boss")
        home = manager.get("/")
        funnel_page = manager.get("/reports/funnel?period=month&day=2026-11-23")
        funnel_xlsx = manager.get("/reports/funnel.xlsx?period=month&day=2026-11-23")
        ageing_page = manager.get("/reports/collections")
        ageing_xlsx = manager.get("/reports/collections.xlsx")
        people_xlsx = manager.get("/reports/consultants.xlsx?period=month")
        sales = manager.get("/reports/sales?period=month&day=2026-11-23")
        sales_pdf = manager.get("/reports/sales.pdf?period=month&day=2026-11-23")
        with app.app_context():
            ageing = collection_stats.ageing(world["project"])
            month = deal_stats.collections(world["project"], [_bounds(
                *period_bounds("month", TODAY))])[0]
    # what fell due this month, and the part of it a deposit covers (定金抵扣), as 按月回款
    assert month["credited"] > 0
    due, credited = format_money(month["due"]), format_money(month["credited"])
    dashboard_rows = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", home.text))
    assert re.search(rf"其中定金抵扣 (\S+ ){{2}}{re.escape(credited)}", dashboard_rows)
    assert f"到期应收 {due}(其中定金抵扣 {credited})" in sales.text
    text = PdfReader(io.BytesIO(sales_pdf.data)).pages[0].extract_text().replace("\n", "")
    assert f"到期应收 {due},其中定金抵扣 {credited}" in text
    assert "认购金额" in home.text and "逾期回款" in home.text and "违约" in home.text
    assert funnel_page.status_code == 200 and "转化漏斗" in funnel_page.text
    assert '<svg class="chart"' in funnel_page.text
    assert ageing_page.status_code == 200 and "回款账龄" in ageing_page.text
    sheet = load_workbook(io.BytesIO(ageing_xlsx.data)).active
    unpaid = [row[9] for row in sheet.iter_rows(min_row=2, values_only=True)
              if isinstance(row[9], (int, float)) and row[0] not in (None, "合计")]
    assert len(unpaid) == len(ageing.rows)
    assert Decimal(str(round(sum(unpaid), 2))) == ageing.outstanding
    assert funnel_xlsx.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats") and people_xlsx.status_code == 200
    names = [row[0] for row in load_workbook(io.BytesIO(people_xlsx.data)).active.iter_rows(
        values_only=True)]
    assert "王芳" in names
