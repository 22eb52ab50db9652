"""Printed QR codes open a page that checks the paper against the database."""
import subprocess

from app.pdf import html_to_pdf
from app.qr import qr_data_uri
from app.services import verification
from app.services.verification import VerifiedDocument, fingerprint

RECORDS = {}


def _loader(object_id):
    record = RECORDS.get(object_id)
    if record is None:
        return None
    return VerifiedDocument(
        title=f"收据 No.{record['no']}", status=record["status"], valid=record["status"] == "有效",
        fields=[("金额", record["amount"]), ("房号", "1栋1801")],
        fingerprint=fingerprint(record["no"], record["amount"]))


def _printed_url(app, object_id):
    record = RECORDS[object_id]
    with app.test_request_context(base_url="http://anchang.lan"):
        return verification.verify_url("test-receipt", object_id,
                                       fingerprint(record["no"], record["amount"]))


def test_the_printed_qr_decodes_to_the_verification_page(app, tmp_path):
    verification.register("test-receipt", _loader)
    RECORDS[1] = {"no": "0001234", "amount": "¥20,000.00", "status": "有效"}
    url = _printed_url(app, 1)
    with app.test_request_context():
        pdf = html_to_pdf(f'<html><body><h1>收据</h1><img src="{qr_data_uri(url)}"></body></html>')
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "r.pdf"), str(tmp_path / "p")],
                   check=True)
    png = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == url
    page = app.test_client().get(decoded.replace("http://anchang.lan", ""))
    assert page.status_code == 200
    assert "单据有效" in page.text and "¥20,000.00" in page.text


def test_tampered_token_altered_paper_and_voided_document(app):
    verification.register("test-receipt", _loader)
    RECORDS[2] = {"no": "0001235", "amount": "¥50,000.00", "status": "有效"}
    path = _printed_url(app, 2).replace("http://anchang.lan", "")
    client = app.test_client()
    forged = client.get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert forged.status_code == 404 and "无效的验证码" in forged.text
    RECORDS[2]["amount"] = "¥5,000.00"  # the record no longer says what the paper says
    mismatch = client.get(path)
    assert mismatch.status_code == 409 and "与系统记录不符" in mismatch.text
    assert "¥5,000.00" in mismatch.text  # the page shows the real amount
    RECORDS[2].update(amount="¥50,000.00", status="已作废")
    void = client.get(path)
    assert void.status_code == 200 and "单据已失效" in void.text and "已作废" in void.text
