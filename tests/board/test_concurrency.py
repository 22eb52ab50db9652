"""Launch day: 50 consultants press 保留 on the same unit at once. Exactly one wins.

Each racer has its own app context and database connection (a pool of 50), on SQLite and
on PostgreSQL; a second test races through the HTTP client, as browsers would.
"""
import json
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import get_template_attribute
from sqlalchemy import func, select, text

from app import config as app_config
from app import create_app
from app.extensions import db as _db
from app.models import AuditLog, Project, Unit, UnitStatus, User
from app.services import auth
from app.services.board import unit_status
from app.services.board.cells import Cell
from app.services.errors import Conflict
from tests.conftest import PASSWORD
from tests.fixtures.board import make_project
from tests.helpers import Browser

RACERS = 50


@pytest.fixture
def race_app(app, engine_url):
    """A second app on the same database with a connection for every racer."""
    config = app_config.TestConfig(engine_url)
    config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": RACERS, "max_overflow": 5,
                                        "pool_timeout": 60}
    # Under a loaded CI machine 50 SQLite writers queue longer than the 5 s default.
    config.SQLITE_BUSY_TIMEOUT_MS = 30000
    racing = create_app(config)
    yield racing
    with racing.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _race(worker, arguments):
    barrier = threading.Barrier(len(arguments))
    results, errors = [], []

    def run(argument):
        try:
            barrier.wait(timeout=60)
            results.append(worker(argument))
        except Exception as exc:  # collected, then asserted empty: nothing may leak
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _outcome(app, unit_id):
    with app.app_context():
        unit = _db.session.get(Unit, unit_id)
        holds = _db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "unit_hold", AuditLog.object_id == str(unit_id)))
        return unit.status, unit.held_by_id, holds


def test_fifty_threads_race_to_hold_one_unit(app, race_app, make_user):
    world = make_project(app)
    unit_id = world["units"]["1栋 301"]
    racers = [make_user("consultant", username=f"racer{i}", display_name=f"顾问{i:02d}")
              for i in range(RACERS)]

    def hold(user_id):
        with race_app.app_context():
            actor = _db.session.get(User, user_id)
            try:
                unit_status.transition(_db.session.get(Unit, unit_id), "hold", actor)
                _db.session.commit()
                return ("won", user_id, None)
            except Conflict as exc:
                _db.session.rollback()
                return ("lost", user_id, exc.message)

    results, errors = _race(hold, racers)
    assert not errors, errors
    winners = [r for r in results if r[0] == "won"]
    assert len(winners) == 1 and len(results) == RACERS
    winner = winners[0][1]
    winner_name = f"顾问{racers.index(winner):02d}"
    losses = [message for outcome, _, message in results if outcome == "lost"]
    assert all(f"已被 {winner_name} 保留 (到期 " in message for message in losses), losses[:3]
    assert _outcome(app, unit_id) == (UnitStatus.HELD, winner, 1)


def test_fifty_browsers_race_through_http(app, race_app, monkeypatch):
    world = make_project(app)
    unit_id = world["units"]["1栋 302"]
    # Fifty real logins through the form, with a cheap argon2 hash so they take a second
    # instead of fifteen (the hash cost is not under test here).
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    monkeypatch.setattr(auth, "needs_rehash", lambda _hash: False)
    with app.app_context():
        _db.session.add_all([User(username=f"web{i}", display_name=f"网顾{i:02d}",
                                  role="consultant", password_hash=cheap) for i in range(RACERS)])
        _db.session.commit()

    def log_in(i):
        browser = Browser(race_app.test_client())
        assert browser.login(f"web{i}", PASSWORD).status_code == 302
        browser.ensure_token("/board")
        return browser

    with ThreadPoolExecutor(4) as pool:  # argon2 releases the GIL: log in four at a time
        browsers = list(pool.map(log_in, range(RACERS)))

    def press(browser):
        response = browser.post(f"/board/units/{unit_id}/hold", {}, htmx=True)
        return response.status_code, response.get_data(as_text=True)

    results, errors = _race(press, browsers)
    assert not errors, errors
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (RACERS - 1), statuses
    winner_page = next(text for status, text in results if status == 200)
    assert "已保留 1栋 302" in winner_page
    conflicts = {text.split(" (到期")[0] for status, text in results if status == 409}
    assert len(conflicts) == 1 and conflicts.pop().startswith("1栋 302 已被 网顾")
    status, holder, holds = _outcome(app, unit_id)
    assert status == UnitStatus.HELD and holds == 1


