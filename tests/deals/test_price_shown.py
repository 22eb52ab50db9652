"""The price the 认购书 form shows is the price then signed."""
import re
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Subscription
from tests.deals.test_price_policy import confirmed_unit, set_up_policy, sign

PANEL_PRICE = re.compile(r"标准优惠价(?:[^<]*)</th><td class=\"num\"><strong>¥([\d,.]+)</strong>")
CONFIRM = re.compile(r'id="sign-button"[^>]*data-confirm="[^"]*¥([\d,.]+)')


def shown(html):
    return Decimal(PANEL_PRICE.search(html).group(1).replace(",", ""))


def test_the_form_opens_priced_for_the_preselected_plan_and_signs_that_price(
        app, office, browser_for):
    set_up_policy(browser_for)  # 一次性 98折, 按揭 99折, 开盘当日 −10,000
    unit_id = confirmed_unit(app, office, browser_for)
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/units/{unit_id}/subscription").text
    assert "未选付款方式" not in page
    assert re.search(r'<option selected value="full">|<option value="full" selected', page)
    price = shown(page)
    assert Decimal(CONFIRM.search(page).group(1).replace(",", "")) == price
    # changing the plan re-prices the panel and the confirmation together (htmx)
    mortgage = secretary.get(f"/deals/units/{unit_id}/price?plan=mortgage&deal_price=",
                             headers={"HX-Request": "true"}).text
    assert shown(mortgage) > price and 'hx-swap-oob="true"' in mortgage
    assert Decimal(CONFIRM.search(mortgage).group(1).replace(",", "")) == shown(mortgage)
    done = sign(secretary, unit_id, plan="full", customer=office["zhang"])
    assert done.status_code == 302, done.text
    with app.app_context():
        signed = db.session.scalar(select(Subscription)).deal_price
    assert signed == price
    assert f"成交总价 ¥{price:,.2f}" in secretary.get(done.headers["Location"]).text
