"""app.driver.run: a board move's statements on the driver's cursor read and write exactly
what SQLAlchemy would, a watched connection sees every statement, and a driver error is
SQLAlchemy's own (a 503, nothing saved, the lost connection replaced)."""
import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import psycopg
import pytest
import time_machine
from sqlalchemy import bindparam, event, select, text, update

from app.driver import Rows, run
from app.extensions import db
from app.models import AuditLog, Unit, UnitStatus, User
from app.services.board import grid, unit_status
from tests.conftest import PASSWORD
from tests.fixtures.board import make_project
from tests.helpers import Browser

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


def test_a_hold_through_the_driver_writes_and_reads_what_sqlalchemy_would(app, make_user):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant_id = make_user("consultant", display_name="王芳")
    with app.app_context(), time_machine.travel(T0, tick=False):
        consultant = db.session.get(User, consultant_id)
        unit_status.move_unit(world["project"], unit_id, "hold", consultant, reason="客户要求")
        db.session.commit()
        db.session.remove()
        # what the driver wrote (the UPDATE's bound values, the audit row), read by the ORM
        unit = db.session.get(Unit, unit_id)
        assert (unit.status, unit.held_by_id) == (UnitStatus.HELD, consultant_id)
        assert unit.hold_expires_at == T0 + timedelta(minutes=30) and not unit.hold_extended
        assert unit.status_changed_at == T0 and unit.total_price > Decimal("1000000")
        log = db.session.scalars(select(AuditLog).where(AuditLog.action == "unit_hold")).one()
        assert (log.at, log.user_id, log.object_id, log.reason) == (
            T0, consultant_id, str(unit_id), "客户要求")
        # what the driver reads: SQLAlchemy's values, of SQLAlchemy's types
        for statement, params in (
                (unit_status._READ_ONE["holds"], {"pid": world["project"], "unit_id": unit_id,
                                                  "actor": consultant_id, "now": T0}),
                (grid._history_latest(11), {"unit": str(unit_id)})):
            ours = run(db.session, statement, params)
            theirs = db.session.connection().execute(statement, params).all()
            assert isinstance(ours, Rows) and len(ours) == len(theirs) == 1
            assert tuple(ours[0]) == tuple(theirs[0])
            assert [type(value) for value in ours[0]] == [type(value) for value in theirs[0]]
        row = ours[0]  # the history's time as stored, converted when a line shows it
        at = grid.history_entry(row).at
        assert at == T0 and at.tzinfo is not None and row.name == "王芳"
        read = run(db.session, unit_status._READ_ONE["holds"], {
            "pid": world["project"], "unit_id": unit_id, "actor": consultant_id, "now": T0}).first()
        assert isinstance(read.unit_price, Decimal) and read.hold_extended is False
        assert read.holder == "王芳" and read.open_holds == 1


def test_a_connection_someone_listens_to_sees_every_statement(app):
    """Statement counters and SQL logging listen on the engine: with a listener there, the
    statement goes through SQLAlchemy, so they see exactly what they saw before."""
    world = make_project(app)
    statement = grid._history_latest(11)
    with app.app_context():
        assert isinstance(run(db.session, statement, {"unit": "1"}), Rows)  # nobody listens
        seen = []

        def listener(_conn, _cursor, sql, *_args):
            seen.append(sql)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rows = run(db.session, statement, {"unit": str(world["units"]["1栋 301"])})
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert not isinstance(rows, Rows) and rows.all() == []
        assert any("FROM audit_log" in sql for sql in seen)


