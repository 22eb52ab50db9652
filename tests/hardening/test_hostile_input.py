"""Every form the app renders gets random and hostile input: never a 5xx, never half-saved
data on a refusal, and hostile text comes back escaped everywhere it is shown.

Forms are discovered by walking every GET route of tests/route_table as a role allowed there,
so each new area is covered as soon as it lands.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from tests.hardening.forms_walker import post_forms
from tests.hardening.test_route_matrix import ROLES, _login, _rules, _world
from tests.hardening.writes import committed_writes
from tests.route_table import PUBLIC, collect

HOSTILE = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}", "{% print 1 %}",
    "\u202eevil\u202c", "𠀀𠀁𪚥 龘", "😀🏠", "' OR '1'='1", "=HYPERLINK(\"http://x\")", "A" * 5000,
    "-1", "0", "1e309", "NaN", "¥-0.001", "\x00", "   ", "2026-02-30", "99999999999999999999",
]
ENDS_SESSION = {"/logout", "/account/password"}


def _discover(app, world, browsers):
    """(role, form) for every POST form on every GET page, as the first role allowed there."""
    table, seen, found = collect(), set(), []
    for rule in _rules(app):
        spec = table[rule.endpoint]
        if "GET" not in rule.methods or spec.roles == PUBLIC:
            continue
        role = next(r for r in ROLES if r in spec.roles)
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **spec.args(world))
        response = browsers[role].get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        adapter = app.url_map.bind("localhost")
        for form in post_forms(response.text, url):
            try:  # one form per endpoint: a list's per-row buttons are the same form
                endpoint = adapter.match(form["action"].split("?")[0], method="POST")[0]
            except Exception:  # not a route of ours (or not POST): nothing to fuzz
                continue
            key = (role, endpoint, tuple(sorted(form["fields"])))
            if form["action"] not in ENDS_SESSION and key not in seen:
                seen.add(key)
                found.append((role, form))
    return found


def _value(field, draw):
    if field["kind"] == "hidden":
        return field["value"]  # set by the page; tampering is the mass-assignment tests' job
    if field["options"]:
        return draw(st.sampled_from(field["options"] + ["not-an-option", ""]))
    if field["kind"] == "checkbox":
        return draw(st.sampled_from(["y", "", "on"]))
    return draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                          st.integers(-10**6, 10**9).map(str),
                          st.decimals(allow_nan=False, places=3).map(str)))


def _revive(app, browsers, role):
    """Admin forms may deactivate the matrix users: bring `role` back before it posts."""
    from app.models import User
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == f"m_{role}"))
        # a page any logged-in user may open, cheaper than the home page's figures
        if user.active and browsers[role].client.get("/account/password").status_code == 200:
            return
        user.active = True
        db.session.commit()
    browsers[role] = _login(app, role)


@pytest.fixture
def fuzz_world(app, make_user, snapshot):
    """The matrix world and the forms its pages offer (found once per worker and engine),
    with a browser logged in per role."""

    def build():
        world = _world(app, make_user)
        return world, _discover(app, world, {role: _login(app, role) for role in ROLES})

    world, forms = snapshot("fuzz", build)
    return world, {role: _login(app, role) for role in ROLES}, forms


def test_random_input_to_every_form_never_5xx_nor_half_saves(app, fuzz_world):
    world, browsers, forms = fuzz_world
    assert forms, "no forms discovered"

    @settings(max_examples=8, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data):
        # Everything is drawn before any request, so a failure replays the same inputs.
        posts = [(role, form, {name: _value(field, data.draw)
                               for name, field in form["fields"].items()},
                  data.draw(st.booleans())) for role, form in forms]
        for role, form, values, htmx in posts:
            _revive(app, browsers, role)
            with committed_writes(app) as written:
                response = browsers[role].post(form["action"], values, htmx=htmx)
            assert response.status_code < 500, (form["action"], values, response.text[:300])
            if response.status_code >= 400:
                assert not written, f"refused but changed {written}: {form['action']}"
                english = [m for m in WTFORMS_ENGLISH if m in response.text]
                assert not english, f"{form['action']} answered in English: {english}"

    check()


def test_an_option_that_was_never_offered_is_refused_in_chinese(app, fuzz_world):
    """Every choice field of every form, answered with a value the page did not offer: the
    refusal names the field's problem in Chinese, and nothing is saved."""
    world, browsers, forms = fuzz_world
    tried = 0
    for role, form in forms:
        for name, field in form["fields"].items():
            if not field["options"] or field["kind"] == "hidden":
                continue
            values = {other: (f["value"] if f["kind"] == "hidden" else
                              (f["options"][0] if f["options"] else ""))
                      for other, f in form["fields"].items()}
            values[name] = "not-an-option"
            _revive(app, browsers, role)
            with committed_writes(app) as written:
                response = browsers[role].post(form["action"], values)
            assert response.status_code < 500, (form["action"], name)
            if response.status_code >= 400:
                tried += 1
                assert not written, f"refused but changed {written}: {form['action']}"
                english = [m for m in WTFORMS_ENGLISH if m in response.text]
                assert not english, f"{form['action']} {name}: answered in English: {english}"
    assert tried >= 20, tried


