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
                         id_number="")  # as the form comes: blank, the card's number meant
    # the card's number is confirmed by its mask: the full number is not in the page
    assert "110***********1234" in page and "证件类型" in page
    assert "改选买受人则用其客户卡上的号码" in page  # blank: the chosen buyer's card
    assert "110101199001011234" not in page
    assert refused.status_code == 422 and "请填写买受人的通讯地址" in refused.text
    assert "110101199001011234" not in refused.text  # nor when the form comes back
    _, done = post(secretary, unit_id, office["zhang"], id_type="id_card", id_number="",
                   address="上海市浦东新区世纪大道 100 号")  # left blank: the card's number
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


def test_a_correction_keeps_the_buyers_numbers_without_showing_them(app, office, browser_for):
    """The 认购书 page's correction form (作废并重开) carries the buyer's and co-buyers' ID
    numbers masked: a number left as it came (blank, or a co-buyer's masked line) keeps the
    original's; one typed anew replaces it. No full number is ever in the page."""
    import re

    from tests.deals.test_rules import _sold
    buyer, co_buyer = "110101199001011234", "310101198502021236"
    sub_id = _sold(app, office, "1栋 203", "1003", co_buyers=f"王五 {co_buyer}",
                   id_type="id_card", id_number=buyer)
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/subscriptions/{sub_id}").text
    assert buyer not in page and co_buyer not in page
    shown = re.search(r'<textarea[^>]*name="co_buyers"[^>]*>([^<]*)</textarea>', page).group(1)
    assert shown.strip() == "王五 310***********1236"
    from tests.deals.conftest import form_key
    data = {"form_key": form_key(page), "customer_id": office["zhang"], "plan": "full",
            "address": "上海市浦东新区世纪大道 100 号", "id_type": "id_card", "id_number": "",
            "co_buyers": shown, "sign_deadline": (clock.today() + timedelta(days=5)).isoformat(),
            "reason": "地址写错"}
    wrong = secretary.post(f"/deals/subscriptions/{sub_id}/reissue",
                           {**data, "co_buyers": "赵六 310***********1236"})
    assert wrong.status_code == 422 and "第 1 行" in wrong.text  # a mask of no one's number
    other = secretary.post(f"/deals/subscriptions/{sub_id}/reissue",
                           {**data, "customer_id": office["li"]})  # 李四's card has no ID
    assert other.status_code == 422 and "请填写买受人的证件号码" in other.text  # not 张三's
    assert buyer not in wrong.text and co_buyer not in wrong.text
    done = secretary.post(f"/deals/subscriptions/{sub_id}/reissue", data)
    assert done.status_code == 302, done.text
    with app.app_context():
        fresh = db.session.scalar(select(Subscription).where(Subscription.status == "signed"))
        assert fresh.buyer_id_number == buyer
        assert fresh.co_buyers == '[["王五", "310101198502021236"]]'
        fresh_id = fresh.id
    page = secretary.get(f"/deals/subscriptions/{fresh_id}").text
    data = {**data, "form_key": form_key(page), "id_number": "110101199001019999",
            "co_buyers": "王五 310101198502020000", "reason": "证件号码写错"}
    assert secretary.post(f"/deals/subscriptions/{fresh_id}/reissue", data).status_code == 302
    with app.app_context():
        latest = db.session.scalar(select(Subscription).where(Subscription.status == "signed"))
        assert latest.buyer_id_number == "110101199001019999"
        assert latest.co_buyers == '[["王五", "310101198502020000"]]'
