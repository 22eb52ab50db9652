"""The public verification page a customer reaches by scanning a printed QR code."""
from app.services import verification
from app.services.verification import VerifiedDocument, fingerprint
from tests.e2e.conftest import shot


def test_verification_page_on_a_phone(browser, live_server, in_process_app):
    doc = VerifiedDocument(title="收据 No.0001234", status="有效", valid=True,
                           fields=[("金额", "¥20,000.00"), ("大写", "贰万元整"),
                                   ("房号", "1栋1801")],
                           fingerprint=fingerprint("0001234"))
    verification.register("e2e-receipt", lambda object_id: doc)
    with in_process_app.test_request_context(base_url=live_server["url"]):
        url = verification.verify_url("e2e-receipt", 1, fingerprint("0001234"))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    assert "单据有效" in page.inner_text(".verify-mark")
    shot(page, "verify-receipt-phone")
    context.close()