class _Row:
    """What a board Cell reads of a unit's row."""
    id, floor, unit_no, layout, entrance = 1, 1, "101", "三室两厅", None
    area, total, status = 8936, 200_000_000, UnitStatus.AVAILABLE
    holder = held_by_id = hold_expires_at = None


def test_a_grid_renders_as_html_while_other_threads_render_cells(app):
    """A threaded server renders board cells (a poll's changed cells, a hall screen) in one
    thread while another renders a whole grid: the grid must come out as HTML, never as
    escaped text (a cached board page once showed "<section class=…" as words when the
    cells' templates switched escaping off in the template module every thread shares)."""
    def macro(name):
        where = "_cell_runs.jinja" if name in ("cells", "hall_cells") else "_cells.html"
        return get_template_attribute(f"board/{where}", name)

    grid = {"name": "1栋", "units": 1, "groups": [], "stacks": ["01"],
            "floors": [(1, [Cell(_Row, None)])]}
    stop, escaped = threading.Event(), []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns every few bytecodes: the race shows

    def churn():
        with app.test_request_context("/"):
            cells, hall_cells = macro("cells"), macro("hall_cells")
            run = [Cell(_Row, None)] * 20
            while not stop.is_set():
                cells(run, True)
                hall_cells(run, True)

    others = [threading.Thread(target=churn) for _ in range(2)]
    for thread in others:
        thread.start()
    try:
        with app.test_request_context("/"):
            grids_form = macro("grids_form")
            for _ in range(400):
                html = str(grids_form([grid] * 10, True))
                if "&lt;" in html:
                    escaped.append(html[html.index("&lt;"):][:60])
                    break
    finally:
        stop.set()
        for thread in others:
            thread.join()
        sys.setswitchinterval(switch)
    assert not escaped, escaped


def test_no_template_switches_escaping_while_it_renders():
    """An {% autoescape %} block switches escaping in the template module that every thread
    rendering the same imported macros shares (the race above). Templates that print
    pre-escaped text are files whose name does not end in .html instead (_cell_runs.jinja)."""
    templates = Path(__file__).resolve().parents[2] / "app" / "templates"
    switching = [str(path.relative_to(templates)) for path in templates.rglob("*")
                 if path.is_file() and re.search(r"{%-?\s*autoescape", path.read_text("utf-8"))]
    assert not switching


def _meanwhile(race_app, world, *moves):
    """check() for move_unit, with another connection making each (move, user id, unit name)
    while the move's first read waits for the project lock: that connection takes the lock
    before the move starts, waits until the move's statement queues behind it (its snapshot
    taken: the unit as read is the one before these moves), then moves and commits.
    Returns (check, calls); check joins that connection on its first call (the first read
    returns once it has committed)."""
    calls, locked, failed = [], threading.Event(), []

    def meanwhile():
        try:
            with race_app.app_context():
                unit_status.lock_project(world["project"])
                locked.set()
                _until_queued_behind(_db.session)
                for move, who, unit_name in moves:
                    unit_status.move_unit(world["project"], world["units"][unit_name], move,
                                          _db.session.get(User, who))
                _db.session.commit()
        except Exception as exc:  # told to the test by check()
            failed.append(exc)
            locked.set()

    thread = threading.Thread(target=meanwhile)
    thread.start()
    assert locked.wait(10)

    def check(unit):
        calls.append((unit.status, unit.held_by_id))
        if len(calls) == 1:
            thread.join(10)
            assert not failed, failed
    return check, calls


