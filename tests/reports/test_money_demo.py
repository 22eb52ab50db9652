"""The demo project (flask demo-data) shows the money screens agreeing, through the pages:
the 认购书 form's price is the price then signed, 回款 is one figure on 回款账龄, 签约明细表 and
回款明细表 with 定金抵扣 apart, and the 销售日报 counts its 退房 as the 换房退房一览表 does, its
换房 apart, on the page, the PDF and the xlsx. The closing note's 'after' figures."""
import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import Building, Payout, Project, Subscription, Unit, UnitStatus, User
from app.services import clock
from app.services.deals import registers
from app.services.money import format_money
from tests.conftest import FAST_HASH, PASSWORD
from tests.deals.conftest import form_key
from tests.helpers import Browser


def demo_logins(app, *usernames):
    """The demo loaded (the demo_office fixture); the named users log in with the tests'
    password (theirs is random)."""
    with app.app_context():
        for user in db.session.scalars(select(User).where(User.username.in_(usernames))):
            user.password_hash = FAST_HASH
        db.session.commit()
        project_id = db.session.scalar(select(Project.id))
    browsers = []
    for username in usernames:
        browser = Browser(app.test_client())
        assert browser.login(username, PASSWORD).status_code == 302
        browsers.append(browser)
    return project_id, browsers


def stat(page, label):
    return re.search(rf'stat-label">{label}</span>\s*<span class="stat-value[^"]*">([^<]+)<',
                     page).group(1)


def footer(page):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index("<tfoot>"):
                                                          page.index("</tfoot>")]))


def test_the_demo_shows_the_money_screens_agreeing(app, demo_office):
    project_id, (manager, secretary) = demo_logins(app, "liuqiang", "zhaomin")
    # 回款: one figure on the three pages, 定金抵扣 and pending in their own columns
    with app.app_context():
        contracts = registers.totals("contracts", project_id, {})
        payments = registers.totals("payments", project_id, {})
    assert contracts["received"] == payments["received"] > 0 and contracts["credited"] > 0
    ageing = manager.get("/reports/collections").text
    assert stat(ageing, "已确认回款") == format_money(contracts["received"])
    assert stat(ageing, "定金抵扣") == format_money(contracts["credited"])
    assert stat(ageing, "待财务确认") == format_money(contracts["pending"])
    for url in ("/deals/registers/contracts", "/deals/registers/payments"):
        assert format_money(contracts["received"]) in footer(manager.get(url).text)

    # 销售日报: the demo's 退房 and 换房 of today, apart, as on the 一览表
    day = clock.today().isoformat()
    page = manager.get(f"/reports/sales?period=day&day={day}").text
    assert "退房 1 套 · 换房 1 套" in page
    pdf = PdfReader(io.BytesIO(manager.get(f"/reports/sales.pdf?period=day&day={day}").data))
    assert "退房 1 套 · 换房 1 套" in pdf.pages[0].extract_text().replace("\n", "")
    assert len(pdf.pages) == 1  # one printed sheet, its 退房 and 换房 columns included
    sheet = load_workbook(io.BytesIO(
        manager.get(f"/reports/sales.xlsx?period=day&day={day}").data)).active
    figures = dict(zip([c.value for c in sheet[1]], [r for r in sheet.iter_rows(
        values_only=True) if r[0] == "合计"][-1], strict=False))
    assert (figures["退房"], figures["换出"], figures["换入"]) == (1, 1, 1)
    listed = manager.get(f"/changes/?kind=refund&status=executed&basis=executed&stage=sold"
                         f"&start={day}&end={day}").text
    assert "合计 1 笔" in listed
    with app.app_context():  # and its 退款收据 is the first of the year's sequence
        assert db.session.scalar(select(Payout.number).where(Payout.number.is_not(None))) \
            == f"TK{clock.today().year}-0001"

    # the 认购书 form: the price it shows is the price signed with the price left blank
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).join(Building).where(
            Building.project_id == project_id, Unit.status == UnitStatus.DEPOSIT_CONFIRMED)
            .order_by(Unit.id))
    form = secretary.get(f"/deals/units/{unit_id}/subscription").text
    assert "未选付款方式" not in form
    shown = re.search(r'class="sign-price">([^<]+)<', form).group(1)
    customer = re.search(r'<option selected value="(\d+)"', form).group(1)
    signed = secretary.post(f"/deals/units/{unit_id}/subscription", {
        "form_key": form_key(form), "customer_id": customer, "deal_price": "", "plan": "full",
        "sign_deadline": (clock.today() + timedelta(days=7)).isoformat(),
        "address": "上海市浦东新区陆家嘴环路 1000 号",
        "identity_note": "客户未带身份证,签约前补齐"})
    assert signed.status_code == 302, signed.text[:500]
    with app.app_context():
        price = db.session.scalar(select(Subscription.deal_price).where(
            Subscription.unit_id == unit_id, Subscription.status == "signed"))
    assert shown == format_money(price)
