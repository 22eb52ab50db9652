"""The commission pages in Chromium at the office's 1366×768 and a phone's 390×844: rules,
提成审批, payout, the registers and a channel company's 佣金结算单 (screenshots to look at)."""
from tests.e2e.conftest import login, shot

SIZES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


def test_commission_pages_render_for_the_roles_that_use_them(page, browser, live_server):
    base = live_server["url"]
    login(page, live_server, "manager")
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for path, name, text in (("/commissions/rules", "rules", "全民经纪人"),
                                 ("/commissions/approvals", "approvals", "审批所选"),
                                 ("/commissions/", "lines", "郑文博"),
                                 ("/commissions/summary", "summary", "应得合计")):
            page.goto(base + path)
            assert text in page.content(), path
            shot(page, f"commissions-{name}-{size}")
    page.goto(base + "/commissions/summary")
    page.click("tr:has-text('链家地产') >> text=结算单")
    page.wait_for_load_state()
    assert "¥24,941.85" in page.content()
    page.set_viewport_size(SIZES["1366"])
    shot(page, "commissions-statement-1366")
    assert not page.csp_errors
    finance = browser.new_context(viewport=SIZES["1366"], locale="zh-CN").new_page()
    login(finance, live_server, "finance")
    finance.goto(base + "/commissions/payouts")
    assert "佣金发放" in finance.content()
    shot(finance, "commissions-payouts-1366")
