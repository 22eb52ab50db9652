"""No raw phone or ID numbers in application logs."""
import io
import logging
import re

import pytest

from app import logs

RAW = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)\d{17}[\dXx](?!\d)")


def test_mask_text():
    masked = logs.mask_text("call 13800138000 or +86 139-0013-9000")
    assert masked == "call 138****8000 or 139****9000"
    assert logs.mask_text("id 11010519491231002X ok") == "id 110***********002X ok"
    assert logs.mask_text("order 20261123000001234567") == "order 20261123000001234567"


@pytest.mark.fresh_app
def test_errors_and_request_lines_are_masked_in_the_log(app, login_as):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    logging.getLogger("werkzeug").setLevel(logging.INFO)
    logs.install(app)

    @app.route("/_leak")
    def leak():
        raise ValueError("duplicate phone 13800138000 for 11010519491231002X")

    try:
        browser = login_as("manager")
        app.config["PROPAGATE_EXCEPTIONS"] = False
        assert browser.get("/_leak?q=13912345678").status_code == 500
        logging.getLogger("werkzeug").info('"GET /customers?q=13912345678 HTTP/1.1" 200')
    finally:
        root.removeHandler(handler)
    text = stream.getvalue()
    assert "138****8000" in text and "139****5678" in text
    assert not RAW.findall(text), RAW.findall(text)
