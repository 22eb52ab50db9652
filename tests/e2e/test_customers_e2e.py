"""Customers in a real browser: the front desk registers a walk-in with one short form, the
rotation assigns it, and the consultant finds it on 我的今天. Screenshots of every page."""
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, User
from app.services.users import set_password
from tests.e2e.conftest import SHOTS, login, shot, wait_until

PASSWORD = "Front-Desk-2026"


def snap(page, name):
    """A screenshot before an htmx swap: Playwright's caret hiding writes style="" on inputs,
    which htmx would copy while settling (a CSP report the app itself never causes)."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


def _login_as(page, live_server, display_name):
    """Log in as a demo consultant by name (the fixture keeps one login per role)."""
    username, password = live_server["logins"]["consultant"]
    with live_server["app"].app_context():
        user = db.session.scalar(select(User).where(User.display_name == display_name))
        if user.username != username:
            username, password = user.username, PASSWORD
            set_password(user, password)
            db.session.commit()
    page.goto(live_server["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server["url"] + "/")


def test_front_desk_walk_in_reaches_the_consultants_day(page, live_server, browser):
    login(page, live_server, "secretary")
    page.goto(live_server["url"] + "/rotation/")
    button = page.locator("#desk button[type=submit].btn-block")
    consultant = button.inner_text().split("→")[1].strip()
    assert page.locator(".queue-item.next .queue-name").inner_text() == consultant
    snap(page, "rotation-desk")
    # the whole registration: type name and phone, one click on a channel, one on submit
    page.fill("input[name=name]", "周测试")
    page.fill("input[name=phone]", "186 0000 1234")
    page.click("label.chip:has-text('路过')")
    page.click("#desk button[type=submit].btn-block")
    wait_until(page, lambda: page.locator(".result").count() == 1)
    assert "周测试 →" in page.locator(".result").inner_text()
    assert page.locator(".result-name").inner_text() == consultant
    assert page.locator("input[name=name]").input_value() == ""
    assert page.evaluate("document.activeElement.name") == "name"  # ready for the next one
    shot(page, "rotation-assigned")
    page.fill("input[name=phone]", "18600001234")
    wait_until(page, lambda: "老客户 周测试" in page.locator("#phone-hint").inner_text())
    assert not page.csp_errors, page.csp_errors

    other = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    _login_as(other, live_server, consultant)
    other.goto(live_server["url"] + "/customers/today")
    received = other.locator("#received").inner_text()
    assert "周测试" in received and "18600001234" in received and "轮接" in received
    shot(other, "my-today")
    other.context.close()


def test_card_quick_registration_and_reveal(page, live_server):
    with live_server["app"].app_context():
        customer = db.session.scalar(select(Customer).join(User, Customer.owner_id == User.id)
                                     .where(User.username == "lijun", Customer.grade == "A"))
        customer_id, phone = customer.id, customer.phone
    login(page, live_server, "consultant")  # 李军
    page.goto(live_server["url"] + "/customers/new")
    shot(page, "quick-registration")
    page.goto(f"{live_server['url']}/customers/{customer_id}")
    assert phone in page.locator(".card-meta").inner_text()
    snap(page, "customer-card")
    page.fill("textarea[name=content]", "电话回访:周六带父母来看样板间")
    page.click("#follow-ups button[type=submit]")
    wait_until(page, lambda: "周六带父母" in page.locator("#follow-ups .timeline").inner_text())
    page.goto(live_server["url"] + "/customers/")
    shot(page, "customer-list")
    assert not page.csp_errors, page.csp_errors

    page.click("text=退出登录")
    login(page, live_server, "manager")
    page.goto(f"{live_server['url']}/customers/{customer_id}")
    masked = page.locator(".card-meta .phone").first.inner_text()
    assert phone not in masked and "****" in masked
    page.click(".card-meta .reveal")
    wait_until(page, lambda: phone in page.locator(".card-meta").inner_text())
    page.goto(live_server["url"] + "/customers/access-log")
    assert "显示电话" in page.locator("table").inner_text()
    assert not page.csp_errors, page.csp_errors


def test_statistics_charts_and_manager_pages(page, live_server):
    login(page, live_server, "manager")
    for path, name in (("/visits/analysis", "customer-analysis"),
                       ("/visits/statistics?period=month", "visit-statistics"),
                       ("/visits/weekly", "saturday-check"), ("/customers/ownership", "ownership"),
                       ("/channels/", "channel-reports"), ("/visits/", "visit-log"),
                       ("/rotation/order", "rotation-order"), ("/customers/options", "options")):
        page.goto(live_server["url"] + path)
        shot(page, name)
    page.goto(live_server["url"] + "/visits/analysis")
    assert page.locator("svg.chart").count() == 6
    assert page.locator("svg.chart rect.bar").count() > 20
    page.emulate_media(media="print")
    assert page.locator(".sidebar").is_hidden() and page.locator("svg.chart").first.is_visible()
    shot(page, "customer-analysis-print")
    page.emulate_media(media="screen")
    assert not page.csp_errors, page.csp_errors
