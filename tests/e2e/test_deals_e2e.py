"""Deals in Chromium: finance confirms in one browser, the secretary marks the unit sold in a
second, and the board in a third turns it sold within 3 s."""
import re
from datetime import timedelta

from app.services import clock
from tests.e2e.conftest import login, shot, wait_until


def _context_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    return context.new_page()


def test_confirm_mark_sold_and_every_board_follows(page, browser, live_server):
    secretary, watcher = _context_page(browser), _context_page(browser)
    login(page, live_server, "finance")
    login(secretary, live_server, "secretary")
    login(watcher, live_server, "manager")
    watcher.goto(live_server["url"] + "/board")
    watcher.click("nav.tabs >> text=1栋")
    watcher.wait_for_selector(".cell")
    cell = watcher.locator(".cell", has=watcher.locator(".c-no", has_text=re.compile(r"^\s*503\b")))
    unit_id = cell.get_attribute("id").removeprefix("u-")
    assert "s-deposit_pending" in cell.get_attribute("class")

    page.goto(live_server["url"] + "/deals/queue")
    row = page.locator("tr", has_text="1栋 503")
    assert "¥10,000.00" in row.inner_text() and "No.0001001" in row.inner_text()
    shot(page, "deals-finance-queue")
    row.locator("button", has_text="确认收款").click()
    wait_until(page, lambda: "已确认定金" in page.content())
    wait_until(watcher, lambda: "s-deposit_confirmed" in cell.get_attribute("class"), 3.0)

    secretary.goto(live_server["url"] + f"/board?unit={unit_id}")
    secretary.click("#unit-panel >> text=签认购书(标记已售)")
    secretary.wait_for_selector("form [name=sign_deadline]")
    secretary.fill("[name=sign_deadline]", (clock.today() + timedelta(days=7)).isoformat())
    secretary.fill("[name=co_buyers]", "李梅 110101199202023456")
    secretary.fill("[name=id_number]", "11010519491231002X")
    secretary.fill("[name=address]", "上海市浦东新区世纪大道 100 号")
    shot(secretary, "deals-mark-sold")
    secretary.once("dialog", lambda dialog: dialog.accept())  # 确认以 ¥… 签订?
    secretary.click("button:has-text('签订认购书并标记已售')")
    wait_until(secretary, lambda: "已售" in secretary.content() and "/subscriptions/" in
               secretary.url)
    wait_until(watcher, lambda: "s-subscribed" in cell.get_attribute("class"), 3.0)
    shot(secretary, "deals-subscription")
    assert not page.csp_errors


def test_registers_pages(page, live_server):
    login(page, live_server, "finance")
    for name in ("small", "large", "subscriptions", "contracts", "payments", "owners",
                 "receipts"):
        page.goto(live_server["url"] + f"/deals/registers/{name}")
        assert "合计" in page.locator("tfoot").inner_text()
        shot(page, f"deals-register-{name}")
    page.goto(live_server["url"] + "/deals/overdue")
    assert "违约" in page.content()
    shot(page, "deals-overdue")
    assert not page.csp_errors
