"""Every active user and the live projects as each worker keeps them for POLL_TAG_SECONDS
(app.services.auth._active_users, _live_projects): a request then reads no user row, yet a
deactivated user, a revoked session or a changed role stops counting within that time, and a
new user or a password just changed is never refused."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from app.extensions import db
from app.models import AuditLog, User
from app.services.auth import load_user
from tests.fixtures.board import make_project
from tests.helpers import statements_during

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)


def _update_user(app, user_id, **values):
    with app.app_context():
        user = db.session.get(User, user_id)
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()


def test_a_kept_user_costs_no_statement_and_moves_as_themselves(app, login_as):
    world = make_project(app)
    unit = world["units"]["1栋 301"]
    consultant = login_as("consultant", display_name="王芳")
    colleague = login_as("consultant", username="li")
    panel = f"/board/unit?unit={unit}"
    _, cold = statements_during(app, lambda: consultant.get(panel))
    app.config["POLL_TAG_SECONDS"] = 60
    consultant.get(panel)
    response, warm = statements_during(app, lambda: consultant.get(panel))
    assert response.status_code == 200 and warm == cold - 1  # the user row, no more
    _, theirs = statements_during(app, lambda: colleague.get(panel))
    assert theirs == warm  # another user: the worker keeps every active user
    held = consultant.post(f"/board/units/{unit}/hold", {}, htmx=True)
    assert held.status_code == 200 and "王芳" in held.text
    again = consultant.post(f"/board/units/{unit}/cancel-hold", {}, htmx=True)
    assert again.status_code == 200
    with app.app_context():
        rows = db.session.query(AuditLog.action, AuditLog.user_id).filter(
            AuditLog.object_type == "unit").order_by(AuditLog.id).all()
    assert rows[-2:] == [("unit_hold", consultant.user_id),
                         ("unit_cancel_hold", consultant.user_id)]


@pytest.mark.parametrize("change, page, refused", [
    ({"active": False}, "/board", (302, 401)),  # an admin deactivates them (on another worker)
    ({"session_version": 2}, "/board", (302, 401)),  # 退出所有设备 from elsewhere
    ({"role": "consultant"}, "/admin/audit", (403,)),  # a manager no longer
])
def test_a_change_made_elsewhere_counts_once_the_kept_row_is_old(app, login_as, change, page,
                                                                  refused):
    """Made behind this worker's back (the database, another worker): within the kept row's
    lifetime the old row may still count; once it is old, the change does."""
    make_project(app)
    app.config["POLL_TAG_SECONDS"] = 2.0
    with time_machine.travel(T0) as clock:
        user = login_as("manager")
        assert user.get(page).status_code == 200
        _update_user(app, user.user_id, **change)
        clock.shift(timedelta(seconds=2.5))
        response = user.get(page)
        assert response.status_code in refused and "board-main" not in response.text


def test_a_newer_session_than_the_kept_row_is_read_again_not_refused(app, login_as):
    """A password change ends the other sessions and starts this one at a newer version:
    the worker's kept row, one version older, must not log the user out."""
    make_project(app)
    app.config["POLL_TAG_SECONDS"] = 60
    consultant = login_as("consultant")
    assert consultant.get("/board").status_code == 200  # kept at this version
    _update_user(app, consultant.user_id, session_version=7)
    with consultant.client.session_transaction() as session:
        session["_user_id"] = f"{consultant.user_id}:7"
    assert consultant.get("/board").status_code == 200


def test_what_one_request_does_to_its_user_does_not_reach_the_next(app, login_as):
    """Each request gets its own objects: a role taken from a membership for one request
    (app.loaders.enter_project) is not the account's role in the next."""
    make_project(app)
    app.config["POLL_TAG_SECONDS"] = 60
    consultant = login_as("consultant")
    consultant.get("/board")
    with app.test_request_context():
        first = load_user(f"{consultant.user_id}:{_version(app, consultant.user_id)}")
        first.role = "manager"  # a request's own object, changed and never committed
        db.session.rollback()
    with app.test_request_context():
        again = load_user(f"{consultant.user_id}:{_version(app, consultant.user_id)}")
        assert again is not first and again.role == "consultant"


def _version(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).session_version


def test_a_logout_counts_at_once_on_the_worker_that_made_it(app, login_as):
    """Other workers may honour the old cookie for POLL_TAG_SECONDS; this one forgets the
    user when their sessions end (logout, deactivation, a new role)."""
    make_project(app)
    app.config["POLL_TAG_SECONDS"] = 60
    consultant = login_as("consultant")
    assert consultant.get("/board").status_code == 200  # kept
    stolen = consultant.client.get_cookie("anchang_session").value
    assert consultant.post("/logout", {}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("anchang_session", stolen)
    response = thief.get("/board")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_user_created_after_the_worker_read_its_users_logs_in_and_works(app, login_as):
    world = make_project(app)
    app.config["POLL_TAG_SECONDS"] = 60
    assert login_as("manager").get("/board").status_code == 200  # the worker reads its users
    newcomer = login_as("consultant", username="newcomer", display_name="新同事")
    held = newcomer.post(f"/board/units/{world['units']['1栋 301']}/hold", {}, htmx=True)
    assert held.status_code == 200 and "新同事" in held.text
