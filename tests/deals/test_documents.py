"""Printed documents: the receipt and the 认购书 read back, their QR codes decoded and checked."""
import io
import subprocess
from datetime import timedelta

from pypdf import PdfReader

from app.extensions import db
from app.models import Receipt, Subscription, Unit, User
from app.services import clock
from app.services.deals import deposits, subscriptions
from app.services.deals.common import new_form_key
from tests.fixtures.deals import BUYER


def _qr_urls(tmp_path, pdf):
    (tmp_path / "d.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "d.pdf"),
                    str(tmp_path / "p")], check=True)
    urls = []
    for png in sorted(tmp_path.glob("p*.png")):
        urls.append(subprocess.run(["zbarimg", "--quiet", "--raw", str(png)],
                                   capture_output=True, text=True, check=True).stdout.strip())
    return urls


def _signed(app, office):
    with app.app_context():
        unit = db.session.get(Unit, office["units"]["1栋 301"])
        secretary = db.session.get(User, office["zhaomin"])
        deposit, _ = deposits.record(unit, kind="large", amount_text="20000.50", method="wechat",
                                     receipt_no="1001", customer_id=office["zhang"],
                                     consultant_id=office["wangfang"], form_key=new_form_key(),
                                     actor=secretary)
        deposits.confirm(deposit, db.session.get(User, office["chenjing"]))
        sub, _ = subscriptions.sign(unit, {
            "form_key": new_form_key(), "plan": "full", "customer_id": office["zhang"],
            "co_buyers": "李梅 110101199202023456", **BUYER,
            "sign_deadline": clock.today() + timedelta(days=7)}, secretary)
        db.session.commit()
        return deposit.receipt_id, sub.id


def test_receipt_pdf_amount_capitals_and_a_qr_that_checks_out(app, office, browser_for,
                                                              tmp_path):
    receipt_id, _ = _signed(app, office)
    secretary = browser_for("zhaomin")
    response = secretary.get(f"/deals/receipts/{receipt_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    for expected in ("收 据", "No.0001001", "¥20,000.50", "贰万元伍角", "张三", "1栋 301",
                     "大定定金", "微信"):
        assert expected in text.replace("\n", ""), expected
    [url] = _qr_urls(tmp_path, response.data)
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = secretary.client.get("/" + path)
    assert page.status_code == 200 and "¥20,000.50" in page.text and "1栋 301" in page.text
    assert "单据有效" in page.text
    tampered = "/" + path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert "单据有效" not in secretary.client.get(tampered).text
    with app.app_context():  # a refund makes the paper receipt stop standing for money
        receipt = db.session.get(Receipt, receipt_id)
        receipt.status = "refunded"
        db.session.commit()
    assert "单据有效" not in secretary.client.get("/" + path).text


def test_subscription_pdf_four_copies_with_the_check(app, office, browser_for, tmp_path):
    _, sub_id = _signed(app, office)
    response = browser_for("zhaomin").get(f"/deals/subscriptions/{sub_id}/pdf")
    assert response.status_code == 200
    pages = [p.extract_text().replace("\n", "") for p in PdfReader(io.BytesIO(response.data)).pages]
    assert len(pages) == 4
    for label, text in zip(("客户联", "财务联", "销售联", "销售联(存档)"), pages, strict=True):
        assert label in text and "商品房认购书" in text and "李梅" in text
    with app.app_context():
        sub = db.session.get(Subscription, sub_id)
        price = f"¥{sub.deal_price:,.2f}"
    assert all(price in text for text in pages)
    urls = _qr_urls(tmp_path, response.data)
    assert len(urls) == 4 and len(set(urls)) == 1 and "/v/" in urls[0]
