"""The audit log is append-only, enforced by the database on both engines."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.models import AuditLog
from app.services import audit


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
