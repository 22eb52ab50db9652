"""What makes the board cheap to keep open: 304 polls before the user is loaded, the
per-worker poll tag and the HTML kept per board version. None of it may show a stale board
longer than stated, or one user's marks to another."""
import re
from datetime import datetime, timedelta, timezone
from functools import partial

import time_machine

from app.extensions import db
from app.models import User
from tests.board.test_board import cells, etag_of
from tests.fixtures.board import make_project
from tests.helpers import Browser, statements_during

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)


def poll(browser, project_id, tag):
    return browser.client.get("/board/poll", query_string={"project": project_id},
                              headers={"If-None-Match": tag})


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


def holders(html):
    """{unit id: holder id} for the held cells a page or poll shows."""
    return {int(m.group(1)): int(m.group(2)) for m in re.finditer(
        r'<button[^>]*id="u-(\d+)"[^>]*data-holder="(\d+)"', html)}


def test_kept_board_html_is_the_same_for_every_user_and_names_the_holder(app, login_as):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    holder = login_as("consultant", username="wang", display_name="王芳")
    other = login_as("consultant", username="li", display_name="李军")
    building = f"/board?building={world['buildings']['1栋']}"
    assert cells(other.get(building).get_data(as_text=True))[unit_id] == ("available", [])
    holder.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
    seen_by_other = other.get(building).get_data(as_text=True)
    seen_by_holder = holder.get(building).get_data(as_text=True)
    # "mine" is the browser's mark (board.js, from data-holder and the page's data-me)
    assert cells(seen_by_other)[unit_id] == cells(seen_by_holder)[unit_id] == ("held", [])
    assert holders(seen_by_other) == holders(seen_by_holder) == {unit_id: holder.user_id}
    assert f'data-me="{holder.user_id}"' in seen_by_holder
    assert f'data-me="{other.user_id}"' in seen_by_other
    filtered = other.get(building + "&status=held").get_data(as_text=True)
    assert cells(filtered)[world["units"]["1栋 302"]] == ("available", ["dim"])
    tab = other.client.get(building, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert tab.lstrip().startswith('<div id="board-main"') and cells(tab)[unit_id][0] == "held"


def test_a_board_that_is_behind_gets_its_changes_without_loading_the_user(app, login_as):
    """Launch day: every poll carries changes. The answer is the same for every user, so it
    is built from what the worker keeps per board version: the session's user is checked
    in one small row (kept briefly), not loaded, and nothing else is read twice."""
    world = make_project(app)
    first, second = world["units"]["1栋 301"], world["units"]["1栋 302"]
    watchers = [login_as("secretary"), login_as("finance", username="cw")]
    tag = etag_of(watchers[0].get("/board").get_data(as_text=True))
    holder = login_as("consultant")
    holder.post(f"/board/units/{first}/hold", {}, htmx=True)
    holder.post(f"/board/units/{second}/hold", {}, htmx=True)
    answers = []
    for watcher in watchers:
        response, statements = statements_during(app, partial(poll, watcher, world["project"],
                                                              tag))
        answers.append((response.status_code, response.get_data(as_text=True),
                        response.headers["ETag"], response.headers["HX-Trigger"]))
    assert answers[0] == answers[1] and answers[0][0] == 200
    assert set(cells(answers[0][1])) == {first, second}  # only what changed since the tag
    assert holders(answers[0][1]) == {first: holder.user_id, second: holder.user_id}
    assert 'id="board-summary"' in answers[0][1]
    assert statements == 2  # the tag (kept 0 s in tests) and the session's user row
    app.config["POLL_TAG_SECONDS"] = 60
    poll(watchers[0], world["project"], tag)
    response, statements = statements_during(app, lambda: poll(watchers[0], world["project"],
                                                               tag))
    assert response.get_data(as_text=True) == answers[0][1] and statements == 0


def test_a_behind_poll_checks_the_session_as_the_full_view_would(app, login_as, make_user):
    world = make_project(app)
    watcher = login_as("secretary")
    tag = etag_of(watcher.get("/board").get_data(as_text=True))
    login_as("consultant").post(f"/board/units/{world['units']['1栋 301']}/hold", {},
                                htmx=True)
    assert poll(watcher, world["project"], tag).status_code == 200
    with app.app_context():  # an admin deactivates the secretary: the cookie is still signed
        user = db.session.get(User, watcher.user_id)
        user.active = False
        db.session.commit()
    refused = poll(watcher, world["project"], tag)
    assert refused.status_code in (302, 401) and "board-summary" not in refused.text
    assert "ETag" not in refused.headers
