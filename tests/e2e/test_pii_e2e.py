"""Personal data in a real browser: the full-number export asks what it is for, a reveal over
the hourly limit is refused in a toast and shows on the manager's home page, and the 认购书
PDF is masked for finance (its pages saved as PNG for a look)."""
import subprocess

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, Project, Subscription, User
from tests.e2e.conftest import SHOTS, login, shot, wait_until


def _set_limit(live_server, value):
    with live_server["app"].app_context():
        for project in db.session.scalars(select(Project)):
            project.reveal_limit = value
        db.session.commit()


def test_full_export_asks_for_a_reason(page, live_server):
    login(page, live_server, "manager")
    page.goto(live_server["url"] + "/customers/")
    page.click("text=导出完整号码")
    page.wait_for_url("**/customers/full-export")
    page.fill("textarea[name=reason]", "   ")
    page.click("button:has-text('导出完整号码')")
    assert "请填写导出完整号码的用途" in page.locator("form[action$='full-export']").inner_text()
    shot(page, "export-full-refused")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "export-full-refused-phone")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.fill("textarea[name=reason]", "开盘前电话通知老客户")
    with page.expect_download() as download:
        page.click("button:has-text('导出完整号码')")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(live_server["url"] + "/customers/access-log")
    assert "开盘前电话通知老客户" in page.locator("table").inner_text()
    shot(page, "access-log-full-export")
    assert not page.csp_errors, page.csp_errors


def test_a_reveal_over_the_limit_is_refused_and_the_manager_sees_it(page, live_server):
    with live_server["app"].app_context():
        customer_id = db.session.scalar(select(Customer.id).join(
            User, Customer.owner_id == User.id).where(User.username == "lijun",
                                                       Customer.grade == "A"))
    _set_limit(live_server, 1)
    try:
        login(page, live_server, "secretary")
        page.goto(f"{live_server['url']}/customers/{customer_id}")
        page.click(".card-meta .reveal")
        wait_until(page, lambda: page.locator(".card-meta .revealed").count() == 1)
        page.reload()  # the number shows once; to see it again is one reveal too many
        page.click(".card-meta .reveal")
        wait_until(page, lambda: page.locator("#toast").is_visible())
        assert "每小时最多显示 1 次" in page.locator("#toast").inner_text()
        shot(page, "reveal-refused")
        page.click("text=退出登录")
        login(page, live_server, "manager")
        alert = page.locator(".reveal-alerts").inner_text()
        assert "显示完整号码超限" in alert and "被拒 1 次" in alert
        shot(page, "manager-home-reveal-alert")
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, "manager-home-reveal-alert-phone")
    finally:
        _set_limit(live_server, 30)


def test_the_subscription_pdf_is_masked_for_finance(page, live_server):
    with live_server["app"].app_context():
        sub = db.session.scalar(select(Subscription).where(
            Subscription.status != "voided").order_by(Subscription.id))
        sub_id, phone = sub.id, sub.customer.phone
    SHOTS.mkdir(exist_ok=True)
    for role in ("finance", "secretary"):
        login(page, live_server, role)
        pdf = page.request.get(f"{live_server['url']}/deals/subscriptions/{sub_id}/pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        path = SHOTS / f"subscription-{role}.pdf"
        path.write_bytes(pdf.body())
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path),
                        str(SHOTS / f"subscription-pdf-{role}")], check=True)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert (phone in text) == (role == "secretary"), role
        page.goto(live_server["url"] + "/")
        page.click("text=退出登录")
