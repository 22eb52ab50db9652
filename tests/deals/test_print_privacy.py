"""Printed documents with personal data: one 个人信息访问日志 row per document printed, and the
buyer's phone and ID number masked for roles without the reveal right (finance, admin)."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AccessLog, Subscription
from tests.deals.test_documents import _signed

FULL_ID, CO_BUYER_ID, PHONE = "110101199001011234", "110101199202023456", "13800001111"


def _text(response):
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def _log(app):
    with app.app_context():
        return [(r.user_id, r.customer_id, r.action, r.field)
                for r in db.session.scalars(select(AccessLog).order_by(AccessLog.id))]


def test_finance_prints_the_subscription_masked_and_the_print_is_logged(app, office,
                                                                         browser_for):
    _, sub_id = _signed(app, office)
    with app.app_context():
        number = db.session.get(Subscription, sub_id).number
    text = _text(browser_for("chenjing").get(f"/deals/subscriptions/{sub_id}/pdf"))
    for full in (FULL_ID, CO_BUYER_ID, PHONE):
        assert full not in text, full
    assert "110***********1234" in text and "138****1111" in text and "110***********3456" in text
    assert "张三" in text and "李梅" in text
    assert _log(app) == [(office["chenjing"], office["zhang"], "print_masked", f"认购书 {number}")]


def test_the_secretary_prints_the_full_subscription_once_per_document_logged(app, office,
                                                                              browser_for):
    _, sub_id = _signed(app, office)
    secretary = browser_for("zhaomin")
    for _ in range(2):  # a second copy printed is a second access
        text = _text(secretary.get(f"/deals/subscriptions/{sub_id}/pdf"))
        assert FULL_ID in text and PHONE in text and CO_BUYER_ID in text
    rows = _log(app)
    assert [row[:3] for row in rows] == [(office["zhaomin"], office["zhang"], "print")] * 2
    page = browser_for("liuqiang").get("/customers/access-log").text
    assert "打印" in page and "认购书" in page and "完整" in page


def test_a_receipt_print_is_logged_against_the_payer(app, office, browser_for):
    receipt_id, _ = _signed(app, office)
    text = _text(browser_for("chenjing").get(f"/deals/receipts/{receipt_id}/pdf"))
    assert "张三" in text
    [row] = _log(app)
    assert row[:2] == (office["chenjing"], office["zhang"]) and row[3] == "收据 No.0001001"
