"""What makes the board cheap to keep open: 304 polls before the user is loaded, the
per-worker poll tag and the HTML kept per board version. None of it may show a stale board
longer than stated, or one user's marks to another."""
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import event

from app.extensions import db
from tests.board_helpers import make_project
from tests.helpers import Browser
from tests.test_board import cells, etag_of

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)


def poll(browser, project_id, tag):
    return browser.client.get("/board/poll", query_string={"project": project_id},
                              headers={"If-None-Match": tag})


def statements_during(app, call):
    """The queries the database saw while `call()` ran."""
    seen = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's explicit transaction start
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, len(seen)


def test_an_unchanged_poll_reads_one_statement_and_no_user(app, login_as):
    world = make_project(app)
    watcher = login_as("secretary")
    tag = etag_of(watcher.get("/board").get_data(as_text=True))
    response, statements = statements_during(app, lambda: poll(watcher, world["project"], tag))
    assert response.status_code == 304 and response.headers["ETag"] == tag
    assert statements == 1  # the tag; not the user, not the project
    app.config["POLL_TAG_SECONDS"] = 60
    poll(watcher, world["project"], tag)
    response, statements = statements_during(app, lambda: poll(watcher, world["project"], tag))
    assert response.status_code == 304 and statements == 0  # the worker's tag, still fresh


def test_a_poll_tag_kept_by_the_worker_is_stale_for_at_most_its_lifetime(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    app.config["POLL_TAG_SECONDS"] = 2.0
    with time_machine.travel(T0) as clock:
        watcher = login_as("secretary")
        tag = etag_of(watcher.get("/board").get_data(as_text=True))
        assert poll(watcher, world["project"], tag).status_code == 304
        login_as("consultant").post(f"/board/units/{unit_id}/hold", {}, htmx=True)
        assert poll(watcher, world["project"], tag).status_code == 304  # within 2 s
        clock.shift(timedelta(seconds=2.5))
        response = poll(watcher, world["project"], tag)
        assert response.status_code == 200
        assert cells(response.get_data(as_text=True))[unit_id][0] == "held"


def test_a_current_tag_without_a_live_session_gets_no_304(app, login_as):
    world = make_project(app)
    with time_machine.travel(T0) as clock:
        watcher = login_as("secretary")
        tag = etag_of(watcher.get("/board").get_data(as_text=True))
        stranger = Browser(app.test_client())
        anonymous = poll(stranger, world["project"], tag)
        assert anonymous.status_code in (302, 401) and "ETag" not in anonymous.headers
        clock.shift(timedelta(minutes=31))  # idle timeout
        expired = poll(watcher, world["project"], tag)
        assert expired.status_code in (302, 401) and "ETag" not in expired.headers
    other = login_as("manager")
    other.post("/logout", {})
    assert poll(other, world["project"], tag).status_code in (302, 401)


def test_kept_board_html_marks_only_the_holders_own_cells(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    holder = login_as("consultant", username="wang", display_name="王芳")
    other = login_as("consultant", username="li", display_name="李军")
    building = f"/board?building={world['buildings']['1栋']}"
    assert cells(other.get(building).get_data(as_text=True))[unit_id] == ("available", [])
    holder.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
    assert cells(other.get(building).get_data(as_text=True))[unit_id] == ("held", [])
    assert cells(holder.get(building).get_data(as_text=True))[unit_id] == ("held", ["mine"])
    assert cells(other.get(building).get_data(as_text=True))[unit_id] == ("held", [])
    filtered = other.get(building + "&status=held").get_data(as_text=True)
    assert cells(filtered)[world["units"]["1栋 302"]] == ("available", ["dim"])
    tab = other.client.get(building, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert tab.lstrip().startswith('<div id="board-main"') and cells(tab)[unit_id][0] == "held"
