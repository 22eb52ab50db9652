"""End-to-end: a live server on a free port and Debian's Chromium driven by Playwright."""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.services import demo

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def live_server(sqlite_template, tmp_path_factory):
    """The app on SQLite with the demo project, served on 127.0.0.1 and a free port."""
    path = tmp_path_factory.mktemp("e2e") / "e2e.db"
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


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
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
