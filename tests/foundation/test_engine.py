"""The engine set-up that the no-double-sale rule relies on."""
import threading

import pytest
from sqlalchemy import select, text

from app.extensions import db as _db
from app.models import Project


def test_sqlite_pragmas(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        # FULL: in WAL mode NORMAL keeps the database consistent but may roll back the last
        # committed transactions on a power cut (a hold, a deposit the office was told of)
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_read_then_write_from_many_threads_loses_nothing_on_sqlite(app):
    """Write transactions start with BEGIN IMMEDIATE, so read-modify-write is serialised."""
    with app.app_context():
        if _db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL uses conditional updates and row locks instead")
        _db.session.add(Project(code="C", name="计数", board_version=0))
        _db.session.commit()
    errors = []

    def bump():
        try:
            with app.app_context():
                project = _db.session.scalar(select(Project))
                value = project.board_version
                threading.Event().wait(0.005)  # widen the race window
                project.board_version = value + 1
                _db.session.commit()
        except Exception as exc:  # collected, then asserted empty
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with app.app_context():
        assert _db.session.scalar(text("SELECT board_version FROM project")) == 40
