"""The board through HTTP: grid, filters, figures, the unit panel, moves, polling, export."""
import io
import json
import re
from datetime import datetime, timedelta, timezone

import time_machine
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.extensions import db
from app.models import AuditLog, Project, Unit, UnitStatus
from tests.fixtures.board import audit_count, make_project, set_status
from tests.helpers import statements_during

S = UnitStatus
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
CELL = re.compile(r'<button[^>]*id="u-(\d+)" class="(cell|mini) s-(\w+)([^"]*)"')


def cells(html):
    """{unit id: (status, extra classes)} as the grid shows them."""
    return {int(m.group(1)): (m.group(3), m.group(4).split()) for m in CELL.finditer(html)}


def etag_of(html):
    tag = re.search(r'id="board-poll"[^>]*data-etag="([^"]+)"', html).group(1)
    return tag.replace("&#34;", '"')


def test_a_building_reads_like_a_sales_control_chart(app, login_as):
    world = make_project(app, buildings=(("1栋", 5, 4), ("2栋", 3, 2)))
    set_status(app, world["units"]["1栋 502"], S.WITHHELD)
    browser = login_as("secretary")
    page = browser.get(f"/board?building={world['buildings']['1栋']}").get_data(as_text=True)
    floors = re.findall(r'<th scope="row">(\d+)</th>', page)
    assert floors == ["5", "4", "3", "2", "1"]  # top floor first
    assert re.findall(r'<th scope="col">(\d+)</th>', page) == ["01", "02", "03", "04"]
    first_row = page[page.index('<th scope="row">5</th>'):page.index('<th scope="row">4</th>')]
    assert re.findall(r'class="c-no">(\d+)<', first_row) == ["501", "502", "503", "504"]
    assert '<span class="c-no">301</span><span class="c-st">售</span>' in page
    assert "两室两厅一卫" in page and "89.36㎡" in page and "180.5万" in page  # 20300 × 89.36
    assert cells(page)[world["units"]["1栋 502"]][0] == "withheld"
    assert "2栋" in page and len(cells(page)) == 20  # the tab, not the other building's cells
    everything = browser.get("/board").get_data(as_text=True)
    assert len(cells(everything)) == 26 and 'class="mini s-available"' in everything


def test_figures_count_units_and_area_by_status_and_sell_through(app, login_as):
    world = make_project(app, buildings=(("1栋", 5, 4),))
    for name in ("1栋 101", "1栋 102"):
        set_status(app, world["units"][name], S.WITHHELD)
    for name in ("1栋 501", "1栋 502", "1栋 503"):
        set_status(app, world["units"][name], S.SUBSCRIBED)
    set_status(app, world["units"]["1栋 504"], S.CONTRACTED)
    page = login_as("manager").get("/board").get_data(as_text=True)
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)", page))
    assert figures["总套数"] == "20" and figures["已推售"] == "18"
    assert figures["去化率"] == "22.2%"  # 4 sold of 18 released
    assert figures["已售(认购+签约)"].strip() == "4 套"
    assert "已签约 <strong>1</strong> 套" in page and "销控 <strong>2</strong> 套" in page


