"""A consultant in the sales hall with a phone (390×844): the board one building at a time,
a unit held and let go by taps on 44 px buttons, and the hold counted down on 我的今天."""
import re

from tests.e2e.conftest import login, shot, wait_until

PHONE = {"width": 390, "height": 844}
HOLD = re.compile(r"^保留")  # 保留 30 分钟…, not 取消保留


def _tall_enough(locator):
    box = locator.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def _let_go(page, line):
    """From a hold on 我的今天 to its unit, and 取消保留 there."""
    link = line.locator("a")
    _tall_enough(link)
    link.tap()
    page.wait_for_url(re.compile(r"/board/unit\?unit=\d+$"))
    button = page.locator("#unit-panel button", has_text="取消保留")
    _tall_enough(button)
    button.tap()
    page.locator("#unit-panel button", has_text=HOLD).wait_for()  # open to hold again


def test_a_consultant_holds_and_lets_go_of_a_unit_on_the_phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    login(page, live_server, "consultant")
    page.goto(live_server["url"] + "/customers/today")
    if page.locator(".hold-line").count():  # under the cap of 3 whatever ran before
        _let_go(page, page.locator(".hold-line").first)
    page.goto(live_server["url"] + "/board")
    page.wait_for_url(re.compile(r"/board\?building=\d+"))  # one building, not all of them
    assert page.locator(".bld").count() == 1
    cell = page.locator(".bld .s-available[id^=u-]").first
    _tall_enough(cell)
    cell.tap()
    hold = page.locator("#unit-panel button", has_text=HOLD)
    hold.wait_for()
    _tall_enough(hold)
    hold.tap()
    page.locator("#unit-panel button", has_text="取消保留").wait_for()
    label = page.locator("#unit-panel h2").inner_text()

    page.goto(live_server["url"] + "/customers/today")
    line = page.locator(".hold-line", has_text=label)
    left = line.locator(".countdown-left")
    wait_until(page, lambda: re.fullmatch(r"剩 (29|30):\d\d", left.inner_text()) is not None)
    first = left.inner_text()
    wait_until(page, lambda: left.inner_text() != first, timeout=3)  # it counts down
    shot(page, "phone-my-day-hold")
    _let_go(page, line)
    page.goto(live_server["url"] + "/customers/today")
    assert page.locator(".hold-line", has_text=label).count() == 0
    context.close()


def _on_screen(locator):
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_a_manager_decides_special_discounts_on_the_phone_without_scrolling_sideways(
        browser, live_server):
    """The approval queue on a phone: each request a card, each line under its column's name,
    the opinion box and 批准 / 驳回 on screen. A 驳回 without a reason comes back in place
    (422) with the error, still a card."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    login(page, live_server, "manager")
    page.goto(live_server["url"] + "/discounts/queue")
    row = page.locator(".queue-table tbody tr", has=page.locator("button", has_text="驳回")).first
    row.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    labels = row.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
    assert labels[:4] == ["申请", "客户 / 房源", "表价 / 成交价", "特殊优惠"], labels
    reject = row.locator("button", has_text="驳回")
    for control in (row.locator("input[name=comment]"), reject):
        _on_screen(control)
        _tall_enough(control)
    row_id = row.get_attribute("id")
    reject.tap()
    again = page.locator(f"#{row_id}")
    again.locator(".error").wait_for()
    wait_until(page, lambda: again.locator("td").first.get_attribute("data-label") == "申请",
               timeout=2)  # labelled on htmx:load, once the new row has settled
    _on_screen(again.locator("button", has_text="驳回"))
    shot(page, "phone-discount-queue")
    context.close()
