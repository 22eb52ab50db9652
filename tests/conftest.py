"""Fixtures: the app on SQLite and on PostgreSQL, a browser-like client, users per role.

Every test that takes `app` runs once per engine. PostgreSQL is required under CI=true;
elsewhere its run is skipped, with a message, when no server answers.
"""
import os
import shutil

import flask_migrate
import pytest
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.models import User
from app.services.passwords import hash_password
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


def _truncate_pg(app):
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with app.app_context(), _db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=ENGINES)
def engine_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("pg_schema")


@pytest.fixture
def app(engine_url, tmp_path):
    app = create_app(TestConfig(engine_url))
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")  # uploads vanish with the test
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _truncate_pg(app)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """An app context for service-level tests; yields the Flask-SQLAlchemy handle."""
    with app.app_context():
        yield _db
        _db.session.rollback()


_HASH = {}


def password_hash():
    if "hash" not in _HASH:
        _HASH["hash"] = hash_password(PASSWORD)
    return _HASH["hash"]


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

    return make


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
