"""Fixtures: the app on SQLite and on PostgreSQL, a browser-like client, users per role.

Every test that takes `app` runs once per engine. PostgreSQL is required under CI=true;
elsewhere its run is skipped, with a message, when no server answers.
"""
import fcntl
import os
import pickle
import shutil
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app, demo
from app.config import TestConfig
from app.extensions import db as _db
from app.models import User
from tests.helpers import Browser, pg_reachable, worker_database

BASE_PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ERROR = pg_reachable(BASE_PG_URL)
# Under pytest-xdist each worker gets its own database (test_gw0, test_gw1...), created here.
PG_URL = BASE_PG_URL if PG_ERROR else worker_database(BASE_PG_URL,
                                                      os.environ.get("PYTEST_XDIST_WORKER"))
PASSWORD = "Sales-Office-2026"

if PG_ERROR and IN_CI:
    raise pytest.UsageError(f"CI=true but PostgreSQL at {BASE_PG_URL} does not answer: {PG_ERROR}")

ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="pg", marks=pytest.mark.skipif(
        bool(PG_ERROR), reason=f"PostgreSQL run skipped: {PG_URL} does not answer ({PG_ERROR})")),
]


# The longest groups start first, so no worker is left finishing one alone at the end.
FIRST = ("test_screens_e2e",)


def pytest_collection_modifyitems(items):
    """Tests spread over the workers one by one (--dist loadgroup), except the browser suite:
    each of its files walks one live server's demo project in order, so a file stays on one
    worker. The browser files go first, the longest one before all (the order within a file
    is kept)."""
    for item in items:
        if item.path.parent.name == "e2e":
            item.add_marker(pytest.mark.xdist_group(f"e2e-{item.path.stem}"))
    items.sort(key=lambda item: (item.path.stem not in FIRST, item.path.parent.name != "e2e"))


def pytest_report_header(config):
    if PG_ERROR:
        return f"PostgreSQL run skipped: {PG_URL} does not answer ({PG_ERROR})"
    return f"engines: SQLite and PostgreSQL ({PG_URL})"


def pytest_terminal_summary(terminalreporter):
    if PG_ERROR:
        terminalreporter.write_line(
            f"NOTE: the PostgreSQL run was skipped ({PG_URL} does not answer). "
            "Set TEST_DATABASE_URL or start PostgreSQL to run it.", yellow=True)


def _migrate(url):
    app = create_app(TestConfig(url))
    with app.app_context():
        flask_migrate.upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema():
    app = create_app(TestConfig(PG_URL))
    with app.app_context():
        with _db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        _db.engine.dispose()
    _migrate(PG_URL)
    return PG_URL


# Caches keyed by content alone stay: a PDF is a function of its HTML, whichever test asked.
KEPT_ACROSS_TESTS = {"pdf_documents"}


class _Shared:
    """One app per engine and worker, reused by every test: building an app (routes,
    templates compiled on first use) costs more than most tests. Each test starts from an
    empty database, the app's first configuration and no cached pages."""

    def __init__(self):
        self.apps = {}  # url -> (app, config as built, extension keys as built)

    def app(self, url):
        if url not in self.apps:
            app = create_app(TestConfig(url))
            self.apps[url] = (app, dict(app.config), set(app.extensions))
        app, config, extensions = self.apps[url]
        app.config.clear()
        app.config.update(config)
        for name in set(app.extensions) - extensions - KEPT_ACROSS_TESTS:
            del app.extensions[name]  # caches keyed by board version, active users...
        return app

    def release(self, url):
        """Close the pooled connections of the shared app on `url` (before its file is
        replaced)."""
        if url in self.apps:
            app = self.apps[url][0]
            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()


_SHARED = _Shared()


def _reset_pg(url):
    """Empty every table and restart the ids. DELETE, not TRUNCATE: on tables this small it
    is 50x cheaper (TRUNCATE makes new files for every table)."""
    _empty_pg(_maintenance(url))
    app = _SHARED.app(url)
    with app.app_context():
        try:
            _db.session.execute(text("SELECT 1"))
        except OperationalError:  # a test killed the pooled backends: start a new pool
            _db.engine.dispose()
        finally:
            _db.session.remove()


