"""The launch pages through HTTP, as the office uses them: 认筹 form, finance, the 认筹单 PDF
and export, the console's session, the hall screen's conditional polling."""
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db as _db
from app.models import AuditLog, DisplayLink, LaunchRegistration, Unit
from tests.deals.conftest import form_key

# No `db` fixture here: an app context held open by the test would be shared by every
# request of the test client (and Flask-WTF keeps the CSRF token on it).


def read(app, query):
    with app.app_context():
        return query(_db.session)


def test_register_a_buyer_then_finance_confirms(app, office, launch_world, browser_for):
    consultant = browser_for("wangfang")
    launch_id = launch_world["launch"]
    page = consultant.get(f"/launches/{launch_id}/register").get_data(as_text=True)
    assert "张三" in page and "李四" not in page  # a consultant's own customers only
    data = {"form_key": form_key(page), "customer_id": office["zhang"], "amount": "50000",
            "method": "wechat", "receipt_no": "1180", "layouts": ["三室两厅两卫", "两室两厅一卫"]}
    response = consultant.post(f"/launches/{launch_id}/register", data)
    assert response.status_code == 302
    # the message says the amount and receipt understood, as finance reads the paper
    assert ("已认筹:RC0007 张三,诚意金 ¥50,000.00,收据 No.0001180,待财务确认"
            in consultant.get(response.headers["Location"]).get_data(as_text=True))
    again = consultant.post(f"/launches/{launch_id}/register", data)  # double submit
    assert again.status_code == 302
    entries = read(app, lambda s: [(e.id, e.number, e.wanted_layouts) for e in s.scalars(
        select(LaunchRegistration).where(LaunchRegistration.customer_id == office["zhang"]))])
    assert len(entries) == 1 and entries[0][1:] == (7, "三室两厅两卫、两室两厅一卫")

    listing = consultant.get(f"/launches/{launch_id}/registrations").get_data(as_text=True)
    assert "RC0007" in listing and "王一" in listing and "李二" not in listing  # own buyers

    finance = browser_for("chenjing")
    finance.get(f"/launches/{launch_id}/registrations")
    confirmed = finance.post(f"/launches/registrations/{entries[0][0]}/confirm")
    assert confirmed.status_code == 302
    assert ("RC0007:已确认诚意金 ¥50,000.00,收据 No.0001180"
            in finance.get(confirmed.headers["Location"]).get_data(as_text=True))
    entry = read(app, lambda s: (lambda e: (e.status, e.receipt.status))(
        s.get(LaunchRegistration, entries[0][0])))
    assert entry == ("confirmed", "confirmed")


def test_a_bad_receipt_number_is_shown_next_to_the_field(app, office, launch_world, browser_for):
    desk = browser_for("zhaomin")
    launch_id = launch_world["launch"]
    page = desk.get(f"/launches/{launch_id}/register").get_data(as_text=True)
    response = desk.post(f"/launches/{launch_id}/register", {
        "form_key": form_key(page), "customer_id": office["li"], "amount": "50000",
        "method": "cash", "receipt_no": "9999"})
    assert response.status_code == 422
    assert "不在财务登记的收据本内" in response.get_data(as_text=True)


def test_the_recorder_cannot_confirm_and_refund_needs_a_reason(app, launch_world,
                                                                browser_for):
    first = launch_world["entries"][0]
    finance = browser_for("huangli")
    finance.get(f"/launches/{launch_world['launch']}/registrations")
    response = finance.post(f"/launches/registrations/{first}/refund", {"reason": ""})
    assert response.status_code == 422 and "请填写原因" in response.get_data(as_text=True)
    response = finance.post(f"/launches/registrations/{first}/refund", {"reason": "客户放弃"})
    assert response.status_code == 302
    assert read(app, lambda s: s.get(LaunchRegistration, first).receipt.status) == "refunded"


def test_pdf_with_qr_and_the_export(app, launch_world, browser_for):
    desk = browser_for("zhaomin")
    pdf = desk.get(f"/launches/registrations/{launch_world['entries'][0]}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    sheet = desk.get(f"/launches/{launch_world['launch']}/registrations.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.values)
    assert rows[0][:2] == ("认筹号", "客户") and len(rows) == 7
    assert rows[1][0] == "RC0001" and "****" in rows[1][2]  # phones masked


