"""Admins manage accounts and project settings through the pages."""
from decimal import Decimal

from sqlalchemy import select

from app.models import AuditLog, Project, User


def _user(app, username):
    from app.extensions import db
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


def test_admin_creates_a_user_who_can_log_in(app, login_as, client):
    admin = login_as("admin")
    admin.get("/admin/users/new")
    response = admin.post("/admin/users/new", {"username": "Sunli", "display_name": "孙丽",
                                               "role": "consultant", "password": "Jade-Bay-2026"})
    assert response.status_code == 302
    assert "孙丽" in admin.get("/admin/users").text
    assert client.login("sunli", "Jade-Bay-2026").status_code == 302


def test_bad_user_form_re_renders_with_field_errors(app, login_as):
    admin = login_as("admin")
    admin.get("/admin/users/new")
    response = admin.post("/admin/users/new", {"username": "admin_user", "display_name": "",
                                               "role": "consultant", "password": "123"})
    assert response.status_code == 422
    assert "请输入姓名" in response.text
    weak = admin.post("/admin/users/new", {"username": "newbie", "display_name": "新人",
                                           "role": "consultant", "password": "12345678"})
    assert weak.status_code == 422 and "过于常见" in weak.text
    dup = admin.post("/admin/users/new", {"username": "admin_user", "display_name": "重复",
                                          "role": "consultant", "password": "Jade-Bay-2026"})
    assert dup.status_code == 422 and "已存在" in dup.text
    assert _user(app, "newbie") is None


def test_role_change_is_audited_and_ends_the_users_sessions(app, login_as):
    consultant = login_as("consultant", username="wangfang")
    admin = login_as("admin")
    user = _user(app, "wangfang")
    admin.get(f"/admin/users/{user.id}")
    response = admin.post(f"/admin/users/{user.id}", {"display_name": "王芳", "role": "secretary"})
    assert response.status_code == 302
    assert _user(app, "wangfang").role == "secretary"
    assert consultant.get("/").status_code == 302
    from app.extensions import db
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "user_updated"))
        assert '"role": "consultant"' in row.before and '"role": "secretary"' in row.after


def test_admin_cannot_demote_or_deactivate_themselves(app, login_as):
    admin = login_as("admin", username="boss")
    me = _user(app, "boss")
    admin.get(f"/admin/users/{me.id}")
    response = admin.post(f"/admin/users/{me.id}", {"display_name": "x", "role": "consultant"})
    assert response.status_code == 422 and "不能修改自己的角色" in response.text
    admin.post(f"/admin/users/{me.id}/active", {"active": "0"})
    assert _user(app, "boss").active


def test_project_settings_validate_and_audit(app, login_as):
    from app.extensions import db
    with app.app_context():
        db.session.add(Project(code="JADE", name="翡翠湾花园"))
        db.session.commit()
    admin = login_as("admin")
    admin.get("/admin/projects/1")
    bad = admin.post("/admin/projects/1", {"name": "翡翠湾", "hold_minutes": "0",
                                           "transfer_fee": "5000.123", "rounding": "yuan",
                                           "approval_valid_days": "7"})
    assert bad.status_code == 422
    assert "1 到 1440" in bad.text
    bad_fee = admin.post("/admin/projects/1", {"name": "翡翠湾", "hold_minutes": "45",
                                               "transfer_fee": "5000.123", "rounding": "yuan",
                                               "approval_valid_days": "7"})
    assert bad_fee.status_code == 422 and "精确到分" in bad_fee.text
    ok = admin.post("/admin/projects/1", {"name": "翡翠湾", "hold_minutes": "45",
                                          "transfer_fee": "¥5,000", "rounding": "yuan",
                                          "approval_valid_days": "7"})
    assert ok.status_code == 302
    with app.app_context():
        project = db.session.get(Project, 1)
        assert project.hold_minutes == 45 and project.transfer_fee == Decimal("5000.00")
        assert db.session.scalar(select(AuditLog.action).where(
            AuditLog.object_type == "project")) == "project_settings_changed"
