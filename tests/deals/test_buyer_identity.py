"""The 认购书 form confirms the buyer's ID type and number and address, asks
for them when the card lacks them, and signing without them needs an explicit reason."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Deposit, Subscription
from app.services import clock
from tests.deals.conftest import form_key
from tests.deals.test_path import record_deposit


def confirmed(app, office, browser_for, customer):
    unit_id = office["units"]["1栋 101"]
    owner = "wangfang" if customer == "zhang" else "lijun"
    done, _ = record_deposit(browser_for("zhaomin"), unit_id, office[customer], "1001",
                             consultant=office[owner])
    assert done.status_code == 302, done.text
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id))
    browser_for("chenjing").post(f"/deals/deposits/{deposit_id}/confirm", {})
    return unit_id


def post(secretary, unit_id, customer, **fields):
    page = secretary.get(f"/deals/units/{unit_id}/subscription").text
    return page, secretary.post(f"/deals/units/{unit_id}/subscription", {
        "form_key": form_key(page), "customer_id": customer, "plan": "full",
        "sign_deadline": (clock.today() + timedelta(days=7)).isoformat(), **fields})


def test_the_card_number_is_confirmed_and_a_missing_address_needs_a_reason(
        app, office, browser_for):
    unit_id = confirmed(app, office, browser_for, "zhang")
    secretary = browser_for("zhaomin")
    page, refused = post(secretary, unit_id, office["zhang"], id_type="id_card",
                         id_number="110101199001011234")
    assert 'value="110101199001011234"' in page and "证件类型" in page  # from the card
    assert refused.status_code == 422 and "请填写买受人的通讯地址" in refused.text
    _, done = post(secretary, unit_id, office["zhang"], id_type="id_card",
                   id_number="110101199001011234", address="上海市浦东新区世纪大道 100 号")
    assert done.status_code == 302, done.text
    with app.app_context():
        sub = db.session.scalar(select(Subscription))
        assert (sub.buyer_id_type, sub.buyer_id_number, sub.identity_note) == (
            "id_card", "110101199001011234", None)


def test_a_card_without_id_asks_for_it_or_a_reason(app, office, browser_for):
    unit_id = confirmed(app, office, browser_for, "li")  # 李四's card has no ID number
    secretary = browser_for("zhaomin")
    _, refused = post(secretary, unit_id, office["li"], address="北京市朝阳区")
    assert refused.status_code == 422 and "请填写买受人的证件号码" in refused.text
    _, bad = post(secretary, unit_id, office["li"], id_type="id_card", id_number="12345",
                  address="北京市朝阳区")
    assert bad.status_code == 422 and "居民身份证号码应为 18 位" in bad.text
    _, done = post(secretary, unit_id, office["li"], id_type="passport",
                   identity_note="客户未带证件,签约前补齐")
    assert done.status_code == 302, done.text
    with app.app_context():
        sub_id = db.session.scalar(select(Subscription.id))
    detail = secretary.get(f"/deals/subscriptions/{sub_id}").text
    assert "证件/地址暂缺:客户未带证件,签约前补齐" in detail