def test_a_driver_error_is_sqlalchemys_and_saves_nothing(app):
    """An UPDATE the database refuses (a unit moved to a building that does not exist)
    raises SQLAlchemy's IntegrityError, which the app's handlers know; the transaction
    rolls back and the session goes on."""
    from sqlalchemy.exc import IntegrityError
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    statement = (update(Unit.__table__).where(Unit.__table__.c.id == bindparam("unit"))
                 .values(building_id=bindparam("building"), status=UnitStatus.WITHHELD))
    with app.app_context():
        with pytest.raises(IntegrityError):
            run(db.session, statement, {"unit": unit_id, "building": 99999})
        db.session.rollback()
        assert db.session.get(Unit, unit_id).status == UnitStatus.AVAILABLE
        assert run(db.session, statement, {"unit": unit_id, "building": world["buildings"][
            "1栋"]}) == []
        db.session.commit()
        db.session.remove()
        assert db.session.get(Unit, unit_id).status == UnitStatus.WITHHELD


def test_a_hold_waiting_past_the_lock_timeout_gives_503_and_saves_nothing(short_lock_app,
                                                                          make_user):
    """PostgreSQL: the project row is locked by another writer, so the hold's UPDATE of the
    board counter (a driver statement) times out. SQLite: the database's write lock, which
    the transaction's BEGIN IMMEDIATE (driver.run_sql) waits for."""
    app = short_lock_app
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    make_user("consultant", username="wang")
    browser = Browser(app.test_client())
    browser.login("wang", PASSWORD)
    browser.get("/board")
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database)
        holder.execute("BEGIN IMMEDIATE")
    else:
        holder = psycopg.connect(url.set(drivername="postgresql").render_as_string(False))
        holder.execute("SELECT id FROM project WHERE id = %s FOR UPDATE", (world["project"],))
    try:
        response = browser.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and "系统繁忙" in response.text
    with app.app_context():
        assert db.session.get(Unit, unit_id).status == UnitStatus.AVAILABLE
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "unit_hold")) is None
    assert browser.post(f"/board/units/{unit_id}/hold", {}, htmx=True).status_code == 200


@pytest.mark.fresh_app
def test_a_move_that_finds_its_connection_gone_gives_503_and_the_next_request_works(
        app, make_user):
    """The PostgreSQL backend dies before the move's first driver statement: SQLAlchemy's
    handling invalidates the connection (and the pool), the user is told to try again, and
    the next request gets a live connection."""
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    consultant_id = make_user("consultant", username="wang")
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL backend termination")
        dsn = db.engine.url.set(drivername="postgresql").render_as_string(False)

    @app.route("/_kill_then_hold", methods=["POST"])
    def kill_then_hold():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with psycopg.connect(dsn, autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        unit_status.move_unit(world["project"], unit_id, "hold",
                              db.session.get(User, consultant_id))
        db.session.commit()
        return "unreachable"

    browser = Browser(app.test_client())
    browser.login("wang", PASSWORD)
    response = browser.post("/_kill_then_hold", {})
    assert response.status_code == 503 and "系统繁忙" in response.text
    with app.app_context():
        assert db.session.get(Unit, unit_id).status == UnitStatus.AVAILABLE
    assert browser.post(f"/board/units/{unit_id}/hold", {}, htmx=True).status_code == 200


def test_a_statement_whose_sql_follows_its_parameters_goes_through_sqlalchemy(app):
    """An IN list with a default the caller replaces, a value computed when executed: the
    SQL or the value differs per execution, so SQLAlchemy runs them, every time right."""
    world = make_project(app)
    first, second = world["units"]["1栋 301"], world["units"]["1栋 302"]
    unit_t = Unit.__table__
    listed = select(unit_t.c.id).where(
        unit_t.c.id.in_(bindparam("ids", expanding=True, value=[first]))).order_by(unit_t.c.id)
    computed = select(unit_t.c.id).where(
        unit_t.c.id == bindparam("unit", callable_=lambda: picked[0]))
    picked = [first]
    with app.app_context():
        assert [row.id for row in run(db.session, listed, {"ids": [first, second]})] == [
            first, second]
        assert [row.id for row in run(db.session, listed)] == [first]
        assert run(db.session, computed).all()[0].id == first
        picked[0] = second
        assert run(db.session, computed).all()[0].id == second
