"""The audit log is append-only, enforced by the database on both engines, and every action
people will read in it has a Chinese name."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app import demo
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


def test_the_demo_story_writes_no_action_or_object_without_a_chinese_label(db):
    demo.load_demo()
    db.session.commit()
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
