"""Faults in a real gunicorn: kill -9 of a worker in the middle of a deposit (the database
holds the whole deposit or none of it, and the client's retry with the same form key records
it once); a PDF that renders forever (cut short, and the other worker keeps serving)."""
import os
import signal
import threading
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Deposit, Receipt, Unit
from bench.harness import Server, login, request
from tests.conftest import PASSWORD
from tests.deals.conftest import form_key


def _wait_for(path, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError("the worker never reached the injected pause")


def _state(app, unit_id):
    with app.app_context():
        state = (db.session.get(Unit, unit_id).status,
                 db.session.scalar(select(func.count()).select_from(Deposit)),
                 db.session.scalar(select(func.count()).select_from(Receipt)),
                 db.session.scalar(select(func.count()).where(
                     AuditLog.action == "deposit_recorded")))
        db.session.remove()
        return state


@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
def test_a_worker_killed_mid_deposit_leaves_all_or_nothing_and_the_retry_counts_once(
        app, office, engine_url, tmp_path, point):
    unit_id = office["units"]["1栋 101"]
    marker = tmp_path / "paused"
    env = {"DATABASE_URL": engine_url, "ANCHANG_INSTANCE": str(tmp_path),
           "FAULT": f"deposit_{point}", "FAULT_MARKER": str(marker)}
    with Server("tests.fixtures.fault_app:make_app()", workers=1, env=env) as server:
        cookie, token = login(server.port, "zhaomin", PASSWORD)
        _, _, page = request(server.port, "GET", f"/deals/units/{unit_id}/deposit",
                             {"Cookie": cookie})
        form = urlencode({"csrf_token": token, "form_key": form_key(page.decode()),
                          "kind": "small", "amount": "20000", "method": "pos",
                          "receipt_no": "1001", "customer_id": office["zhang"],
                          "consultant_id": office["wangfang"]})
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        outcome = []

        def post():
            try:
                outcome.append(request(server.port, "POST", f"/deals/units/{unit_id}/deposit",
                                       headers, form)[0])
            except OSError as exc:  # the connection dies with the worker
                outcome.append(exc)

        first = threading.Thread(target=post)
        first.start()
        os.kill(_wait_for(marker), signal.SIGKILL)
        first.join(30)
        assert outcome and isinstance(outcome[0], (OSError, int)) and outcome[0] != 302
        expected = ("available", 0, 0, 0) if point == "before_commit" else \
            ("deposit_pending", 1, 1, 1)
        assert _state(app, unit_id) == expected
        for _ in range(2):  # the client retries (twice): one deposit in the end
            status, response_headers, _ = _retry(server.port, unit_id, headers, form)
            assert status == 302, status
        assert _state(app, unit_id) == ("deposit_pending", 1, 1, 1)
        cookie = response_headers.get("Set-Cookie", cookie).split(";")[0]  # carries the flash
        _, _, board = request(server.port, "GET", response_headers["Location"], {"Cookie": cookie})
        assert "该表单已提交过,以下是第一次提交的结果" in board.decode()


def _retry(port, unit_id, headers, form, seconds=20):
    """POST again once gunicorn has a new worker listening."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return request(port, "POST", f"/deals/units/{unit_id}/deposit", headers, form)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_pdf_that_renders_forever_is_cut_short_and_blocks_nobody(app, office, engine_url,
                                                                   tmp_path):
    env = {"DATABASE_URL": engine_url, "ANCHANG_INSTANCE": str(tmp_path), "FAULT": "slow_pdf",
           "PDF_TIMEOUT_SECONDS": "1.5"}
    with Server("tests.fixtures.fault_app:make_app()", workers=2, env=env) as server:
        cookie, _ = login(server.port, "liuqiang", PASSWORD)
        headers = {"Cookie": cookie}
        outcome = []

        def fetch_pdf():
            began = time.monotonic()
            status, _, body = request(server.port, "GET", "/discounts/log.pdf", headers)
            outcome.append((status, body.decode(), time.monotonic() - began))

        slow = threading.Thread(target=fetch_pdf)
        slow.start()
        time.sleep(0.3)  # the PDF is rendering on one worker
        waits = []
        while slow.is_alive() and len(waits) < 20:
            began = time.monotonic()
            status, _, _ = request(server.port, "GET", "/", headers)
            waits.append(time.monotonic() - began)
            assert status == 200
        slow.join(30)
    status, body, seconds = outcome[0]
    assert status == 503 and "文档生成超时" in body
    assert 1.5 <= seconds < 10  # cut at PDF_TIMEOUT_SECONDS, not at gunicorn's 60 s
    assert waits and max(waits) < 2  # the home page kept answering meanwhile
