"""States say what they are — a refunded 认购书 is 已退房 and owes nothing,
a paid instalment is not offered for payment, a discount request points to the 认购书 that
uses it after a reissue, and the home page says its 已售金额 is at list price."""
import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Contract, Customer, Subscription, Unit, User
from app.services import clock
from app.services.discounts import decisions, requests
from tests.changes.conftest import ask, form_key, last_change, sell
from tests.changes.test_paths import approve, carry_out, execute


def test_a_refunded_subscription_says_refunded_and_owes_nothing(app, office, browser_for):
    with app.app_context():
        unit_id, sub_id = sell(office, "1栋 102", 1001, contract=True, paid=("10000",))
        contract_id = db.session.scalar(select(Contract.id))
    manager, secretary = browser_for("liuqiang"), browser_for("zhaomin")
    assert ask(browser_for("wangfang"), unit_id, "refund", reason="loan",
               override="y", override_reason="银行拒贷,经理特批").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(manager, change_id, penalty="0", unit_after="available",
                   override="y", override_reason="银行拒贷,经理特批").status_code == 302
    done = execute(secretary, change_id)
    assert done.status_code == 302, done.text
    page = secretary.get(f"/deals/subscriptions/{sub_id}").text
    assert '<span class="badge off">已退房</span>' in page and "已作废</span>" not in page
    balance = re.search(r'class="balance"><strong>([^<]+)</strong>', page).group(1)
    assert balance == "¥0.00"
    contract = secretary.get(f"/deals/contracts/{contract_id}").text
    assert "已退房" in contract and "登记回款</button>" not in contract
    assert re.search(r'class="balance"><strong>([^<]+)</strong>', contract).group(1) == "¥0.00"


def test_a_paid_instalment_is_not_offered_for_payment(app, office, browser_for):
    with app.app_context():
        sell(office, "1栋 103", 1001, contract=True)
        contract = db.session.scalar(select(Contract))
        first = contract.instalments[0]
        contract_id, first_id, due, label = contract.id, first.id, first.due, first.label
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/contracts/{contract_id}").text
    stale = browser_for("zhaomin").get(f"/deals/contracts/{contract_id}").text
    assert f'value="{first_id}"' in page
    paid = secretary.post(f"/deals/contracts/{contract_id}/payments", {
        "form_key": form_key(page), "instalment_id": first_id, "amount": str(due),
        "method": "transfer", "receipt_no": "1002"})
    assert paid.status_code == 302, paid.text
    page = secretary.get(f"/deals/contracts/{contract_id}").text
    assert f'<option value="{first_id}"' not in page  # paid (finance still to confirm)
    # a tab opened before the payment still offers it: the second payment is refused, and
    # the page says why although it no longer shows the payment form
    again = secretary.post(f"/deals/contracts/{contract_id}/payments", {
        "form_key": form_key(stale), "instalment_id": first_id, "amount": "1000",
        "method": "transfer", "receipt_no": "1003"})
    assert again.status_code == 422 and f"{label}已付清" in again.text  # names which one


def test_a_discount_request_points_to_the_subscription_after_a_reissue(app, office,
                                                                      browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 104", 1001, stage="deposit")
        unit = db.session.get(Unit, unit_id)
        wang = db.session.get(User, office["wangfang"])
        request = requests.create_request(db.session.get(Customer, office["zhang"]), unit,
                                          "amount", "5000", "老带新", wang)
        decisions.decide(request, True, "同意", db.session.get(User, office["liuqiang"]))
        db.session.commit()
        request_id, price = request.id, request.deal_price
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/units/{unit_id}/subscription").text
    deadline = (clock.today() + timedelta(days=7)).isoformat()
    terms = {"customer_id": office["zhang"], "deal_price": str(price), "plan": "full",
             "sign_deadline": deadline, "id_number": "110101199001011234"}
    sold = secretary.post(f"/deals/units/{unit_id}/subscription",
                          {"form_key": form_key(page), **terms, "address": "旧地址"})
    assert sold.status_code == 302, sold.text
    first = int(sold.headers["Location"].rsplit("/", 1)[1])
    page = secretary.get(f"/deals/subscriptions/{first}").text
    fixed = secretary.post(f"/deals/subscriptions/{first}/reissue", {
        "form_key": form_key(page), "reason": "地址写错", **terms, "address": "新地址"})
    assert fixed.status_code == 302, fixed.text
    with app.app_context():
        numbers = db.session.scalars(select(Subscription.number).order_by(Subscription.id)).all()
    detail = browser_for("liuqiang").get(f"/discounts/{request_id}").text
    assert re.search(rf"{numbers[0]}</a>\(已作废\) → 重开为 <a[^>]*>{numbers[1]}</a>\(有效\)",
                     detail), detail[detail.find("已用于"):][:400]
    log = browser_for("liuqiang").get("/discounts/log").text  # the register and its .xlsx
    assert f"<td>{numbers[1]}</td>" in log and f"<td>{numbers[0]}</td>" not in log
    sheet = browser_for("liuqiang").get("/discounts/log.xlsx")
    cells = [c for row in load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True)
             for c in row]
    assert numbers[1] in cells and numbers[0] not in cells


