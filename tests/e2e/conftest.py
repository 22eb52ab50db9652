"""End-to-end: a live server on a free port and Debian's Chromium driven by Playwright."""
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app, demo
from app.config import TestConfig
from app.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
# Chromium 156 preloads the address bar's WebUI popups in every new window, a renderer of
# their own that costs about 0.6 s of CPU per test page here; a headless test never opens
# them.
UNUSED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup")
_ARGS = []
_ARGS_LOCK = threading.Lock()


def launch_chromium(playwright):
    """Debian's Chromium with FLAGS and without UNUSED_FEATURES."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=_chromium_args(playwright),
                                      headless=True)


def _chromium_args(playwright):
    """FLAGS plus one --disable-features: Chromium keeps only the last one, so ours carries
    the features Playwright disables too, read back from a first browser (they change with
    Playwright's version)."""
    with _ARGS_LOCK:
        if not _ARGS:
            probe = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                               args=FLAGS + ["--enable-automation"])
            line = probe.new_browser_cdp_session().send("Browser.getBrowserCommandLine")
            probe.close()
            theirs = [arg.split("=", 1)[1].split(",") for arg in line["arguments"]
                      if arg.startswith("--disable-features=")]
            features = [name for names in theirs for name in names] + list(UNUSED_FEATURES)
            _ARGS.extend(FLAGS + ["--disable-features=" + ",".join(features)])
        return list(_ARGS)


PRODUCTION_LIKE = os.environ.get("E2E_GUNICORN") == "1"


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory):
    """The app with the demo project on 127.0.0.1 and a free port.

    By default in-process on SQLite; with E2E_GUNICORN=1 as production runs it: gunicorn
    (2 sync workers) on PostgreSQL (TEST_DATABASE_URL), migrated from scratch.
    """
    if PRODUCTION_LIKE:
        yield from _gunicorn_server(tmp_path_factory.mktemp("e2e-prod"))
        return
    path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    sqlite_template = request.getfixturevalue("sqlite_template")
    shutil.copy(sqlite_template, path)
    app = create_app(TestConfig(f"sqlite:///{path}"))
    with app.app_context():
        logins = {role: (username, password)
                  for username, _name, role, password in demo.load_demo()}
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "logins": logins, "app": app}
    server.shutdown()


def _gunicorn_server(instance):
    from bench.harness import Server
    from tests.conftest import PG_URL
    from tests.helpers import pg_reachable
    if pg_reachable(PG_URL):
        pytest.fail(f"E2E_GUNICORN=1 needs PostgreSQL at {PG_URL}")
    import psycopg
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    env = {"DATABASE_URL": PG_URL, "ANCHANG_INSTANCE": str(instance), "FLASK_APP": "wsgi"}
    run_env = {**os.environ, **env}
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run([flask, "db", "upgrade"], env=run_env, check=True, capture_output=True)
    out = subprocess.run([flask, "demo-data"], env=run_env, check=True, capture_output=True,
                         text=True).stdout
    logins = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in {"consultant", "secretary", "finance", "manager",
                                            "admin"}:
            logins[parts[0]] = (parts[1], parts[2])  # last per role, as in-process
    # An app object on the same database, for tests that read or arrange data directly.
    reader = create_app(TestConfig(PG_URL))
    with Server("wsgi:app", env=env) as server:
        yield {"url": f"http://127.0.0.1:{server.port}", "logins": logins, "app": reader,
               "in_process": False}
    with reader.app_context():
        db.engine.dispose()


@pytest.fixture
def in_process_app(live_server):
    """Tests that reach into the app (registering loaders, reading the database)."""
    if not live_server.get("in_process", True):
        pytest.skip("needs the in-process server (not under E2E_GUNICORN=1)")
    return live_server["app"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: page.csp_errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    yield page
    context.close()


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, live_server, role):
    username, password = live_server["logins"][role]
    page.goto(live_server["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server["url"] + "/")


def wait_until(page, predicate, timeout=5.0, step=100):
    """Poll a Python predicate (page JS evaluation would need eval, which the CSP forbids)."""
    waited = 0
    while not predicate():
        if waited >= timeout * 1000:
            raise AssertionError("condition not met within %.1f s" % timeout)
        page.wait_for_timeout(step)
        waited += step
