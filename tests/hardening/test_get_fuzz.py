"""Every GET route from app.url_map, each path and query parameter given hostile values, as
each role: never a 5xx (the GET side of test_hostile_input's form fuzz).

Query parameter names are read from the code (request.args.get("x"), forms built from
request.args), so a new filter is fuzzed as soon as it lands.
"""
import inspect
import re
import time
from pathlib import Path
from urllib.parse import quote

from flask import url_for
from werkzeug.routing.converters import NumberConverter
from wtforms.fields.core import UnboundField

import app as app_package
from app import pdf
from tests.hardening.test_route_matrix import ROLES, _login, _rules, _world
from tests.route_table import PUBLIC, collect

TEXT = "A" * 2000 + "%FF%FE' OR '1'='1' --<script>alert(1)</script>{{7*7}}{{config}}"
HOSTILE = ["99999999999999999999", "-99999999999999999999", "-1", "0", "%00", "1e309",
           "2026-02-30", TEXT]  # huge and negative numbers, NUL, dates, invalid UTF-8...
PATH_HOSTILE = ["99999999999999999999", "0", "%00", "%FF", "x" * 300]
ARG = re.compile(r'args\.get(?:list)?\(\s*"(\w+)"|args\["(\w+)"\]')
FORM_FROM_ARGS = re.compile(r"(\w+Form)\(request\.args\)")


def query_names():
    """Every query parameter the views read, found in the source."""
    names = set()
    for path in Path(app_package.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= {a or b for a, b in ARG.findall(text)}
        if FORM_FROM_ARGS.search(text):
            module = __import__(_module_name(path), fromlist=["_"])
            for form_name in FORM_FROM_ARGS.findall(text):
                form = getattr(module, form_name)
                names |= {name for name, _ in inspect.getmembers(
                    form, lambda v: isinstance(v, UnboundField))}
    return sorted(names | {"endpoint", "_external", "_anchor", "_method"})  # url_for's own


def _module_name(path):
    root = Path(app_package.__file__).parent.parent
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _encoded(value):
    """URL-encoded, keeping the %-escapes that make invalid UTF-8 and NUL on purpose."""
    return "%".join(quote(part, safe="") if i == 0 else part[:2] + quote(part[2:], safe="")
                    for i, part in enumerate(value.split("%")))


def _query(names, shift):
    """Each name a hostile value, name i taking HOSTILE[i + shift]: len(HOSTILE) queries
    give every name every value."""
    return "&".join(f"{name}={_encoded(HOSTILE[(i + shift) % len(HOSTILE)])}"
                    for i, name in enumerate(names))


def _hostile_paths(rule, args):
    """The route's URL with each path argument in turn replaced by each hostile value."""
    for name in rule.arguments:
        for value in PATH_HOSTILE:
            numeric = isinstance(rule._converters[name], NumberConverter)
            marker = 7_777_777 if numeric else "⁂"
            with_marker = url_for(rule.endpoint, **{**args, name: marker})
            yield with_marker.replace(quote(str(marker), safe=""), _encoded(value), 1)


def test_hostile_get_parameters_never_5xx(app, make_user, snapshot, monkeypatch):
    # The page a PDF is made from is still rendered with the hostile values; drawing it
    # (WeasyPrint, ~0.1 s a page) adds nothing here: test_hostile_text_in_documents does.
    monkeypatch.setattr(pdf, "_render", lambda html: b"%PDF-1.7 not drawn")
    table, names = collect(), query_names()
    world = snapshot("matrix", lambda: _world(app, make_user))
    browsers = {role: _login(app, role) for role in ROLES}
    failures, sent, started, cost = [], 0, time.perf_counter(), {}
    for rule in _rules(app):
        spec = table[rule.endpoint]
        if "GET" not in rule.methods or spec.ends_session:
            continue
        with app.test_request_context():
            args = spec.args(world)
            url = url_for(rule.endpoint, **args)
            paths = list(_hostile_paths(rule, args))
        allowed = [role for role in ROLES if spec.roles == PUBLIC or role in spec.roles]
        for role in ROLES:
            # The first allowed role gets every name × every value and every hostile path;
            # the others two mixed queries; a refused role one (403 before the view reads).
            shifts = range(len(HOSTILE) if role == allowed[0] else 2 if role in allowed else 1)
            urls = [f"{url}{'&' if '?' in url else '?'}{_query(names, k)}" for k in shifts]
            urls += paths if role == allowed[0] else []
            for target in urls:
                t0 = time.perf_counter()
                status = browsers[role].client.get(target).status_code
                sent += 1
                cost[rule.endpoint] = cost.get(rule.endpoint, 0) + time.perf_counter() - t0
                if status >= 500:
                    failures.append(f"{status} {role} {target[:160]}")
    elapsed = time.perf_counter() - started
    print(f"GET fuzz: {len(names)} query names, {sent} requests in {elapsed:.1f} s, "
          f"5xx: {len(failures)}")
    print(sorted(cost.items(), key=lambda kv: -kv[1])[:12])
    assert not failures, "\n".join(failures[:60])


def test_the_audit_log_pages_back_with_its_filters(app, login_as):
    """更早的记录 (/admin/audit?before=N) opens the next page, keeping the filter."""
    from app.extensions import db
    from app.services import audit
    admin = login_as("admin")
    with app.app_context():
        for n in range(130):  # three pages of 50
            audit.record("demo_loaded", "project", n)
        db.session.commit()
    page = admin.get("/admin/audit?object_type=project")
    for _ in range(2):
        assert page.status_code == 200
        link = re.search(r'href="([^"]*before=\d+[^"]*)"[^>]*>更早的记录', page.text).group(1)
        assert "object_type=project" in link
        page = admin.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and "更早的记录" not in page.text


def test_the_consultant_filter_from_the_performance_report_opens(app, login_as, make_user):
    """置业顾问业绩 links to /customers/?owner=<id>: on PostgreSQL that compared an integer
    column with text."""
    from tests.fixtures.board import make_project
    make_project(app, buildings=())
    consultant = make_user("consultant", username="owner_c")
    manager = login_as("manager")
    for query in (f"owner={consultant}", "owner=pool", "owner=99999999999999999999",
                  "owner=abc"):
        assert manager.get(f"/customers/?{query}").status_code == 200, query
