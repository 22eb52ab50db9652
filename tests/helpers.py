"""A test client that behaves like a browser: it reads CSRF tokens from pages."""
import re
import threading

import psycopg
from sqlalchemy import event

from app.extensions import db

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def pg_reachable(url):
    """None when PostgreSQL answers at `url`, else the reason it does not."""
    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: no PostgreSQL run
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def worker_database(url, worker):
    """The database of one xdist worker beside `url` (created when missing)."""
    if not worker:
        return url
    base, name = url.rsplit("/", 1)
    name = f"{name}_{worker}"
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def csrf_from(html):
    match = TOKEN_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class Browser:
    """Wraps Flask's test client; posts carry the CSRF token the last page gave."""

    def __init__(self, client):
        self.client = client
        self.token = None
        self.user_id = None

    def get(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        if response.mimetype == "text/html":
            match = TOKEN_RE.search(response.get_data(as_text=True))
            if match:
                self.token = match.group(1) or match.group(2)
        return response

    def ensure_token(self, page="/"):
        if self.token is None:
            self.get(page)
            if self.token is None:
                self.get("/login")
        return self.token

    def post(self, url, data=None, htmx=False, csrf=True, page=None, **kwargs):
        """A form post; htmx=True sends the token as htmx does (X-CSRFToken header)."""
        data = dict(data or {})
        headers = dict(kwargs.pop("headers", {}) or {})
        if csrf:
            token = self.ensure_token(page or "/")
            if htmx:
                headers["X-CSRFToken"] = token
            else:
                data.setdefault("csrf_token", token)
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(url, data=data, headers=headers, **kwargs)

    def login(self, username, password):
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password},
                             page="/login")
        self.token = None  # the session rotated at login: the old token is dead
        return response


def race(app, *jobs):
    """Run each job(app) in its own thread and app context, all released at once."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        barrier.wait(timeout=10)
        try:
            with app.app_context():
                results[index] = job()
        except Exception as exc:  # collected and asserted by the caller
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def statements_during(app, call):
    """The queries the database saw while `call()` ran."""
    seen = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's explicit transaction start
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, len(seen)
