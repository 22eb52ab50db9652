"""Object-level access: every route that takes an id and that consultants may use says whose
object it is, and another consultant asking for one that is not theirs gets 403 or 404 —
no name, no phone, nothing written."""
from flask import url_for

from tests.conftest import PASSWORD
from tests.hardening.test_route_matrix import _rules, _snapshot, _world
from tests.helpers import Browser
from tests.route_table import OWNER, PUBLIC, SHARED, collect

# What the matrix world's customers of m_consultant look like; none may reach another consultant.
SECRETS = ("张三", "13800138000", "矩阵客户", "13811112222")


def _id_routes(app, table, world):
    """(rule, spec, url) for routes consultants may use whose URL names an object."""
    found = []
    for rule in _rules(app):
        spec = table[rule.endpoint]
        if spec.roles == PUBLIC or "consultant" not in spec.roles:
            continue
        args = spec.args(world)
        if args:
            with app.test_request_context():
                found.append((rule, spec, url_for(rule.endpoint, **args)))
    return found


def test_every_route_with_an_id_says_whose_object_it_is(app):
    table = collect()
    undeclared = [rule.endpoint for rule, spec, _ in _id_routes(app, table, _Any())
                  if spec.scope not in (OWNER, SHARED)]
    assert not undeclared, f"declare scope=OWNER or SHARED in tests/route_table: {undeclared}"


class _Any(dict):
    """A world where every object id is 1: enough to build URLs."""

    def __missing__(self, key):
        return 1


def test_another_consultant_gets_nothing_of_someone_elses_objects(app, make_user, snapshot):
    table = collect()
    world = snapshot("matrix", lambda: _world(app, make_user))
    victim = Browser(app.test_client())  # "victim" is a second consultant in the matrix world
    assert victim.login("victim", PASSWORD).status_code == 302
    owned = [(rule, url) for rule, spec, url in _id_routes(app, table, world)
             if spec.scope == OWNER]
    assert len(owned) >= 10
    before = _snapshot(app)
    failures = []
    for rule, url in owned:
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = (victim.client.get(url) if method == "GET"
                        else victim.post(url, {"note": "x", "reason": "x"}, page="/"))
            body = response.get_data(as_text=True)
            if response.status_code not in (403, 404):
                failures.append(f"{method} {url}: {response.status_code}")
            leaked = [secret for secret in SECRETS if secret in body]
            if leaked:
                failures.append(f"{method} {url}: shows {leaked}")
    assert not failures, "\n".join(failures)
    assert _snapshot(app) == before, "another consultant's requests changed the database"


def test_staff_of_another_project_get_a_404_for_every_object_of_this_one(app, make_user,
                                                                          snapshot):
    """Each role, as a member of another project only, asks every route that names an object
    of the matrix project: not found, nothing shown, nothing written."""
    from app.extensions import db
    from app.models import Project, ProjectMember
    table = collect()
    world = snapshot("matrix", lambda: _world(app, make_user))
    browsers = {}
    staff = {role: make_user(role, username=f"else_{role}")
             for role in ("consultant", "secretary", "finance", "manager")}
    with app.app_context():
        elsewhere = Project(code="ELSE", name="别处项目")
        db.session.add(elsewhere)
        db.session.flush()
        db.session.add_all([ProjectMember(user_id=user_id, project_id=elsewhere.id, role=role)
                            for role, user_id in staff.items()])
        # the matrix project's own staff work there only
        db.session.add_all([ProjectMember(user_id=world[role], project_id=world["project"],
                                          role=role) for role in staff] + [
            ProjectMember(user_id=world["victim"], project_id=world["project"],
                          role="consultant")])
        db.session.commit()
    for role in ("consultant", "secretary", "finance", "manager"):
        browsers[role] = Browser(app.test_client())
        assert browsers[role].login(f"else_{role}", PASSWORD).status_code == 302
    before = _snapshot(app)
    failures, asked = [], 0
    for rule in _rules(app):
        spec = table[rule.endpoint]
        args = spec.args(world)
        if (spec.roles == PUBLIC or not any(isinstance(v, int) for v in args.values())
                or rule.endpoint.startswith("admin.")):
            continue  # names a register, not an object; the admin's pages are office-wide
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        for role in sorted(spec.roles - {"admin"}):
            for method in sorted(rule.methods & {"GET", "POST"}):
                browser, asked = browsers[role], asked + 1
                response = (browser.client.get(url) if method == "GET"
                            else browser.post(url, {"note": "x", "reason": "x"}, page="/"))
                if response.status_code != 404:
                    failures.append(f"{role} {method} {url}: {response.status_code}")
    assert asked >= 50
    assert not failures, "\n".join(failures)
    assert _snapshot(app) == before, "another project's staff changed the database"
