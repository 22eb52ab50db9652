"""Price policy, the live price panel on the subscription form, the receipt void page and the
unit panel's discount link, in Chromium (screenshots for people to look at)."""
import re
from datetime import timedelta

from app.services import clock
from tests.e2e.conftest import login, shot, wait_until


def test_policy_page_and_subscription_price_panel(page, browser, live_server):
    login(page, live_server, "manager")
    page.goto(live_server["url"] + "/deals/price-policy")
    assert "一次性付款优惠" in page.content() and "98折" in page.content()
    shot(page, "deals-price-policy")

    secretary = browser.new_context(viewport={"width": 1440, "height": 900},
                                    locale="zh-CN").new_page()
    login(secretary, live_server, "secretary")
    secretary.goto(live_server["url"] + "/board")
    secretary.click("nav.tabs >> text=3栋")
    cell = secretary.locator(".cell", has=secretary.locator(
        ".c-no", has_text=re.compile(r"^\s*1102\b")))
    unit_id = cell.get_attribute("id").removeprefix("u-")
    secretary.goto(live_server["url"] + f"/deals/units/{unit_id}/subscription")
    secretary.select_option("[name=plan]", "full")
    wait_until(secretary, lambda: "一次性付款优惠" in secretary.locator("#price-panel")
               .inner_text())
    secretary.fill("[name=sign_deadline]", (clock.today() + timedelta(days=7)).isoformat())
    secretary.fill("[name=id_number]", "11010519491231002X")
    secretary.fill("[name=address]", "上海市浦东新区世纪大道 100 号")
    shot(secretary, "deals-subscription-form-price")
    secretary.once("dialog", lambda dialog: dialog.accept())  # 确认以 ¥… 签订?
    secretary.click("button:has-text('签订认购书并标记已售')")
    secretary.wait_for_url("**/deals/subscriptions/*")  # the URL changes before the page
    secretary.wait_for_load_state()                      # has content: wait for it to load
    assert "一次性付款优惠(98折)" in secretary.content()
    assert "尚欠房款" in secretary.content()
    shot(secretary, "deals-subscription-discounts")
    assert not page.csp_errors


def test_receipt_void_page_and_ledger(page, live_server):
    login(page, live_server, "finance")
    page.goto(live_server["url"] + "/deals/receipts/void")
    page.fill("[name=receipt_no]", "1099")
    page.fill("[name=reason]", "填写错误,已撕毁")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('作废收据')")
    wait_until(page, lambda: "已作废收据 No.0001099" in page.content())
    page.fill("[name=receipt_no]", "1003")
    page.fill("[name=reason]", "想作废已确认的")
    page.click("button:has-text('作废收据')")
    wait_until(page, lambda: "不能直接作废" in page.content())
    shot(page, "deals-receipt-void")
    page.goto(live_server["url"] + "/deals/registers/receipts")
    assert "已作废" in page.content()
    assert re.search(r"其中已作废 \d+ 笔不计金额", page.locator("tfoot").inner_text())
    shot(page, "deals-register-receipts-void")


def test_unit_panel_links_to_a_special_discount(page, live_server):
    login(page, live_server, "consultant")
    page.goto(live_server["url"] + "/board")
    page.click("nav.tabs >> text=1栋")
    page.locator(".cell.s-available").first.click()
    page.wait_for_selector("#unit-panel >> text=申请特殊优惠")
    shot(page, "board-panel-discount-link")
    page.click("#unit-panel >> text=申请特殊优惠")
    page.wait_for_url("**/discounts/new*")
    page.wait_for_load_state()
    assert page.input_value("[name=unit_no]")
