"""Photos of signed forms: really images, not too big, stored aside, shown to the right people."""
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.models import DiscountAttachment, DiscountRequest
from app.services import discounts
from tests.discounts.conftest import new_request, png_bytes, user


@pytest.fixture
def uploads(app):
    return Path(app.config["UPLOAD_DIR"]) / "discounts"


def upload(browser, request_id, data, name="form.png", kind="form"):
    browser.get(f"/discounts/{request_id}")
    return browser.post(f"/discounts/{request_id}/attachments",
                        {"kind": kind, "photo": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def test_a_photo_is_checked_stored_and_served_to_allowed_users_only(app, office, browser_for,
                                                                    uploads):
    with app.app_context():
        request_id = new_request(office).id
    wangfang = browser_for("wangfang")
    response = upload(wangfang, request_id, png_bytes(), name="申请单.png")
    assert response.status_code == 302
    with app.app_context():
        attachment = _db.session.scalar(select(DiscountAttachment))
        assert (attachment.content_type, attachment.width, attachment.height) == \
            ("image/png", 64, 48)
        assert attachment.original_name == "申请单.png"
        stored = uploads / attachment.stored_name
        assert stored.read_bytes() == png_bytes() and oct(os.stat(stored).st_mode)[-3:] == "640"
    url = f"/discounts/attachments/{attachment.id}"
    assert f'src="{url}"' in wangfang.get(f"/discounts/{request_id}").text
    for name in ("wangfang", "liuqiang", "zhaomin"):
        shown = browser_for(name).get(url)
        assert shown.status_code == 200 and shown.data == png_bytes()
        assert shown.headers["Content-Type"] == "image/png"
        assert "sandbox" in shown.headers["Content-Security-Policy"]
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert browser_for("lijun").get(url).status_code == 403  # not his customer
    assert browser_for("lijun").get(f"/discounts/{request_id}").status_code == 403


@pytest.mark.parametrize("data, name, message", [
    (b"<script>alert(1)</script>", "form.jpg", "不是有效的图片"),
    (png_bytes()[:60], "truncated.png", "不是有效的图片"),
    (png_bytes(fmt="GIF"), "form.gif", "只接受 JPG、PNG 或 WebP"),
    (b"", "", "请选择要上传的照片"),
])
def test_files_that_are_not_photos_are_refused(app, office, browser_for, uploads, data, name,
                                               message):
    with app.app_context():
        request_id = new_request(office).id
    response = upload(browser_for("wangfang"), request_id, data, name=name)
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert _db.session.scalar(select(DiscountAttachment.id)) is None
    assert not uploads.exists() or not any(uploads.iterdir())


def test_an_oversized_photo_is_refused(app, office, browser_for, uploads):
    app.config["DISCOUNT_ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    big = png_bytes(size=(1400, 1400))
    noisy = bytes(os.urandom(1024 * 1024 + 10))  # not even an image: size is checked first
    with app.app_context():
        request_id = new_request(office).id
    response = upload(browser_for("wangfang"), request_id, noisy, name="big.jpg")
    assert response.status_code == 422 and "照片不能超过 1 MB" in response.text
    assert upload(browser_for("wangfang"), request_id, big).status_code == 302


def test_a_photo_of_the_written_approval_confirms_a_verbal_one(app, office, browser_for,
                                                               uploads):
    with app.app_context():
        request = new_request(office)
        discounts.record_verbal(request, user("liuqiang", office), request.created_at, "同意",
                                user("zhaomin", office))
        _db.session.commit()
        request_id = request.id
    wangfang = browser_for("wangfang")
    refused = upload(wangfang, request_id, png_bytes(), kind="written")
    assert refused.status_code == 403  # a consultant cannot attach the written approval
    response = upload(browser_for("zhaomin"), request_id, png_bytes(), kind="written")
    assert response.status_code == 302
    with app.app_context():
        confirmed = _db.session.get(DiscountRequest, request_id)
        assert confirmed.confirmed_at is not None and confirmed.confirmed_by_id == office["zhaomin"]
        assert [e.kind for e in confirmed.events] == ["requested", "verbal", "written"]
