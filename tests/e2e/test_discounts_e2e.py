"""A consultant asks, the manager's badge follows, one click approves, the consultant sees it."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Building, Customer, Unit, User
from tests.e2e.conftest import SHOTS, login, shot, wait_until


def _ids(live_server):
    """A demo customer of the consultant who logs in, and an available unit."""
    with live_server["app"].app_context():
        username = live_server["logins"]["consultant"][0]
        owner = db.session.scalar(select(User.id).where(User.username == username))
        customer, name = db.session.execute(
            select(Customer.id, Customer.name).where(Customer.owner_id == owner)
            .order_by(Customer.id).limit(1)).one()
        unit = db.session.scalar(select(Unit.id).join(Building).where(
            Building.name == "2栋", Unit.unit_no == "1506"))
        return customer, name, unit


def _badge(page):
    badge = page.locator("#badge-discounts-queue")
    return badge.inner_text().strip() if badge.count() else ""


def test_request_badge_approve_and_the_consultant_sees_it(browser, live_server):
    base = live_server["url"]
    manager = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    consultant = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    m_page, c_page = manager.new_page(), consultant.new_page()
    csp = []
    for page in (m_page, c_page):
        page.on("console", lambda msg: csp.append(msg.text)
                if "Content Security Policy" in msg.text else None)
    try:
        login(m_page, live_server, "manager")
        wait_until(m_page, lambda: _badge(m_page) != "")
        before = int(_badge(m_page))

        login(c_page, live_server, "consultant")
        customer, name, unit = _ids(live_server)
        c_page.goto(f"{base}/discounts/new?customer_id={customer}&unit_id={unit}")
        assert c_page.locator("input[name=unit_no]").input_value() == "1506"
        c_page.select_option("select[name=kind]", "amount")
        c_page.fill("input[name=value]", "36000")
        deal = c_page.locator("#discount-quote .deal")
        wait_until(c_page, lambda: deal.count() == 1)
        assert "底价" not in c_page.locator("#discount-quote").inner_text()
        c_page.fill("textarea[name=reason]", "客户全款,本周签约,竞品同户型低 2 万")
        shot(c_page, "discount-request-form")
        c_page.click("button:has-text('提交申请')")
        c_page.wait_for_url(re.compile(r".*/discounts/\d+$"))
        assert "待审批" in c_page.locator("#discount-status").inner_text()
        request_id = c_page.url.rstrip("/").split("/")[-1]

        wait_until(m_page, lambda: _badge(m_page) == str(before + 1), timeout=10)

        m_page.goto(f"{base}/discounts/queue")
        row = m_page.locator(f"#discount-{request_id}")
        assert name in row.inner_text() and "高于底价" in row.inner_text()
        shot(m_page, "discount-queue")
        queue_url = m_page.url
        row.locator("button[value=approve]").click()
        row_now = m_page.locator(f"#discount-{request_id}")
        wait_until(m_page, lambda: "已批准" in row_now.inner_text())
        assert m_page.url == queue_url  # decided in place, no page load
        wait_until(m_page, lambda: _badge(m_page) == str(before))
        shot(m_page, "discount-queue-approved")

        wait_until(c_page, lambda: "已批准" in c_page.locator("#discount-status").inner_text(),
                   timeout=10)
        assert "刘强" in c_page.locator("#discount-status").inner_text()
        shot(c_page, "discount-request-approved")

        m_page.goto(f"{base}/discounts/log")
        assert name in m_page.locator("#discount-log-rows").inner_text()
        shot(m_page, "discount-log")
        pdf = m_page.request.get(f"{base}/discounts/log.pdf")
        assert pdf.ok and pdf.body().startswith(b"%PDF")
        SHOTS.mkdir(exist_ok=True)
        (SHOTS / "discount-log.pdf").write_bytes(pdf.body())
        assert not csp, csp
    finally:
        manager.close()
        consultant.close()
