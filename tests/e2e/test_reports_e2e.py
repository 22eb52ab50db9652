"""The manager's dashboard and the sales report in a real browser: they render under the CSP
and their links lead to the lists behind the figures."""
from tests.e2e.conftest import login, shot


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
    assert page.csp_errors == []