def test_a_session_through_the_console_and_the_hall_screen(app, office, launch_world,
                                                           browser_for):
    launch_id = launch_world["launch"]
    desk = browser_for("zhaomin")
    desk.get(f"/launches/{launch_id}")
    for action in ("commit", "draw", "start", "call"):
        assert desk.post(f"/launches/{launch_id}/do/{action}").status_code == 302, action
    console = desk.get(f"/launches/{launch_id}").get_data(as_text=True)
    assert "确认选房" in console and "种子(摇号后公布)" in console
    called_id, queue_no, name = read(app, lambda s: (lambda e: (e.id, e.queue_no, e.customer.name))(
        s.scalar(select(LaunchRegistration).where(LaunchRegistration.launch_id == launch_id,
                                                  LaunchRegistration.call_status == "called"))))
    assert queue_no == 1

    with app.app_context():
        _db.session.add(DisplayLink(project_id=office["project"], token="hall-token-123456",
                                    name="大厅", created_by_id=office["liuqiang"]))
        _db.session.commit()
    screen = app.test_client()
    hall = screen.get("/launch-hall/hall-token-123456")
    assert hall.status_code == 200
    text = hall.get_data(as_text=True)
    assert name not in text and name[:1] + "**" in text
    tag = re.search(r'data-etag="([^"]+)"', text).group(1).replace("&#34;", '"')
    assert screen.get("/launch-hall/hall-token-123456/poll",
                      headers={"If-None-Match": tag}).status_code == 304

    unit_id = office["units"]["1栋 301"]
    response = desk.post(f"/launches/entries/{called_id}/pick", {"unit_id": unit_id})
    assert response.status_code == 302
    amount, receipt_no = read(app, lambda s: (lambda e: (e.amount, e.receipt.number))(
        s.get(LaunchRegistration, called_id)))
    assert (f"1 号 选定 1栋 301,诚意金 ¥{amount:,.2f} 已转为定金,收据 No.{receipt_no:07d}"
            in desk.get(response.headers["Location"]).get_data(as_text=True))
    poll = screen.get("/launch-hall/hall-token-123456/poll", headers={"If-None-Match": tag})
    assert poll.status_code == 200 and poll.headers["ETag"] != tag
    board = desk.get("/board").get_data(as_text=True)
    assert "定金已确认" in board
    lost = desk.post(f"/launches/entries/{called_id}/pick", {"unit_id": unit_id})
    assert lost.status_code == 422 and "不在选房中" in lost.get_data(as_text=True)
    actions = set(read(app, lambda s: s.scalars(select(AuditLog.action)).all()))
    assert {"launch_seed_committed", "launch_drawn", "launch_started", "launch_called",
            "launch_picked", "unit_launch_pick_confirmed", "deposit_recorded"} <= actions


def test_a_consultant_cannot_run_the_console(app, launch_world, browser_for):
    consultant = browser_for("wangfang")
    assert consultant.get(f"/launches/{launch_world['launch']}").status_code == 403
    consultant.get("/launches")
    assert consultant.post(f"/launches/{launch_world['launch']}/do/call").status_code == 403


def test_batch_release_for_the_session(app, office, launch_world, browser_for):
    from tests.fixtures.board import set_status
    for name in ("1栋 301", "1栋 302", "1栋 201"):
        set_status(app, office["units"][name], "withheld")
    manager = browser_for("liuqiang")
    manager.get(f"/launches/{launch_world['launch']}")
    response = manager.post(f"/launches/{launch_world['launch']}/release", {
        "building_id": office["buildings"]["1栋"], "floor_from": "3", "floor_to": "3"})
    assert response.status_code == 302
    statuses = read(app, lambda s: {name: s.get(Unit, office["units"][name]).status
                                    for name in ("1栋 301", "1栋 302", "1栋 201")})
    assert statuses == {"1栋 301": "available", "1栋 302": "available", "1栋 201": "withheld"}


def test_the_console_follows_a_hold_on_the_board_without_a_refused_pick(app, office,
                                                                        launch_world,
                                                                        browser_for):
    launch_id = launch_world["launch"]
    desk = browser_for("zhaomin")
    desk.get(f"/launches/{launch_id}")
    for action in ("commit", "draw", "start", "call"):
        assert desk.post(f"/launches/{launch_id}/do/{action}").status_code == 302, action
    console = desk.get(f"/launches/{launch_id}").get_data(as_text=True)
    unit_id = office["units"]["1栋 301"]
    assert f'<option value="{unit_id}">' in console
    tag = re.search(r'id="launch-live"[^>]*data-etag="([^"]+)"', console).group(1)
    tag = tag.replace("&#34;", '"')
    consultant = browser_for("wangfang")
    consultant.get("/board")
    assert consultant.post(f"/board/units/{unit_id}/hold", htmx=True).status_code == 200
    app.extensions.pop("board_tags", None)  # the poll's short tag cache, as after 1 s
    poll = desk.get(f"/launches/{launch_id}/poll", headers={"If-None-Match": tag,
                                                             "HX-Request": "true"})
    assert poll.status_code == 200  # not 304: the held unit leaves the choice now
    assert f'<option value="{unit_id}">' not in poll.get_data(as_text=True)
