"""The audit log is append-only, enforced by the database on both engines, and every action
people will read in it has a Chinese name."""
import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.models import AuditLog
from app.services import audit
from app.services.board.unit_status import MOVES
from app.services.discounts.events import EVENT_LABELS


def test_update_and_delete_of_audit_rows_are_refused_by_the_database(db):
    audit.record("unit_released", "unit", 7, before={"status": "withheld"},
                 after={"status": "available"}, reason="首批推售")
    db.session.commit()
    for statement in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    row = db.session.scalar(select(AuditLog))
    assert row.reason == "首批推售" and '"status": "available"' in row.after


def test_audit_page_lists_and_filters_for_managers(app, login_as):
    manager = login_as("manager", username="liuqiang")
    manager.post("/logout")
    manager.login("liuqiang", "Sales-Office-2026")
    page = manager.get("/admin/audit?action=logout")
    assert page.status_code == 200
    assert "退出登录" in page.text and "liuqiang" in page.text
    fragment = manager.get("/admin/audit?action=login", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="audit-rows"')
    assert "<html" not in fragment.text


def test_audit_page_is_closed_to_consultants(app, login_as):
    assert login_as("consultant").get("/admin/audit").status_code == 403


def test_the_demo_story_writes_no_action_or_object_without_a_chinese_label(demo_office, db):
    actions = set(db.session.scalars(select(AuditLog.action).distinct()))
    objects = set(db.session.scalars(select(AuditLog.object_type).distinct()))
    assert len(actions) > 40  # the story runs through every area
    assert actions - set(audit.ACTION_LABELS) == set()
    assert objects - set(audit.OBJECT_LABELS) == set()


def test_every_unit_move_and_discount_event_has_a_label():
    written = {f"unit_{name}" for name in MOVES} | {f"discount_{kind}" for kind in EVENT_LABELS}
    assert written - set(audit.ACTION_LABELS) == set()
    with pytest.raises(TypeError):  # one registry: areas do not add labels at import time
        audit.ACTION_LABELS["unit_hold"] = "x"


def test_the_log_reads_as_sentences_in_chinese_with_names_labels_and_local_times(
        app, login_as):
    from app.extensions import db
    from app.models import Unit
    from tests.fixtures.board import make_project
    world = make_project(app, status="withheld")
    unit_id = world["units"]["1栋 401"]
    manager = login_as("manager", username="liuqiang", display_name="刘强")
    manager.get("/board")
    assert manager.post(f"/board/units/{unit_id}/release", {"reason": "首批推售"},
                        htmx=True).status_code == 200
    with app.app_context():  # a hold's expiry is written as a UTC instant
        audit.record("unit_hold", "unit", unit_id, before={"status": "available"},
                     after={"status": "held", "hold_expires_at": "2026-03-01T02:30:00+00:00"},
                     project_id=world["project"])
        db.session.commit()
        assert db.session.get(Unit, unit_id).status == "available"
    page = manager.get("/admin/audit").get_data(as_text=True)
    assert '{"status"' not in page and "withheld" not in page
    assert "状态 销控 → 可售" in page and "保留到期 空 → 2026-03-01 10:30" in page
    assert f'href="/board/unit?unit={unit_id}">房源 1栋 401</a>' in page
    assert "刘强" in page and ">liuqiang<" not in page
    assert '<select id="action" name="action">' in page
    assert '<option value="unit_release">推售' in page
    assert "如 login" not in page and '<option value="liuqiang">刘强</option>' in page
    assert "推售" in manager.get("/admin/audit?action=unit_release&object_type=unit").get_data(
        as_text=True)


def test_home_recent_activity_names_people(app, login_as):
    from tests.fixtures.board import make_project
    world = make_project(app, status="withheld")
    manager = login_as("manager", username="liuqiang", display_name="刘强")
    manager.get("/board")
    manager.post(f"/board/units/{world['units']['1栋 101']}/release", {"reason": "推售"},
                 htmx=True)
    home = manager.get("/").get_data(as_text=True)
    section = home[home.index("最近操作"):]
    assert "刘强" in section and "liuqiang" not in section and "房源 1栋 101" in section


def test_the_log_shows_each_rows_time_in_the_offices_day_not_utcs(app, login_as):
    import time_machine

    from tests.fixtures.board import make_project
    world = make_project(app, status="withheld")
    # 16:30 UTC on 28 February is 00:30 on 1 March in Shanghai: the day changes too
    with time_machine.travel("2026-02-28 16:30 +0000", tick=False):
        manager = login_as("manager", username="liuqiang", display_name="刘强")
        manager.get("/board")
        assert manager.post(f"/board/units/{world['units']['1栋 401']}/release",
                            htmx=True).status_code == 200
        page = manager.get("/admin/audit?action=unit_release&actor=&object_type=").get_data(
            as_text=True)
    row = page[:page.index("房源 1栋 401</a>")]
    row = row[row.rindex("<tr>"):]
    assert "<td class=\"nowrap\">2026-03-01 00:30:00</td>" in row and "2026-02-28" not in row


def test_a_filter_holds_with_fields_left_out_and_on_the_older_page(app, login_as):
    from app.extensions import db
    manager = login_as("manager", username="liuqiang", display_name="刘强")
    with app.app_context():
        for number in range(55):  # more than one page of releases, after the login
            audit.record("unit_release", "unit", number + 1, before={"status": "withheld"},
                         after={"status": "available"})
        db.session.commit()
    logins = manager.get("/admin/audit?action=login").get_data(as_text=True)  # one filter named
    rows = logins[logins.index("<tbody>"):logins.index("</tbody>")]
    assert rows.count("<tr>") == 1 and "登录" in rows and "推售" not in rows
    page = manager.get("/admin/audit?action=unit_release").get_data(as_text=True)
    rows = page[page.index("<tbody>"):page.index("</tbody>")]
    assert rows.count("<tr>") == 50 and "登录" not in rows
    older = re.search(r'href="([^"]+)">更早的记录', page).group(1).replace("&amp;", "&")
    rows = manager.get(older).get_data(as_text=True)
    rows = rows[rows.index("<tbody>"):rows.index("</tbody>")]
    assert rows.count("<tr>") == 5 and "登录" not in rows  # the next page keeps the filter


def test_a_unit_move_reads_as_its_status_change_without_the_boards_counter(app, login_as):
    from tests.fixtures.board import make_project
    world = make_project(app)
    unit = world["units"]["1栋 301"]
    assert login_as("consultant").post(f"/board/units/{unit}/hold", {}, htmx=True) \
        .status_code == 200
    page = login_as("manager").get("/admin/audit?action=unit_hold").get_data(as_text=True)
    assert "可售" in page and "保留" in page
    assert "销控表版本" not in page  # an internal counter, kept in the row, not a change to read


def test_a_units_latest_history_is_read_from_the_index_without_sorting_its_rows(db):
    """The unit panel after every move reads a unit's newest audit rows. On PostgreSQL an
    index on (object_type, object_id) alone left every row of the unit to be sorted by id
    (a unit held and let go all day has hundreds): the index carries id as well."""
    from app.services.board.grid import _history_latest
    statement = _history_latest(11).params(unit="7").compile(
        db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(row[-1]) for row in db.session.execute(
            text(f"EXPLAIN QUERY PLAN {statement}")))
        assert "ix_audit_log_object" in plan and "TEMP B-TREE" not in plan, plan
        return
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(row[0] for row in db.session.execute(
        text(f"EXPLAIN {statement}")))
    assert "ix_audit_log_object" in plan and "Sort" not in plan, plan