def test_filters_dim_what_does_not_match(app, login_as):
    world = make_project(app)
    browser = login_as("consultant")
    building = world["buildings"]["1栋"]
    page = browser.get(f"/board?building={building}&layout=两室两厅一卫").get_data(as_text=True)
    shown = cells(page)
    assert not any("dim" in extra for uid, (_, extra) in shown.items()
                   if uid == world["units"]["1栋 101"])
    assert "dim" in shown[world["units"]["1栋 102"]][1]
    page = browser.get(f"/board?building={building}&area=ge144").get_data(as_text=True)
    assert sum("dim" not in extra for _, extra in cells(page).values()) == 0
    page = browser.get(f"/board?building={building}&status=withheld").get_data(as_text=True)
    assert all("dim" in extra for _, extra in cells(page).values())
    fragment = browser.get(f"/board?building={building}&price=100-300",
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith('\n<div id="board-main"') or 'id="board-main"' in fragment[:200]
    assert "<html" not in fragment


def test_the_panel_offers_each_role_its_moves(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    url = f"/board/unit?unit={unit_id}"
    consultant = login_as("consultant").get(url, headers={"HX-Request": "true"}).get_data(True)
    assert "保留 30 分钟" in consultant and "底价" not in consultant
    assert "销控(暂不推售)" not in consultant
    secretary = login_as("secretary").get(url, headers={"HX-Request": "true"}).get_data(True)
    # the secretary records deposits (deals): that is her only step on an available unit
    assert "保留 30 分钟" not in secretary and "收取定金" in secretary
    finance = login_as("finance").get(url, headers={"HX-Request": "true"}).get_data(True)
    assert "当前状态下您没有可以进行的操作" in finance
    manager = login_as("manager").get(url, headers={"HX-Request": "true"}).get_data(True)
    assert "保留 30 分钟" in manager  # the manager may hold, beyond the cap too


def test_a_kept_panel_shows_each_viewer_their_own_token_rights_and_hold(app, login_as):
    """A panel's HTML is kept per what it shows (PanelView) and filled in per answer: a second
    viewer with the same rights gets the kept HTML with their own CSRF token (a plain form
    posted with it goes through), and the hold note, version and history of the moment."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    url = f"/board/unit?unit={unit_id}"
    fragment = {"headers": {"HX-Request": "true"}}
    first, second = (login_as("consultant", username=name, display_name=shown)
                     for name, shown in (("wang", "王芳"), ("li", "李雷")))
    assert "保留 30 分钟" in first.get(url, **fragment).get_data(True)
    kept = len(app.extensions["board_panels"])
    panel = second.get(url, **fragment).get_data(True)
    assert len(app.extensions["board_panels"]) == kept  # the same view: the kept HTML
    assert "<!--slot" not in panel and "底价" not in panel and "整层 / 整栋" not in panel
    token = re.search(r'name="csrf_token" value="([^"]+)"', panel).group(1)
    held = second.post(f"/board/units/{unit_id}/hold", {"csrf_token": token}, csrf=False)
    assert held.status_code == 302  # the token in the kept HTML is this session's own
    with app.app_context():
        version = db.session.get(Unit, unit_id).board_version
    mine = second.get(url, **fragment).get_data(True)
    assert "由 <strong>李雷</strong> 保留" in mine and "取消保留" in mine
    assert f'data-version="{version}"' in mine
    assert re.search(r"<li><time>[^<]+</time> <strong>李雷</strong> 保留", mine)
    assert 'name="cancel_hold-reason"' not in mine  # their own hold: no reason asked
    theirs = first.get(url, **fragment).get_data(True)
    assert "由 <strong>李雷</strong> 保留" in theirs and "取消保留" not in theirs
    manager = login_as("manager", display_name="刘强").get(url, **fragment).get_data(True)
    assert "底价" in manager and 'name="cancel_hold-reason"' in manager  # another's hold


def test_hold_from_the_panel_and_every_board_follows(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    with time_machine.travel(T0, tick=False):  # sessions are signed with the (frozen) time
        watcher = login_as("secretary")
        page = watcher.get("/board").get_data(as_text=True)
        tag = etag_of(page)
        assert watcher.client.get("/board/poll", query_string={"project": world["project"]},
                                  headers={"If-None-Match": tag}).status_code == 304
        consultant = login_as("consultant", display_name="王芳")
        consultant.get("/board")
        response = consultant.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
        assert response.status_code == 200 and response.headers["HX-Trigger"] == "board-refresh"
        panel = response.get_data(as_text=True)
        assert "由 <strong>王芳</strong> 保留 · 到期 <strong>10:30</strong>" in panel
        assert "已保留 1栋 301" in panel and "取消保留" in panel
        # the history line's time, read as stored and shown in the office's time zone
        assert re.search(r"<li><time>\d\d-\d\d 10:00</time> <strong>王芳</strong> 保留", panel)
        poll = watcher.client.get("/board/poll", query_string={"project": world["project"]},
                                  headers={"If-None-Match": tag})
        assert poll.status_code == 200 and poll.headers["ETag"] != tag
        body = poll.get_data(as_text=True)
        assert f'id="u-{unit_id}" class="mini s-held"' in body and 'hx-swap-oob="true"' in body
        assert len(cells(body)) == 1 and 'id="board-summary"' in body
        assert f'"units": [{unit_id}]' in poll.headers["HX-Trigger"]
        # the version the unit was written at: the mover's panel already shows it
        version = json.loads(poll.headers["HX-Trigger"])["board-changed"]["versions"][str(unit_id)]
        assert f'data-unit="{unit_id}" data-version="{version}"' in panel
        again = watcher.client.get("/board/poll", query_string={"project": world["project"]},
                                   headers={"If-None-Match": poll.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""


def test_the_panel_history_is_rendered_once_per_line_and_follows_a_renamed_user(app, login_as):
    """History lines are kept per worker (an audit row never changes): the move's own line
    shows in its answer, the earlier lines come from the kept ones, and a consultant renamed
    by the admin shows under the new name."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant = login_as("consultant", display_name="王芳")
    consultant.get("/board")
    held = consultant.post(f"/board/units/{unit_id}/hold", {}, htmx=True).get_data(as_text=True)
    let_go = consultant.post(f"/board/units/{unit_id}/cancel-hold", {}, htmx=True)
    lines = re.findall(r"<li><time>.*?</li>", let_go.get_data(as_text=True), re.S)
    assert len(lines) == 2 and "王芳</strong> 取消保留" in lines[0]
    assert "王芳</strong> 保留" in lines[1] and lines[1] in held  # the same line, kept
    admin = login_as("admin")
    renamed = admin.post(f"/admin/users/{consultant.user_id}",
                         {"display_name": "王芳芳", "role": "consultant"})
    assert renamed.status_code == 302
    panel = consultant.get("/board/unit", query_string={"unit": unit_id},
                           headers={"HX-Request": "true"})
    text = panel.get_data(as_text=True)
    assert text.count("王芳芳</strong>") == 2 and "王芳</strong>" not in text


def test_a_hold_from_the_panel_is_one_transaction_of_a_few_statements(app, login_as):
    """Launch day: a move and its panel's reads share one transaction (no second BEGIN for the
    answer), and the count of statements stays what the move needs."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant = login_as("consultant", display_name="王芳")
    consultant.get("/board")
    begun, statements = [], []
    with app.app_context():
        engine = db.engine
    on_begin = lambda conn: begun.append(1)  # noqa: E731
    on_statement = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        response = consultant.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_statement)
    assert response.status_code == 200 and "取消保留" in response.get_data(as_text=True)
    assert len(begun) == 1, statements
    work = [s for s in statements if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]
    # the user with their memberships and project, the unit read once, before the lock (with
    # its building), the board counter (the project lock), the UPDATE comparing what was
    # read (and counting the holder's open holds: the cap), the audit row, the history.
    # PostgreSQL bumps the counter in the read's statement (a CTE) and writes the audit row
    # in the UPDATE's (a CTE), which also reads the history the answer shows: three round
    # trips less.
    shapes = [s.lstrip().split()[:2] for s in work]
    assert sum("FROM unit" in s or "FROM building" in s for s in work[:2]) == 1, work
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert len(work) == 3, work
        assert shapes[1][0] == "WITH" and "UPDATE project" in work[1], work
        assert "FROM unit" in work[1].split("UPDATE project")[1], work
        assert shapes[2][0] == "WITH", work
        assert "UPDATE unit" in work[2] and "INSERT INTO audit_log" in work[2], work
        assert "json_agg" in work[2] and "FROM audit_log" in work[2], work
    else:
        assert len(work) == 6, work
        assert shapes[2:5] == [["UPDATE", "project"], ["UPDATE", "unit"], ["INSERT", "INTO"]]
        assert work[-1].lstrip().upper().startswith("SELECT") and "audit_log" in work[-1]


def test_a_panel_move_writes_the_same_audit_row_on_both_engines(app, login_as):
    """PostgreSQL writes a panel move's audit row in the UPDATE's own statement (a CTE fed by
    its RETURNING), SQLite in a statement after it: the same row either way — who, the move,
    the unit, the project, before and after with the board version, the reason, the address,
    the time."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    manager = login_as("manager", username="liu", display_name="刘强")
    manager.get("/board")
    began = datetime.now(timezone.utc)
    assert manager.post(f"/board/units/{unit_id}/hold", {}, htmx=True).status_code == 200
    assert manager.post(f"/board/units/{unit_id}/extend-hold",
                        {"extend_hold-reason": "客户在路上"}, htmx=True).status_code == 200
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        version = db.session.get(Project, world["project"]).board_version
        hold, extend = db.session.scalars(
            select(AuditLog).where(AuditLog.object_type == "unit",
                                   AuditLog.object_id == str(unit_id))
            .order_by(AuditLog.id.desc()).limit(2)).all()[::-1]
    for row, action, reason in ((hold, "unit_hold", None),
                                (extend, "unit_extend_hold", "客户在路上")):
        assert (row.action, row.user_id, row.actor, row.project_id, row.reason, row.ip) == (
            action, manager.user_id, "liu", world["project"], reason, "127.0.0.1")
        assert began - timedelta(seconds=1) <= row.at <= datetime.now(timezone.utc)
    assert json.loads(hold.before) == {"status": "available"}
    assert json.loads(extend.before)["held_by"] == "刘强"
    for row, at_version in ((hold, version - 1), (extend, version)):
        after = json.loads(row.after)
        assert (after["status"], after["board_version"]) == ("held", at_version), after
    assert datetime.fromisoformat(json.loads(extend.after)["hold_expires_at"]) == \
        unit.hold_expires_at


def test_a_hold_on_a_unit_someone_holds_takes_no_lock_and_writes_nothing(app, login_as):
    """Launch day: most presses on a hot unit find it held. The unit as read refuses them:
    no board counter (the project lock every move queues on), no write, one read."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    login_as("consultant", username="wang", display_name="王芳").post(
        f"/board/units/{unit_id}/hold", {}, htmx=True)
    late = login_as("consultant", username="li")
    late.get("/board")
    with app.app_context():
        version = db.session.get(Project, world["project"]).board_version
    response, statements = statements_during(
        app, lambda: late.post(f"/board/units/{unit_id}/hold", {}, htmx=True))
    assert response.status_code == 409 and "已被 王芳 保留" in response.text
    assert statements == 2  # the user, the unit
    with app.app_context():
        assert db.session.get(Project, world["project"]).board_version == version


def test_a_move_on_a_unit_of_another_project_is_404_and_moves_no_counter(app, login_as):
    """The move reads its unit under the current project's lock: a unit of another project
    is not found, and neither project's board counter moves (the bump is rolled back)."""
    here = make_project(app, code="A")
    there = make_project(app, code="B")
    consultant = login_as("consultant")
    consultant.get("/board")
    with app.app_context():
        before = {p.id: p.board_version for p in db.session.scalars(select(Project))}
        audits = audit_count()
    other = there["units"]["1栋 301"]
    assert consultant.post(f"/board/units/{other}/hold", {}, htmx=True).status_code == 404
    assert consultant.post(f"/board/units/{other}/hold", {}).status_code == 404
    assert consultant.post("/board/units/2147483647/hold", {}, htmx=True).status_code == 404
    with app.app_context():
        assert {p.id: p.board_version for p in db.session.scalars(select(Project))} == before
        assert audit_count() == audits
        assert db.session.get(Unit, other).status == UnitStatus.AVAILABLE
    assert here["project"] in before


def test_a_move_without_the_csrf_token_is_refused_and_changes_nothing(app, login_as):
    """The move forms leave the token to the app-wide check (one check per request, not
    two): a move without it, as a form or from htmx, is still refused before anything moves."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant = login_as("consultant", display_name="王芳")
    consultant.get("/board")
    manager = login_as("manager")
    manager.get("/board")
    with app.app_context():
        before = audit_count()
    for htmx in (False, True):
        refused = consultant.post(f"/board/units/{unit_id}/hold", {"hold-reason": "x"},
                                  htmx=htmx, csrf=False)
        assert refused.status_code == 400 and "安全令牌" in refused.get_data(as_text=True)
    refused = manager.post(f"/board/units/{unit_id}/withhold", {"withhold-reason": "样板间"},
                           htmx=True, csrf=False)
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.get(Unit, unit_id).status == S.AVAILABLE
        assert audit_count() == before
    assert consultant.post(f"/board/units/{unit_id}/hold", {}, htmx=True).status_code == 200


def test_a_move_shows_its_message_without_sending_the_session_again(app, login_as):
    """An htmx move flashes its message and the same answer shows it: the session ends as it
    began, so no cookie is signed and sent. A message that waits for the next page (a
    redirect) still travels in the cookie, after one that was already waiting."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant = login_as("consultant", display_name="王芳")
    consultant.get("/board")
    held = consultant.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
    assert held.status_code == 200 and "已保留" in held.get_data(as_text=True)
    assert "Set-Cookie" not in held.headers
    other = world["units"]["1栋 302"]
    for url in (f"/board/units/{unit_id}/cancel-hold", f"/board/units/{other}/hold"):
        moved = consultant.post(url, {})  # a plain form: the message waits for the board
        assert moved.status_code == 302 and "Set-Cookie" in moved.headers
    board = consultant.get(moved.headers["Location"]).get_data(as_text=True)
    assert "已取消保留 1栋 301" in board and "已保留 1栋 302" in board


def test_the_second_click_is_told_who_holds_the_unit(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    with time_machine.travel(T0, tick=False):
        first = login_as("consultant", username="wangfang", display_name="王芳")
        second = login_as("consultant", username="lijun", display_name="李军")
        assert first.post(f"/board/units/{unit_id}/hold", {}, htmx=True).status_code == 200
        lost = second.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
        plain = second.post(f"/board/units/{unit_id}/hold", {})
        assert lost.status_code == 409 and lost.mimetype == "text/plain"
        assert lost.get_data(as_text=True) == "1栋 301 已被 王芳 保留 (到期 10:30)"
        assert "panel-refresh" in lost.headers["HX-Trigger"]
        assert plain.status_code == 302 and f"unit={unit_id}" in plain.headers["Location"]
        assert "已被 王芳 保留" in second.get(plain.headers["Location"]).get_data(as_text=True)
        # someone else's hold: the object check refuses before the service is asked
        assert second.post(f"/board/units/{unit_id}/cancel-hold", {}, htmx=True).status_code \
            == 403
        assert first.post(f"/board/units/{unit_id}/cancel-hold", {}, htmx=True).status_code \
            == 200


def board_version(app, world):
    with app.app_context():
        return db.session.get(Project, world["project"]).board_version


def test_a_manager_extends_once_and_the_reason_is_required(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    with time_machine.travel(T0, tick=False):
        login_as("consultant").post(f"/board/units/{unit_id}/hold", {}, htmx=True)
        manager = login_as("manager")
        manager.get("/board")
        missing = manager.post(f"/board/units/{unit_id}/extend-hold",
                               {"extend_hold-reason": ""}, htmx=True)
        assert missing.status_code == 422 and "请填写延长原因" in missing.get_data(as_text=True)
        done = manager.post(f"/board/units/{unit_id}/extend-hold",
                            {"extend_hold-reason": "客户在路上"}, htmx=True)
        assert done.status_code == 200 and "到期 <strong>11:00</strong>" in done.get_data(True)
        assert "延长保留 30 分钟" not in done.get_data(as_text=True)
        version = board_version(app, world)
        twice = manager.post(f"/board/units/{unit_id}/extend-hold",
                             {"extend_hold-reason": "再等等"}, htmx=True)
        assert twice.status_code == 409 and "已延长过一次" in twice.get_data(as_text=True)
        # refused after PostgreSQL's read bumped the board counter (the unit as read was
        # held, which an extension starts from): the bump rolled back with the refusal, so
        # no open board re-renders for it
        assert board_version(app, world) == version
        history = manager.get(f"/board/unit?unit={unit_id}").get_data(as_text=True)
        assert "延长保留" in history and "原因:客户在路上" in history


def test_a_reason_posted_with_a_move_is_checked_and_kept_and_none_posted_is_none(app, login_as):
    """The hold and release buttons post no reason, and the move does not build a form for
    it; a reason that is posted (a form of one's own, a script) is still checked (too long:
    422, nothing written) and kept on the audit row, trimmed."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant = login_as("consultant", display_name="王芳")
    consultant.get("/board")
    with app.app_context():
        before = audit_count()
    too_long = consultant.post(f"/board/units/{unit_id}/hold", {"hold-reason": "长" * 201},
                               htmx=True)
    assert too_long.status_code == 422 and "原因最多 200 字" in too_long.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, unit_id).status == S.AVAILABLE
        assert audit_count() == before
    held = consultant.post(f"/board/units/{unit_id}/hold", {"hold-reason": "  客户先看样板间 "},
                           htmx=True)
    assert held.status_code == 200 and "原因:客户先看样板间" in held.get_data(as_text=True)
    released = consultant.post(f"/board/units/{unit_id}/cancel-hold", {}, htmx=True)
    assert released.status_code == 200
    with app.app_context():
        reasons = db.session.execute(
            select(AuditLog.action, AuditLog.reason).where(AuditLog.object_id == str(unit_id))
            .order_by(AuditLog.id)).all()
    assert reasons[-2:] == [("unit_hold", "客户先看样板间"), ("unit_cancel_hold", None)]


def test_the_panel_shows_the_latest_ten_moves_and_the_rest_on_request(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant = login_as("consultant")
    for _ in range(6):  # 12 moves
        consultant.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
        last = consultant.post(f"/board/units/{unit_id}/cancel-hold", {}, htmx=True)
    history = last.get_data(as_text=True).split("房源记录")[1]
    assert history.count("<li>") == 10 and "显示全部记录" in history
    full = consultant.get(f"/board/unit?unit={unit_id}&history=all", headers={"HX-Request": "true"})
    assert full.get_data(as_text=True).split("房源记录")[1].count("<li>") == 12
    assert "显示全部记录" not in full.get_data(as_text=True)
    page = consultant.get(f"/board/unit?unit={unit_id}&history=all")  # without htmx: a page
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    board = consultant.get(f"/board?unit={unit_id}").get_data(as_text=True)  # panel in the page
    assert board.split("房源记录")[1].count("<li>") == 10 and "显示全部记录" in board


def test_a_moves_answer_shows_the_history_a_panel_read_afterwards_shows(app, login_as):
    """PostgreSQL reads the history a move's answer shows in the move's own statement (the
    rows before its own, which the statement does not see), SQLite after it: either way the
    answer's lines are the ones the panel shows when read afresh, other people's moves, the
    reasons and the 显示全部记录 link included, each time the history grows past ten."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant = login_as("consultant", display_name="王芳")
    manager = login_as("manager", username="liu", display_name="刘强")
    manager.get("/board")
    consultant.get("/board")

    def history(response):
        assert response.status_code == 200
        part = response.get_data(as_text=True).split("房源记录")[1]
        return re.findall(r"<li>.*?</li>", part, re.S), "显示全部记录" in part

    answers = []
    for round_ in range(4):
        answers.append(consultant.post(f"/board/units/{unit_id}/hold",
                                       {"hold-reason": f"第{round_}次"}, htmx=True))
        answers.append(manager.post(f"/board/units/{unit_id}/cancel-hold",
                                    {"cancel_hold-reason": "客户未到"}, htmx=True))
        answers.append(manager.post(f"/board/units/{unit_id}/withhold", {}, htmx=True))
        answers.append(manager.post(f"/board/units/{unit_id}/release", {}, htmx=True))
        fresh = consultant.get("/board/unit", query_string={"unit": unit_id},
                               headers={"HX-Request": "true"})
        assert history(answers[-1]) == history(fresh)
    lines, more = history(answers[-1])
    assert len(lines) == 10 and more  # 16 moves
    assert "刘强</strong> 推售" in lines[0] and "原因:客户未到" in lines[2]
    assert "王芳</strong> 保留" in lines[3] and "原因:第3次" in lines[3]
    assert [len(history(answer)[0]) for answer in answers[:11]] == list(range(1, 11)) + [10]
    assert [history(answer)[1] for answer in answers[9:12]] == [False, True, True]


def test_rolling_release_of_a_floor_from_the_panel(app, login_as):
    world = make_project(app, status=S.WITHHELD)
    manager = login_as("manager")
    manager.get("/board")
    unit_id = world["units"]["1栋 401"]
    response = manager.post(f"/board/buildings/{world['buildings']['1栋']}/release",
                            {"block-floor": "4", "block-unit": unit_id,
                             "block-reason": "第二批推售"}, htmx=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "board-refresh"
    assert "1栋 4层:已推售 4 套" in response.get_data(as_text=True)
    page = manager.get(f"/board?building={world['buildings']['1栋']}").get_data(as_text=True)
    statuses = cells(page)
    assert [statuses[world["units"][f"1栋 4{i:02d}"]][0] for i in range(1, 5)] == ["available"] * 4
    assert statuses[world["units"]["1栋 301"]][0] == "withheld"
    whole = manager.post(f"/board/buildings/{world['buildings']['1栋']}/release",
                         {"block-floor": "", "block-reason": "全部推售"})
    assert whole.status_code == 302
    assert "1栋 整栋:已推售 16 套,跳过 4 套(可售 4 套)" in manager.get(
        whole.headers["Location"]).get_data(as_text=True)


def test_an_expired_hold_shows_available_without_any_write(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    with time_machine.travel(T0, tick=False) as traveller:
        login_as("consultant").post(f"/board/units/{unit_id}/hold", {}, htmx=True)
        traveller.move_to(T0 + timedelta(minutes=10))
        viewer = login_as("secretary")
        tag = etag_of(viewer.get("/board").get_data(as_text=True))
        with app.app_context():
            writes = audit_count()
        traveller.move_to(T0 + timedelta(minutes=31))
        page = viewer.get("/board").get_data(as_text=True)
        assert cells(page)[unit_id][0] == "available" and etag_of(page) != tag
        poll = viewer.client.get("/board/poll", query_string={"project": world["project"]},
                                 headers={"If-None-Match": tag})
        assert poll.status_code == 200 and f'id="u-{unit_id}" class="mini s-available"' in \
            poll.get_data(as_text=True)
        with app.app_context():
            assert audit_count() == writes  # GETs never write
            assert db.session.get(Unit, unit_id).status == S.HELD


def test_an_import_that_adds_units_redraws_the_grid(app, login_as):
    world = make_project(app)
    viewer = login_as("secretary")
    tag = etag_of(viewer.get("/board").get_data(as_text=True))
    project, version, layout, expired = (int(x) for x in tag.strip('"').split("."))
    stale = f'"{project}.{version}.{layout - 1}.{expired}"'
    poll = viewer.client.get("/board/poll", query_string={"project": world["project"]},
                             headers={"If-None-Match": stale})
    body = poll.get_data(as_text=True)
    assert poll.status_code == 200 and '<form id="board-grids"' in body
    assert '"full": true' in poll.headers["HX-Trigger"] and len(cells(body)) == 20


def test_export_is_the_import_layout_with_status(app, login_as):
    world = make_project(app, buildings=(("1栋", 2, 2),))
    set_status(app, world["units"]["1栋 101"], S.SUBSCRIBED)
    response = login_as("secretary").get("/board/export")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in ws[1]]
    assert header == ["楼栋", "单元", "楼层", "房号", "户型", "建筑面积(㎡)", "套内面积(㎡)",
                      "朝向", "单价(元/㎡)", "总价(元)", "状态"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 4 and rows[0][2:4] == [1, "101"] and rows[0][10] == "已认购"
    assert rows[0][0] == "1栋" and not rows[0][1]  # a building without 单元
    assert rows[0][8] == 20100 and rows[0][9] == 1796136  # exact numbers, not text


def test_text_from_an_imported_sheet_is_escaped_in_every_cell(app, login_as):
    world = make_project(app, buildings=(("1栋", 1, 1),))
    with app.app_context():
        unit = db.session.get(Unit, world["units"]["1栋 101"])
        unit.layout = '<script>alert("x")</script>'
        unit.unit_no = "1<b>01"
        db.session.commit()
    browser = login_as("manager")
    for url in ("/board", f"/board?building={world['buildings']['1栋']}"):
        page = browser.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "1<b>01" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "1&lt;b&gt;01" in page
