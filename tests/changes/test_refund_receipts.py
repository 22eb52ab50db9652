"""退款收据 are numbered in the order they are paid (per project and year,
not the row id) and carry the QR check like the other documents."""
from sqlalchemy import select

from app.extensions import db
from app.models import Payout
from app.services import clock
from tests.changes.conftest import ask, last_change, sell
from tests.changes.test_paths import approve, execute
from tests.deals.test_documents import _qr_urls


def refund(app, office, browser_for, unit_key, receipt_no):
    with app.app_context():
        unit_id, _ = sell(office, unit_key, receipt_no)
    assert ask(browser_for("wangfang"), unit_id, "refund", reason="loan").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(browser_for("liuqiang"), change_id, penalty="1000",
                   unit_after="available").status_code == 302
    assert execute(browser_for("zhaomin"), change_id).status_code == 302
    with app.app_context():
        return db.session.scalar(select(Payout.id).where(Payout.change_id == change_id))


def test_refund_receipts_are_numbered_in_the_order_paid_and_carry_a_qr(
        app, office, browser_for, tmp_path):
    first = refund(app, office, browser_for, "1栋 101", 1001)
    second = refund(app, office, browser_for, "1栋 102", 1010)
    finance = browser_for("chenjing")
    year = clock.today().year
    # finance pays the later one first: it gets the first number of the year
    for payout_id in (second, first):
        assert finance.post(f"/changes/payouts/{payout_id}/pay",
                            {"method": "transfer"}).status_code == 302
    with app.app_context():
        numbers = {p.id: p.number for p in db.session.scalars(select(Payout))}
    assert numbers == {second: f"TK{year}-0001", first: f"TK{year}-0002"}
    pdf = finance.get(f"/changes/payouts/{second}/pdf")
    assert pdf.status_code == 200
    [url] = _qr_urls(tmp_path, pdf.data)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    page = finance.client.get(path).text
    assert "单据有效" in page and f"TK{year}-0001" in page and "¥49,000.00" in page
    assert "单据有效" not in finance.client.get(path[:-3] + "AAA").text


def test_the_sequence_is_per_project_and_starts_again_at_office_new_year(app, office,
                                                                         browser_for):
    """Paid at 23:59 on 31 December and at 00:00 on 1 January (Asia/Shanghai): the last of
    one year's sequence and the first of the next; another project's numbers do not count."""
    import time_machine

    from tests.fixtures.board import make_project
    from tests.fixtures.customers import at
    first = refund(app, office, browser_for, "1栋 101", 1001)
    second = refund(app, office, browser_for, "1栋 102", 1010)
    elsewhere = refund(app, office, browser_for, "1栋 103", 1020)
    other = make_project(app, code="O")["project"]
    with app.app_context():  # as if another project had numbered its refunds up to 0007
        payout = db.session.get(Payout, elsewhere)
        payout.project_id, payout.number = other, "TK2026-0007"
        db.session.commit()
    with time_machine.travel(at(2026, 12, 31, 23, 59), tick=False):
        assert browser_for("chenjing").post(f"/changes/payouts/{first}/pay",
                                            {"method": "transfer"}).status_code == 302
    with time_machine.travel(at(2027, 1, 1, 0, 0), tick=False):
        assert browser_for("chenjing").post(f"/changes/payouts/{second}/pay",
                                            {"method": "transfer"}).status_code == 302
    with app.app_context():
        numbers = {p.id: p.number for p in db.session.scalars(
            select(Payout).where(Payout.project_id == office["project"]))}
    assert numbers == {first: "TK2026-0001", second: "TK2027-0001"}