def test_the_home_page_says_sold_amount_is_at_list_price(app, office, browser_for):
    unit_id, sub_id, _ = signed_with_a_discount(app, office, browser_for, "1栋 104")
    with app.app_context():
        sub = db.session.get(Subscription, sub_id)
        list_price, deal_price = sub.list_price, sub.deal_price
    assert deal_price < list_price
    home = browser_for("liuqiang").get("/").text
    figure = re.search(r"已售金额\(表价\)</span><span class=\"stat-value\">([^<]+)<", home)
    assert figure and figure.group(1) == f"¥{list_price:,.2f}"  # the 表价, as labelled


def signed_with_a_discount(app, office, browser_for, unit_key):
    """A 认购书 signed through the page at the price of an approved special discount."""
    with app.app_context():
        unit_id, _ = sell(office, unit_key, 1001, stage="deposit")
        request = requests.create_request(
            db.session.get(Customer, office["zhang"]), db.session.get(Unit, unit_id), "amount",
            "5000", "老带新", db.session.get(User, office["wangfang"]))
        decisions.decide(request, True, "同意", db.session.get(User, office["liuqiang"]))
        db.session.commit()
        request_id, price = request.id, request.deal_price
    secretary = browser_for("zhaomin")
    page = secretary.get(f"/deals/units/{unit_id}/subscription").text
    sold = secretary.post(f"/deals/units/{unit_id}/subscription", {
        "form_key": form_key(page), "customer_id": office["zhang"], "deal_price": str(price),
        "plan": "full", "sign_deadline": (clock.today() + timedelta(days=7)).isoformat(),
        "id_number": "110101199001011234", "address": "上海市浦东新区世纪大道 100 号"})
    assert sold.status_code == 302, sold.text
    return unit_id, int(sold.headers["Location"].rsplit("/", 1)[1]), request_id


def register_row(page, number):
    row = next(r for r in page.split("<tr>") if f">{number}<" in r)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def test_a_refunded_subscription_is_refunded_wherever_it_is_named(app, office, browser_for,
                                                                  tmp_path):
    """The 认购明细表 (page, status filter, xlsx), the special discount it used and its QR
    check say 已退房 as its own page does, and an exchanged one 已换房, never 已作废."""
    import io

    from openpyxl import load_workbook

    from tests.deals.test_documents import _qr_urls
    unit_id, refunded, request_id = signed_with_a_discount(app, office, browser_for, "1栋 104")
    with app.app_context():
        moved_unit, moved = sell(office, "1栋 101", 1010)
        numbers = dict(db.session.execute(select(Subscription.id, Subscription.number)).all())
    carry_out(app, browser_for, unit_id, "refund", reason="loan")
    carry_out(app, browser_for, moved_unit, "exchange",
                target_unit_id=office["units"]["1栋 304"], reason="layout")
    manager = browser_for("liuqiang")
    pdf = manager.get(f"/deals/subscriptions/{refunded}/pdf").data

    page = manager.get("/deals/registers/subscriptions").text
    assert "已退房" in register_row(page, numbers[refunded])
    assert "已换房" in register_row(page, numbers[moved])
    assert "已作废" not in register_row(page, numbers[refunded])
    only = manager.get("/deals/registers/subscriptions?status=refunded").text
    assert numbers[refunded] in only and numbers[moved] not in only
    sheet = load_workbook(io.BytesIO(
        manager.get("/deals/registers/subscriptions.xlsx").data)).active
    header = [cell.value for cell in sheet[1]]
    status = {row[0]: row[header.index("状态")] for row in sheet.iter_rows(values_only=True)}
    assert (status[numbers[refunded]], status[numbers[moved]]) == ("已退房", "已换房")

    detail = manager.get(f"/discounts/{request_id}").text
    assert f"{numbers[refunded]}</a>(已退房)" in detail
    from pypdf import PdfReader
    assert "(已退房)" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    [url] = _qr_urls(tmp_path, pdf)[:1]
    check = manager.client.get("/" + url.split("://", 1)[1].split("/", 1)[1]).text
    assert "单据已失效" in check and "系统状态:已退房" in check