def _until_queued_behind(session, seconds=10):
    """Wait until another connection waits for a lock this transaction holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if session.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted "
                               "AND pg_backend_pid() = ANY(pg_blocking_pids(pid))")):
            return
        time.sleep(0.01)
    raise AssertionError("the move never queued behind the project lock")


def _hold_refused(app, world, unit_name, who, check, message):
    """A hold by `who` on `unit_name`, with `check` (_meanwhile), refused with `message`."""
    with app.app_context():
        with pytest.raises(Conflict, match=message):
            unit_status.move_unit(world["project"], world["units"][unit_name], "hold",
                                  _db.session.get(User, who), check=check)
        _db.session.rollback()


def _skip_on_sqlite(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("a SQLite POST holds the write lock from its first read: nothing can "
                    "move between the read and the lock")


def test_a_unit_held_between_the_read_and_the_lock_is_judged_again(app, race_app, make_user):
    """PostgreSQL: a move reads its unit before the project lock. A unit someone holds in
    between is not written (the UPDATE compares what was read); it is read again under the
    lock and refused, naming who was first."""
    _skip_on_sqlite(app)
    world = make_project(app)
    wang = make_user("consultant", username="wang", display_name="王芳")
    li = make_user("consultant", username="li", display_name="李军")
    check, calls = _meanwhile(race_app, world, ("hold", wang, "1栋 301"))
    _hold_refused(app, world, "1栋 301", li, check, "已被 王芳 保留")
    with app.app_context():
        assert calls == [("available", None), ("held", wang)]
        holds = _db.session.scalars(select(AuditLog.user_id).where(
            AuditLog.action == "unit_hold")).all()
        assert holds == [wang]


def test_a_hold_over_the_cap_by_then_is_refused_under_the_lock(app, race_app, make_user):
    """PostgreSQL: the consultant's other device takes their third hold while this hold is
    between its read and the lock. The UPDATE counts the open holds under the lock: this
    one is refused naming the cap, and they hold 3, never 4."""
    _skip_on_sqlite(app)
    world = make_project(app)
    wang = make_user("consultant", username="wang")
    with app.app_context():
        for name in ("1栋 101", "1栋 102"):
            unit_status.move_unit(world["project"], world["units"][name], "hold",
                                  _db.session.get(User, wang))
            _db.session.commit()
    check, calls = _meanwhile(race_app, world, ("hold", wang, "1栋 103"))
    _hold_refused(app, world, "1栋 104", wang, check, "已达每人 3 套的保留上限")
    with app.app_context():
        assert len(calls) == 2  # read again under the lock
        assert _db.session.scalar(select(func.count()).select_from(Unit).where(
            Unit.status == UnitStatus.HELD, Unit.held_by_id == wang)) == 3


def test_a_press_the_row_refuses_waits_for_no_lock_and_bumps_nothing(app, race_app,
                                                                    make_user):
    """PostgreSQL: the read's statement bumps the board counter (the project lock) only when
    the unit as read may move. On launch day most presses hit a unit someone holds: they
    are refused at once while another move holds the lock, and no board re-renders."""
    _skip_on_sqlite(app)
    world = make_project(app)
    wang = make_user("consultant", username="wang", display_name="王芳")
    li = make_user("consultant", username="li", display_name="李军")
    with app.app_context():
        unit_status.move_unit(world["project"], world["units"]["1栋 301"], "hold",
                              _db.session.get(User, wang))
        _db.session.commit()
        version = _db.session.get(Project, world["project"]).board_version
    with race_app.app_context():
        unit_status.lock_project(world["project"])  # another move, mid-way
        try:
            with app.app_context():
                _db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
                with pytest.raises(Conflict, match="已被 王芳 保留"):
                    unit_status.move_unit(world["project"], world["units"]["1栋 301"],
                                          "hold", _db.session.get(User, li))
                _db.session.rollback()
        finally:
            _db.session.rollback()
    with app.app_context():
        assert _db.session.get(Project, world["project"]).board_version == version


def test_a_hold_that_changed_hands_in_between_is_audited_as_it_was(app, race_app, make_user):
    """PostgreSQL: the manager cancels 王芳's hold; in between, she lets it go and 李军 holds
    it. The status is 保留 as read, but the holder is not: the UPDATE compares every column
    the judgement read, so the unit is read again under the lock and the audit row says
    whose hold was cancelled."""
    _skip_on_sqlite(app)
    world = make_project(app)
    wang = make_user("consultant", username="wang", display_name="王芳")
    li = make_user("consultant", username="li", display_name="李军")
    manager = make_user("manager", username="boss")
    with app.app_context():
        unit_status.move_unit(world["project"], world["units"]["1栋 301"], "hold",
                              _db.session.get(User, wang))
        _db.session.commit()
    check, calls = _meanwhile(race_app, world, ("cancel_hold", wang, "1栋 301"),
                              ("hold", li, "1栋 301"))
    with app.app_context():
        unit_status.move_unit(world["project"], world["units"]["1栋 301"], "cancel_hold",
                              _db.session.get(User, manager), reason="客户已放弃", check=check)
        _db.session.commit()
        assert calls == [("held", wang), ("held", li)]
        cancelled = _db.session.scalars(select(AuditLog).where(
            AuditLog.action == "unit_cancel_hold").order_by(AuditLog.id.desc())).first()
        assert cancelled.user_id == manager and json.loads(cancelled.before)["held_by"] == "李军"