_MAINTENANCE = {}  # url -> this worker's connection for emptying and restoring


def _maintenance(url):
    """A connection kept for the worker's whole run (autocommit: each statement its own
    transaction): opening one costs PostgreSQL about 9 ms, emptying the tables 1.4 ms. A
    test that terminates the backends ends it too; the next call opens another."""
    conn = _MAINTENANCE.get(url)
    if conn is not None:
        try:
            conn.execute("SELECT 1")
            return conn
        except psycopg.Error:
            conn.close()
    conn = _MAINTENANCE[url] = psycopg.connect(url.replace("+psycopg", ""), autocommit=True)
    return conn


def _empty_pg(conn):
    """One round trip: as a replica would (no triggers, so neither the audit log's
    append-only guard nor FK checks), every table emptied, every sequence restarted."""
    deletes = "".join(f'DELETE FROM "{table.name}";'
                      for table in reversed(_db.metadata.sorted_tables))
    conn.execute("SET session_replication_role = replica;" + deletes +
                 "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                 "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'")


@pytest.fixture(scope="session")
def _sqlite_path(tmp_path_factory):
    return tmp_path_factory.mktemp("worker") / "test.db"


@pytest.fixture(params=ENGINES)
def engine_url(request):
    """The worker's database on this engine, empty and migrated, for this test alone."""
    if request.param == "sqlite":
        path = request.getfixturevalue("_sqlite_path")
        url = f"sqlite:///{path}"
        _SHARED.release(url)
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        for suffix in ("-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return url
    url = request.getfixturevalue("pg_schema")
    _reset_pg(url)
    return url


@pytest.fixture
def app(request, engine_url, tmp_path):
    """The worker's shared app on this engine; a test marked `fresh_app` (it adds routes
    or log handlers) gets one of its own."""
    fresh = request.node.get_closest_marker("fresh_app") is not None
    app = create_app(TestConfig(engine_url)) if fresh else _SHARED.app(engine_url)
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")  # uploads vanish with the test
    yield app
    with app.app_context():
        _db.session.remove()
        if fresh:
            _db.engine.dispose()


@pytest.fixture
def short_lock_app(engine_url, app):
    """The same database with a 300 ms lock timeout (the shared app made first: it owns the
    worker's database)."""
    fast = create_app(TestConfig(engine_url, DB_LOCK_TIMEOUT_MS=300))
    yield fast
    with fast.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """An app context for service-level tests; yields the Flask-SQLAlchemy handle."""
    with app.app_context():
        yield _db
        _db.session.rollback()


# Made at the tests' cheap parameters (TestConfig.PASSWORD_HASH): a login verifies in
# microseconds and is not rehashed.
FAST_HASH = PasswordHasher(**TestConfig.PASSWORD_HASH).hash(PASSWORD)


def password_hash():
    return FAST_HASH


@pytest.fixture
def make_user(app):
    """Create a user directly (fixture data, not under test): make_user('manager')."""
    counter = {"n": 0}

    def make(role, username=None, is_admin=False, display_name=None):
        counter["n"] += 1
        username = username or f"{role}{counter['n']}"
        with app.app_context():
            user = User(username=username, display_name=display_name or f"{role} {counter['n']}",
                        role=role, is_admin=is_admin, password_hash=password_hash())
            _db.session.add(user)
            _db.session.commit()
            return user.id

    make.counter = counter  # a snapshot keeps it with the users it made
    return make


class _Snapshots:
    """Worlds that take seconds to build, built once per engine for the whole run.

    `snapshot(key, build)` runs `build()` the first time any xdist worker asks for `key` and
    saves the database (SQLite: a copy of the file; PostgreSQL: each table's rows as COPY
    data), the uploads and make_user's counter beside its result, in a folder all workers
    share; later tests, on any worker, get the database restored and a copy of the result.
    A lock per world makes a second worker wait for the first one's build instead of
    building it again. Only for builders whose result is data (ids, dates), not live objects.
    """

    def __init__(self, directory):
        self.directory = directory
        self.directory.mkdir(exist_ok=True)

    def take(self, key, build, url, app, make_user):
        engine = "pg" if url.startswith("postgresql") else "sqlite"
        place = self.directory / f"{engine}-{key}"
        uploads = Path(app.config["UPLOAD_DIR"])
        with open(place.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if not place.with_suffix(".result").exists():
                result = build()
                _SHARED.release(url)
                _copy_database(url, place, save=True)
                if uploads.exists():
                    shutil.copytree(uploads, place.with_suffix(".uploads"))
                # written last: its presence says the world is complete
                place.with_suffix(".result").write_bytes(
                    pickle.dumps((result, make_user.counter["n"])))
                return result
        result, made = pickle.loads(place.with_suffix(".result").read_bytes())
        _SHARED.release(url)
        _copy_database(url, place, save=False)
        shutil.rmtree(uploads, ignore_errors=True)
        if place.with_suffix(".uploads").exists():
            shutil.copytree(place.with_suffix(".uploads"), uploads)
        make_user.counter["n"] = made
        return result


def _copy_database(url, place, save):
    """Save the database at `url` to `place` or restore it from there (SQLite: the file;
    PostgreSQL: each table's rows as COPY data, in one file)."""
    if not url.startswith("postgresql"):
        live = Path(url.removeprefix("sqlite:///"))
        source, target = (live, place) if save else (place, live)
        shutil.copy(source, target)
        return
    tables = [t.name for t in _db.metadata.sorted_tables]
    conn = _maintenance(url)
    with conn.transaction():  # restored whole or not at all
        if save:
            place.write_bytes(pickle.dumps({name: _copy_out(conn, name) for name in tables}))
            return
        rows = _PG_COPIES.get(place)
        if rows is None:
            rows = _PG_COPIES[place] = pickle.loads(place.read_bytes())
        _empty_pg(conn)
        for name in tables:
            with conn.cursor().copy(f'COPY "{name}" FROM STDIN (FORMAT BINARY)') as copy_in:
                copy_in.write(rows[name])
            conn.execute(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                         f'coalesce(max(id), 0) + 1, false) FROM "{name}"'
                         if "id" in _db.metadata.tables[name].c else "SELECT 1")


_PG_COPIES = {}  # this worker's reads of the saved COPY files


def _copy_out(conn, name):
    with conn.cursor().copy(f'COPY "{name}" TO STDOUT (FORMAT BINARY)') as copy_out:
        return b"".join(bytes(chunk) for chunk in copy_out)


@pytest.fixture(scope="session")
def _snapshots(tmp_path_factory):
    # xdist's workers have base folders side by side (…/pytest-N/popen-gw0): their parent is
    # this run's own and shared by them; the next run gets a new one, so no world outlives
    # the code that built it
    root = tmp_path_factory.getbasetemp()
    shared = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    return _Snapshots(shared / "snapshots")


@pytest.fixture
def snapshot(app, engine_url, make_user, _snapshots):
    """snapshot('reports', lambda: generate(app, make_user)): the world, built once."""
    return lambda key, build: _snapshots.take(key, build, engine_url, app, make_user)


@pytest.fixture
def demo_office(app, snapshot):
    """The demo project and users, as `flask demo-data` loads them, built once per engine for
    the whole run; returns load_demo's [(username, name, role, password)]."""

    def build():
        with app.app_context():
            logins = demo.load_demo()
            _db.session.commit()
        return logins

    return snapshot("demo", build)


@pytest.fixture
def client(app):
    return Browser(app.test_client())


@pytest.fixture
def login_as(app, make_user):
    """login_as('secretary') → a Browser logged in through the real login form."""

    def login(role, username=None, **kwargs):
        username = username or f"{role}_user"
        make_user(role, username=username, **kwargs)
        browser = Browser(app.test_client())
        response = browser.login(username, PASSWORD)
        assert response.status_code == 302, response.text
        browser.user_id = _user_id(app, username)
        return browser

    return login


def _user_id(app, username):
    with app.app_context():
        return _db.session.scalar(_db.select(User.id).where(User.username == username))
