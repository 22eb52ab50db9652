"""Every unique constraint of the registry
(app/services/duplicates.py) is either proved here by submitting its duplicate through the real
page (a stale tab or a second user: 4xx in Chinese, never a 500, never a second row; for a
one-time form key: the repeat shows the first result, still one row), or listed in GENERATED
because only the app ever writes its value. A new constraint fails
test_every_constraint_is_classified until someone classifies it."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ApprovalLimit,
    Building,
    ChangeRequest,
    ChannelCompany,
    Contract,
    Customer,
    CustomerOption,
    DealShare,
    Deposit,
    DiscountRequest,
    DutyDay,
    DutyEntry,
    LaunchRegistration,
    Payment,
    Payout,
    Project,
    ProjectMember,
    Subscription,
    TransferFee,
    Unit,
    User,
)
from app.services import clock
from app.services.duplicates import MESSAGES
from tests.conftest import PASSWORD
from tests.deals import test_stale_tabs as stale_tabs
from tests.deals.conftest import FAST_HASH, form_key
from tests.deals.test_path import record_deposit
from tests.deals.test_stale_tabs import contract_post, sell, unique_keys
from tests.helpers import Browser

GENERATED = {
    "display_link(token)": "a random token the app draws for a 大屏 link",
    "launch(public_token)": "a random token the app draws for a launch's public page",
    "discount_attachment(stored_name)": "a random file name the app gives an upload",
    "launch_registration(launch_id,number)": "认筹号: the next number the app hands out",
    "subscription(project_id,number)": "认购书编号: the next number, under the project lock",
    "payout(project_id,number)": "退款收据编号: the next of the yearly sequence, under the lock",
    "subscription_discount(subscription_id,seq)": "line numbers the app writes with the 认购书",
    "instalment(contract_id,seq)": "instalment numbers the app writes with the contract",
}
CASES = {}


def case(*keys):
    def register(func):
        for key in keys:
            CASES[key] = func
        return func
    return register


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def refused(response, text):
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    main = response.text[response.text.find("<main"):]
    assert text in response.text, re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", main))[:400]


def two_admin_tabs(app):
    """An administrator (fixture data) logged in twice: two tabs or two desks."""
    fresh_user(app, "admin1", role="admin", is_admin=True)
    tabs = [Browser(app.test_client()), Browser(app.test_client())]
    for tab in tabs:
        assert tab.login("admin1", PASSWORD).status_code == 302
    return tabs


def fresh_user(app, username, role="consultant", is_admin=False):
    with app.app_context():
        user = User(username=username, role=role, display_name=username, is_admin=is_admin,
                    password_hash=FAST_HASH)
        db.session.add(user)
        db.session.commit()
        return user.id


@case("project(code)")
def _project_code(app, office, browser_for):
    first, second = two_admin_tabs(app)
    new = {"name": "云栖府", "code": "YQF", "address": "云栖路 1 号", "hold_minutes": "30",
           "transfer_fee": "0", "rounding": "yuan", "approval_valid_days": "7"}
    first.get("/admin/projects/new")
    second.get("/admin/projects/new")
    assert first.post("/admin/projects/new", new).status_code == 302
    refused(second.post("/admin/projects/new", dict(new, name="云栖府二期")), "该项目编号已被使用")
    assert count(app, Project, Project.code == "YQF") == 1


@case("user(username)")
def _username(app, office, browser_for):
    first, second = two_admin_tabs(app)
    first.get("/admin/users/new")
    second.get("/admin/users/new")
    data = {"username": "sunli", "display_name": "孙丽", "role": "consultant",
            "password": "Jade-Bay-2026"}
    assert first.post("/admin/users/new", data).status_code == 302
    refused(second.post("/admin/users/new", dict(data, display_name="孙莉")), "已存在")
    assert count(app, User, User.username == "sunli") == 1


@case("channel_company(project_id,name)")
def _channel_company(app, office, browser_for):
    first, second = browser_for("zhaomin"), browser_for("liuqiang")
    first.get("/channels/companies")
    second.get("/channels/companies")
    data = {"name": "链家地产", "kind": "agency"}
    assert first.post("/channels/companies/new", data).status_code in (200, 302)
    refused(second.post("/channels/companies/new", data), "同名渠道公司")
    assert count(app, ChannelCompany, ChannelCompany.name == "链家地产") == 1


@case("customer(project_id,phone)")
def _customer_phone(app, office, browser_for):
    wang, li = browser_for("wangfang"), browser_for("lijun")
    wang.get("/customers/new")
    li.get("/customers/new")
    done = wang.post("/customers/new", {"name": "王五", "phone": "13700137000",
                                        "channel": "网络", "kind": "call"})
    assert done.status_code == 302, done.text
    refused(li.post("/customers/new", {"name": "王五", "phone": "13700137000",
                                       "channel": "路过", "kind": "visit"}), "该号码已登记")
    assert count(app, Customer, Customer.phone == "13700137000") == 1


@case("receipt(project_id,number)", "deposit(receipt_id)")
def _deposit_receipt(app, office, browser_for):
    first, _ = record_deposit(browser_for("wangfang"), office["units"]["1栋 101"],
                              office["zhang"], "1001")
    assert first.status_code == 302, first.text
    again, _ = record_deposit(browser_for("wangfang"), office["units"]["1栋 102"],
                              office["zhang"], "1001")
    refused(again, "已使用过")
    assert count(app, Deposit) == 1


@case("deposit(form_key)")
def _deposit_replay(app, office, browser_for):
    secretary = browser_for("zhaomin")
    unit_id = office["units"]["1栋 101"]
    first, data = record_deposit(secretary, unit_id, office["zhang"], "1001",
                                 consultant=office["wangfang"])
    assert first.status_code == 302, first.text
    again = secretary.post(f"/deals/units/{unit_id}/deposit", data)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(app, Deposit) == 1


@case("contract(form_key)")
def _contract_replay(app, office, browser_for):
    sub_id = sell(app, office, browser_for)
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/subscriptions/{sub_id}/contract").text
    first = contract_post(secretary, sub_id, page, "HT-0001")
    again = contract_post(secretary, sub_id, page, "HT-0001")
    assert first.status_code == again.status_code == 302, again.text[:300]
    assert again.headers["Location"] == first.headers["Location"]
    assert count(app, Contract) == 1


def signed_contract(app, office, browser_for):
    sub_id = sell(app, office, browser_for)
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/subscriptions/{sub_id}/contract").text
    assert contract_post(secretary, sub_id, page, "HT-0001").status_code == 302
    with app.app_context():
        contract = db.session.scalar(select(Contract))
        return contract.id, contract.instalments[-1].id


def pay(browser, contract_id, instalment_id, receipt_no, page=None):
    page = page or browser.get(f"/deals/contracts/{contract_id}").text
    data = {"form_key": form_key(page), "instalment_id": instalment_id, "amount": "1000",
            "method": "transfer", "receipt_no": receipt_no}
    return browser.post(f"/deals/contracts/{contract_id}/payments", data), data


@case("payment(form_key)")
def _payment_replay(app, office, browser_for):
    contract_id, instalment_id = signed_contract(app, office, browser_for)
    secretary = browser_for("zhaomin")
    first, data = pay(secretary, contract_id, instalment_id, "1002")
    assert first.status_code == 302, first.text
    again = secretary.post(f"/deals/contracts/{contract_id}/payments", data)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(app, Payment) == 1


@case("payment(receipt_id)")
def _payment_receipt(app, office, browser_for):
    contract_id, instalment_id = signed_contract(app, office, browser_for)
    first, _ = pay(browser_for("zhaomin"), contract_id, instalment_id, "1002")
    assert first.status_code == 302, first.text
    again, _ = pay(browser_for("zhaomin"), contract_id, instalment_id, "1002")
    refused(again, "已使用过")
    assert count(app, Payment) == 1


@case("project_member(project_id,user_id)")
def _project_member(app, office, browser_for):
    first, second = two_admin_tabs(app)
    user_id, url = fresh_user(app, "sunli"), f"/admin/projects/{office['project']}"
    first.get(url)
    second.get(url)
    for browser, role in ((first, "consultant"), (second, "secretary")):
        done = browser.post(f"{url}/members", {"user_id": user_id, "role": role})
        assert done.status_code == 302, done.text[:500]  # the second tab changes the role
    assert count(app, ProjectMember, ProjectMember.user_id == user_id) == 1


@case("discount_approval_limit(project_id,user_id)")
def _approval_limit(app, office, browser_for):
    first, second = two_admin_tabs(app)
    first.get("/discounts/limits")
    second.get("/discounts/limits")
    url = f"/discounts/limits/{office['liuqiang']}"
    for browser, percent in ((first, "3"), (second, "5")):
        done = browser.post(url, {"max_percent": percent, "max_amount": "", "max_below_floor": ""})
        assert done.status_code == 302, done.text[:500]  # the later tab's limit stands
    assert count(app, ApprovalLimit, ApprovalLimit.user_id == office["liuqiang"]) == 1


@case("customer_option(project_id,kind,label)")
def _customer_option(app, office, browser_for):
    first, second = browser_for("liuqiang"), browser_for("liuqiang")
    first.get("/customers/options")
    second.get("/customers/options")
    for browser, labels in ((first, "亲友推荐\n路过"), (second, "路过\n路过\n抖音直播")):
        done = browser.post("/customers/options", {"kind": "channel", "labels": labels})
        assert done.status_code == 302, done.text[:500]  # a repeated label is kept once
    assert count(app, CustomerOption, CustomerOption.label == "路过") == 1


@case("duty_day(project_id,day)", "duty_entry(duty_day_id,user_id)")
def _duty_order(app, office, browser_for):
    first, second = browser_for("liuqiang"), browser_for("liuqiang")
    first.get("/rotation/order")
    second.get("/rotation/order")
    wang, li = office["wangfang"], office["lijun"]
    for browser, order in ((first, {wang: "1", li: "2"}), (second, {li: "1", wang: "2"})):
        done = browser.post("/rotation/order", {f"pos-{uid}": pos for uid, pos in order.items()})
        assert done.status_code == 302, done.text[:500]  # the later order stands, one day
    assert count(app, DutyDay) == 1 and count(app, DutyEntry) == 2


def apply_preview(browser, preview):
    import_id = re.search(r"/board/import/(\d+)/apply", preview.text)[1]
    return browser.post(f"/board/import/{import_id}/apply", {}, page="/board/import")


@case("building(project_id,name)", "unit(building_id,entrance,unit_no)")
def _unit_import(app, office, browser_for):
    from tests.board.test_import import HEADER
    from tests.fixtures.board import upload, xlsx_bytes
    rows = [HEADER, ["9栋", 1, "101", "两室", 89.36, "", "南", 20000, ""]]
    first, second = browser_for("zhaomin"), browser_for("zhaomin")
    first_preview, stale_preview = upload(first, xlsx_bytes(rows)), upload(second, xlsx_bytes(rows))
    assert apply_preview(first, first_preview).status_code == 302
    again = apply_preview(second, stale_preview)  # computed again at apply: nothing to create
    assert again.status_code == 302, again.text[:500]
    refused(upload(first, xlsx_bytes(rows + rows[1:])), "重复")
    assert count(app, Building, Building.name == "9栋") == 1
    assert count(app, Unit, Unit.building_id == select(Building.id).where(
        Building.name == "9栋").scalar_subquery()) == 1


@case("uq_discount_request_open")
def _open_discount_request(app, office, browser_for):
    from tests.deals.test_price_policy import confirmed_unit, set_up_policy
    set_up_policy(browser_for)
    confirmed_unit(app, office, browser_for)
    first, second = browser_for("wangfang"), browser_for("wangfang")
    ask = {"customer_id": office["zhang"], "building_id": office["buildings"]["1栋"],
           "unit_no": "301", "kind": "amount", "value": "5000", "reason": "老客户介绍",
           "plan": "full"}
    for browser in (first, second):
        browser.get(f"/discounts/new?customer_id={office['zhang']}")
    assert first.post("/discounts/new", ask).status_code == 302
    refused(second.post("/discounts/new", dict(ask, value="3000")), "只能有一个未结申请")
    assert count(app, DiscountRequest) == 1


@case("deal_share(deposit_id,user_id)")
def _deal_share(app, office, browser_for):
    """The owner named as the consultant who helped: one share per person, never two."""
    secretary = browser_for("zhaomin")
    unit_id = office["units"]["1栋 101"]
    page = secretary.get(f"/deals/units/{unit_id}/deposit").text
    done = secretary.post(f"/deals/units/{unit_id}/deposit", {
        "form_key": form_key(page), "customer_id": office["zhang"], "kind": "large",
        "amount": "20000", "method": "transfer", "receipt_no": "1001",
        "consultant_id": office["wangfang"], "case": "owner_absent"})
    assert done.status_code == 302, done.text[:500]
    with app.app_context():
        users = db.session.scalars(select(DealShare.user_id)).all()
    assert users == [office["wangfang"]]  # 100% to 王芳, not 80% and 20% to the same person


@case("subscription(form_key)")
def _subscription_replay(app, office, browser_for):
    from tests.deals.test_price_policy import confirmed_unit
    unit_id = confirmed_unit(app, office, browser_for, "1栋 101")
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/units/{unit_id}/subscription").text
    data = {"form_key": form_key(page), "customer_id": office["zhang"], "deal_price": "",
            "plan": "full", "sign_deadline": clock.today().isoformat(),
            "address": "上海市浦东新区世纪大道 100 号", "id_type": "id_card",
            "id_number": "110101199001011234"}
    first = secretary.post(f"/deals/units/{unit_id}/subscription", data)
    again = secretary.post(f"/deals/units/{unit_id}/subscription", data)
    assert first.status_code == again.status_code == 302, again.text[:500]
    assert again.headers["Location"] == first.headers["Location"]
    assert count(app, Subscription) == 1


@case("change_request(form_key)")
def _change_replay(app, office, browser_for):
    from tests.changes.conftest import sell as sold
    with app.app_context():
        unit_id, _ = sold(office, "1栋 101", 1001)
    consultant = browser_for("wangfang")
    page = consultant.get(f"/changes/new?unit={unit_id}").text
    data = {"form_key": form_key(page), "unit_id": unit_id, "kind": "refund",
            "reason": "funds", "notes": "客户资金周转困难"}
    first = consultant.post("/changes/new", data)
    again = consultant.post("/changes/new", data)
    assert first.status_code == again.status_code == 302, again.text[:500]
    assert again.headers["Location"] == first.headers["Location"]
    assert count(app, ChangeRequest) == 1


@case("payout(change_id)")
def _payout(app, office, browser_for):
    from tests.changes.test_races import approved
    _, change_id = approved(app, office, "1栋 102", "refund")
    first, second = browser_for("zhaomin"), browser_for("zhaomin")
    first.get(f"/changes/{change_id}")
    second.get(f"/changes/{change_id}")
    assert first.post(f"/changes/{change_id}/execute", {}).status_code == 302
    refused(second.post(f"/changes/{change_id}/execute", {}), "可能已被执行")
    assert count(app, Payout) == 1


def recorded_transfer_fee(app, office, browser_for):
    from tests.changes.test_paths import approved_transfer
    change_id = approved_transfer(app, office, browser_for)
    secretary = browser_for("zhaomin")
    secretary.get(f"/changes/{change_id}")
    done = secretary.post(f"/changes/{change_id}/execute", {"receipt_no": "1100",
                                                           "method": "cash"})
    assert done.status_code == 302, done.text[:500]
    with app.app_context():
        fee_id = db.session.scalar(select(TransferFee.id))
    assert browser_for("chenjing").post(f"/changes/fees/{fee_id}/reject",
                                        {"reason": "收据金额与到账不符"}).status_code == 302
    return change_id


@case("transfer_fee(receipt_id)")
def _fee_receipt(app, office, browser_for):
    change_id = recorded_transfer_fee(app, office, browser_for)
    reused = browser_for("zhaomin").post(f"/changes/{change_id}/fee",
                                         {"receipt_no": "1100", "method": "cash"})
    refused(reused, "已作废")
    assert count(app, TransferFee) == 1


@case("uq_transfer_fee_live")
def _fee_live(app, office, browser_for):
    change_id = recorded_transfer_fee(app, office, browser_for)
    first, second = browser_for("zhaomin"), browser_for("zhaomin")
    first.get(f"/changes/{change_id}")
    second.get(f"/changes/{change_id}")
    url = f"/changes/{change_id}/fee"
    assert first.post(url, {"receipt_no": "1101", "method": "pos"}).status_code == 302
    refused(second.post(url, {"receipt_no": "1102", "method": "cash"}), "只有被财务退回的过户费")
    assert count(app, TransferFee) == 2  # the rejected one and one live


def launch_page(app, office, browser):
    from tests.launch.conftest import make_launch
    with app.app_context():
        launch_id, _ = make_launch(office, buyers=1)
    return launch_id, browser.get(f"/launches/{launch_id}/register").text


def register(browser, launch_id, page, customer, receipt_no):
    return browser.post(f"/launches/{launch_id}/register", {
        "form_key": form_key(page), "customer_id": customer, "amount": "50000",
        "method": "wechat", "receipt_no": receipt_no, "layouts": ["三室两厅两卫"]})


@case("launch_registration(form_key)")
def _registration_replay(app, office, browser_for):
    desk = browser_for("zhaomin")
    launch_id, page = launch_page(app, office, desk)
    first = register(desk, launch_id, page, office["zhang"], "1180")
    again = register(desk, launch_id, page, office["zhang"], "1180")
    assert first.status_code == again.status_code == 302, again.text[:500]
    assert count(app, LaunchRegistration) == 2  # make_launch's buyer and this one


@case("launch_registration(launch_id,customer_id)")
def _registration_customer(app, office, browser_for):
    first, second = browser_for("zhaomin"), browser_for("zhaomin")
    launch_id, page = launch_page(app, office, first)
    stale = second.get(f"/launches/{launch_id}/register").text
    assert register(first, launch_id, page, office["zhang"], "1180").status_code == 302
    refused(register(second, launch_id, stale, office["zhang"], "1181"), "已认筹")
    assert count(app, LaunchRegistration) == 2


@case("launch_registration(receipt_id)")
def _registration_receipt(app, office, browser_for):
    first, second = browser_for("zhaomin"), browser_for("zhaomin")
    launch_id, page = launch_page(app, office, first)
    stale = second.get(f"/launches/{launch_id}/register").text
    assert register(first, launch_id, page, office["zhang"], "1180").status_code == 302
    refused(register(second, launch_id, stale, office["li"], "1180"), "已使用过")
    assert count(app, LaunchRegistration) == 2


# Proved by the tests of tests/deals/test_stale_tabs.py, run here once more under their key.
CASES["contract(subscription_id)"] = stale_tabs.test_a_stale_contract_tab_is_refused_in_chinese
CASES["contract(project_id,number)"] = CASES["price_rule(project_id,name)"] = (
    stale_tabs.test_duplicates_through_the_pages_are_refused_never_a_500)


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_duplicate_through_the_page_is_refused_in_chinese(key, app, office, browser_for):
    CASES[key](app, office, browser_for)


def test_every_constraint_is_classified(app):
    """registry = schema = proved through a page ∪ generated by the app."""
    with app.app_context():
        schema = unique_keys()
    by_page = set(CASES)
    assert set(MESSAGES) == schema
    assert not by_page & set(GENERATED), by_page & set(GENERATED)
    unclassified = set(MESSAGES) - by_page - set(GENERATED)
    assert not unclassified, f"prove through a page or list in GENERATED: {sorted(unclassified)}"
    assert not (by_page | set(GENERATED)) - set(MESSAGES), "a classified key left the registry"
