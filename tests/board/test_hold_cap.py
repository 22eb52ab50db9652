"""A project setting caps the open holds of one consultant (default 3);
the manager may exceed it. Through HTTP, on SQLite and PostgreSQL."""
import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Project, Unit, UnitStatus
from tests.board.test_concurrency import _race, race_app  # noqa: F401 (a fixture)
from tests.conftest import PASSWORD
from tests.fixtures.board import make_project
from tests.helpers import Browser

S = UnitStatus


def _hold(browser, world, name):
    return browser.post(f"/board/units/{world['units'][name]}/hold", {}, htmx=True)


def _held_by(app, user_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Unit).where(
            Unit.status == S.HELD, Unit.held_by_id == user_id))


def test_the_fourth_hold_of_a_consultant_is_refused_naming_the_cap(app, login_as):
    world = make_project(app)
    wang = login_as("consultant", username="wang")
    for name in ("1栋 101", "1栋 102", "1栋 103"):
        assert _hold(wang, world, name).status_code == 200
    fourth = _hold(wang, world, "1栋 104")
    assert fourth.status_code == 409
    assert "已达每人 3 套的保留上限" in fourth.text
    assert _held_by(app, wang.user_id) == 3
    # cancelling one frees a place
    assert wang.post(f"/board/units/{world['units']['1栋 101']}/cancel-hold", {},
                     htmx=True).status_code == 200
    assert _hold(wang, world, "1栋 104").status_code == 200


def test_an_expired_hold_does_not_count_and_other_consultants_have_their_own_cap(
        app, login_as):
    world = make_project(app)
    wang, li = login_as("consultant", username="wang"), login_as("consultant", username="li")
    for name in ("1栋 101", "1栋 102", "1栋 103"):
        assert _hold(wang, world, name).status_code == 200
    assert _hold(li, world, "1栋 201").status_code == 200
    with app.app_context():
        unit = db.session.get(Unit, world["units"]["1栋 101"])
        unit.hold_expires_at = unit.hold_expires_at.replace(year=2000)
        db.session.commit()
    assert _hold(wang, world, "1栋 104").status_code == 200


def test_the_manager_may_exceed_the_cap(app, login_as):
    world = make_project(app)
    manager = login_as("manager")
    for name in ("1栋 101", "1栋 102", "1栋 103", "1栋 104", "1栋 201"):
        assert _hold(manager, world, name).status_code == 200
    assert _held_by(app, manager.user_id) == 5


def test_the_admin_sets_the_cap_on_the_project_page_audited(app, login_as):
    world = make_project(app)
    admin = login_as("admin")
    page = admin.get(f"/admin/projects/{world['project']}").text
    assert "每人保留上限" in page and 'name="hold_cap"' in page and 'value="3"' in page
    form = {"name": "测试花园", "hold_minutes": "30", "hold_cap": "1", "transfer_fee": "0",
            "rounding": "yuan", "approval_valid_days": "7"}
    bad = admin.post(f"/admin/projects/{world['project']}", {**form, "hold_cap": "0"})
    assert bad.status_code == 422 and "保留上限应在 1 到 99 套之间" in bad.text
    assert admin.post(f"/admin/projects/{world['project']}", form).status_code == 302
    with app.app_context():
        assert db.session.get(Project, world["project"]).hold_cap == 1
        row = db.session.scalar(select(AuditLog).where(
            AuditLog.action == "project_settings_changed").order_by(AuditLog.id.desc()))
        assert json.loads(row.after) == {"hold_cap": 1}
    wang = login_as("consultant", username="wang")
    assert _hold(wang, world, "1栋 101").status_code == 200
    refused = _hold(wang, world, "1栋 102")
    assert refused.status_code == 409 and "每人 1 套的保留上限" in refused.text


def test_two_holds_pressed_at_once_at_the_cap_do_not_both_pass(app, race_app,  # noqa: F811
                                                                 make_user):
    world = make_project(app)
    make_user("consultant", username="wang")
    browsers = []
    for _ in range(2):  # the same consultant on two devices
        browser = Browser(race_app.test_client())
        assert browser.login("wang", PASSWORD).status_code == 302
        browser.ensure_token("/board")
        browsers.append(browser)
    assert _hold(browsers[0], world, "1栋 101").status_code == 200
    assert _hold(browsers[0], world, "1栋 102").status_code == 200
    pairs = [(browsers[0], "1栋 103"), (browsers[1], "1栋 104")]
    results, errors = _race(lambda pair: _hold(pair[0], world, pair[1]).status_code, pairs)
    assert not errors, errors
    assert sorted(results) == [200, 409]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit).where(
            Unit.status == S.HELD)) == 3