# WTForms' own messages: the office must read them in Chinese (app.forms.Form).
WTFORMS_ENGLISH = ("Not a valid", "not a valid choice", "This field is required",
                   "Field must be", "Invalid input", "Number must be", "Invalid value",
                   "Date must be", "cannot be edited")


def test_hostile_text_comes_back_escaped(app, fuzz_world):
    world, browsers, forms = fuzz_world
    payload = '<script>alert("x")</script>"><img src=x onerror=alert(1)>{{7*7}}'
    for role, form in forms:
        values = {name: (field["options"][0] if field["options"] else payload)
                  for name, field in form["fields"].items()}
        browsers[role].post(form["action"], values)
    table = collect()
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **table[rule.endpoint].args(world))
        for browser in browsers.values():
            response = browser.client.get(url)
            if not response.mimetype.startswith("text/"):
                continue  # PDFs and workbooks: test_hostile_text_in_documents_is_inert
            body = response.get_data(as_text=True)
            assert "<script>alert" not in body and "<img src=x" not in body, url
            assert ">49<" not in body.replace(" ", ""), f"template syntax evaluated at {url}"


MARKUP = '<script>alert(1)</script>{{7*7}}'  # 32 characters: fits a layout
FORMULA = '=HYPERLINK("http://x.example")'


def test_hostile_text_in_documents_is_inert(app, make_user, snapshot):
    """Names as hostile as a user could type them, in every PDF and workbook: a PDF prints the
    markup as text, a workbook holds the formula as text."""
    from app.models import Building, Customer, Unit, User
    world = snapshot("matrix", lambda: _world(app, make_user))
    with app.app_context():  # fixture data: what forms would have let through, written directly
        for customer in db.session.scalars(db.select(Customer)):
            customer.name = MARKUP
        for building in db.session.scalars(db.select(Building)):
            building.name = FORMULA
        for unit in db.session.scalars(db.select(Unit)):
            unit.layout = MARKUP
        db.session.get(User, world["consultant"]).display_name = FORMULA
        db.session.commit()
    table, browsers = collect(), {role: _login(app, role) for role in ROLES}
    shown = {"pdf": 0, "xlsx": 0}
    for rule in _rules(app):
        spec = table[rule.endpoint]
        if "GET" not in rule.methods or spec.roles == PUBLIC:
            continue
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **spec.args(world))
        response = browsers[next(r for r in ROLES if r in spec.roles)].client.get(url)
        if response.status_code == 200 and response.mimetype == "application/pdf":
            shown["pdf"] += _pdf_shows_markup_as_text(response.data, url)
        elif response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet"):
            shown["xlsx"] += _workbook_holds_formulas_as_text(response.data, url)
    assert shown["pdf"] >= 4 and shown["xlsx"] >= 4, shown


def _pdf_shows_markup_as_text(data, url):
    import io

    from pypdf import PdfReader
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = text.replace(" ", "").replace("\n", "")
    if "alert(1)" not in text:
        return 0
    assert MARKUP in text, f"markup rendered or evaluated: {url}"
    return 1


def _workbook_holds_formulas_as_text(data, url):
    import io

    from openpyxl import load_workbook
    cells = [cell for sheet in load_workbook(io.BytesIO(data)).worksheets
             for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    for cell in cells:
        assert cell.data_type == "s" and not cell.value.startswith("="), \
            f"formula injection in {url}: {cell.coordinate} {cell.value!r}"
    return 1 if cells else 0


def test_a_hostile_display_name_is_escaped_on_every_page(app, login_as):
    admin = login_as("admin")
    admin.get("/admin/users/new")
    name = '<script>alert(1)</script>{{7*7}}'
    response = admin.post("/admin/users/new", {"username": "xss", "display_name": name,
                                               "role": "manager", "password": "Jade-Bay-2026"})
    assert response.status_code == 302
    for url in ("/admin/users", "/admin/users/2", "/admin/audit"):
        body = admin.get(url).text
        assert "<script>alert(1)" not in body
    page = admin.get("/admin/users").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}" in page


def test_the_write_watch_sees_committed_writes_only(app, db):
    """The fuzz's half-save check: a committed write is seen, one rolled back is not, and the
    logs written on purpose (audit, logins, reads) are left out."""
    from app.models import Project
    from app.services import audit
    with committed_writes(app) as written:
        db.session.add(Project(code="R", name="回滚"))
        db.session.flush()
        db.session.rollback()
        audit.record("demo_loaded", "project", 1)
        db.session.commit()
    assert written == set()
    with committed_writes(app) as written:
        db.session.add(Project(code="C", name="提交"))
        db.session.commit()
        db.session.execute(db.update(Project).values(name="改名"))
        db.session.commit()
    assert written == {"project"}
