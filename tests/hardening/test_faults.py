"""Faults: a held lock, a lost connection, a full disk → a clean Chinese error, nothing partial."""
import sqlite3

import psycopg
import pytest
from sqlalchemy import event, select, text

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import AuditLog, Project
from app.services import audit
from tests.conftest import PASSWORD
from tests.helpers import Browser


def _settings(name):
    return {"name": name, "hold_minutes": "30", "transfer_fee": "0", "rounding": "yuan",
            "approval_valid_days": "7"}


def test_a_lock_held_past_the_timeout_gives_503_and_saves_nothing(short_lock_app, make_user):
    app = short_lock_app
    with app.app_context():
        db.session.add(Project(code="L", name="锁测试"))
        db.session.commit()
        url = db.engine.url
    make_user("admin", username="boss")
    browser = Browser(app.test_client())
    browser.login("boss", PASSWORD)
    browser.get("/admin/projects/1")
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the database lock
    else:
        holder = psycopg.connect(url.set(drivername="postgresql").render_as_string(False))
        holder.execute("LOCK TABLE project IN ACCESS EXCLUSIVE MODE")
    try:
        response = browser.post("/admin/projects/1", _settings("改名"))
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    assert "系统繁忙,请重试" in response.text
    with app.app_context():
        assert db.session.get(Project, 1).name == "锁测试"
    assert browser.post("/admin/projects/1", _settings("改名")).status_code == 302


@pytest.mark.fresh_app
def test_postgres_backend_killed_mid_transaction(app, make_user):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL backend termination")
        db.session.add(Project(code="K", name="原名"))
        db.session.commit()
        dsn = db.engine.url.set(drivername="postgresql").render_as_string(False)

    @app.route("/_kill", methods=["POST"])
    def kill():
        project = db.session.get(Project, 1)
        project.name = "一半"
        audit.record("project_settings_changed", "project", 1)
        db.session.flush()
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with psycopg.connect(dsn, autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        db.session.commit()
        return "unreachable"

    make_user("admin", username="boss")
    browser = Browser(app.test_client())
    browser.login("boss", PASSWORD)
    response = browser.post("/_kill", {})
    assert response.status_code == 503 and "系统繁忙" in response.text
    with app.app_context():
        assert db.session.get(Project, 1).name == "原名"
        assert db.session.scalar(select(AuditLog).where(AuditLog.object_type == "project")) is None
    assert browser.get("/").status_code == 200  # the pool dropped its dead connections


def test_postgres_idle_connection_killed_between_requests_is_replaced_unseen(engine_url,
                                                                             make_user):
    """A pooled connection that died while idle (PostgreSQL restarted overnight) is pinged
    at checkout and replaced: the user's next request just works."""
    app = create_app(TestConfig(engine_url, DB_PING_AFTER_IDLE_SECONDS=0))
    try:
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                pytest.skip("PostgreSQL backend termination")
            dsn = db.engine.url.set(drivername="postgresql").render_as_string(False)
        make_user("admin", username="boss")
        browser = Browser(app.test_client())
        browser.login("boss", PASSWORD)
        assert browser.get("/").status_code == 200
        with app.app_context():
            pool = db.engine.pool
        assert pool.checkedin() >= 1
        with psycopg.connect(dsn, autocommit=True) as killer:
            killed = killer.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
        assert killed >= 1
        assert browser.get("/").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.fresh_app
def test_sqlite_disk_full_mid_write(app, make_user):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite max_page_count")
        db.engine.dispose()

        @event.listens_for(db.engine, "connect")
        def _cap(dbapi_conn, _record):
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count={pages + 2}")

    @app.route("/_fill", methods=["POST"])
    def fill():
        for i in range(3000):
            audit.record("demo_loaded", "project", i, reason="x" * 400)
        db.session.commit()
        return "unreachable"

    make_user("admin", username="boss")
    browser = Browser(app.test_client())
    browser.login("boss", PASSWORD)
    response = browser.post("/_fill", {})
    assert response.status_code == 503 and "存储空间已满" in response.text
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "demo_loaded")) is None
