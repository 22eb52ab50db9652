"""A second contract for one 认购书 is refused in Chinese (422), never a 500,
and every unique constraint the app relies on refuses its duplicate the same way."""
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract, Deposit
from app.services import clock
from tests.deals.conftest import form_key
from tests.deals.test_path import record_deposit


def sell(app, office, browser_for, unit="1栋 101", receipt_no="1001", plan="full"):
    """Deposit → finance confirms → 认购书 signed, through the pages; the subscription id."""
    unit_id = office["units"][unit]
    secretary, finance = browser_for("zhaomin"), browser_for("chenjing")
    done, _ = record_deposit(secretary, unit_id, office["zhang"], receipt_no,
                             consultant=office["wangfang"])
    assert done.status_code == 302, done.text
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id).where(Deposit.unit_id == unit_id))
    assert finance.post(f"/deals/deposits/{deposit_id}/confirm", {}).status_code == 302
    page = secretary.get(f"/deals/units/{unit_id}/subscription")
    sold = secretary.post(f"/deals/units/{unit_id}/subscription", {
        "form_key": form_key(page.text), "customer_id": office["zhang"], "deal_price": "",
        "plan": plan, "sign_deadline": (clock.today() + timedelta(days=7)).isoformat(),
        "address": "上海市浦东新区世纪大道 100 号", "id_type": "id_card",
        "id_number": "110101199001011234"})
    assert sold.status_code == 302, sold.text
    return int(sold.headers["Location"].rsplit("/", 1)[1])


def contract_post(browser, sub_id, page, number):
    return browser.post(f"/deals/subscriptions/{sub_id}/contract", {
        "form_key": form_key(page), "number": number, "sign_date": clock.today().isoformat(),
        "first_due": clock.today().isoformat(), "count": "3"})


def test_a_stale_contract_tab_is_refused_in_chinese(app, office, browser_for):
    sub_id = sell(app, office, browser_for)
    secretary, other = browser_for("zhaomin"), browser_for("zhaomin")
    first_tab = secretary.get(f"/deals/subscriptions/{sub_id}/contract").text
    stale_tab = other.get(f"/deals/subscriptions/{sub_id}/contract").text
    assert contract_post(secretary, sub_id, first_tab, "HT-2026-0001").status_code == 302
    again = contract_post(other, sub_id, stale_tab, "HT-2026-0002")
    assert again.status_code == 422, again.text[:300]
    assert "该认购书已签约(合同 HT-2026-0001)" in again.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contract)) == 1
    # once signed, neither the 认购书 nor the contract form offers 签约 again
    detail = secretary.get(f"/deals/subscriptions/{sub_id}").text
    assert f"/deals/subscriptions/{sub_id}/contract\"" not in detail
    form = secretary.get(f"/deals/subscriptions/{sub_id}/contract")
    assert "确认签约" not in form.text and "该认购书已签约(合同 HT-2026-0001)" in form.text


def unique_keys():
    """Every unique constraint and unique index of the schema, as the registry names them."""
    from sqlalchemy import UniqueConstraint
    keys = set()
    for table in db.metadata.sorted_tables:
        for item in table.constraints:
            if isinstance(item, UniqueConstraint):
                keys.add(f"{table.name}({','.join(c.name for c in item.columns)})")
        keys.update(index.name for index in table.indexes if index.unique)
    return keys


def test_every_unique_constraint_has_a_chinese_refusal(app):
    from app.services.duplicates import MESSAGES
    with app.app_context():
        missing = unique_keys() - set(MESSAGES)
    assert not missing, f"add a Chinese refusal to app/services/duplicates.py: {missing}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in MESSAGES.values())


def test_a_duplicate_past_the_services_check_is_a_chinese_422(app, office, browser_for,
                                                              monkeypatch):
    """The race the service cannot see (both checked before either wrote): the database's
    unique constraint decides, and the page says so in Chinese."""
    sub_id = sell(app, office, browser_for)
    secretary, other = browser_for("zhaomin"), browser_for("zhaomin")
    first_tab = secretary.get(f"/deals/subscriptions/{sub_id}/contract").text
    stale_tab = other.get(f"/deals/subscriptions/{sub_id}/contract").text
    assert contract_post(secretary, sub_id, first_tab, "HT-2026-0001").status_code == 302
    from app.services.deals import contracts
    monkeypatch.setattr(contracts, "of_subscription", lambda _id: None)
    again = contract_post(other, sub_id, stale_tab, "HT-2026-0002")
    assert again.status_code == 422 and "该认购书已签约" in again.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contract)) == 1


def test_duplicates_through_the_pages_are_refused_never_a_500(app, office, browser_for):
    """Contract number, receipt number, price rule name, open discount request: the second
    submit (another tab, another user) is a 4xx with a Chinese reason."""
    first = sell(app, office, browser_for, "1栋 101", "1001")
    second = sell(app, office, browser_for, "1栋 102", "1002")
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/subscriptions/{first}/contract").text
    assert contract_post(secretary, first, page, "HT-0001").status_code == 302
    page = secretary.get(f"/deals/subscriptions/{second}/contract").text
    reused = contract_post(secretary, second, page, "HT-0001")
    assert reused.status_code == 422 and "合同编号 HT-0001 已被使用" in reused.text
    used, _ = record_deposit(browser_for("wangfang"), office["units"]["1栋 103"],
                             office["zhang"], "1001")
    assert used.status_code == 422 and "已使用过" in used.text
    manager, deputy = browser_for("liuqiang"), browser_for("liuqiang")
    rule = {"seq": "1", "name": "一次性付款优惠", "kind": "rate", "value": "98", "plan": "full",
            "valid_from": clock.today().isoformat(), "valid_until": ""}
    assert manager.post("/deals/price-policy/new", rule).status_code == 302
    twice = deputy.post("/deals/price-policy/new", rule)
    assert twice.status_code == 422 and "已有名为「一次性付款优惠」的价格政策" in twice.text
