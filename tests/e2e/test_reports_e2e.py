"""The manager's dashboard and the sales report in a real browser: they render under the CSP
and their links lead to the lists behind the figures."""
from tests.e2e.conftest import SHOTS, login, shot


def test_manager_dashboard_and_sales_report(page, live_server):
    login(page, live_server, "manager")
    assert page.locator("text=经营概况").count() == 1
    assert page.locator(".dash-table tbody tr").count() >= 8
    shot(page, "reports-dashboard")
    page.click(".dash-table a >> nth=0")  # today's walk-ins → 来人来电统计表
    assert "/visits/statistics" in page.url
    page.goto(live_server["url"] + "/reports/sales?period=month")
    assert page.locator("h1").inner_text() == "销售月报"
    assert page.locator("svg.chart").count() >= 1
    shot(page, "reports-sales-month")
    page.goto(live_server["url"] + "/reports/consultants")
    assert page.locator(".consultant-table tbody tr").count() >= 1
    shot(page, "reports-consultants")
    page.goto(live_server["url"] + "/reports/sales?period=day")
    assert page.locator("h1").inner_text() == "销售日报"
    shot(page, "reports-sales-day")
    pdf = page.request.get(live_server["url"] + "/reports/sales.pdf?period=day")
    assert pdf.headers["content-type"] == "application/pdf"
    (SHOTS / "reports-sales-day.pdf").write_bytes(pdf.body())
    assert page.csp_errors == []


def test_funnel_and_collections_pages(page, live_server):
    login(page, live_server, "manager")
    assert page.locator("text=逾期回款").count() == 1  # the dashboard's arrears
    page.click(".main a:has-text('回款账龄') >> nth=0")
    assert page.locator("h1").inner_text() == "回款账龄"
    assert page.locator("text=违约").count() >= 1  # the demo's contract overdue > 60 days
    shot(page, "reports-collections")
    page.goto(live_server["url"] + "/reports/funnel?period=month")
    assert page.locator("h1").inner_text() == "转化漏斗"
    assert page.locator("svg.chart").count() == 1
    shot(page, "reports-funnel")
    assert page.csp_errors == []
